#include "lib/kit/rate_limit/token_buckets.h"

#include <algorithm>

#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace onramp::rate_limit {

std::optional<absl::Duration> TokenBuckets::Take(std::string_view key) {
  absl::Time now = options_.now();
  absl::string_view name(key.data(), key.size());  // abseil's own, for its hash map
  Shard& shard = shards_[absl::Hash<absl::string_view>()(name) % kShards];
  std::lock_guard lock(shard.mutex);
  auto found = shard.buckets.find(name);
  if (found == shard.buckets.end()) {
    if (shard.buckets.size() >= options_.max_keys / kShards) {
      ForgetRefilled(shard, now);
      if (shard.buckets.size() >= options_.max_keys / kShards) return std::nullopt;
    }
    found = shard.buckets.emplace(std::string(key), Bucket{.tokens = options_.burst, .updated = now}).first;
  }
  Bucket& bucket = found->second;
  double refill = absl::ToDoubleSeconds(now - bucket.updated) * options_.rate_per_second;
  bucket.tokens = std::min(options_.burst, bucket.tokens + std::max(0.0, refill));
  bucket.updated = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return std::nullopt;
  }
  return absl::Seconds((1 - bucket.tokens) / options_.rate_per_second);
}

void TokenBuckets::ForgetRefilled(Shard& shard, absl::Time now) {
  absl::Duration to_fill = absl::Seconds(options_.burst / options_.rate_per_second);
  absl::erase_if(shard.buckets, [&](const auto& entry) {
    return now - entry.second.updated >= to_fill * (1 - entry.second.tokens / options_.burst);
  });
}

}  // namespace onramp::rate_limit
