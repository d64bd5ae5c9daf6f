#ifndef ONRAMP_SERVICES_GATEWAY_WIRING_H_
#define ONRAMP_SERVICES_GATEWAY_WIRING_H_

// Wiring of the gateway: the phone-facing HTTP, HTTPS and TFTP listeners
// and the partner REST API (HTTPS) in front of the services, with access
// logs, request ids and metrics.

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lib/kit/config/flags.h"
#include "lib/kit/rate_limit/token_buckets.h"
#include "prometheus/registry.h"
#include "services/gateway/console.h"
#include "services/gateway/dhcp_leases.h"
#include "services/gateway/http_server.h"
#include "services/gateway/partner_api.h"
#include "services/gateway/phone_routes.h"
#include "services/gateway/syslog_intake.h"
#include "services/gateway/revoked_certificates.h"
#include "services/gateway/tftp_server.h"
#include "services/gateway/tls_context.h"

namespace onramp::gateway {

struct Options {
  HttpServerOptions http;
  int https_port = -1;  // -1: no HTTPS listener; it shares http's host and limits
  TlsFiles tls;
  std::string tls_ticket_key_files;  // comma-separated, newest first (TlsFiles::ticket_key_files)
  TftpServerOptions tftp;  // on http.host
  std::string tftp_leases;  // a dnsmasq lease file; empty: none
  int syslog_port = -1;     // UDP, on http.host; -1: no syslog intake
  SyslogIntakeOptions syslog;
  std::string metrics_host = "0.0.0.0";
  int metrics_port = 0;
  std::string activation_code_addr;
  std::string device_activation_addr;
  std::string profile_render_addr;
  std::string firmware_catalog_addr;
  std::string acs_addr;  // empty: no TR-069 (POST /cwmp answers 404)
  // Phones whose rendered answers are copied here (edge_cache.h); 0: none.
  int edge_cache_entries = 100000;
  absl::Duration backend_deadline = absl::Seconds(5);
  // How often the revoked registration certificates are read: an old
  // certificate stops proving its phone about this long after the change.
  absl::Duration revocation_poll = absl::Seconds(1);
  int backend_max_in_flight = 256;  // per backend
  int backend_attempts = 3;
  // Requests per second and burst allowed from one address (phones behind
  // one NAT share it); rate 0: unlimited.
  int source_rate = 50;
  int source_burst = 500;
  PartnerAuthOptions partner_api;
  int partner_rate = 50;
  int partner_burst = 200;
  std::string log_level = "info";
};

void RegisterFlags(config::Flags& flags, Options* options);

// Every request through `routes`, timed, counted and logged with its
// request id (the caller's X-Request-Id when valid, else a new one); with
// `per_source`, a source address past its rate gets 429 with Retry-After
// (health probes excepted).
// With `partner_api`, /api/v1/... goes there (uploads too, streamed); with
// `console`, /console/... goes there.
// `refused` stamps, logs and counts what the listener refused before any
// handler saw it (route "refused").
// `dispatch` is for the listeners: what the routes answer from memory
// (PhoneRoutes::Quick) and 429s are answered on the event loop, the rest on
// the handler threads; `handler` is the same for callers that may block
// (TFTP).
struct Handlers {
  Dispatcher dispatch;
  Handler handler;
  UploadRoute uploads;
  RefusalObserver refused;
};
Handlers Instrumented(PhoneRoutes& routes, prometheus::Registry& registry,
                      rate_limit::TokenBuckets* per_source = nullptr, PartnerApi* partner_api = nullptr,
                      Console* console = nullptr);

// TFTP read requests answered exactly as `handler` answers a GET of
// "/<file name>" (no User-Agent, so the phone's identity must be in the
// name, e.g. device/$PN/$MA): 200 gives the body, 404 "file not found",
// other 4xx "access violation", the rest error 0. With `leases`, the MAC a
// client's address is leased to goes with the request (&PN.cfg then names
// the phone).
FileResolver TftpFiles(Handler handler, DhcpLeases* leases = nullptr);

// The revocation list of `devices` (device-activation), read every `poll`.
std::unique_ptr<RevokedCertificates> RevocationsOf(clients::DeviceActivation& devices, absl::Duration poll);

// Serves until SIGTERM or SIGINT; SIGHUP rereads the TLS files.
absl::Status Run(const Options& options);

}  // namespace onramp::gateway

#endif  // ONRAMP_SERVICES_GATEWAY_WIRING_H_
