#include "lib/kit/rate_limit/token_buckets.h"

#include "gtest/gtest.h"

namespace onramp::rate_limit {
namespace {

class TokenBucketsTest : public ::testing::Test {
 protected:
  TokenBuckets Make(double rate, double burst, size_t max_keys = 100000) {
    return TokenBuckets({.rate_per_second = rate, .burst = burst, .max_keys = max_keys, .now = [this] { return now_; }});
  }
  absl::Time now_ = absl::FromUnixSeconds(1800000000);
};

TEST_F(TokenBucketsTest, AllowsTheBurstThenTheRateAndSaysHowLongToWait) {
  TokenBuckets buckets = Make(/*rate=*/2, /*burst=*/5);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(buckets.Take("192.0.2.1").has_value()) << i;
  std::optional<absl::Duration> wait = buckets.Take("192.0.2.1");
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, absl::Milliseconds(500));  // one token at 2 per second
  // Another key has its own bucket.
  EXPECT_FALSE(buckets.Take("192.0.2.2").has_value());
  now_ += absl::Milliseconds(500);
  EXPECT_FALSE(buckets.Take("192.0.2.1").has_value());
  EXPECT_TRUE(buckets.Take("192.0.2.1").has_value());
  // Refilled after a pause, but never past the burst.
  now_ += absl::Hours(1);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(buckets.Take("192.0.2.1").has_value()) << i;
  EXPECT_TRUE(buckets.Take("192.0.2.1").has_value());
}

TEST_F(TokenBucketsTest, MemoryStaysBoundedWithoutFreeingBusyKeys) {
  // 16 shards of one key each. An exhausted key stays limited however many
  // others come and go...
  TokenBuckets busy = Make(/*rate=*/1, /*burst=*/2, /*max_keys=*/16);
  busy.Take("attacker");
  busy.Take("attacker");
  for (int i = 0; i < 1000; ++i) busy.Take("10.0.0." + std::to_string(i));
  EXPECT_TRUE(busy.Take("attacker").has_value());
  // ...and once it has refilled it may be forgotten, which changes nothing.
  now_ += absl::Seconds(2);
  for (int i = 0; i < 1000; ++i) busy.Take("10.1.0." + std::to_string(i));
  EXPECT_FALSE(busy.Take("attacker").has_value());
}

}  // namespace
}  // namespace onramp::rate_limit
