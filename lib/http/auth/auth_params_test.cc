#include "lib/http/auth/auth_params.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace onramp::http_auth {
namespace {

using ::testing::Pair;
using ::testing::UnorderedElementsAre;

TEST(AuthParamsTest, ReadsTokensQuotedStringsAndEscapes) {
  EXPECT_THAT(ParseAuthParams(R"(realm="acme \"phones\"", QOP="auth,auth-int" , nc=00000001,algorithm=MD5)"),
              UnorderedElementsAre(Pair("realm", "acme \"phones\""), Pair("qop", "auth,auth-int"),
                                   Pair("nc", "00000001"), Pair("algorithm", "MD5")));
  EXPECT_TRUE(ParseAuthParams("").empty());
  EXPECT_THAT(ParseAuthParams(R"(nonce="unterminated)"), UnorderedElementsAre(Pair("nonce", "unterminated")));
}

}  // namespace
}  // namespace onramp::http_auth
