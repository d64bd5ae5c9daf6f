#include "services/gateway/gateway.h"

#include <signal.h>

#include <array>
#include <chrono>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "lib/log/log.h"
#include "lib/metrics/latency_buckets.h"
#include "lib/metrics/metrics_endpoint.h"
#include "lib/server/request_id.h"
#include "lib/status/status_macros.h"
#include "prometheus/counter.h"
#include "prometheus/histogram.h"

namespace onramp::gateway {
namespace {

namespace http = boost::beast::http;

// Routes as metric labels: bounded, never the raw path.
constexpr std::array<const char*, 5> kRoutes = {"device", "profile", "activation", "report", "other"};

size_t RouteOf(const Request& request) {
  std::string_view target(request.target().data(), request.target().size());
  if (target.starts_with("/device/")) return 0;
  if (target.starts_with("/profile/")) return 1;
  if (target == "/activation") return 2;
  if (target.starts_with("/report")) return 3;
  return 4;
}

}  // namespace

void RegisterFlags(config::Flags& flags, Options* options) {
  flags.String("http_host", &options->http.host, "Address of the phone-facing HTTP listener.");
  flags.Port("http_port", &options->http.port, "Its port; 0 picks a free one.");
  flags.Int("http_threads", &options->http.threads, 1, 512, "Threads serving HTTP.");
  flags.Int("max_connections", &options->http.max_connections, 1, 1000000, "Open connections at most.");
  flags.Duration("request_timeout", &options->http.request_timeout,
                 "Time a client has to send one whole request.");
  flags.Duration("idle_timeout", &options->http.idle_timeout, "Keep-alive idle time allowed.");
  flags.Port("tftp_port", &options->tftp.port, "UDP port of the TFTP listener (69 in production); 0 picks a free one.");
  flags.Int("tftp_max_transfers", &options->tftp.max_transfers, 1, 100000,
            "TFTP transfers at once; more are refused, not queued.");
  flags.String("metrics_host", &options->metrics_host, "Address of the Prometheus endpoint.");
  flags.Port("metrics_port", &options->metrics_port, "Port of /metrics; 0 picks a free one.");
  flags.RequiredString("activation_code_addr", &options->activation_code_addr,
                       "host:port of activation-code.");
  flags.RequiredString("device_activation_addr", &options->device_activation_addr,
                       "host:port of device-activation.");
  flags.RequiredString("profile_render_addr", &options->profile_render_addr,
                       "host:port of profile-render.");
  flags.Duration("backend_deadline", &options->backend_deadline, "Deadline of each backend call.");
  flags.Choice("log_level", &options->log_level, {"debug", "info", "warn", "error"},
               "Lowest level of log lines written.");
}

Handler Instrumented(PhoneRoutes& routes, prometheus::Registry& registry) {
  auto& requests = prometheus::BuildCounter()
                       .Name("onramp_gateway_requests_total")
                       .Help("HTTP requests by route and status.")
                       .Register(registry);
  auto& latency = prometheus::BuildHistogram()
                      .Name("onramp_gateway_request_seconds")
                      .Help("Time to answer an HTTP request, by route.")
                      .Register(registry);
  // Made once: the request path only observes.
  std::array<prometheus::Histogram*, kRoutes.size()> latencies;
  for (size_t i = 0; i < kRoutes.size(); ++i) {
    latencies[i] = &latency.Add({{"route", kRoutes[i]}}, metrics::LatencyBuckets());
  }
  return [&routes, &requests, latencies](const Request& request, const Peer& peer) {
    auto started = std::chrono::steady_clock::now();
    std::string request_id;
    if (auto given = request.find("X-Request-Id"); given != request.end() &&
        server::IsValidRequestId(std::string_view(given->value().data(), given->value().size()))) {
      request_id = std::string(given->value());
    } else {
      request_id = server::NewRequestId();
    }
    Response response = routes.Handle(request, peer, request_id);
    response.set("X-Request-Id", request_id);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    size_t route = RouteOf(request);
    requests.Add({{"route", kRoutes[route]}, {"status", absl::StrCat(response.result_int())}}).Increment();
    latencies[route]->Observe(seconds);
    log::Info("http", {{"request_id", request_id},
                       {"method", std::string(request.method_string())},
                       {"target", std::string(request.target())},
                       {"status", static_cast<int>(response.result_int())},
                       {"micros", static_cast<int64_t>(seconds * 1e6)},
                       {"source", peer.address}});
    return response;
  };
}

FileResolver TftpFiles(Handler handler) {
  return [handler = std::move(handler)](const std::string& file_name,
                                        const Peer& peer) -> absl::StatusOr<std::string> {
    std::string_view name = file_name;
    while (name.starts_with('/')) name.remove_prefix(1);
    Request request(http::verb::get, "/" + std::string(name), 11);
    Response response = handler(request, peer);
    std::string message(absl::StripAsciiWhitespace(response.body()));
    switch (response.result_int()) {
      case 200: return std::move(response.body());
      case 404: return absl::NotFoundError(message);
      default:
        if (response.result_int() >= 400 && response.result_int() < 500) {
          return absl::PermissionDeniedError(message);
        }
        return absl::UnavailableError(message);
    }
  };
}

absl::Status Run(const Options& options) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto registry = std::make_shared<prometheus::Registry>();
  ASSIGN_OR_RETURN(std::unique_ptr<metrics::MetricsEndpoint> metrics,
                   metrics::MetricsEndpoint::Start(options.metrics_host, options.metrics_port, registry));
  clients::ActivationCodeClient codes(options.activation_code_addr, options.backend_deadline);
  clients::DeviceActivationClient devices(options.device_activation_addr, options.backend_deadline);
  clients::ProfileRenderClient profiles(options.profile_render_addr, options.backend_deadline);
  PhoneRoutes routes(codes, devices, profiles);
  Handler handler = Instrumented(routes, *registry);
  ASSIGN_OR_RETURN(std::unique_ptr<HttpServer> server, HttpServer::Start(options.http, handler));
  auto& transfers = prometheus::BuildCounter()
                        .Name("onramp_gateway_tftp_transfers_total")
                        .Help("TFTP read requests by outcome.")
                        .Register(*registry);
  TftpServerOptions tftp_options = options.tftp;
  tftp_options.host = options.http.host;
  ASSIGN_OR_RETURN(std::unique_ptr<TftpServer> tftp,
                   TftpServer::Start(tftp_options, TftpFiles(handler), [&transfers](TransferOutcome outcome) {
                     transfers.Add({{"outcome", OutcomeName(outcome)}}).Increment();
                   }));
  log::Info("serving", {{"http_port", server->port()},
                        {"tftp_port", tftp->port()},
                        {"metrics_port", metrics->port()}});
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  log::Info("shutdown requested", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  tftp.reset();
  server.reset();
  log::Info("stopped");
  return absl::OkStatus();
}

}  // namespace onramp::gateway
