// grpc_health --address=HOST:PORT [--service=NAME] [--timeout=2s] [--tls_ca_file=PEM]
//
// Exit status: 0 SERVING, 1 not serving (NOT_SERVING, UNKNOWN or
// SERVICE_UNKNOWN), 2 bad arguments, 3 unreachable or no health service.

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "absl/time/time.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "lib/kit/config/flags.h"

namespace {

using ::grpc::health::v1::Health;
using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;

int Main(int argc, char** argv) {
  std::string address;
  std::string service;
  std::string tls_ca_file;
  absl::Duration timeout = absl::Seconds(2);
  onramp::config::Flags flags(
      "grpc_health",
      "Asks a gRPC server whether it is SERVING (grpc.health.v1.Health/Check).\n"
      "Exit status: 0 serving, 1 not serving, 2 bad arguments, 3 unreachable.");
  flags.RequiredString("address", &address, "host:port of the server.");
  flags.String("service", &service, "Service name to ask about; empty: the whole server.");
  flags.String("tls_ca_file", &tls_ca_file, "PEM CA bundle: connect with TLS and verify.");
  flags.Duration("timeout", &timeout, "Deadline of the check.");
  flags.ParseOrExit(argc, argv);

  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (!tls_ca_file.empty()) {
    std::ifstream file(tls_ca_file);
    if (!file) {
      std::cerr << "grpc_health: cannot read " << tls_ca_file << "\n";
      return 2;
    }
    std::ostringstream pem;
    pem << file.rdbuf();
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = pem.str();
    credentials = grpc::SslCredentials(ssl);
  }
  auto stub = Health::NewStub(grpc::CreateChannel(address, credentials));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  HealthCheckRequest request;
  request.set_service(service);
  HealthCheckResponse response;
  grpc::Status status = stub->Check(&context, request, &response);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
    // The server is up but does not know the service asked about.
    std::cout << address << ": SERVICE_UNKNOWN\n";
    return 1;
  }
  if (!status.ok()) {
    std::cerr << address << ": " << status.error_message() << "\n";
    return 3;
  }
  std::cout << address << ": "
            << HealthCheckResponse::ServingStatus_Name(response.status()) << "\n";
  return response.status() == HealthCheckResponse::SERVING ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) { return Main(argc, argv); }
