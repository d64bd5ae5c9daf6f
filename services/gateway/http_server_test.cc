// The listener under overload: what needs a handler thread waits for one
// only while few wait; past --max_waiting a request is told to come back at
// once, and what is answered on the event loop is never held up.

#include "services/gateway/http_server.h"

#include <thread>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "lib/testing/http_get.h"

namespace onramp::gateway {
namespace {

namespace http = boost::beast::http;
using ::onramp::testing::HttpGet;

Response Ok(const Request& request, std::string body) {
  Response response(http::status::ok, request.version());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

TEST(HttpServerTest, PastMaxWaitingARequestIsToldToComeBackAndTheLoopStillAnswers) {
  absl::Notification entered;
  absl::Notification release;
  int refused = 0;
  Dispatcher dispatch = [&](const Request& request, const Peer&) -> Dispatch {
    if (request.target() == "/quick") return Dispatch{.now = Ok(request, "quick\n")};
    return Dispatch{.later = [&, &request = request] {
      if (!entered.HasBeenNotified()) {
        entered.Notify();
        release.WaitForNotification();
      }
      return Reply(Ok(request, "slow\n"));
    }};
  };
  HttpServerOptions options{.host = "127.0.0.1", .handler_threads = 1, .max_waiting = 1};
  options.busy = [] {
    Response response(http::status::service_unavailable, 11);
    response.set(http::field::retry_after, "5");
    response.body() = "busy\n";
    response.prepare_payload();
    return response;
  };
  options.on_refused = [&refused](Response&, const Peer&) { ++refused; };
  absl::StatusOr<std::unique_ptr<HttpServer>> server = HttpServer::Start(options, dispatch);
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();

  absl::StatusOr<testing::HttpResponse> first;
  std::thread holding([&] { first = HttpGet("127.0.0.1", port, "/slow"); });
  entered.WaitForNotification();
  // The one place is taken: told at once, not queued behind it.
  absl::StatusOr<testing::HttpResponse> second = HttpGet("127.0.0.1", port, "/slow");
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->status, 503);
  EXPECT_EQ(second->body, "busy\n");
  EXPECT_EQ(refused, 1);
  absl::StatusOr<testing::HttpResponse> quick = HttpGet("127.0.0.1", port, "/quick");
  ASSERT_TRUE(quick.ok()) << quick.status();
  EXPECT_EQ(quick->status, 200);

  release.Notify();
  holding.join();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->body, "slow\n");
  // Its place is free again.
  absl::StatusOr<testing::HttpResponse> again = HttpGet("127.0.0.1", port, "/slow");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->status, 200);
}

}  // namespace
}  // namespace onramp::gateway
