#ifndef ONRAMP_LIB_HTTP_AUTH_AUTHORIZATION_H_
#define ONRAMP_LIB_HTTP_AUTH_AUTHORIZATION_H_

// A client's answer to a 401 (or 407): an Authorization header for the
// server's WWW-Authenticate challenges, with a user and password: the
// phone's (its rule's --uid and --pwd, its proxy's credentials) and the
// ACS's to a phone's connection-request listener. Digest (MD5, qop=auth;
// RFC 7616) when offered, else Basic (RFC 7617).

#include <string>

#include "absl/status/statusor.h"

namespace onramp::http_auth {

// `challenges` holds each WWW-Authenticate value on its own line.
// INVALID_ARGUMENT when no challenge is one the phone speaks.
absl::StatusOr<std::string> Authorization(const std::string& challenges, const std::string& method,
                                          const std::string& uri, const std::string& user,
                                          const std::string& password);

}  // namespace onramp::http_auth

#endif  // ONRAMP_LIB_HTTP_AUTH_AUTHORIZATION_H_
