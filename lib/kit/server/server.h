#ifndef ONRAMP_LIB_KIT_SERVER_SERVER_H_
#define ONRAMP_LIB_KIT_SERVER_SERVER_H_

// The gRPC server every Onramp service runs:
//   - its services plus grpc.health.v1.Health (SERVING while up);
//   - TLS, mutual TLS or plaintext, keepalive and message-size limits, from
//     ServerOptions (flags/env via RegisterServerFlags);
//   - per-method counts and latencies and a request id on every call
//     (call_interceptor.h), Prometheus on its own port;
//   - graceful shutdown: on SIGTERM or SIGINT health turns NOT_SERVING, the
//     server keeps answering for `drain_delay` so load balancers stop sending
//     new calls, then refuses new calls and lets in-flight ones finish within
//     `shutdown_timeout`, cancelling any still running after that (an open
//     health Watch stream counts as running).
//
//   ServerOptions options;  ... flags ...
//   ASSIGN_OR_RETURN(auto server, Server::Start(options, {&my_service}, registry));
//   return server->RunUntilSignalled();

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "lib/kit/config/flags.h"
#include "lib/kit/metrics/metrics_endpoint.h"
#include "prometheus/registry.h"

namespace onramp::server {

struct ServerOptions {
  std::string host = "0.0.0.0";
  int grpc_port = 0;
  std::string metrics_host = "0.0.0.0";
  int metrics_port = 0;
  // PEM files. With cert and key the server speaks TLS; adding a client CA
  // makes it require and verify client certificates (mutual TLS).
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
  absl::Duration keepalive_time = absl::Seconds(30);
  absl::Duration keepalive_timeout = absl::Seconds(10);
  // Connections older than this are ended (GOAWAY; calls in them finish),
  // so clients resolve the service's name again and spread onto new pods.
  absl::Duration max_connection_age = absl::Minutes(5);
  int max_message_bytes = 16 * 1024 * 1024;
  absl::Duration drain_delay = absl::Seconds(5);
  absl::Duration shutdown_timeout = absl::Seconds(20);
  std::string log_level = "info";
};

// Declares the options above as flags (and ONRAMP_* variables) with checks:
// TLS cert and key come together; a client CA needs them.
void RegisterServerFlags(config::Flags& flags, ServerOptions* options);

// Starts JSON logging for `service` at options.log_level.
void InitLogging(std::string_view service, const ServerOptions& options);

class Server {
 public:
  // Blocks SIGTERM and SIGINT in the calling thread (and so in every thread
  // started after it) so RunUntilSignalled can wait for them: call it before
  // starting threads of your own. `services` must outlive the server.
  static absl::StatusOr<std::unique_ptr<Server>> Start(
      const ServerOptions& options, const std::vector<grpc::Service*>& services,
      std::shared_ptr<prometheus::Registry> registry);

  ~Server();

  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_->port(); }

  // Health of every service on this server (and the overall "" entry).
  void SetServing(bool serving);

  // Waits for SIGTERM or SIGINT, then drains (see above).
  absl::Status RunUntilSignalled();

  // Turns NOT_SERVING, waits drain_delay, runs the OnDrain callbacks,
  // refuses new calls and waits up to shutdown_timeout for in-flight ones.
  // Idempotent.
  void Drain();
  // `end_streams` ends the service's long-lived streams (watches), which
  // would otherwise hold the drain up for the whole shutdown_timeout.
  void OnDrain(std::function<void()> end_streams) { on_drain_.push_back(std::move(end_streams)); }

 private:
  Server(const ServerOptions& options, std::unique_ptr<grpc::Server> server, int grpc_port,
         std::unique_ptr<metrics::MetricsEndpoint> metrics);

  ServerOptions options_;
  std::unique_ptr<grpc::Server> server_;
  int grpc_port_;
  std::unique_ptr<metrics::MetricsEndpoint> metrics_;
  bool drained_ = false;
  std::vector<std::function<void()>> on_drain_;
};

}  // namespace onramp::server

#endif  // ONRAMP_LIB_KIT_SERVER_SERVER_H_
