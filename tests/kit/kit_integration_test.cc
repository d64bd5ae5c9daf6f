// Starts kit_test_service as its own process and checks, over real sockets,
// what every Onramp service inherits from the server kit: health, request
// ids, error details, per-method metrics and graceful shutdown on SIGTERM.

#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <future>
#include <optional>
#include <regex>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "lib/testing/http_get.h"
#include "lib/testing/shell.h"
#include "lib/testing/subprocess.h"
#include "onramp/common/v1/common.pb.h"
#include "onramp/testing/v1/kit_test.grpc.pb.h"

namespace onramp::testing {
namespace {

namespace pb = ::onramp::testing::v1;
using ::grpc::health::v1::Health;
using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;
using ::testing::MatchesRegex;

constexpr char kEchoMethod[] = "/onramp.testing.v1.KitTestService/Echo";

int PortFromLine(const std::string& line, const std::string& key) {
  std::smatch match;
  std::regex pattern("\"" + key + "\":\"([0-9]+)\"");
  int port = 0;
  if (std::regex_search(line, match, pattern)) {
    (void)absl::SimpleAtoi(match[1].str(), &port);
  }
  return port;
}

// The value of the sample `name{labels}` in a Prometheus text exposition,
// where every `label="value"` in `labels` must appear on the sample's line.
std::optional<double> Sample(const std::string& exposition, const std::string& name,
                             const std::vector<std::string>& labels) {
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (!absl::StartsWith(line, name + "{")) continue;
    bool all = true;
    for (const std::string& label : labels) all = all && absl::StrContains(line, label);
    if (!all) continue;
    double value = 0;
    if (absl::SimpleAtod(line.substr(line.rfind(' ') + 1), &value)) return value;
  }
  return std::nullopt;
}

// A running kit_test_service and the ports it bound.
struct RunningService {
  std::unique_ptr<Subprocess> process;
  int grpc_port = 0;
  int metrics_port = 0;
};

absl::StatusOr<RunningService> StartService(const std::vector<std::string>& extra_args = {}) {
  std::vector<std::string> args = {
      "tests/kit/kit_test_service",
      "--host=127.0.0.1",
      "--grpc_port=0",
      "--metrics_host=127.0.0.1",
      "--metrics_port=0",
      "--drain_delay=1s",
      "--shutdown_timeout=120s",
      "--log_level=debug",
  };
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  absl::StatusOr<std::unique_ptr<Subprocess>> started = Subprocess::Start(args);
  if (!started.ok()) return started.status();
  RunningService service{.process = std::move(*started)};
  absl::StatusOr<std::string> serving = service.process->WaitForLine(
      [](std::string_view line) { return line.find("\"msg\":\"serving\"") != line.npos; },
      absl::Seconds(30));
  if (!serving.ok()) return serving.status();
  service.grpc_port = PortFromLine(*serving, "grpc_port");
  service.metrics_port = PortFromLine(*serving, "metrics_port");
  if (service.grpc_port == 0 || service.metrics_port == 0) {
    return absl::InternalError(absl::StrCat("no ports in: ", *serving));
  }
  return service;
}

void SetDeadline(grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
}

class KitIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<RunningService> started = StartService();
    ASSERT_TRUE(started.ok()) << started.status();
    service_ = std::move(started->process);
    grpc_port_ = started->grpc_port;
    metrics_port_ = started->metrics_port;
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", grpc_port_),
                                   grpc::InsecureChannelCredentials());
    kit_ = pb::KitTestService::NewStub(channel_);
    health_ = Health::NewStub(channel_);
  }

  std::unique_ptr<Subprocess> service_;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pb::KitTestService::Stub> kit_;
  std::unique_ptr<Health::Stub> health_;
};

