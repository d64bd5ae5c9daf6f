#include "lib/phone/profile_crypto/device_key.h"

#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/status_matchers.h"
#include "lib/phone/profile_crypto/openssl_enc.h"

namespace onramp::profile_crypto {
namespace {

using ::onramp::status::StatusIs;

TEST(DeviceKeyTest, GeneratedKeysAreDistinctAndRoundTripAsHex) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    absl::StatusOr<DeviceKey> key = DeviceKey::Generate();
    ASSERT_TRUE(key.ok());
    std::string hex = key->ToHex();
    EXPECT_THAT(hex, ::testing::MatchesRegex("[0-9a-f]{64}"));
    EXPECT_EQ(*DeviceKey::FromHex(hex), *key);
    seen.insert(hex);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(DeviceKeyTest, RejectsMalformedHex) {
  EXPECT_THAT(DeviceKey::FromHex("abc"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DeviceKey::FromHex(std::string(63, 'a') + "g"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(DeviceKeyTest, EncryptsAProfileThePhoneCanOpen) {
  DeviceKey key = *DeviceKey::Generate();
  std::string file = EncryptOpensslEnc("<flat-profile/>", key.Passphrase());
  EXPECT_EQ(DecryptOpensslEnc(file, key.Passphrase())->plaintext, "<flat-profile/>");
}

TEST(DeviceKeyTest, ConstantTimeEqualsComparesContents) {
  EXPECT_TRUE(ConstantTimeEquals("secret", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secret!"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

}  // namespace
}  // namespace onramp::profile_crypto
