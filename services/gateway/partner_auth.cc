#include "services/gateway/partner_auth.h"

#include <openssl/crypto.h>

#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/base/digest/digest.h"
#include "lib/kit/status/status_macros.h"

namespace onramp::gateway {

namespace http = boost::beast::http;

PartnerAuth::PartnerAuth(clients::DeviceActivation& devices, PartnerAuthOptions options)
    : devices_(devices), options_(options) {
  if (options_.partner_rate > 0) {
    per_partner_ = std::make_unique<rate_limit::TokenBuckets>(rate_limit::TokenBuckets::Options{
        .rate_per_second = options_.partner_rate, .burst = options_.partner_burst});
  }
}

std::string CsrfTokenOf(const std::string& session_secret) {
  return digest::HmacSha256Hex(session_secret, "onramp console csrf");
}

absl::Status CheckCsrf(const Request& request, const std::string& session_secret) {
  auto csrf = request.find(kCsrfHeader);
  std::string expected = CsrfTokenOf(session_secret);
  if (csrf == request.end() || csrf->value().size() != expected.size() ||
      CRYPTO_memcmp(csrf->value().data(), expected.data(), expected.size()) != 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("a console request that changes something carries its session's ", kCsrfHeader, " header"));
  }
  return absl::OkStatus();
}

std::string SessionCookieOf(const Request& request) {
  for (auto field = request.find(http::field::cookie); field != request.end() && field->name() == http::field::cookie;
       ++field) {
    for (absl::string_view pair : absl::StrSplit(absl::string_view(field->value().data(), field->value().size()), ';')) {
      pair = absl::StripAsciiWhitespace(pair);
      absl::string_view name = kSessionCookie;
      if (pair.size() > name.size() && absl::StartsWith(pair, name) && pair[name.size()] == '=') {
        return std::string(pair.substr(name.size() + 1));
      }
    }
  }
  return "";
}

std::optional<std::string> PartnerAuth::Known(const std::string& digest, absl::Time now) {
  std::lock_guard lock(keys_mutex_);
  if (auto known = keys_.find(digest); known != keys_.end() && known->second.expires > now) {
    return known->second.partner;
  }
  return std::nullopt;
}

void PartnerAuth::Remember(const std::string& digest, const std::string& partner, absl::Time now) {
  std::lock_guard lock(keys_mutex_);
  if (keys_.size() >= options_.key_cache_entries) keys_.clear();  // rare: start over rather than grow
  keys_[digest] = KnownKey{.partner = partner, .expires = now + options_.key_cache};
}

void PartnerAuth::Forget(const std::string& secret) {
  std::lock_guard lock(keys_mutex_);
  keys_.erase(digest::Sha256Hex(secret));
}

absl::StatusOr<std::string> PartnerAuth::SessionPartner(const std::string& secret, const std::string& request_id) {
  std::string digest = digest::Sha256Hex(secret);
  absl::Time now = absl::Now();
  if (std::optional<std::string> partner = Known(digest, now)) return *partner;
  device::v1::ConsoleSessionSecret request;
  request.set_secret(secret);
  absl::StatusOr<device::v1::ConsoleSession> session = devices_.AuthenticateConsoleSession(request, request_id);
  if (!session.ok()) return session.status();
  Remember(digest, session->partner(), now);
  return session->partner();
}

absl::StatusOr<std::string> PartnerAuth::Authenticate(const Request& request, const std::string& request_id) {
  auto header = request.find(http::field::authorization);
  constexpr std::string_view kScheme = "Bearer ";
  std::string_view value = header == request.end()
                               ? std::string_view()
                               : std::string_view(header->value().data(), header->value().size());
  if (!value.starts_with(kScheme)) {
    std::string session = SessionCookieOf(request);
    if (session.empty()) return absl::UnauthenticatedError("send the API key as Authorization: Bearer <key>");
    if (request.method() != http::verb::get && request.method() != http::verb::head) {
      RETURN_IF_ERROR(CheckCsrf(request, session));
    }
    return SessionPartner(session, request_id);
  }
  std::string token(value.substr(kScheme.size()));
  std::string digest = digest::Sha256Hex(token);
  absl::Time now = absl::Now();
  if (std::optional<std::string> partner = Known(digest, now)) return *partner;
  absl::StatusOr<device::v1::ApiKey> key = devices_.AuthenticateApiKey(token, request_id);
  if (!key.ok()) return key.status();
  Remember(digest, key->partner(), now);
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