TEST_F(KitIntegrationTest, HealthIsServingOnceStarted) {
  grpc::ClientContext context;
  SetDeadline(&context);
  HealthCheckResponse response;
  grpc::Status status = health_->Check(&context, HealthCheckRequest(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
}

TEST_F(KitIntegrationTest, CallerRequestIdIsKeptAndEchoed) {
  grpc::ClientContext context;
  SetDeadline(&context);
  context.AddMetadata("x-request-id", "phone-00aabbccddee-1");
  pb::EchoRequest request;
  request.set_text("hello");
  pb::EchoResponse response;
  ASSERT_TRUE(kit_->Echo(&context, request, &response).ok());
  EXPECT_EQ(response.text(), "hello");
  EXPECT_EQ(response.request_id(), "phone-00aabbccddee-1");
  auto echoed = context.GetServerInitialMetadata().find("x-request-id");
  ASSERT_NE(echoed, context.GetServerInitialMetadata().end());
  EXPECT_EQ(std::string(echoed->second.data(), echoed->second.size()), "phone-00aabbccddee-1");

  // The kit logs the call under the same id, so it can be followed.
  absl::StatusOr<std::string> logged = service_->WaitForLine(
      [](std::string_view line) {
        return line.find("\"msg\":\"rpc\"") != line.npos &&
               line.find("\"request_id\":\"phone-00aabbccddee-1\"") != line.npos;
      },
      absl::Seconds(10));
  ASSERT_TRUE(logged.ok()) << logged.status();
  EXPECT_THAT(*logged, ::testing::HasSubstr(absl::StrCat("\"method\":\"", kEchoMethod,
                                                         "\",\"code\":\"OK\"")));
}

TEST_F(KitIntegrationTest, MissingOrMalformedRequestIdIsReplaced) {
  for (const char* given : {"", "bad id with spaces"}) {
    grpc::ClientContext context;
    SetDeadline(&context);
    if (*given != '\0') context.AddMetadata("x-request-id", given);
    pb::EchoRequest request;
    request.set_text("hello");
    pb::EchoResponse response;
    ASSERT_TRUE(kit_->Echo(&context, request, &response).ok());
    EXPECT_THAT(response.request_id(), MatchesRegex("[0-9a-f]{32}")) << given;
    auto echoed = context.GetServerInitialMetadata().find("x-request-id");
    ASSERT_NE(echoed, context.GetServerInitialMetadata().end());
    EXPECT_EQ(std::string(echoed->second.data(), echoed->second.size()), response.request_id());
  }
}

TEST_F(KitIntegrationTest, InvalidArgumentNamesTheField) {
  grpc::ClientContext context;
  SetDeadline(&context);
  pb::EchoResponse response;
  grpc::Status status = kit_->Echo(&context, pb::EchoRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "text must not be empty");
  onramp::common::v1::ErrorDetail detail;
  ASSERT_TRUE(detail.ParseFromString(status.error_details()));
  EXPECT_EQ(detail.field(), "text");
}

TEST_F(KitIntegrationTest, MetricsCountEachMethodByStatusCode) {
  for (const char* text : {"a", "b", ""}) {
    grpc::ClientContext context;
    SetDeadline(&context);
    pb::EchoRequest request;
    request.set_text(text);
    pb::EchoResponse response;
    (void)kit_->Echo(&context, request, &response);
  }
  absl::StatusOr<HttpResponse> scrape = HttpGet("127.0.0.1", metrics_port_, "/metrics");
  ASSERT_TRUE(scrape.ok()) << scrape.status();
  EXPECT_EQ(scrape->status, 200);
  const std::string method = absl::StrCat("method=\"", kEchoMethod, "\"");
  EXPECT_EQ(Sample(scrape->body, "onramp_grpc_server_handled_total", {method, "code=\"OK\""}),
            2.0)
      << scrape->body;
  EXPECT_EQ(Sample(scrape->body, "onramp_grpc_server_handled_total",
                   {method, "code=\"INVALID_ARGUMENT\""}),
            1.0);
  EXPECT_EQ(Sample(scrape->body, "onramp_grpc_server_started_total", {method}), 3.0);
  EXPECT_EQ(Sample(scrape->body, "onramp_grpc_server_handling_seconds_count", {method}), 3.0);
}

TEST_F(KitIntegrationTest, UnknownMethodsShareOneMetricLabel) {
  // Callers choose the path; each made-up one must not become a series.
  grpc::GenericStub generic(channel_);
  for (const char* path : {"/evil.Service/One", "/evil.Service/Two", "not-a-path"}) {
    grpc::ClientContext context;
    SetDeadline(&context);
    grpc::Slice empty_message("");
    grpc::ByteBuffer request(&empty_message, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    generic.UnaryCall(&context, path, grpc::StubOptions(), &request, &response,
                      [&done](grpc::Status status) { done.set_value(status); });
    EXPECT_EQ(done.get_future().get().error_code(), grpc::StatusCode::UNIMPLEMENTED) << path;
  }
  absl::StatusOr<HttpResponse> scrape = HttpGet("127.0.0.1", metrics_port_, "/metrics");
  ASSERT_TRUE(scrape.ok()) << scrape.status();
  EXPECT_EQ(Sample(scrape->body, "onramp_grpc_server_handled_total",
                   {"method=\"unknown\"", "code=\"UNIMPLEMENTED\""}),
            3.0)
      << scrape->body;
  EXPECT_THAT(scrape->body, ::testing::Not(::testing::HasSubstr("evil")));
}

TEST_F(KitIntegrationTest, SigtermFlipsHealthAndLetsInFlightCallsFinish) {
  // Watch health first, so the flip is seen as it happens.
  grpc::ClientContext watch_context;
  SetDeadline(&watch_context);
  HealthCheckRequest watch_request;
  auto watch = health_->Watch(&watch_context, watch_request);
  HealthCheckResponse health;
  ASSERT_TRUE(watch->Read(&health));
  EXPECT_EQ(health.status(), HealthCheckResponse::SERVING);

  // A call that is in flight when the signal arrives, and stays in flight
  // past the drain delay.
  grpc::ClientContext work_context;
  SetDeadline(&work_context);
  pb::WorkRequest work_request;
  work_request.set_hold_ms(2500);
  auto work = kit_->Work(&work_context, work_request);
  pb::WorkProgress progress;
  ASSERT_TRUE(work->Read(&progress));
  EXPECT_EQ(progress.stage(), "started");

  ASSERT_TRUE(service_->Signal(SIGTERM).ok());

  ASSERT_TRUE(watch->Read(&health));
  EXPECT_EQ(health.status(), HealthCheckResponse::NOT_SERVING);
  // A prober hangs up once it has its answer. (An open Watch counts as an
  // in-flight call and would hold the drain until --shutdown_timeout.)
  watch_context.TryCancel();

  ASSERT_TRUE(work->Read(&progress));
  EXPECT_EQ(progress.stage(), "finished");
  grpc::Status work_status = work->Finish();
  EXPECT_TRUE(work_status.ok()) << work_status.error_message();

  // The drain ends when the last call does, well before the 120s timeout.
  absl::StatusOr<int> exit_status = service_->Wait(absl::Seconds(60));
  ASSERT_TRUE(exit_status.ok()) << exit_status.status();
  EXPECT_TRUE(WIFEXITED(*exit_status)) << service_->output();
  EXPECT_EQ(WEXITSTATUS(*exit_status), 0) << service_->output();
  EXPECT_THAT(service_->output(), ::testing::HasSubstr("\"signal\":\"SIGTERM\""));
}

// TLS and mutual TLS with certificates from a throwaway CA.
class KitTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/certs";
    ASSERT_EQ(system(("rm -rf " + dir_ + " && mkdir -p " + dir_ +
                      " && lib/testing/make_test_certs.sh " + dir_).c_str()),
              0);
  }

  // Echo over TLS to 127.0.0.1, verifying the server as "localhost" against
  // the test CA and presenting the client certificate if asked to.
  grpc::Status EchoOverTls(int port, bool present_client_cert) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ReadFile(dir_ + "/ca.pem");
    if (present_client_cert) {
      ssl.pem_private_key = ReadFile(dir_ + "/client.key");
      ssl.pem_cert_chain = ReadFile(dir_ + "/client.pem");
    }
    grpc::ChannelArguments arguments;
    arguments.SetSslTargetNameOverride("localhost");
    auto stub = pb::KitTestService::NewStub(grpc::CreateCustomChannel(
        absl::StrCat("127.0.0.1:", port), grpc::SslCredentials(ssl), arguments));
    return Echo(*stub);
  }

  static grpc::Status EchoInPlaintext(int port) {
    auto stub = pb::KitTestService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
    return Echo(*stub);
  }

  static grpc::Status Echo(pb::KitTestService::Stub& stub) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    pb::EchoRequest request;
    request.set_text("secret");
    pb::EchoResponse response;
    return stub.Echo(&context, request, &response);
  }

  std::string dir_;
};

