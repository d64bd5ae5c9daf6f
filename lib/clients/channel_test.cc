// ServiceChannel against two real servers behind one target: calls are
// spread over both, not pinned to the first (gRPC's default).

#include "lib/clients/channel.h"

#include <atomic>

#include "absl/strings/str_cat.h"
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
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &replica.port);
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
  for (int i = 0; i < 20; ++i) {
    grpc::ClientContext context;
    context.set_wait_for_ready(true);
    testing::v1::EchoRequest request;
    request.set_text("hello");
    testing::v1::EchoResponse response;
    ASSERT_TRUE(stub->Echo(&context, request, &response).ok());
  }
  EXPECT_EQ(first.service.calls + second.service.calls, 20);
  EXPECT_GE(first.service.calls, 5);
  EXPECT_GE(second.service.calls, 5);
}

}  // namespace
}  // namespace onramp::clients
