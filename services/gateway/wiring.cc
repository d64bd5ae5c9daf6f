#include "services/gateway/wiring.h"

#include <signal.h>

#include <array>
#include <chrono>
#include <map>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/http/status/http_status.h"
#include "lib/kit/clients/acs_client.h"
#include "lib/kit/clients/activation_code_client.h"
#include "lib/kit/clients/device_activation_client.h"
#include "lib/kit/clients/firmware_catalog_client.h"
#include "lib/kit/clients/profile_render_client.h"
#include "lib/kit/log/log.h"
#include "lib/kit/metrics/latency_buckets.h"
#include "lib/kit/metrics/metrics_endpoint.h"
#include "lib/kit/server/request_id.h"
#include "lib/kit/status/status_macros.h"
#include "services/gateway/render_watch.h"
#include "prometheus/counter.h"
#include "prometheus/histogram.h"

namespace onramp::gateway {
namespace {

namespace http = boost::beast::http;

// Routes as metric labels: bounded, never the raw path.
constexpr std::array<const char*, 10> kRoutes = {"device",   "profile", "activation", "report",  "firmware",
                                                 "register", "api",     "other",      "refused", "console"};
constexpr size_t kProfileRoute = 1;
constexpr size_t kRefusedRoute = 8;

size_t RouteOf(const Request& request) {
  std::string_view target(request.target().data(), request.target().size());
  if (target.starts_with("/device/")) return 0;
  if (target.starts_with("/profile/")) return 1;
  if (target == "/activation") return 2;
  if (target.starts_with("/report")) return 3;
  if (target.starts_with("/firmware/")) return 4;
  if (target == "/register") return 5;
  if (PartnerApi::Owns(target)) return 6;
  if (Console::Owns(target)) return 9;
  return 7;
}

Response TooManyRequests(absl::Duration wait) {
  Response response(http::status::too_many_requests, 11);
  response.set(http::field::content_type, "text/plain");
  response.set(http::field::retry_after, http_status::RetryAfterSeconds(wait));
  response.body() = "too many requests from this address; retry later\n";
  response.keep_alive(true);
  response.prepare_payload();
  return response;
}


}  // namespace

void RegisterFlags(config::Flags& flags, Options* options) {
  flags.String("http_host", &options->http.host, "Address of the phone-facing HTTP listener.");
  flags.Port("http_port", &options->http.port, "Its port; 0 picks a free one.");
  flags.Int("https_port", &options->https_port, -1, 65535,
            "Port of the HTTPS listener (on http_host); -1: none, 0 picks a free one.");
  flags.String("tls_cert_file", &options->tls.cert_file, "PEM certificate chain of the HTTPS listener.");
  flags.String("tls_key_file", &options->tls.key_file, "PEM private key of the HTTPS listener.");
  flags.String("tls_client_ca_file", &options->tls.client_ca_file,
               "PEM CA whose client certificates identify registered phones (the onboarding CA); empty: none.");
  flags.String("tls_ticket_key_files", &options->tls_ticket_key_files,
               "Session-ticket keys shared by the replicas (80 random bytes each, e.g. `openssl rand 80`), "
               "comma-separated, newest first: the first seals tickets, all open them; reread on SIGHUP. "
               "Empty: a key of this process only.");
  flags.String("factory_ca_file", &options->tls.factory_ca_file,
               "PEM bundle of the manufacturer CAs (intermediates too) whose certificates are phones' factory "
               "certificates (CN = the MAC); empty: none, and no phone can prove itself before registering.");
  flags.Duration("revocation_poll", &options->revocation_poll,
                 "How often revoked registration certificates are read from device-activation.");
  flags.Int("io_threads", &options->http.io_threads, 0, 256,
            "Event-loop threads of the HTTP(S) listeners (TLS, parsing, writing); 0: one per core.");
  flags.Int("handler_threads", &options->http.handler_threads, 1, 1024,
            "Threads running requests, which wait on backends; bounds the backend calls at once.");
  flags.Int("max_connections", &options->http.max_connections, 1, 1000000, "Open connections at most.");
  flags.Int("max_waiting", &options->http.max_waiting, 1, 1000000,
            "Requests waiting for or on a handler thread at most; more are answered 503 with Retry-After at "
            "once rather than queued.");
  flags.Duration("request_timeout", &options->http.request_timeout,
                 "Time a client has to send one whole request.");
  flags.Duration("idle_timeout", &options->http.idle_timeout, "Keep-alive idle time allowed.");
  flags.Duration("stream_timeout", &options->http.stream_timeout,
                 "How long a download waits on a phone that reads nothing before it is cut off (and logged).");
  flags.Port("tftp_port", &options->tftp.port, "UDP port of the TFTP listener (69 in production); 0 picks a free one.");
  flags.Int("tftp_max_transfers", &options->tftp.max_transfers, 1, 100000,
            "TFTP transfers at once; more are refused, not queued.");
  flags.String("tftp_leases", &options->tftp_leases,
               "The LAN's DHCP leases (a dnsmasq lease file), so a phone asking for &PN.cfg over TFTP "
               "is known by its address; empty: such a phone is told to ask for device/$PN/$MA.");
  flags.Int("tftp_max_transfers_per_source", &options->tftp.max_transfers_per_source, 1, 100000,
            "TFTP transfers at once from one address (a NAT may hide a site's phones behind one).");
  flags.Int("syslog_port", &options->syslog_port, -1, 65535,
            "UDP port of the syslog intake (514 in production; phones' lines, kept per phone by "
            "device-activation); 0 picks a free one; -1: none.");
  flags.Int("syslog_lines_per_source", &options->syslog.burst_per_source, 1, 1000000,
            "Syslog lines one source may send in a burst; it may then go on at a tenth of that a second.");
  flags.String("metrics_host", &options->metrics_host, "Address of the Prometheus endpoint.");
  flags.Port("metrics_port", &options->metrics_port, "Port of /metrics; 0 picks a free one.");
  flags.RequiredString("activation_code_addr", &options->activation_code_addr,
                       "host:port of activation-code.");
  flags.String("acs_addr", &options->acs_addr,
               "host:port of the TR-069 ACS, which takes phones' CWMP POSTs at /cwmp (empty: none).");
  flags.RequiredString("device_activation_addr", &options->device_activation_addr,
                       "host:port of device-activation.");
  flags.RequiredString("profile_render_addr", &options->profile_render_addr,
                       "host:port of profile-render.");
  flags.RequiredString("firmware_catalog_addr", &options->firmware_catalog_addr,
                       "host:port of firmware-catalog.");
  flags.Int("edge_cache_entries", &options->edge_cache_entries, 0, 10000000,
            "Phones whose rendered profiles the gateway keeps copies of, kept coherent by profile-render's "
            "WatchRenders, to answer unchanged resyncs without a backend call (each ~ its profile's size); 0: none.");
  flags.Duration("backend_deadline", &options->backend_deadline, "Deadline of each backend call, retries included.");
  flags.Int("backend_max_in_flight", &options->backend_max_in_flight, 1, 100000,
            "Calls in flight to one backend at most; more are answered 503 at once.");
  flags.Int("backend_attempts", &options->backend_attempts, 1, 10,
            "Tries of a repeatable backend call while the backend is unavailable.");
  flags.Int("source_rate", &options->source_rate, 0, 1000000,
            "Requests per second allowed from one client address; 0: unlimited.");
  flags.Int("source_burst", &options->source_burst, 1, 10000000, "Requests allowed at once from one address.");
  flags.Duration("api_key_cache", &options->partner_api.key_cache,
                 "How long a checked API key is trusted (and a revoked one may linger).");
  flags.Int("partner_rate", &options->partner_rate, 0, 1000000,
            "Partner API requests per second per partner; 0: unlimited.");
  flags.Int("partner_burst", &options->partner_burst, 1, 10000000, "Partner API requests at once per partner.");
  flags.Choice("log_level", &options->log_level, {"debug", "info", "warn", "error"},
               "Lowest level of log lines written.");
}

namespace {

// Request ids, metrics and the access log, shared by whole requests and
// uploads.
class RequestLog {
 public:
  explicit RequestLog(prometheus::Registry& registry)
      : requests_(prometheus::BuildCounter()
                      .Name("onramp_gateway_requests_total")
                      .Help("HTTP requests by route and status.")
                      .Register(registry)),
        from_copies_(prometheus::BuildCounter()
                         .Name("onramp_gateway_profiles_from_copies_total")
                         .Help("Resyncs answered from the gateway's copies of rendered profiles, on the event "
                               "loop, without a backend call.")
                         .Register(registry)
                         .Add({})) {
    auto& latency = prometheus::BuildHistogram()
                        .Name("onramp_gateway_request_seconds")
                        .Help("Time to answer an HTTP request, by route.")
                        .Register(registry);
    // Made once: the request path only observes.
    for (size_t i = 0; i < kRoutes.size(); ++i) {
      latencies_[i] = &latency.Add({{"route", kRoutes[i]}}, metrics::LatencyBuckets());
    }
  }

