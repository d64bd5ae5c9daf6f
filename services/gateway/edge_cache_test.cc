#include "services/gateway/edge_cache.h"

#include "gtest/gtest.h"
#include "lib/kit/proto/messages.h"

namespace onramp::gateway {
namespace {

constexpr char kMac[] = "000e08aabbcc";
constexpr char kOther[] = "000e08aabbdd";

profile::v1::EdgeCopy Terms(int64_t generation, std::optional<absl::Duration> max_age = std::nullopt) {
  profile::v1::EdgeCopy terms;
  terms.set_generation(generation);
  if (max_age) proto::SetDuration(*max_age, terms.mutable_max_age());
  return terms;
}

EdgeCache::Answer AnswerWith(const std::string& etag) { return {.etag = etag, .body = "<flat-profile/>"}; }

class EdgeCacheTest : public ::testing::Test {
 protected:
  absl::Time now_ = absl::FromUnixSeconds(1000);
  EdgeCache cache_{100, [this] { return now_; }};
};

TEST_F(EdgeCacheTest, NothingIsKeptOrServedBeforeTheWatchIsUp) {
  cache_.Put(kMac, "v", AnswerWith("\"a\""), Terms(1), cache_.changes());
  cache_.Watching(1);
  EXPECT_EQ(cache_.Find(kMac, "v"), nullptr);
}

TEST_F(EdgeCacheTest, ACopyServesWhileItsGenerationHoldsAndNotAfter) {
  cache_.Watching(1);
  cache_.Put(kMac, "v", AnswerWith("\"a\""), Terms(1), cache_.changes());
  ASSERT_NE(cache_.Find(kMac, "v"), nullptr);
  EXPECT_EQ(cache_.Find(kMac, "v")->etag, "\"a\"");
  EXPECT_EQ(cache_.Find(kMac, "other variant"), nullptr);
  cache_.Changed(2, {});
  EXPECT_EQ(cache_.Find(kMac, "v"), nullptr);
}

TEST_F(EdgeCacheTest, ACopyOfANewerGenerationServesOnceTheWatchReachesIt) {
  cache_.Watching(1);
  // Rendered by a replica that already knew generation 2.
  cache_.Put(kMac, "v", AnswerWith("\"b\""), Terms(2), cache_.changes());
  EXPECT_EQ(cache_.Find(kMac, "v"), nullptr);
  cache_.Changed(2, {});
  EXPECT_NE(cache_.Find(kMac, "v"), nullptr);
}

TEST_F(EdgeCacheTest, AMaxAgeBoundsACopy) {
  cache_.Watching(1);
  cache_.Put(kMac, "v", AnswerWith("\"a\""), Terms(1, absl::Milliseconds(250)), cache_.changes());
  now_ += absl::Milliseconds(249);
  EXPECT_NE(cache_.Find(kMac, "v"), nullptr);
  now_ += absl::Milliseconds(1);
  EXPECT_EQ(cache_.Find(kMac, "v"), nullptr);
}

TEST_F(EdgeCacheTest, AForgottenPhoneLosesItsCopiesAndOthersKeepTheirs) {
  cache_.Watching(1);
  cache_.Put(kMac, "v", AnswerWith("\"a\""), Terms(1), cache_.changes());
  cache_.Put(kMac, "w", AnswerWith("\"a2\""), Terms(1), cache_.changes());
  cache_.Put(kOther, "v", AnswerWith("\"b\""), Terms(1), cache_.changes());
  cache_.Changed(1, {kMac});
  EXPECT_EQ(cache_.Find(kMac, "v"), nullptr);
  EXPECT_EQ(cache_.Find(kMac, "w"), nullptr);
  EXPECT_NE(cache_.Find(kOther, "v"), nullptr);
}

TEST_F(EdgeCacheTest, ARenderThatBeganBeforeAChangeIsNotKept) {
  cache_.Watching(1);
  uint64_t before = cache_.changes();
  cache_.Changed(1, {kMac});  // e.g. a key delivered while the render ran
  cache_.Put(kMac, "v", AnswerWith("\"a\""), Terms(1), before);
  EXPECT_EQ(cache_.Find(kMac, "v"), nullptr);
}

TEST_F(EdgeCacheTest, ALostWatchDropsEverythingForGood) {
  cache_.Watching(1);
  cache_.Put(kMac, "v", AnswerWith("\"a\""), Terms(1), cache_.changes());
  cache_.NotWatching();
  EXPECT_EQ(cache_.Find(kMac, "v"), nullptr);
  cache_.Watching(1);  // the same generation, but changes may have been missed
  EXPECT_EQ(cache_.Find(kMac, "v"), nullptr);
  EXPECT_EQ(cache_.size(), 0u);
}

TEST_F(EdgeCacheTest, AVariantPutAgainReplacesItsCopy) {
  cache_.Watching(1);
  cache_.Put(kMac, "v", AnswerWith("\"a\""), Terms(1), cache_.changes());
  cache_.Put(kMac, "v", AnswerWith("\"b\""), Terms(1), cache_.changes());
  EXPECT_EQ(cache_.Find(kMac, "v")->etag, "\"b\"");
}

TEST(EdgeCacheVariantTest, WhatTheAnswerDependsOnTellsVariantsApart) {
  profile::v1::RenderRequest request;
  request.mutable_device()->mutable_mac()->set_value(kMac);
  request.mutable_device()->set_model("CP-8851-3PCC");
  request.mutable_device()->set_firmware_version("12.0.1");
  request.set_source_address("192.0.2.7");
  std::string plain = EdgeCache::VariantOf(request);
  profile::v1::RenderRequest authenticated = request;
  authenticated.set_authenticated_channel(true);
  profile::v1::RenderRequest upgraded = request;
  upgraded.mutable_device()->set_firmware_version("12.0.2");
  profile::v1::RenderRequest moved = request;
  moved.set_source_address("192.0.2.8");
  profile::v1::RenderRequest revalidating = request;
  revalidating.set_if_none_match("\"a\"");
  EXPECT_NE(EdgeCache::VariantOf(authenticated), plain);
  EXPECT_NE(EdgeCache::VariantOf(upgraded), plain);
  EXPECT_NE(EdgeCache::VariantOf(moved), plain);
  EXPECT_EQ(EdgeCache::VariantOf(revalidating), plain) << "a 304 is made from the same copy";
}

}  // namespace
}  // namespace onramp::gateway
