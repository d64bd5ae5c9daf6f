#ifndef ONRAMP_SERVICES_PROFILE_RENDER_GENERATION_WATCHER_H_
#define ONRAMP_SERVICES_PROFILE_RENDER_GENERATION_WATCHER_H_

#include <atomic>
#include <cstdint>
#include <functional>

#include "absl/time/time.h"
#include "lib/kit/server/periodic.h"
#include "services/profile-render/store.h"

namespace onramp::profile {

// The layer generation as this replica knows it: refreshed after its own
// writes at once and from PostgreSQL every `poll` (other replicas' writes),
// so a cached render needs no database round trip.
class GenerationWatcher {
 public:
  // `on_change` (may be empty) is called with each newer generation seen.
  GenerationWatcher(ProfileStore& store, absl::Duration poll, std::function<void(int64_t)> on_change = nullptr);
  int64_t current() const { return generation_.load(); }
  void Refresh();

 private:
  ProfileStore& store_;
  const std::function<void(int64_t)> on_change_;
  std::atomic<int64_t> generation_{0};
  server::Periodic poller_;
};

}  // namespace onramp::profile

#endif  // ONRAMP_SERVICES_PROFILE_RENDER_GENERATION_WATCHER_H_
