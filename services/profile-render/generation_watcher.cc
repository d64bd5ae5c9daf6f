#include "services/profile-render/generation_watcher.h"

#include "lib/kit/log/log.h"

namespace onramp::profile {

GenerationWatcher::GenerationWatcher(ProfileStore& store, absl::Duration poll,
                                     std::function<void(int64_t)> on_change)
    : store_(store), on_change_(std::move(on_change)),
      poller_(poll, [this] { Refresh(); }, server::Periodic::FirstRun::kAtOnce) {}

void GenerationWatcher::Refresh() {
  absl::StatusOr<int64_t> generation = store_.Generation();
  if (!generation.ok()) {
    log::Warn("cannot read the layer generation", {{"error", std::string(generation.status().message())}});
    return;
  }
  // Only forward: a slow poll must not undo a newer refresh.
  int64_t seen = generation_.load();
  while (*generation > seen) {
    if (generation_.compare_exchange_weak(seen, *generation)) {
      if (on_change_) on_change_(*generation);
      return;
    }
  }
}

}  // namespace onramp::profile
