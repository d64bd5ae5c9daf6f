#ifndef ONRAMP_LIB_KIT_RATE_LIMIT_TOKEN_BUCKETS_H_
#define ONRAMP_LIB_KIT_RATE_LIMIT_TOKEN_BUCKETS_H_

// Request-rate limits kept in one process's memory: a token bucket per key
// (a client address, an API key), refilled at `rate_per_second` up to
// `burst`. For the edge, where a shared table would cost more than the
// request; each replica limits on its own, so the fleet-wide rate is the
// per-replica rate times the replicas behind the balancer.
//
// Memory is bounded: past `max_keys`, keys whose buckets have refilled are
// forgotten (a full bucket is the same as none); if every key is active,
// new keys are let through untracked rather than evicting the busy ones.

#include <array>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace onramp::rate_limit {

class TokenBuckets {
 public:
  struct Options {
    double rate_per_second = 10;
    double burst = 100;
    size_t max_keys = 100000;
    std::function<absl::Time()> now = [] { return absl::Now(); };
  };

  explicit TokenBuckets(Options options) : options_(std::move(options)) {}

  // Takes one token for `key`: nullopt when allowed, else the wait until
  // the next token (for Retry-After).
  std::optional<absl::Duration> Take(std::string_view key);

 private:
  struct Bucket {
    double tokens;
    absl::Time updated;
  };
  struct Shard {
    std::mutex mutex;
    absl::flat_hash_map<std::string, Bucket> buckets;
  };
  static constexpr size_t kShards = 16;

  void ForgetRefilled(Shard& shard, absl::Time now);

  Options options_;
  std::array<Shard, kShards> shards_;
};

}  // namespace onramp::rate_limit

#endif  // ONRAMP_LIB_KIT_RATE_LIMIT_TOKEN_BUCKETS_H_
