// The partner console's sign-in through the real gateway and
// device-activation, seen as a browser (or an attacker's page) would see
// it with curl: who gets a session, what the cookie is like, what a cookie
// alone may do, and when a session stops working.

#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/shell.h"
#include "tests/onboarding/gateway_fleet.h"

namespace onramp {
namespace {

using ::onramp::testing::ApiAnswer;
using ::onramp::testing::Curl;
using ::onramp::testing::ReadFile;
using ::testing::HasSubstr;
using ::testing::Not;

class ConsoleSessionTest : public ::onramp::testing::GatewayFleetTest {
 protected:
  // curl against the HTTPS listener with the cookie jar of one browser.
  ApiAnswer Browser(const std::string& method, const std::string& path, const std::string& body = "",
                    const std::string& extra = "") {
    return Api(method, path, "", body,
               absl::StrCat("-b ", dir_, "/cookies -c ", dir_, "/cookies ", extra));
  }

  // Signs the browser in with `key`; returns the CSRF token.
  std::string SignIn(const std::string& key) {
    ApiAnswer signed_in = Browser("POST", "/console/session", absl::StrCat(R"({"api_key":")", key, R"("})"));
    EXPECT_EQ(signed_in.status, 200) << signed_in.body;
    std::string marker = R"("csrf_token":")";
    size_t at = signed_in.body.find(marker);
    if (at == std::string::npos) return "";
    at += marker.size();
    return signed_in.body.substr(at, signed_in.body.find('"', at) - at);
  }

  std::string Cookies() { return ReadFile(dir_ + "/cookies"); }

  // onramp_gateway_console_sign_ins_total{result=`result`}.
  double SignIns(const std::string& result) {
    for (const prometheus::MetricFamily& family : gateway_registry_->Collect()) {
      if (family.name != "onramp_gateway_console_sign_ins_total") continue;
      for (const prometheus::ClientMetric& metric : family.metric) {
        for (const prometheus::ClientMetric::Label& label : metric.label) {
          if (label.name == "result" && label.value == result) return metric.counter.value;
        }
      }
    }
    return 0;
  }
};

TEST_F(ConsoleSessionTest, APageWithoutASessionSendsTheBrowserToSignIn) {
  ApiAnswer page = Browser("GET", "/console/phones");
  EXPECT_EQ(page.status, 303);
  EXPECT_THAT(page.headers, HasSubstr("Location: /console/sign-in?next=/console/phones"));
  ApiAnswer sign_in = Browser("GET", "/console/sign-in");
  EXPECT_EQ(sign_in.status, 200);
  EXPECT_THAT(sign_in.headers, HasSubstr("Content-Security-Policy: default-src 'self'"));
  EXPECT_THAT(sign_in.body, HasSubstr("Partner API key"));
  // Scripts are there for anyone; a page is not.
  EXPECT_EQ(Browser("GET", "/console/assets/app.js").status, 200);
  EXPECT_EQ(Browser("GET", "/console/assets/page.html").status, 404);
  // Over plain HTTP there is no console at all.
  EXPECT_THAT(Curl(absl::StrCat("-s -i ", base_, "/console/sign-in")), HasSubstr("403"));
}

TEST_F(ConsoleSessionTest, SigningInTradesTheKeyForAStrictHttpOnlyCookie) {
  std::string key = CreateApiKey("acme");
  std::string csrf = SignIn(key);
  EXPECT_EQ(csrf.size(), 64u);
  std::string cookies = Cookies();
  EXPECT_THAT(cookies, HasSubstr("#HttpOnly_127.0.0.1"));  // curl marks HttpOnly cookies so
  EXPECT_THAT(cookies, HasSubstr("onramp_session\tons_"));
  EXPECT_THAT(cookies, Not(HasSubstr(key)));
  ApiAnswer again = Api("POST", "/console/session", "", absl::StrCat(R"({"api_key":")", key, R"("})"));
  EXPECT_THAT(again.headers, HasSubstr("Secure; HttpOnly; SameSite=Strict"));

  ApiAnswer page = Browser("GET", "/console/phones");
  EXPECT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("/console/assets/app.js"));
  EXPECT_THAT(page.headers, HasSubstr("X-Frame-Options: DENY"));
  ApiAnswer who = Browser("GET", "/console/session");
  EXPECT_EQ(who.status, 200);
  EXPECT_THAT(who.body, HasSubstr(R"("partner":"acme")"));
}

