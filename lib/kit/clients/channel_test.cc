// ServiceChannel against two real servers behind one target: calls are
// spread over both, not pinned to the first (gRPC's default).

#include "lib/kit/clients/channel.h"

#include <atomic>
#include <chrono>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "onramp/testing/v1/kit_test.grpc.pb.h"

namespace onramp::clients {
namespace {

class CountingEcho final : public testing::v1::KitTestService::Service {
 public:
  grpc::Status Echo(grpc::ServerContext*, const testing::v1::EchoRequest* request,
                    testing::v1::EchoResponse* response) override {
    ++calls;
    response->set_text(request->text());
    return grpc::Status::OK;
  }
  std::atomic<int> calls{0};
};

struct Replica {
  CountingEcho service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
};

void Start(Replica& replica) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::StrCat("127.0.0.1:", replica.port), grpc::InsecureServerCredentials(),
                           &replica.port);
  builder.RegisterService(&replica.service);
  replica.server = builder.BuildAndStart();
  ASSERT_NE(replica.server, nullptr);
  ASSERT_GT(replica.port, 0);
}

TEST(ServiceChannelTest, CallsAreSpreadOverEveryAddressOfTheName) {
  Replica first, second;
  Start(first);
  Start(second);
  // Two addresses for one target, as DNS gives for a headless Service.
  auto stub = testing::v1::KitTestService::NewStub(
      ServiceChannel(absl::StrCat("ipv4:127.0.0.1:", first.port, ",127.0.0.1:", second.port)));
  auto echo = [&stub] {
    grpc::ClientContext context;
    context.set_wait_for_ready(true);
    testing::v1::EchoRequest request;
    request.set_text("hello");
    testing::v1::EchoResponse response;
    return stub->Echo(&context, request, &response).ok();
  };
  // Round robin picks among the connections that are up, and the second may
  // come up a little after the first: call until both have answered once.
  absl::Time give_up = absl::Now() + absl::Seconds(10);
  while ((first.service.calls == 0 || second.service.calls == 0) && absl::Now() < give_up) ASSERT_TRUE(echo());
  ASSERT_GT(first.service.calls, 0);
  ASSERT_GT(second.service.calls, 0);
  // With both up, calls alternate.
  int first_before = first.service.calls, second_before = second.service.calls;
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(echo());
  EXPECT_EQ(first.service.calls - first_before, 10);
  EXPECT_EQ(second.service.calls - second_before, 10);
}

TEST(ServiceChannelTest, ABackendBackFromAnOutageServesAgainWithinTwoSeconds) {
  Replica backend;
  Start(backend);
  auto stub = testing::v1::KitTestService::NewStub(ServiceChannel(absl::StrCat("127.0.0.1:", backend.port)));
  auto echo = [&stub] {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
    testing::v1::EchoRequest request;
    request.set_text("hello");
    testing::v1::EchoResponse response;
    return stub->Echo(&context, request, &response).ok();
  };
  ASSERT_TRUE(echo());
  // Twelve seconds down under traffic: gRPC's default backoff would have
  // grown past the outage's end by then.
  backend.server->Shutdown();
  backend.server->Wait();
  absl::Time down_until = absl::Now() + absl::Seconds(12);
  while (absl::Now() < down_until) EXPECT_FALSE(echo());
  Start(backend);  // back, on the same port
  absl::Time back = absl::Now();
  while (!echo() && absl::Now() - back < absl::Seconds(30)) {
  }
  absl::Duration took = absl::Now() - back;
  std::printf("served again %s after the backend's return\n", absl::FormatDuration(took).c_str());
  EXPECT_LE(took, absl::Seconds(2));
}

}  // namespace
}  // namespace onramp::clients
