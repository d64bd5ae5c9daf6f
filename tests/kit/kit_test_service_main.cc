// A gRPC service built only from the server kit: the subject of
// kit_integration_test, and the smallest example of a service's main().

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "lib/kit/config/flags.h"
#include "lib/kit/log/log.h"
#include "lib/kit/server/request_id.h"
#include "lib/kit/server/server.h"
#include "lib/kit/status/error_detail.h"
#include "lib/kit/status/grpc_status.h"
#include "onramp/testing/v1/kit_test.grpc.pb.h"
#include "prometheus/registry.h"

namespace onramp::testing {
namespace {

namespace pb = ::onramp::testing::v1;

class KitTestServiceImpl final : public pb::KitTestService::Service {
 public:
  grpc::Status Echo(grpc::ServerContext* context, const pb::EchoRequest* request,
                    pb::EchoResponse* response) override {
    if (request->text().empty()) {
      return status::ToGrpcStatus(status::InvalidField("text", "text must not be empty"));
    }
    response->set_text(request->text());
    response->set_request_id(server::RequestIdOf(*context));
    log::Debug("echo", {{"request_id", response->request_id()}});
    return grpc::Status::OK;
  }

  grpc::Status Work(grpc::ServerContext* context, const pb::WorkRequest* request,
                    grpc::ServerWriter<pb::WorkProgress>* writer) override {
    pb::WorkProgress progress;
    progress.set_stage("started");
    writer->Write(progress);
    // Stands for real work that takes hold_ms.
    std::this_thread::sleep_for(std::chrono::milliseconds(request->hold_ms()));
    if (context->IsCancelled()) return grpc::Status::CANCELLED;
    progress.set_stage("finished");
    writer->Write(progress);
    return grpc::Status::OK;
  }
};

int Main(int argc, char** argv) {
  server::ServerOptions options;
  config::Flags flags("kit-test-service", "A gRPC service built only from the server kit.");
  server::RegisterServerFlags(flags, &options);
  flags.ParseOrExit(argc, argv);
  server::InitLogging("kit-test-service", options);

  KitTestServiceImpl service;
  auto registry = std::make_shared<prometheus::Registry>();
  absl::StatusOr<std::unique_ptr<server::Server>> server =
      server::Server::Start(options, {&service}, registry);
  if (!server.ok()) {
    log::Error("cannot start", {{"error", std::string(server.status().message())}});
    return 1;
  }
  absl::Status done = (*server)->RunUntilSignalled();
  return done.ok() ? 0 : 1;
}

}  // namespace
}  // namespace onramp::testing

int main(int argc, char** argv) { return onramp::testing::Main(argc, argv); }