TEST_F(KitTlsTest, TlsServesVerifiedClientsAndRefusesPlaintext) {
  absl::StatusOr<RunningService> service = StartService(
      {"--tls_cert_file=" + dir_ + "/server.pem", "--tls_key_file=" + dir_ + "/server.key"});
  ASSERT_TRUE(service.ok()) << service.status();
  EXPECT_THAT(service->process->output(), ::testing::HasSubstr("\"tls\":\"on\""));
  grpc::Status over_tls = EchoOverTls(service->grpc_port, /*present_client_cert=*/false);
  EXPECT_TRUE(over_tls.ok()) << over_tls.error_message();
  EXPECT_EQ(EchoInPlaintext(service->grpc_port).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(KitTlsTest, MutualTlsRequiresAClientCertificateFromTheCa) {
  absl::StatusOr<RunningService> service = StartService(
      {"--tls_cert_file=" + dir_ + "/server.pem", "--tls_key_file=" + dir_ + "/server.key",
       "--tls_client_ca_file=" + dir_ + "/ca.pem"});
  ASSERT_TRUE(service.ok()) << service.status();
  EXPECT_THAT(service->process->output(), ::testing::HasSubstr("\"tls\":\"mutual\""));
  grpc::Status with_cert = EchoOverTls(service->grpc_port, /*present_client_cert=*/true);
  EXPECT_TRUE(with_cert.ok()) << with_cert.error_message();
  EXPECT_EQ(EchoOverTls(service->grpc_port, /*present_client_cert=*/false).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST(KitConnectionAgeTest, OldConnectionsAreEndedSoClientsResolveAgain) {
  absl::StatusOr<RunningService> service = StartService({"--max_connection_age=1s"});
  ASSERT_TRUE(service.ok()) << service.status();
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", service->grpc_port), grpc::InsecureChannelCredentials());
  auto kit = pb::KitTestService::NewStub(channel);
  grpc::ClientContext context;
  SetDeadline(&context);
  pb::EchoRequest request;
  request.set_text("hello");
  pb::EchoResponse response;
  ASSERT_TRUE(kit->Echo(&context, request, &response).ok());
  ASSERT_EQ(channel->GetState(false), GRPC_CHANNEL_READY);
  // The server ends the connection once it is a second old (GOAWAY): the
  // channel leaves READY by itself, and the next call opens a new one.
  EXPECT_TRUE(channel->WaitForStateChange(GRPC_CHANNEL_READY, std::chrono::system_clock::now() +
                                                                  std::chrono::seconds(20)));
  grpc::ClientContext again;
  SetDeadline(&again);
  EXPECT_TRUE(kit->Echo(&again, request, &response).ok());
}

TEST(KitStartupTest, BadConfigurationExitsWithAClearMessage) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--grpc_port=99999"}, "flag --grpc_port: 99999 is not in 0..65535"},
      {{"--max_connection_age=0s"}, "--max_connection_age must be at least 1s"},
      {{"--tls_cert_file=/nonexistent.pem"},
       "--tls_cert_file and --tls_key_file must be given together"},
      {{"--tls_cert_file=/nonexistent.pem", "--tls_key_file=/nonexistent.key"},
       "cannot read /nonexistent.pem"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"tests/kit/kit_test_service", "--metrics_port=0"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    absl::StatusOr<std::unique_ptr<Subprocess>> process = Subprocess::Start(args);
    ASSERT_TRUE(process.ok()) << process.status();
    absl::StatusOr<int> status = (*process)->Wait(absl::Seconds(30));
    ASSERT_TRUE(status.ok()) << status.status();
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) != 0) << c.message;
    EXPECT_THAT((*process)->output(), ::testing::HasSubstr(c.message));
  }
}

}  // namespace
}  // namespace onramp::testing
