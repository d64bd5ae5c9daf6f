#ifndef ONRAMP_SERVICES_PROFILE_RENDER_RENDER_CHANGES_H_
#define ONRAMP_SERVICES_PROFILE_RENDER_RENDER_CHANGES_H_

// The changes that make gateways' copies of rendered answers stale, told to
// every watching gateway (WatchRenders) with acknowledgement: Publish
// returns once each watcher has acknowledged the change or has been cut off
// for taking longer than `ack_timeout`. A write that publishes is therefore
// seen by every gateway before its caller hears it is done, and a gateway
// that cannot keep up keeps no copies (it learns it was cut off when its
// stream ends) rather than stale ones. No transport here: the RPC drives a
// Watcher.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace onramp::profile {

struct RenderChange {
  int64_t sequence = 0;
  int64_t generation = 0;
  std::vector<std::string> forgotten_macs;
};

class RenderChanges {
 public:
  class Watcher;

  explicit RenderChanges(absl::Duration ack_timeout = absl::Seconds(1)) : ack_timeout_(ack_timeout) {}

  // A new watcher; its first change says the current generation. `cut_off`
  // (called at most once, under no lock of ours) must end its stream, so
  // that a watcher blocked on the network stops.
  std::shared_ptr<Watcher> Watch(std::function<void()> cut_off);
  // Tells every watcher; returns when each has acknowledged or was cut off.
  void Publish(int64_t generation, std::vector<std::string> forgotten_macs = {});
  // Cuts every watcher off (the server drains; gateways watch another
  // replica).
  void CutOffAll();

  class Watcher {
   public:
    // The next change to send, once there is one or `deadline` passes;
    // nullopt also once cut off.
    std::optional<RenderChange> Next(absl::Time deadline);
    void Acknowledge(int64_t sequence);
    // The stream ended: nothing more is waited for from this watcher.
    void Close();

   private:
    friend class RenderChanges;
    explicit Watcher(RenderChanges& changes) : changes_(changes) {}
    RenderChanges& changes_;
    std::deque<RenderChange> pending_;  // guarded by changes_.mutex_
    int64_t acknowledged_ = 0;
    bool closed_ = false;
    std::function<void()> cut_off_;
  };

 private:
  const absl::Duration ack_timeout_;
  std::mutex mutex_;
  std::condition_variable changed_;
  int64_t sequence_ = 0;
  int64_t generation_ = 0;
  std::set<std::shared_ptr<Watcher>> watchers_;
};

}  // namespace onramp::profile

#endif  // ONRAMP_SERVICES_PROFILE_RENDER_RENDER_CHANGES_H_
