#include "services/gateway/partner_auth.h"

#include <string_view>

#include "lib/base/digest/digest.h"

namespace onramp::gateway {

namespace http = boost::beast::http;

PartnerAuth::PartnerAuth(clients::DeviceActivation& devices, PartnerAuthOptions options)
    : devices_(devices), options_(options) {
  if (options_.partner_rate > 0) {
    per_partner_ = std::make_unique<rate_limit::TokenBuckets>(rate_limit::TokenBuckets::Options{
        .rate_per_second = options_.partner_rate, .burst = options_.partner_burst});
  }
}

absl::StatusOr<std::string> PartnerAuth::Authenticate(const Request& request, const std::string& request_id) {
  auto header = request.find(http::field::authorization);
  constexpr std::string_view kScheme = "Bearer ";
  std::string_view value = header == request.end()
                               ? std::string_view()
                               : std::string_view(header->value().data(), header->value().size());
  if (!value.starts_with(kScheme)) {
    return absl::UnauthenticatedError("send the API key as Authorization: Bearer <key>");
  }
  std::string token(value.substr(kScheme.size()));
  std::string digest = digest::Sha256Hex(token);
  absl::Time now = absl::Now();
  {
    std::lock_guard lock(keys_mutex_);
    if (auto known = keys_.find(digest); known != keys_.end() && known->second.expires > now) {
      return known->second.partner;
    }
  }
  absl::StatusOr<device::v1::ApiKey> key = devices_.AuthenticateApiKey(token, request_id);
  if (!key.ok()) return key.status();
  std::lock_guard lock(keys_mutex_);
  if (keys_.size() >= options_.key_cache_entries) keys_.clear();  // rare: start over rather than grow
  keys_[digest] = KnownKey{.partner = key->partner(), .expires = now + options_.key_cache};
  return key->partner();
}

absl::StatusOr<std::string> PartnerAuth::Admit(const Request& request, const Peer& peer,
                                               const std::string& request_id, absl::Duration* retry_after) {
  if (!peer.tls) return absl::PermissionDeniedError("the partner API is served over HTTPS only");
  absl::StatusOr<std::string> partner = Authenticate(request, request_id);
  if (!partner.ok()) return partner.status();
  if (per_partner_ != nullptr) {
    if (std::optional<absl::Duration> wait = per_partner_->Take(*partner)) {
      *retry_after = *wait;
      return absl::ResourceExhaustedError("this partner's request rate is exceeded");
    }
  }
  return partner;
}

}  // namespace onramp::gateway
