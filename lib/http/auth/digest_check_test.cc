#include "lib/http/auth/digest_check.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/base/digest/digest.h"
#include "lib/http/auth/authorization.h"

namespace onramp::http_auth {
namespace {

using ::testing::HasSubstr;

class HttpAuthTest : public ::testing::Test {
 protected:
  // A Digest reply as a client computes it (RFC 7616 §3.4.1).
  std::string DigestReply(const std::string& nonce, const std::string& password, const std::string& uri = kUri) {
    std::string ha1 = digest::Md5Hex("phone:acme phones:" + password);
    std::string ha2 = digest::Md5Hex("GET:" + uri);
    std::string response = digest::Md5Hex(absl::StrCat(ha1, ":", nonce, ":00000001:0a4f113b:auth:", ha2));
    return absl::StrCat("Digest username=\"phone\", realm=\"acme phones\", nonce=\"", nonce, "\", uri=\"", uri,
                        "\", qop=auth, nc=00000001, cnonce=\"0a4f113b\", response=\"", response, "\", algorithm=MD5");
  }

  std::string NonceOf(absl::Time made) {
    std::string challenge = Challenges(settings_, sealer_, made, false)[0];
    size_t at = challenge.find("nonce=\"") + 7;
    return challenge.substr(at, challenge.find('"', at) - at);
  }

  static constexpr char kUri[] = "/profile/000e08aabbcc.xml";
  profile_crypto::Sealer sealer_ = *profile_crypto::Sealer::Create(std::string(32, 'k'), "keys");
  HttpAuthSettings settings_{.realm = "acme phones", .username = "phone", .ha1 = Ha1("phone", "acme phones", "pa55")};
  absl::Time now_ = absl::FromUnixSeconds(1800000000);
};

TEST_F(HttpAuthTest, BasicChecksUserAndPasswordAgainstTheStoredHash) {
  auto basic = [](const std::string& credentials) { return "Basic " + absl::Base64Escape(credentials); };
  EXPECT_EQ(CheckAuthorization(settings_, basic("phone:pa55"), "GET", kUri, sealer_, now_), AuthCheck::kAccepted);
  EXPECT_EQ(CheckAuthorization(settings_, basic("phone:wrong"), "GET", kUri, sealer_, now_), AuthCheck::kRefused);
  EXPECT_EQ(CheckAuthorization(settings_, basic("other:pa55"), "GET", kUri, sealer_, now_), AuthCheck::kRefused);
  EXPECT_EQ(CheckAuthorization(settings_, "Basic !!!", "GET", kUri, sealer_, now_), AuthCheck::kRefused);
  EXPECT_EQ(CheckAuthorization(settings_, "", "GET", kUri, sealer_, now_), AuthCheck::kRefused);
  EXPECT_EQ(CheckAuthorization(settings_, "Bearer x", "GET", kUri, sealer_, now_), AuthCheck::kRefused);
}

TEST_F(HttpAuthTest, DigestNeedsOurFreshNonceTheRightPasswordAndTheSameUri) {
  std::string nonce = NonceOf(now_);
  EXPECT_EQ(CheckAuthorization(settings_, DigestReply(nonce, "pa55"), "GET", kUri, sealer_, now_), AuthCheck::kAccepted);
  EXPECT_EQ(CheckAuthorization(settings_, DigestReply(nonce, "wrong"), "GET", kUri, sealer_, now_), AuthCheck::kRefused);
  // A reply made for another resource or method does not carry over.
  EXPECT_EQ(CheckAuthorization(settings_, DigestReply(nonce, "pa55", "/profile/other.xml"), "GET", kUri, sealer_, now_),
            AuthCheck::kRefused);
  EXPECT_EQ(CheckAuthorization(settings_, DigestReply(nonce, "pa55"), "POST", kUri, sealer_, now_), AuthCheck::kRefused);
  // Nonces we did not make are refused; our old ones are stale.
  EXPECT_EQ(CheckAuthorization(settings_, DigestReply("made-up", "pa55"), "GET", kUri, sealer_, now_),
            AuthCheck::kRefused);
  std::string old = NonceOf(now_ - kNonceLifetime - absl::Seconds(1));
  EXPECT_EQ(CheckAuthorization(settings_, DigestReply(old, "pa55"), "GET", kUri, sealer_, now_), AuthCheck::kStale);
  EXPECT_THAT(Challenges(settings_, sealer_, now_, true)[0], HasSubstr("stale=true"));
  EXPECT_EQ(Challenges(settings_, sealer_, now_, false)[1], "Basic realm=\"acme phones\"");
}

TEST_F(HttpAuthTest, WhatOurClientAnswersToOurChallengesIsAccepted) {
  std::string challenges = absl::StrCat(Challenges(settings_, sealer_, now_, false)[0], "\n",
                                        Challenges(settings_, sealer_, now_, false)[1]);
  absl::StatusOr<std::string> answer = Authorization(challenges, "GET", kUri, "phone", "pa55");
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_THAT(*answer, ::testing::StartsWith("Digest "));  // preferred over Basic
  EXPECT_EQ(CheckAuthorization(settings_, *answer, "GET", kUri, sealer_, now_), AuthCheck::kAccepted);
  answer = Authorization(challenges, "GET", kUri, "phone", "wrong");
  EXPECT_EQ(CheckAuthorization(settings_, *answer, "GET", kUri, sealer_, now_), AuthCheck::kRefused);
  answer = Authorization("Basic realm=\"acme phones\"", "GET", kUri, "phone", "pa55");
  EXPECT_EQ(CheckAuthorization(settings_, *answer, "GET", kUri, sealer_, now_), AuthCheck::kAccepted);
  EXPECT_FALSE(Authorization("Bearer realm=x", "GET", kUri, "phone", "pa55").ok());
}

}  // namespace
}  // namespace onramp::http_auth
