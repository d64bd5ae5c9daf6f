#include "services/profile-render/generation_watcher.h"

#include "lib/kit/log/log.h"

namespace onramp::profile {

GenerationWatcher::GenerationWatcher(ProfileStore& store, absl::Duration poll)
    : store_(store), thread_([this, poll] {
        std::unique_lock lock(mutex_);
        while (!stopping_) {
          lock.unlock();
          Refresh();
          lock.lock();
          wake_.wait_for(lock, absl::ToChronoMilliseconds(poll));
        }
      }) {}

GenerationWatcher::~GenerationWatcher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void GenerationWatcher::Refresh() {
  absl::StatusOr<int64_t> generation = store_.Generation();
  if (!generation.ok()) {
    log::Warn("cannot read the layer generation", {{"error", std::string(generation.status().message())}});
    return;
  }
  // Only forward: a slow poll must not undo a newer refresh.
  int64_t seen = generation_.load();
  while (*generation > seen && !generation_.compare_exchange_weak(seen, *generation)) {
  }
}

}  // namespace onramp::profile
