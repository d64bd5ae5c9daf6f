#include "lib/kit/server/server.h"

#include <signal.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "lib/kit/log/log.h"
#include "lib/kit/server/call_interceptor.h"
#include "lib/kit/status/status_macros.h"

namespace onramp::server {
namespace {

absl::StatusOr<std::string> ReadPemFile(const std::string& flag, const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::FailedPreconditionError(absl::StrCat("--", flag, ": cannot read ", path));
  std::ostringstream contents;
  contents << file.rdbuf();
  if (contents.str().find("-----BEGIN ") == std::string::npos) {
    return absl::FailedPreconditionError(absl::StrCat("--", flag, ": ", path, " is not PEM"));
  }
  return contents.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(
    const ServerOptions& options) {
  if (options.tls_cert_file.empty()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions ssl;
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  ASSIGN_OR_RETURN(pair.cert_chain, ReadPemFile("tls_cert_file", options.tls_cert_file));
  ASSIGN_OR_RETURN(pair.private_key, ReadPemFile("tls_key_file", options.tls_key_file));
  ssl.pem_key_cert_pairs.push_back(std::move(pair));
  if (!options.tls_client_ca_file.empty()) {
    ASSIGN_OR_RETURN(ssl.pem_root_certs,
                     ReadPemFile("tls_client_ca_file", options.tls_client_ca_file));
    ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(ssl);
}

std::string HostPort(const std::string& host, int port) {
  return absl::StrCat(host.find(':') == std::string::npos ? host : "[" + host + "]", ":", port);
}

int ToMillis(absl::Duration duration) {
  return static_cast<int>(absl::ToInt64Milliseconds(duration));
}

sigset_t ShutdownSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  return signals;
}

}  // namespace

void RegisterServerFlags(config::Flags& flags, ServerOptions* options) {
  flags.String("host", &options->host, "Address the gRPC server listens on.");
  flags.Port("grpc_port", &options->grpc_port, "gRPC port; 0 picks a free one.");
  flags.String("metrics_host", &options->metrics_host, "Address of the Prometheus endpoint.");
  flags.Port("metrics_port", &options->metrics_port,
             "Port of the Prometheus /metrics endpoint; 0 picks a free one.");
  flags.String("tls_cert_file", &options->tls_cert_file,
               "PEM certificate chain; with --tls_key_file the server speaks TLS.");
  flags.String("tls_key_file", &options->tls_key_file, "PEM private key of --tls_cert_file.");
  flags.String("tls_client_ca_file", &options->tls_client_ca_file,
               "PEM CA bundle; when set, clients must present a certificate it signed (mTLS).");
  flags.Duration("keepalive_time", &options->keepalive_time,
                 "Idle time after which the server pings a connection.");
  flags.Duration("keepalive_timeout", &options->keepalive_timeout,
                 "How long a keepalive ping may go unanswered before the connection closes.");
  flags.Duration("max_connection_age", &options->max_connection_age,
                 "Connections older than this are ended (their calls finish), so clients find new replicas.");
  flags.Int("max_message_bytes", &options->max_message_bytes, 1024, 1 << 30,
            "Largest gRPC message received or sent.");
  flags.Duration("drain_delay", &options->drain_delay,
                 "After SIGTERM, how long to keep serving while reporting NOT_SERVING.");
  flags.Duration("shutdown_timeout", &options->shutdown_timeout,
                 "After the drain delay, how long in-flight calls may take to finish.");
  flags.Choice("log_level", &options->log_level, {"debug", "info", "warn", "error"},
               "Lowest level of log lines written.");
  flags.Check([options]() -> absl::Status {
    if (options->tls_cert_file.empty() != options->tls_key_file.empty()) {
      return absl::InvalidArgumentError(
          "--tls_cert_file and --tls_key_file must be given together");
    }
    if (!options->tls_client_ca_file.empty() && options->tls_cert_file.empty()) {
      return absl::InvalidArgumentError(
          "--tls_client_ca_file (mutual TLS) needs --tls_cert_file and --tls_key_file");
    }
    if (options->max_connection_age < absl::Seconds(1)) {
      return absl::InvalidArgumentError("--max_connection_age must be at least 1s");
    }
    if (options->keepalive_time < absl::Seconds(1) ||
        options->keepalive_timeout < absl::Seconds(1)) {
      return absl::InvalidArgumentError(
          "--keepalive_time and --keepalive_timeout must be at least 1s");
    }
    return absl::OkStatus();
  });
}

void InitLogging(std::string_view service, const ServerOptions& options) {
  log::Level level = log::Level::kInfo;
  log::ParseLevel(options.log_level, &level);
  log::Init(service, level);
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(
    const ServerOptions& options, const std::vector<grpc::Service*>& services,
    std::shared_ptr<prometheus::Registry> registry) {
  sigset_t signals = ShutdownSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials, Credentials(options));
  ASSIGN_OR_RETURN(std::unique_ptr<metrics::MetricsEndpoint> metrics,
                   metrics::MetricsEndpoint::Start(options.metrics_host, options.metrics_port,
                                                   registry));

  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  int grpc_port = 0;
  builder.AddListeningPort(HostPort(options.host, options.grpc_port), credentials, &grpc_port);
  for (grpc::Service* service : services) builder.RegisterService(service);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, ToMillis(options.keepalive_time));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, ToMillis(options.keepalive_timeout));
  // Clients (other services, the gateway) ping idle channels too; accept
  // their pings as often as we send ours instead of closing on them.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, ToMillis(options.max_connection_age));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS, ToMillis(options.shutdown_timeout));
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             ToMillis(options.keepalive_time) / 2);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(std::make_unique<CallInterceptorFactory>(*registry));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));

  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || grpc_port == 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot serve gRPC on ", HostPort(options.host, options.grpc_port),
        " (address in use or not local?)"));
  }
  server->GetHealthCheckService()->SetServingStatus(true);
  log::Info("serving", {{"grpc_port", grpc_port},
                        {"metrics_port", metrics->port()},
                        {"tls", options.tls_cert_file.empty()        ? "off"
                                : options.tls_client_ca_file.empty() ? "on"
                                                                     : "mutual"}});
  return std::unique_ptr<Server>(
      new Server(options, std::move(server), grpc_port, std::move(metrics)));
}

