#include "lib/phone/profile_crypto/sealer.h"

#include "gtest/gtest.h"
#include "lib/kit/status/status_matchers.h"

namespace onramp::profile_crypto {
namespace {

using ::onramp::status::StatusIs;

TEST(SealerTest, OpensOnlyWithTheSameSecretAndPurpose) {
  Sealer sealer = *Sealer::Create(std::string(32, 's'), "device keys");
  std::string sealed = sealer.Seal("the device key");
  EXPECT_EQ(sealed.find("the device key"), std::string::npos);
  EXPECT_EQ(*sealer.Open(sealed), "the device key");
  EXPECT_NE(sealer.Seal("the device key"), sealed);  // fresh nonce each time
  EXPECT_THAT(Sealer::Create(std::string(32, 't'), "device keys")->Open(sealed),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(Sealer::Create(std::string(32, 's'), "batches")->Open(sealed),
              StatusIs(absl::StatusCode::kDataLoss));
  sealed[15] ^= 1;
  EXPECT_THAT(sealer.Open(sealed), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(sealer.Open("short"), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(Sealer::Create("short", "x").status(), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace onramp::profile_crypto
