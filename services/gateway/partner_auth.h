#ifndef ONRAMP_SERVICES_GATEWAY_PARTNER_AUTH_H_
#define ONRAMP_SERVICES_GATEWAY_PARTNER_AUTH_H_

// Which partner a partner-API request may act for: over TLS only (bearer
// keys never cross a plain connection), by the API key in
// "Authorization: Bearer <key>" (device-activation AuthenticateApiKey,
// remembered for a while by the key's SHA-256), within the partner's
// request rate.

#include <memory>
#include <mutex>
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

class PartnerAuth {
 public:
  PartnerAuth(clients::DeviceActivation& devices, PartnerAuthOptions options);

  // The partner, or PERMISSION_DENIED (not TLS), UNAUTHENTICATED (no or an
  // unknown key) or RESOURCE_EXHAUSTED (over the rate; `retry_after` then
  // says when to come back).
  absl::StatusOr<std::string> Admit(const Request& request, const Peer& peer, const std::string& request_id,
                                    absl::Duration* retry_after);

 private:
  absl::StatusOr<std::string> Authenticate(const Request& request, const std::string& request_id);

  clients::DeviceActivation& devices_;
  const PartnerAuthOptions options_;
  std::unique_ptr<rate_limit::TokenBuckets> per_partner_;

  struct KnownKey {
    std::string partner;
    absl::Time expires;
  };
  std::mutex keys_mutex_;
  absl::flat_hash_map<std::string, KnownKey> keys_;  // by SHA-256 of the token
};

}  // namespace onramp::gateway

#endif  // ONRAMP_SERVICES_GATEWAY_PARTNER_AUTH_H_