Server::Server(const ServerOptions& options, std::unique_ptr<grpc::Server> server,
               int grpc_port, std::unique_ptr<metrics::MetricsEndpoint> metrics)
    : options_(options),
      server_(std::move(server)),
      grpc_port_(grpc_port),
      metrics_(std::move(metrics)) {}

Server::~Server() { Drain(); }

void Server::SetServing(bool serving) {
  server_->GetHealthCheckService()->SetServingStatus(serving);
}

absl::Status Server::RunUntilSignalled() {
  sigset_t signals = ShutdownSignals();
  int signal_number = 0;
  if (int error = sigwait(&signals, &signal_number); error != 0) {
    return absl::InternalError(absl::StrCat("sigwait failed: error ", error));
  }
  log::Info("shutdown requested", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  Drain();
  return absl::OkStatus();
}

void Server::Drain() {
  if (drained_) return;
  drained_ = true;
  SetServing(false);
  log::Info("draining", {{"drain_delay", absl::FormatDuration(options_.drain_delay)}});
  // Deliberate wait, not synchronisation: load balancers and Kubernetes
  // endpoints need this long to see NOT_SERVING and route elsewhere.
  absl::SleepFor(options_.drain_delay);
  for (const std::function<void()>& end_streams : on_drain_) end_streams();
  server_->Shutdown(std::chrono::system_clock::now() +
                    absl::ToChronoMilliseconds(options_.shutdown_timeout));
  server_->Wait();
  log::Info("stopped");
}

}  // namespace onramp::server
