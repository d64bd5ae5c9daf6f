#ifndef ONRAMP_SERVICES_GATEWAY_EDGE_CACHE_H_
#define ONRAMP_SERVICES_GATEWAY_EDGE_CACHE_H_

// Copies of profile-render's answers to phones' resyncs, so that a phone
// whose profile has not changed is answered — 200 or 304 — from memory on
// the gateway's event loop, without a backend call. profile-render decides
// what may be copied and for how long (RenderResponse.edge) and tells of
// every change that can make a copy stale (WatchRenders, fed in by
// RenderWatch); this class only applies those terms. A copy is used only
//   - while the watch is up (a gateway cut off keeps nothing),
//   - while its layer generation is the current one,
//   - within its max age, when it has one,
//   - and if nothing was forgotten or changed between the render's start and
//     the copy being put (a change told meanwhile may concern it).
// Whether an answer is owed to a request (its rate limit, its certificate
// naming the phone) stays the routes' to decide, before they ask here.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "lib/kit/cache/lru_cache.h"
#include "onramp/profile/v1/profile.pb.h"

namespace onramp::gateway {

class EdgeCache {
 public:
  // What the phone is answered, as profile-render gave it.
  struct Answer {
    std::string etag;
    std::string body;
    std::string content_type;
    std::string content_encoding;
    bool has_secrets = false;
    profile::v1::Encryption encryption = profile::v1::ENCRYPTION_UNSPECIFIED;
  };

  // `capacity` phones are kept, the most recently asked.
  explicit EdgeCache(size_t capacity, std::function<absl::Time()> clock = absl::Now);

  // The part of a resync its answer depends on besides the phone's MAC
  // (profile-render keys its own renders by the same).
  static std::string VariantOf(const profile::v1::RenderRequest& request);

  // The copy for the phone's request, or null.
  std::shared_ptr<const Answer> Find(const std::string& mac, const std::string& variant);
  // Before asking profile-render: what Put needs to know nothing changed.
  uint64_t changes() const { return changes_.load(); }
  // Keeps `answer` if `terms` allow and nothing changed since `changes_before`.
  void Put(const std::string& mac, const std::string& variant, Answer answer, const profile::v1::EdgeCopy& terms,
           uint64_t changes_before);

  // From the watch.
  void Watching(int64_t generation);  // the stream is (again) up
  void Changed(int64_t generation, const std::vector<std::string>& forgotten_macs);
  void NotWatching();  // cut off: nothing is kept until Watching
  bool watching() const { return watching_.load(); }

  size_t size() { return phones_.size(); }

 private:
  struct Copy {
    std::string variant;
    std::shared_ptr<const Answer> answer;
    int64_t generation = 0;
    absl::Time expires;
  };
  // A phone usually has one copy; its variants are few (a rule with and
  // without swver, a certificate or none), so a short list.
  using PhoneCopies = std::vector<Copy>;
  static constexpr size_t kMaxVariants = 4;

  const std::function<absl::Time()> clock_;
  cache::LruCache<PhoneCopies> phones_;
  std::atomic<bool> watching_{false};
  std::atomic<int64_t> generation_{0};
  std::atomic<uint64_t> changes_{0};
  // Orders Put against Changed, so that a change told between a Put's check
  // and its insert cannot be missed.
  std::mutex writes_;
};

}  // namespace onramp::gateway

#endif  // ONRAMP_SERVICES_GATEWAY_EDGE_CACHE_H_
