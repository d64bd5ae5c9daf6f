#include "lib/phone/tr069/credentials.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace onramp::tr069 {
namespace {

TEST(CredentialsTest, EachPhoneAndPurposeHasItsOwnAndTheSecretDecides) {
  const std::string secret(32, 's');
  Credentials acs = AcsCredentials(secret, "000e08aabbcc");
  EXPECT_EQ(acs.username, "000e08aabbcc");
  EXPECT_THAT(acs.password, ::testing::MatchesRegex("[0-9a-f]{32}"));
  // The same on every replica and every call.
  EXPECT_EQ(AcsCredentials(secret, "000e08aabbcc").password, acs.password);
  EXPECT_NE(AcsCredentials(secret, "000e08aabbcd").password, acs.password);
  EXPECT_NE(ConnectionRequestCredentials(secret, "000e08aabbcc").password, acs.password);
  EXPECT_NE(AcsCredentials(std::string(32, 't'), "000e08aabbcc").password, acs.password);
}

}  // namespace
}  // namespace onramp::tr069
