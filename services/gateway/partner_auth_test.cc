#include "services/gateway/partner_auth.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/clients/testing/mock_clients.h"

namespace onramp::gateway {
namespace {

namespace http = boost::beast::http;
using ::testing::Return;

Request WithKey(const std::string& authorization) {
  Request request(http::verb::get, "/api/v1/devices", 11);
  if (!authorization.empty()) request.set(http::field::authorization, authorization);
  return request;
}

device::v1::ApiKey KeyOf(const std::string& partner) {
  device::v1::ApiKey key;
  key.set_partner(partner);
  return key;
}

const Peer kTls{.address = "203.0.113.5", .tls = true};

TEST(PartnerAuthTest, OnlyAKnownBearerKeyOverTlsActsForItsPartner) {
  clients::MockDeviceActivation devices;
  PartnerAuth auth(devices, {.partner_rate = 0});
  absl::Duration wait;
  EXPECT_CALL(devices, AuthenticateApiKey).Times(0);
  EXPECT_EQ(auth.Admit(WithKey("Bearer onr_k"), {.address = "203.0.113.5"}, "r", &wait).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(auth.Admit(WithKey(""), kTls, "r", &wait).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(auth.Admit(WithKey("Basic dXNlcjpwdw=="), kTls, "r", &wait).status().code(),
            absl::StatusCode::kUnauthenticated);
  testing::Mock::VerifyAndClearExpectations(&devices);

  EXPECT_CALL(devices, AuthenticateApiKey("onr_unknown", "r"))
      .WillOnce(Return(absl::UnauthenticatedError("unknown or revoked API key")));
  EXPECT_EQ(auth.Admit(WithKey("Bearer onr_unknown"), kTls, "r", &wait).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_CALL(devices, AuthenticateApiKey("onr_acme", "r")).WillOnce(Return(KeyOf("acme")));
  EXPECT_EQ(*auth.Admit(WithKey("Bearer onr_acme"), kTls, "r", &wait), "acme");
}

TEST(PartnerAuthTest, AValidKeyIsRememberedForItsCacheTime) {
  clients::MockDeviceActivation devices;
  EXPECT_CALL(devices, AuthenticateApiKey).Times(1).WillOnce(Return(KeyOf("acme")));
  PartnerAuth cached(devices, {.key_cache = absl::Hours(1), .partner_rate = 0});
  absl::Duration wait;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(*cached.Admit(WithKey("Bearer onr_acme"), kTls, "r", &wait), "acme");
  testing::Mock::VerifyAndClearExpectations(&devices);

  // Without a cache every request asks: a revoked key stops at once.
  PartnerAuth uncached(devices, {.key_cache = absl::ZeroDuration(), .partner_rate = 0});
  EXPECT_CALL(devices, AuthenticateApiKey)
      .WillOnce(Return(KeyOf("acme")))
      .WillOnce(Return(absl::UnauthenticatedError("revoked")));
  EXPECT_TRUE(uncached.Admit(WithKey("Bearer onr_acme"), kTls, "r", &wait).ok());
  EXPECT_FALSE(uncached.Admit(WithKey("Bearer onr_acme"), kTls, "r", &wait).ok());
}

TEST(PartnerAuthTest, EachPartnerHasItsOwnRate) {
  clients::MockDeviceActivation devices;
  EXPECT_CALL(devices, AuthenticateApiKey("onr_acme", "r")).WillRepeatedly(Return(KeyOf("acme")));
  EXPECT_CALL(devices, AuthenticateApiKey("onr_globex", "r")).WillRepeatedly(Return(KeyOf("globex")));
  PartnerAuth auth(devices, {.partner_rate = 1, .partner_burst = 3});
  absl::Duration wait = absl::ZeroDuration();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(auth.Admit(WithKey("Bearer onr_acme"), kTls, "r", &wait).ok());
  absl::StatusOr<std::string> over = auth.Admit(WithKey("Bearer onr_acme"), kTls, "r", &wait);
  EXPECT_EQ(over.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_GT(wait, absl::ZeroDuration());
  EXPECT_LE(wait, absl::Seconds(1));
  EXPECT_EQ(*auth.Admit(WithKey("Bearer onr_globex"), kTls, "r", &wait), "globex");
}

Request WithCookie(http::verb method, const std::string& cookie, const std::string& csrf = "") {
  Request request(method, "/api/v1/activation-codes", 11);
  request.set(http::field::cookie, cookie);
  if (!csrf.empty()) request.set(kCsrfHeader, csrf);
  return request;
}

device::v1::ConsoleSession SessionOf(const std::string& partner) {
  device::v1::ConsoleSession session;
  session.set_partner(partner);
  return session;
}

TEST(PartnerAuthTest, TheSessionCookieIsFoundAmongOthers) {
  Request request(http::verb::get, "/console/", 11);
  EXPECT_EQ(SessionCookieOf(request), "");
  request.set(http::field::cookie, "theme=dark; onramp_session=ons_a_b ;lang=pt");
  EXPECT_EQ(SessionCookieOf(request), "ons_a_b");
  request.set(http::field::cookie, "onramp_sessionx=no; x_onramp_session=no; onramp_session=");
  EXPECT_EQ(SessionCookieOf(request), "");
  // Browsers may split cookies over several headers.
  Request split(http::verb::get, "/console/", 11);
  split.insert(http::field::cookie, "theme=dark");
  split.insert(http::field::cookie, "onramp_session=ons_c_d");
  EXPECT_EQ(SessionCookieOf(split), "ons_c_d");
}

TEST(PartnerAuthTest, ASessionCookieReadsButChangesOnlyWithItsCsrfToken) {
  clients::MockDeviceActivation devices;
  PartnerAuth auth(devices, {.key_cache = absl::ZeroDuration(), .partner_rate = 0});
  absl::Duration wait;
  const std::string cookie = "onramp_session=ons_s_secret";
  EXPECT_CALL(devices, AuthenticateConsoleSession).WillRepeatedly(Return(SessionOf("acme")));
  EXPECT_EQ(*auth.Admit(WithCookie(http::verb::get, cookie), kTls, "r", &wait), "acme");

  // A change without the token, or with another session's, is refused
  // before the session is even looked up.
  testing::Mock::VerifyAndClearExpectations(&devices);
  EXPECT_CALL(devices, AuthenticateConsoleSession).Times(0);
  for (const std::string& csrf : {std::string(), std::string("00"), CsrfTokenOf("ons_other_secret")}) {
    absl::StatusOr<std::string> refused = auth.Admit(WithCookie(http::verb::post, cookie, csrf), kTls, "r", &wait);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied) << csrf;
    EXPECT_THAT(refused.status().message(), testing::HasSubstr(kCsrfHeader));
  }
  testing::Mock::VerifyAndClearExpectations(&devices);
  EXPECT_CALL(devices, AuthenticateConsoleSession).WillOnce(Return(SessionOf("acme")));
  EXPECT_EQ(*auth.Admit(WithCookie(http::verb::post, cookie, CsrfTokenOf("ons_s_secret")), kTls, "r", &wait),
            "acme");
  // A bearer key wins over a cookie: scripts calling the API send no cookie.
  EXPECT_CALL(devices, AuthenticateApiKey("onr_globex", "r")).WillOnce(Return(KeyOf("globex")));
  Request both = WithCookie(http::verb::post, cookie);
  both.set(http::field::authorization, "Bearer onr_globex");
  EXPECT_EQ(*auth.Admit(both, kTls, "r", &wait), "globex");
}

TEST(PartnerAuthTest, AForgottenSessionIsAskedAboutAgain) {
  clients::MockDeviceActivation devices;
  PartnerAuth auth(devices, {.key_cache = absl::Hours(1), .partner_rate = 0});
  EXPECT_CALL(devices, AuthenticateConsoleSession)
      .WillOnce(Return(SessionOf("acme")))
      .WillOnce(Return(absl::UnauthenticatedError("ended")));
  EXPECT_EQ(*auth.SessionPartner("ons_s_secret", "r"), "acme");
  EXPECT_EQ(*auth.SessionPartner("ons_s_secret", "r"), "acme");  // remembered
  auth.Forget("ons_s_secret");
  EXPECT_EQ(auth.SessionPartner("ons_s_secret", "r").status().code(), absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace onramp::gateway
