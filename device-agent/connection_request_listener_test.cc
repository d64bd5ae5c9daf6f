#include "device-agent/connection_request_listener.h"

#include <atomic>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/http/auth/authorization.h"
#include "lib/http/client/http_client.h"

namespace onramp::agent {
namespace {

class ConnectionRequestListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<ConnectionRequestListener>> started = ConnectionRequestListener::Start(
        "127.0.0.1", 0, "/cr/7f3a", [this] { return credentials_; }, [this] { ++requests_; });
    ASSERT_TRUE(started.ok()) << started.status();
    listener_ = *std::move(started);
    port_ = std::stoi(listener_->url().substr(listener_->url().rfind(':') + 1));
  }

  http_client::HttpResponse Get(const std::string& target, const std::string& authorization = "",
                                const std::string& method = "GET") {
    http_client::HttpRequest request{.host = "127.0.0.1", .port = port_, .method = method, .target = target};
    if (!authorization.empty()) request.headers["Authorization"] = authorization;
    absl::StatusOr<http_client::HttpResponse> response = client_.Fetch(request);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : http_client::HttpResponse{};
  }

  ListenerCredentials credentials_{"000e08aabbcc", "cr-password"};
  std::atomic<int> requests_ = 0;
  std::unique_ptr<ConnectionRequestListener> listener_;
  int port_ = 0;
  http_client::HttpClient client_;
};

TEST_F(ConnectionRequestListenerTest, OnlyTheAcsCredentialsMakeARequest) {
  EXPECT_THAT(listener_->url(), ::testing::MatchesRegex("http://127\\.0\\.0\\.1:[0-9]+/cr/7f3a"));
  http_client::HttpResponse challenged = Get("/cr/7f3a");
  ASSERT_EQ(challenged.status, 401);
  EXPECT_EQ(requests_, 0);
  absl::StatusOr<std::string> answer =
      http_auth::Authorization(challenged.headers["www-authenticate"], "GET", "/cr/7f3a", "000e08aabbcc", "wrong");
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(Get("/cr/7f3a", *answer).status, 401);
  EXPECT_EQ(requests_, 0);
  answer = http_auth::Authorization(challenged.headers["www-authenticate"], "GET", "/cr/7f3a", "000e08aabbcc",
                                    "cr-password");
  EXPECT_THAT(*answer, ::testing::StartsWith("Digest "));
  EXPECT_EQ(Get("/cr/7f3a", *answer).status, 200);
  EXPECT_EQ(requests_, 1);
}

TEST_F(ConnectionRequestListenerTest, OtherPathsMethodsAndAPhoneWithoutCredentialsGetNothing) {
  EXPECT_EQ(Get("/other").status, 404);
  EXPECT_EQ(Get("/cr/7f3a", "", "POST").status, 405);
  credentials_ = {"000e08aabbcc", ""};
  http_client::HttpResponse challenged = Get("/cr/7f3a");
  absl::StatusOr<std::string> answer =
      http_auth::Authorization(challenged.headers["www-authenticate"], "GET", "/cr/7f3a", "000e08aabbcc", "");
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(Get("/cr/7f3a", *answer).status, 401);
  EXPECT_EQ(requests_, 0);
}

}  // namespace
}  // namespace onramp::agent
