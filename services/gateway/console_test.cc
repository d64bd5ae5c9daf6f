#include "services/gateway/console.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/clients/testing/mock_clients.h"

namespace onramp::gateway {
namespace {

namespace http = boost::beast::http;
using ::testing::HasSubstr;
using ::testing::Return;

const Peer kTls{.address = "203.0.113.5", .tls = true};

class ConsoleTest : public ::testing::Test {
 protected:
  Response Get(const std::string& target, const std::string& cookie = "", const Peer& peer = kTls,
               http::verb method = http::verb::get) {
    Request request(method, target, 11);
    if (!cookie.empty()) request.set(http::field::cookie, cookie);
    return console_.Handle(request, peer, "r").response;
  }

  clients::MockDeviceActivation devices_;
  PartnerAuth auth_{devices_, {.key_cache = absl::ZeroDuration(), .partner_rate = 0}};
  prometheus::Registry registry_;
  Console console_{devices_, auth_, registry_};
};

TEST_F(ConsoleTest, OwnsOnlyItsOwnPaths) {
  EXPECT_TRUE(Console::Owns("/console"));
  EXPECT_TRUE(Console::Owns("/console/phones?mac=00"));
  EXPECT_FALSE(Console::Owns("/consoles"));
  EXPECT_FALSE(Console::Owns("/api/v1/devices"));
}

TEST_F(ConsoleTest, PagesNeedALiveSessionAndNameWhereToComeBack) {
  EXPECT_CALL(devices_, AuthenticateConsoleSession).Times(0);
  for (const std::string page : {"/console/", "/console/phones", "/console/phones/00:0E:08:AA:BB:CC",
                                 "/console/claim", "/console/codes", "/console/layers", "/console/firmware"}) {
    Response answer = Get(page);
    EXPECT_EQ(answer.result(), http::status::see_other) << page;
    EXPECT_EQ(answer[http::field::location], "/console/sign-in?next=" + page);
  }
  testing::Mock::VerifyAndClearExpectations(&devices_);
  EXPECT_CALL(devices_, AuthenticateConsoleSession)
      .WillOnce(Return(absl::UnauthenticatedError("expired")))
      .WillOnce(Return(device::v1::ConsoleSession()));
  EXPECT_EQ(Get("/console/codes", "onramp_session=ons_old").result(), http::status::see_other);
  Response page = Get("/console/codes", "onramp_session=ons_live");
  EXPECT_EQ(page.result(), http::status::ok);
  EXPECT_THAT(page.body(), HasSubstr("/console/assets/app.js"));
  EXPECT_EQ(page[http::field::cache_control], "no-store");
}

TEST_F(ConsoleTest, AnOutageIsNotASignOut) {
  EXPECT_CALL(devices_, AuthenticateConsoleSession)
      .WillOnce(Return(absl::UnavailableError("device-activation is down")));
  Response page = Get("/console/phones", "onramp_session=ons_live");
  EXPECT_EQ(page.result(), http::status::service_unavailable);
  EXPECT_EQ(page[http::field::retry_after], "5");
  EXPECT_EQ(page[http::field::location], "");
}

TEST_F(ConsoleTest, UnknownPathsAndForeignTargetsAreNotPages) {
  // Nothing but a known page goes into the sign-in link: no open redirect.
  EXPECT_EQ(Get("/console/phones/not-a-mac!").result(), http::status::not_found);
  EXPECT_EQ(Get("/console/admin").result(), http::status::not_found);
  EXPECT_EQ(Get("/console/assets/nothing.js").result(), http::status::not_found);
  EXPECT_EQ(Get("/console/assets/../page.html").result(), http::status::not_found);
  EXPECT_EQ(Get("/console").result(), http::status::see_other);
  EXPECT_EQ(Get("/console/claim", "", kTls, http::verb::post).result(), http::status::method_not_allowed);
  EXPECT_EQ(Get("/console/sign-in", "", {.address = "203.0.113.5"}).result(), http::status::forbidden);
}

TEST_F(ConsoleTest, AssetsAreRevalidatedByETagAndLockedDownByPolicy) {
  Response script = Get("/console/assets/app.js");
  ASSERT_EQ(script.result(), http::status::ok);
  EXPECT_EQ(script[http::field::content_type], "text/javascript; charset=utf-8");
  EXPECT_THAT(std::string(script["Content-Security-Policy"]), HasSubstr("default-src 'self'"));
  EXPECT_EQ(script["X-Content-Type-Options"], "nosniff");
  std::string etag(script[http::field::etag]);
  Request again(http::verb::get, "/console/assets/app.js", 11);
  again.set(http::field::if_none_match, etag);
  Response revalidated = console_.Handle(again, kTls, "r").response;
  EXPECT_EQ(revalidated.result(), http::status::not_modified);
  EXPECT_TRUE(revalidated.body().empty());
  EXPECT_EQ(Get("/console/assets/console.css")[http::field::content_type], "text/css; charset=utf-8");
  Response head = Get("/console/assets/app.js", "", kTls, http::verb::head);
  EXPECT_TRUE(head.body().empty());
  EXPECT_EQ(head[http::field::content_length], std::to_string(script.body().size()));
}

}  // namespace
}  // namespace onramp::gateway
