#include "services/profile-render/render_changes.h"

#include <algorithm>

#include "lib/kit/log/log.h"

namespace onramp::profile {

std::shared_ptr<RenderChanges::Watcher> RenderChanges::Watch(std::function<void()> cut_off) {
  std::shared_ptr<Watcher> watcher(new Watcher(*this));
  watcher->cut_off_ = std::move(cut_off);
  std::lock_guard lock(mutex_);
  watcher->pending_.push_back({.sequence = sequence_, .generation = generation_});
  watcher->acknowledged_ = sequence_;
  watchers_.insert(watcher);
  return watcher;
}

void RenderChanges::Publish(int64_t generation, std::vector<std::string> forgotten_macs) {
  std::unique_lock lock(mutex_);
  int64_t sequence = ++sequence_;
  generation_ = std::max(generation_, generation);
  for (const std::shared_ptr<Watcher>& watcher : watchers_) {
    watcher->pending_.push_back({.sequence = sequence, .generation = generation_, .forgotten_macs = forgotten_macs});
  }
  changed_.notify_all();
  auto all_acknowledged = [&] {
    return std::all_of(watchers_.begin(), watchers_.end(),
                       [sequence](const std::shared_ptr<Watcher>& w) { return w->acknowledged_ >= sequence; });
  };
  if (changed_.wait_for(lock, absl::ToChronoNanoseconds(ack_timeout_), all_acknowledged)) return;
  // Cut off under the lock: a watcher's stream closes (Close takes this
  // lock) only after its cut_off can no longer be called.
  for (auto it = watchers_.begin(); it != watchers_.end();) {
    if ((*it)->acknowledged_ >= sequence) {
      ++it;
      continue;
    }
    log::Warn("a gateway did not acknowledge a render change in time; cut off",
              {{"sequence", sequence}, {"generation", generation_}});
    (*it)->closed_ = true;
    (*it)->cut_off_();
    it = watchers_.erase(it);
  }
}

void RenderChanges::CutOffAll() {
  std::lock_guard lock(mutex_);
  for (const std::shared_ptr<Watcher>& watcher : watchers_) {
    watcher->closed_ = true;
    watcher->cut_off_();
  }
  watchers_.clear();
  changed_.notify_all();
}

std::optional<RenderChange> RenderChanges::Watcher::Next(absl::Time deadline) {
  std::unique_lock lock(changes_.mutex_);
  changes_.changed_.wait_until(lock, absl::ToChronoTime(deadline), [this] { return closed_ || !pending_.empty(); });
  if (closed_ || pending_.empty()) return std::nullopt;
  RenderChange change = std::move(pending_.front());
  pending_.pop_front();
  return change;
}

void RenderChanges::Watcher::Acknowledge(int64_t sequence) {
  std::lock_guard lock(changes_.mutex_);
  acknowledged_ = std::max(acknowledged_, sequence);
  changes_.changed_.notify_all();
}

void RenderChanges::Watcher::Close() {
  std::lock_guard lock(changes_.mutex_);
  closed_ = true;
  for (auto it = changes_.watchers_.begin(); it != changes_.watchers_.end(); ++it) {
    if (it->get() == this) {
      changes_.watchers_.erase(it);
      break;
    }
  }
  changes_.changed_.notify_all();
}

}  // namespace onramp::profile