  // The caller's X-Request-Id when valid, else a new one.
  static std::string RequestIdOf(const Request& request) {
    if (auto given = request.find("X-Request-Id"); given != request.end() &&
        server::IsValidRequestId(std::string_view(given->value().data(), given->value().size()))) {
      return std::string(given->value());
    }
    return server::NewRequestId();
  }

  void CountFromCopy() { from_copies_.Increment(); }

  void Record(const Request& request, const Peer& peer, Response& response, const std::string& request_id,
              std::chrono::steady_clock::time_point started) {
    Record(RouteOf(request), std::string(request.method_string()), std::string(request.target()), peer, response,
           request_id, started);
  }

  // A request the listener refused unread: no method or target to trust.
  void RecordRefused(const Peer& peer, Response& response) {
    Record(kRefusedRoute, "-", "-", peer, response, server::NewRequestId(), std::chrono::steady_clock::now());
  }

 private:
  void Record(size_t route, const std::string& method, const std::string& target, const Peer& peer,
              Response& response, const std::string& request_id, std::chrono::steady_clock::time_point started) {
    response.set("X-Request-Id", request_id);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    requests_.Add({{"route", kRoutes[route]}, {"status", absl::StrCat(response.result_int())}}).Increment();
    latencies_[route]->Observe(seconds);
    log::Info("http", {{"request_id", request_id},
                       {"method", method},
                       {"target", target},
                       {"status", static_cast<int>(response.result_int())},
                       {"micros", static_cast<int64_t>(seconds * 1e6)},
                       {"source", peer.address}});
  }



