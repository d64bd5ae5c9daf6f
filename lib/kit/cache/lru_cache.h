#ifndef ONRAMP_LIB_KIT_CACHE_LRU_CACHE_H_
#define ONRAMP_LIB_KIT_CACHE_LRU_CACHE_H_

// A thread-safe map from string keys to immutable values that keeps the
// `capacity` most recently used. Values are shared, so a reader holds its
// copy while a writer replaces or evicts the entry:
//
//   cache::LruCache<Rendered> renders(100000);
//   if (std::shared_ptr<const Rendered> hit = renders.Find(key)) return *hit;
//   renders.Put(key, std::make_shared<const Rendered>(Render(...)));
//
// Freshness is the caller's: put a version in the key (stale entries age
// out) or a time in the value.

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace onramp::cache {

template <typename Value>
class LruCache {
 public:
  explicit LruCache(size_t capacity) : capacity_(capacity) {}

  LruCache(const LruCache&) = delete;
  LruCache& operator=(const LruCache&) = delete;

  // Null when absent; a hit becomes the most recently used.
  std::shared_ptr<const Value> Find(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto found = index_.find(key);
    if (found == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, found->second);
    return found->second->second;
  }

  void Put(const std::string& key, std::shared_ptr<const Value> value) {
    std::lock_guard lock(mutex_);
    if (auto found = index_.find(key); found != index_.end()) {
      found->second->second = std::move(value);
      order_.splice(order_.begin(), order_, found->second);
      return;
    }
    order_.emplace_front(key, std::move(value));
    index_[key] = order_.begin();
    if (order_.size() > capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
  }

  void Erase(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto found = index_.find(key);
    if (found == index_.end()) return;
    order_.erase(found->second);
    index_.erase(found);
  }

  void Clear() {
    std::lock_guard lock(mutex_);
    index_.clear();
    order_.clear();
  }

  size_t size() {
    std::lock_guard lock(mutex_);
    return order_.size();
  }

 private:
  using Entry = std::pair<std::string, std::shared_ptr<const Value>>;
  const size_t capacity_;
  std::mutex mutex_;
  std::list<Entry> order_;  // most recent first
  std::unordered_map<std::string, typename std::list<Entry>::iterator> index_;
};

}  // namespace onramp::cache

#endif  // ONRAMP_LIB_KIT_CACHE_LRU_CACHE_H_
