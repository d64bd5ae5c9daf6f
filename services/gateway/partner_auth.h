#ifndef ONRAMP_SERVICES_GATEWAY_PARTNER_AUTH_H_
#define ONRAMP_SERVICES_GATEWAY_PARTNER_AUTH_H_

// Which partner a partner-API request may act for: over TLS only (bearer
// keys never cross a plain connection), by the API key in
// "Authorization: Bearer <key>" (device-activation AuthenticateApiKey) or
// by the console's session cookie (AuthenticateConsoleSession), each
// remembered for a while by its SHA-256, within the partner's request rate.
//
// A cookie goes with every request the browser makes to us, whichever page
// asked, so a cookie alone never changes anything: a request other than GET
// or HEAD made with it must carry the session's CSRF token in the
// X-Onramp-Csrf header. The token derives from the session's secret, which
// only our own pages can learn (GET /console/session), and the cookie is
// SameSite=Strict besides.

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/kit/clients/device_activation.h"
#include "lib/kit/rate_limit/token_buckets.h"
#include "services/gateway/http_server.h"

namespace onramp::gateway {

struct PartnerAuthOptions {
  // A key found valid is trusted this long without asking again; also how
  // long a revoked key may go on working.
  absl::Duration key_cache = absl::Seconds(30);
  size_t key_cache_entries = 10000;
  double partner_rate = 50;  // requests per second per partner; 0: unlimited
  double partner_burst = 200;
};

// The console's session cookie, and the header that must carry its CSRF
// token on requests that change something.
inline constexpr char kSessionCookie[] = "onramp_session";
inline constexpr char kCsrfHeader[] = "X-Onramp-Csrf";

// The CSRF token of the session whose secret is `session_secret`.
std::string CsrfTokenOf(const std::string& session_secret);

// PERMISSION_DENIED unless `request` carries the CSRF token of
// `session_secret` in kCsrfHeader (compared in constant time).
absl::Status CheckCsrf(const Request& request, const std::string& session_secret);

// The value of the session cookie `request` carries, or "".
std::string SessionCookieOf(const Request& request);

class PartnerAuth {
 public:
  PartnerAuth(clients::DeviceActivation& devices, PartnerAuthOptions options);

  // The partner, or PERMISSION_DENIED (not TLS), UNAUTHENTICATED (no or an
  // unknown key) or RESOURCE_EXHAUSTED (over the rate; `retry_after` then
  // says when to come back).
  absl::StatusOr<std::string> Admit(const Request& request, const Peer& peer, const std::string& request_id,
                                    absl::Duration* retry_after);

  // The partner of the live console session `secret`, or UNAUTHENTICATED.
  absl::StatusOr<std::string> SessionPartner(const std::string& secret, const std::string& request_id);
  // Stops trusting `secret` here at once (its session was ended).
  void Forget(const std::string& secret);

 private:
  absl::StatusOr<std::string> Authenticate(const Request& request, const std::string& request_id);
  // What `credential` (by its SHA-256) was found to be, if still trusted.
  std::optional<std::string> Known(const std::string& digest, absl::Time now);
  void Remember(const std::string& digest, const std::string& partner, absl::Time now);

  clients::DeviceActivation& devices_;
  const PartnerAuthOptions options_;
  std::unique_ptr<rate_limit::TokenBuckets> per_partner_;

  struct KnownKey {
    std::string partner;
    absl::Time expires;
  };
  std::mutex keys_mutex_;
  absl::flat_hash_map<std::string, KnownKey> keys_;  // by SHA-256 of the key or session secret
};

}  // namespace onramp::gateway

#endif  // ONRAMP_SERVICES_GATEWAY_PARTNER_AUTH_H_
