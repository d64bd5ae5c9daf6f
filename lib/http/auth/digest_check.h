#ifndef ONRAMP_LIB_HTTP_AUTH_DIGEST_CHECK_H_
#define ONRAMP_LIB_HTTP_AUTH_DIGEST_CHECK_H_

// The server's side of HTTP authentication: Basic (RFC 7617) and Digest
// with MD5 and qop=auth (RFC 7616), both of which the phones speak; checked
// where a partner's phones' profiles are rendered (profile-render) and by a
// phone's connection-request listener (device-agent). One stored value,
// HA1 = MD5(username:realm:password), checks both, so the password itself
// need not be kept.
//
// Digest nonces are stateless: the time they were made, sealed with the
// server's key, so any replica can check one and none has to remember it.
// A nonce older than kNonceLifetime is stale (the client retries with the
// fresh one in the new challenge, without asking the user again).

#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "lib/phone/profile_crypto/sealer.h"

namespace onramp::http_auth {

struct HttpAuthSettings {
  std::string realm;
  std::string username;
  std::string ha1;  // hex MD5(username:realm:password)
};

inline constexpr absl::Duration kNonceLifetime = absl::Minutes(5);

std::string Ha1(std::string_view username, std::string_view realm, std::string_view password);

enum class AuthCheck { kAccepted, kRefused, kStale };

// `authorization` is the request's Authorization header (may be empty);
// `method` and `uri` are its method and request-target.
AuthCheck CheckAuthorization(const HttpAuthSettings& settings, std::string_view authorization,
                             std::string_view method, std::string_view uri, const profile_crypto::Sealer& sealer,
                             absl::Time now);

// WWW-Authenticate values for a 401: Digest first (preferred), then Basic.
std::vector<std::string> Challenges(const HttpAuthSettings& settings, const profile_crypto::Sealer& sealer,
                                    absl::Time now, bool stale);

}  // namespace onramp::http_auth

#endif  // ONRAMP_LIB_HTTP_AUTH_DIGEST_CHECK_H_