 private:
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Counter& from_copies_;
  std::array<prometheus::Histogram*, kRoutes.size()> latencies_;
};

// An upload's sink whose reply is logged and counted like any request's.
class RecordedSink : public BodySink {
 public:
  RecordedSink(std::unique_ptr<BodySink> sink, std::shared_ptr<RequestLog> log, Request head, Peer peer,
               std::string request_id)
      : sink_(std::move(sink)), log_(std::move(log)), head_(std::move(head)), peer_(std::move(peer)),
        request_id_(std::move(request_id)) {}

  absl::Status Write(std::string_view piece) override { return sink_->Write(piece); }
  Reply Finish() override {
    Reply reply = sink_->Finish();
    log_->Record(head_, peer_, reply.response, request_id_, started_);
    return reply;
  }

 private:
  std::unique_ptr<BodySink> sink_;
  std::shared_ptr<RequestLog> log_;
  Request head_;
  Peer peer_;
  std::string request_id_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace

Handlers Instrumented(PhoneRoutes& routes, prometheus::Registry& registry, rate_limit::TokenBuckets* per_source,
                      PartnerApi* partner_api, Console* console) {
  auto request_log = std::make_shared<RequestLog>(registry);
  Handlers handlers;
  // Partner requests (the API and the console) may block on backends; the
  // phones' routes answer what they can from memory on the loop.
  auto partners_handle = [partner_api, console](const Request& request, const Peer& peer,
                                                const std::string& request_id) -> std::optional<Reply> {
    std::string_view target(request.target().data(), request.target().size());
    if (partner_api != nullptr && PartnerApi::Owns(target)) return partner_api->Handle(request, peer, request_id);
    if (console != nullptr && Console::Owns(target)) return console->Handle(request, peer, request_id);
    return std::nullopt;
  };
  auto for_partners = [partner_api, console](const Request& request) {
    std::string_view target(request.target().data(), request.target().size());
    return (partner_api != nullptr && PartnerApi::Owns(target)) || (console != nullptr && Console::Owns(target));
  };
  handlers.dispatch = [&routes, request_log, per_source, partners_handle, for_partners](const Request& request,
                                                                                        const Peer& peer) -> Dispatch {
    auto started = std::chrono::steady_clock::now();
    std::string request_id = RequestLog::RequestIdOf(request);
    std::optional<absl::Duration> wait;
    if (per_source != nullptr && request.target() != "/healthz") wait = per_source->Take(peer.address);
    std::optional<Reply> now;
    if (wait) {
      now = TooManyRequests(*wait);
    } else if (!for_partners(request)) {
      now = routes.Quick(request, peer);
    }
    if (now) {
      if (!wait && RouteOf(request) == kProfileRoute) request_log->CountFromCopy();
      request_log->Record(request, peer, now->response, request_id, started);
      return Dispatch{.now = std::move(now)};
    }
    return Dispatch{.later = [&routes, request_log, partners_handle, &request, &peer, request_id, started] {
      std::optional<Reply> partners = partners_handle(request, peer, request_id);
      Reply reply = partners ? std::move(*partners) : routes.Handle(request, peer, request_id);
      request_log->Record(request, peer, reply.response, request_id, started);
      return reply;
    }};
  };
  handlers.handler = [dispatch = handlers.dispatch](const Request& request, const Peer& peer) {
    Dispatch dispatched = dispatch(request, peer);
    return dispatched.now ? std::move(*dispatched.now) : dispatched.later();
  };
  handlers.refused = [request_log](Response& reply, const Peer& peer) { request_log->RecordRefused(peer, reply); };
  if (partner_api != nullptr) {
    handlers.uploads = [request_log, per_source, partner_api](const Request& head, const Peer& peer) {
      UploadStart start;
      if (!PartnerApi::Owns(std::string_view(head.target().data(), head.target().size()))) return start;
      auto started = std::chrono::steady_clock::now();
      std::string request_id = RequestLog::RequestIdOf(head);
      if (per_source != nullptr) {
        if (std::optional<absl::Duration> wait = per_source->Take(peer.address)) {
          start.refusal = std::make_unique<Reply>(TooManyRequests(*wait));
        }
      }
      if (start.refusal == nullptr) start = partner_api->StartUpload(head, peer, request_id);
      if (start.refusal != nullptr) {
        request_log->Record(head, peer, start.refusal->response, request_id, started);
      } else if (start.sink != nullptr) {
        start.sink = std::make_unique<RecordedSink>(std::move(start.sink), request_log, head, peer, request_id);
      }
      return start;
    };
  }
  return handlers;
}

FileResolver TftpFiles(Handler handler, DhcpLeases* leases) {
  return [handler = std::move(handler), leases](const std::string& file_name,
                                                const Peer& peer) -> absl::StatusOr<std::string> {
    std::string_view name = file_name;
    while (name.starts_with('/')) name.remove_prefix(1);
    Request request(http::verb::get, "/" + std::string(name), 11);
    Peer leased = peer;
    if (leases != nullptr) leased.lease_mac = leases->MacOf(peer.address).value_or("");
    Reply reply = handler(request, leased);
    Response& response = reply.response;
    if (reply.source != nullptr) {
      // Only firmware streams, and images are too large to hold for a
      // TFTP transfer; phones fetch them over HTTP(S).
      return absl::PermissionDeniedError("firmware is served over HTTP and HTTPS only");
    }
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

std::unique_ptr<RevokedCertificates> RevocationsOf(clients::DeviceActivation& devices, absl::Duration poll) {
  return std::make_unique<RevokedCertificates>(
      [&devices](const device::v1::ListRevokedCertificatesRequest& request) {
        return devices.ListRevokedCertificates(request, "");
      },
      poll);
}

absl::Status Run(const Options& options) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto registry = std::make_shared<prometheus::Registry>();
  ASSIGN_OR_RETURN(std::unique_ptr<metrics::MetricsEndpoint> metrics,
                   metrics::MetricsEndpoint::Start(options.metrics_host, options.metrics_port, registry));
  auto& backend_calls = prometheus::BuildCounter()
                            .Name("onramp_gateway_backend_calls_total")
                            .Help("Calls to the services by backend, method and final gRPC-style code.")
                            .Register(*registry);
  auto policy = [&](const char* backend) {
    return clients::CallPolicy{
        .deadline = options.backend_deadline,
        .max_in_flight = options.backend_max_in_flight,
        .max_attempts = options.backend_attempts,
        .on_outcome = [&backend_calls, backend](std::string_view method, absl::StatusCode code) {
          backend_calls
              .Add({{"backend", backend}, {"method", std::string(method)}, {"code", absl::StatusCodeToString(code)}})
              .Increment();
        }};
  };
  clients::ActivationCodeClient codes(options.activation_code_addr, policy("activation-code"));
  clients::DeviceActivationClient devices(options.device_activation_addr, policy("device-activation"));
  clients::ProfileRenderClient profiles(options.profile_render_addr, policy("profile-render"));
  clients::FirmwareCatalogClient firmware(options.firmware_catalog_addr, policy("firmware-catalog"));
  std::unique_ptr<RevokedCertificates> revoked = RevocationsOf(devices, options.revocation_poll);
  std::unique_ptr<clients::AcsClient> acs;
  if (!options.acs_addr.empty()) acs = std::make_unique<clients::AcsClient>(options.acs_addr, policy("acs"));
  std::optional<EdgeCache> edge;
  std::optional<EdgeDeliveries> edge_deliveries;
  std::optional<RenderWatch> render_watch;
  if (options.edge_cache_entries > 0) {
    edge.emplace(static_cast<size_t>(options.edge_cache_entries));
    edge_deliveries.emplace(profiles);
    render_watch.emplace(options.profile_render_addr, *edge);
  }
  PhoneRoutes routes(codes, devices, profiles, firmware, *revoked, acs.get(), edge ? &*edge : nullptr,
                     edge_deliveries ? &*edge_deliveries : nullptr);
  std::optional<rate_limit::TokenBuckets> per_source;
  if (options.source_rate > 0) {
    per_source.emplace(rate_limit::TokenBuckets::Options{.rate_per_second = static_cast<double>(options.source_rate),
                                                         .burst = static_cast<double>(options.source_burst)});
  }
  PartnerAuthOptions api_options = options.partner_api;
  api_options.partner_rate = options.partner_rate;
  api_options.partner_burst = options.partner_burst;
  PartnerApi partner_api(codes, devices, profiles, firmware, api_options, acs.get());
  Console console(devices, partner_api.auth(), *registry);
  Handlers handlers = Instrumented(routes, *registry, per_source ? &*per_source : nullptr, &partner_api, &console);
  const Handler& handler = handlers.handler;
  HttpServerOptions http = options.http;
  http.on_refused = handlers.refused;
  http.busy = [] {
    Response response(http::status::service_unavailable, 11);
    response.set(http::field::content_type, "text/plain");
    response.set(http::field::retry_after, http_status::RetryAfterSeconds(absl::UnavailableError("busy")));
    response.body() = "temporarily unavailable, retry later\n";
    response.prepare_payload();
    return response;
  };
  ASSIGN_OR_RETURN(std::unique_ptr<HttpServer> server, HttpServer::Start(http, handlers.dispatch, handlers.uploads));
  std::unique_ptr<TlsContext> tls;
  std::unique_ptr<HttpServer> tls_server;
  auto& handshakes = prometheus::BuildCounter()
                         .Name("onramp_gateway_tls_handshakes_total")
                         .Help("TLS handshakes by negotiated protocol (\"failed\" when none was).")
                         .Register(*registry);
  if (options.https_port >= 0) {
    if (options.tls.cert_file.empty() || options.tls.key_file.empty()) {
      return absl::InvalidArgumentError("https_port needs tls_cert_file and tls_key_file");
    }
    TlsFiles tls_files = options.tls;
    for (absl::string_view path : absl::StrSplit(options.tls_ticket_key_files, ',', absl::SkipEmpty())) {
      tls_files.ticket_key_files.emplace_back(path);
    }
    ASSIGN_OR_RETURN(tls, TlsContext::Load(tls_files));
    HttpServerOptions https = http;
    https.port = options.https_port;
    https.tls = tls.get();
    // Made once: a handshake only increments.
    auto& resumptions = prometheus::BuildCounter()
                            .Name("onramp_gateway_tls_resumptions_total")
                            .Help("TLS handshakes that resumed a session (a ticket), by protocol.")
                            .Register(*registry);
    struct Counted {
      prometheus::Counter* handshakes;
      prometheus::Counter* resumed;
    };
    auto counted = std::make_shared<std::map<std::string, Counted, std::less<>>>();
    for (const char* protocol : {"TLSv1.2", "TLSv1.3"}) {
      (*counted)[protocol] = {&handshakes.Add({{"protocol", protocol}}), &resumptions.Add({{"protocol", protocol}})};
    }
    prometheus::Counter& failed = handshakes.Add({{"protocol", "failed"}});
    https.on_handshake = [counted, &failed](std::string_view protocol, bool resumed) {
      auto found = counted->find(protocol);
      if (found == counted->end()) {
        failed.Increment();  // TLS 1.2 and 1.3 are the only protocols the context allows
        return;
      }
      found->second.handshakes->Increment();
      if (resumed) found->second.resumed->Increment();
    };
    ASSIGN_OR_RETURN(tls_server, HttpServer::Start(https, handlers.dispatch, handlers.uploads));
  }
  auto& transfers = prometheus::BuildCounter()
                        .Name("onramp_gateway_tftp_transfers_total")
                        .Help("TFTP read requests by outcome.")
                        .Register(*registry);
  TftpServerOptions tftp_options = options.tftp;
  tftp_options.host = options.http.host;
  std::optional<DhcpLeases> leases;
  if (!options.tftp_leases.empty()) leases.emplace(options.tftp_leases);
  ASSIGN_OR_RETURN(std::unique_ptr<TftpServer> tftp,
                   TftpServer::Start(tftp_options, TftpFiles(handler, leases ? &*leases : nullptr),
                                     [&transfers](TransferOutcome outcome) {
                     transfers.Add({{"outcome", OutcomeName(outcome)}}).Increment();
                   }));
  std::unique_ptr<SyslogIntake> syslog_intake;
  if (options.syslog_port >= 0) {
    SyslogIntakeOptions syslog_options = options.syslog;
    syslog_options.host = options.http.host;
    syslog_options.port = options.syslog_port;
    syslog_options.lines_per_second_per_source = syslog_options.burst_per_source / 10.0;
    ASSIGN_OR_RETURN(syslog_intake, SyslogIntake::Start(syslog_options, devices, *registry));
  }
  log::Info("serving", {{"http_port", server->port()},
                        {"https_port", tls_server ? tls_server->port() : -1},
                        {"tftp_port", tftp->port()},
                        {"syslog_port", syslog_intake ? syslog_intake->port() : -1},
                        {"metrics_port", metrics->port()}});
  int signal_number = 0;
  for (;;) {
    sigwait(&signals, &signal_number);
    if (signal_number != SIGHUP) break;
    if (tls == nullptr) continue;
    // New connections get the new files; open ones keep what they began with.
    if (absl::Status reloaded = tls->Reload(); reloaded.ok()) {
      log::Info("TLS files reloaded", {{"cert_file", options.tls.cert_file}});
    } else {
      log::Error("TLS reload failed; still serving the previous certificate",
                 {{"error", reloaded.ToString()}});
    }
  }
  log::Info("shutdown requested", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  syslog_intake.reset();
  tftp.reset();
  tls_server.reset();
  server.reset();
  log::Info("stopped");
  return absl::OkStatus();
}

}  // namespace onramp::gateway