TEST_F(ConsoleSessionTest, OnlyAGoodKeyFromOurOwnPagesSignsIn) {
  std::string key = CreateApiKey("acme");
  ApiAnswer wrong = Browser("POST", "/console/session", R"({"api_key":"onr_0123456789abcdef_guess"})");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_THAT(wrong.body, HasSubstr("UNAUTHENTICATED"));
  // A form another site posts (no JSON), or JSON from another origin.
  ApiAnswer form = Api("POST", "/console/session", "", absl::StrCat("api_key=", key), "",
                       "application/x-www-form-urlencoded");
  EXPECT_EQ(form.status, 400);
  EXPECT_THAT(form.body, HasSubstr(R"("field":"Content-Type")"));
  ApiAnswer foreign = Browser("POST", "/console/session", absl::StrCat(R"({"api_key":")", key, R"("})"),
                              "-H 'Origin: https://evil.example'");
  EXPECT_EQ(foreign.status, 403);
  ApiAnswer empty = Browser("POST", "/console/session", "{}");
  EXPECT_EQ(empty.status, 400);
  EXPECT_THAT(empty.body, HasSubstr(R"("field":"api_key")"));
  EXPECT_THAT(Cookies(), Not(HasSubstr("onramp_session")));
  EXPECT_EQ(SignIns("refused"), 4);
  EXPECT_EQ(SignIns("started"), 0);
  SignIn(key);
  EXPECT_EQ(SignIns("started"), 1);
}

TEST_F(ConsoleSessionTest, ACookieAloneReadsButChangesNothingWithoutTheCsrfToken) {
  ClaimPhone("http://prov.example.com/profile/$MA.xml");
  std::string csrf = SignIn(CreateApiKey("acme"));
  ApiAnswer phones = Browser("GET", "/api/v1/devices");
  EXPECT_EQ(phones.status, 200);
  EXPECT_THAT(phones.body, HasSubstr(::onramp::testing::kPhoneMac));

  const std::string create = R"({"count": 2, "target": {"profile_rule": "https://prov.example.com/$MA.xml"}})";
  ApiAnswer forged = Browser("POST", "/api/v1/activation-codes", create, "-H 'Idempotency-Key: forged'");
  EXPECT_EQ(forged.status, 403);
  EXPECT_THAT(forged.body, HasSubstr("X-Onramp-Csrf"));
  ApiAnswer wrong_token = Browser("POST", "/api/v1/activation-codes", create,
                                  "-H 'Idempotency-Key: forged' -H 'X-Onramp-Csrf: 00'");
  EXPECT_EQ(wrong_token.status, 403);
  ApiAnswer made = Browser("POST", "/api/v1/activation-codes", create,
                           absl::StrCat("-H 'Idempotency-Key: real' -H 'X-Onramp-Csrf: ", csrf, "'"));
  EXPECT_EQ(made.status, 201) << made.body;
}

TEST_F(ConsoleSessionTest, ASecondPartnersSessionSeesNoneOfTheFirstsPhones) {
  ClaimPhone("http://prov.example.com/profile/$MA.xml");
  SignIn(CreateApiKey("globex"));
  ApiAnswer phones = Browser("GET", "/api/v1/devices");
  EXPECT_EQ(phones.status, 200);
  EXPECT_THAT(phones.body, Not(HasSubstr(::onramp::testing::kPhoneMac)));
  EXPECT_EQ(Browser("GET", absl::StrCat("/api/v1/devices/", ::onramp::testing::kPhoneMac)).status, 404);
  ApiAnswer funnel = Browser("GET", "/api/v1/devices:summary");
  EXPECT_EQ(funnel.status, 200);
  EXPECT_THAT(funnel.body, HasSubstr(R"("claimed":"0")"));
}

TEST_F(ConsoleSessionTest, SigningOutOrRevokingTheKeyEndsTheSession) {
  std::string key = CreateApiKey("acme");
  std::string csrf = SignIn(key);
  std::string stolen = Cookies();
  // Signing out needs the token too: another site cannot sign the partner out.
  EXPECT_EQ(Browser("DELETE", "/console/session").status, 403);
  ApiAnswer out = Browser("DELETE", "/console/session", "", absl::StrCat("-H 'X-Onramp-Csrf: ", csrf, "'"));
  EXPECT_EQ(out.status, 200);
  EXPECT_EQ(Browser("GET", "/console/phones").status, 303);
  // The old cookie, kept by someone who copied it, is worth nothing now.
  std::ofstream(dir_ + "/cookies") << stolen;
  EXPECT_EQ(Browser("GET", "/console/session").status, 401);
  EXPECT_EQ(Browser("GET", "/api/v1/devices").status, 401);

  SignIn(key);
  EXPECT_EQ(Browser("GET", "/api/v1/devices").status, 200);
  std::string key_id = key.substr(4, 16);
  grpc::ClientContext context;
  device::v1::RevokeApiKeyRequest revoke;
  revoke.set_partner("acme");
  revoke.set_id(key_id);
  device::v1::ApiKey revoked;
  ASSERT_TRUE(api_keys_->RevokeApiKey(&context, revoke, &revoked).ok());
  EXPECT_EQ(Browser("GET", "/api/v1/devices").status, 401);
  EXPECT_EQ(Browser("GET", "/console/phones").status, 303);
}

}  // namespace
}  // namespace onramp
