#include "lib/base/digest/digest.h"

#include "gtest/gtest.h"

namespace onramp::digest {
namespace {

TEST(DigestTest, HmacSha256MatchesRfc4231) {
  // RFC 4231, test case 2.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(DigestTest, Sha256OfNothing) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("", 4), "e3b0c442");
}

}  // namespace
}  // namespace onramp::digest
