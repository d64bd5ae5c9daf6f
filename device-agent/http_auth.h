#ifndef ONRAMP_DEVICE_AGENT_HTTP_AUTH_H_
#define ONRAMP_DEVICE_AGENT_HTTP_AUTH_H_

// The phone's answer to a 401: an Authorization header for the server's
// WWW-Authenticate challenges, with the rule's --uid and --pwd. Digest (MD5,
// qop=auth; RFC 7616) when offered, else Basic (RFC 7617).

#include <string>

#include "absl/status/statusor.h"

namespace onramp::agent {

// `challenges` holds each WWW-Authenticate value on its own line.
// INVALID_ARGUMENT when no challenge is one the phone speaks.
absl::StatusOr<std::string> Authorization(const std::string& challenges, const std::string& method,
                                          const std::string& uri, const std::string& user,
                                          const std::string& password);

}  // namespace onramp::agent

#endif  // ONRAMP_DEVICE_AGENT_HTTP_AUTH_H_
