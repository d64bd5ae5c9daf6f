#ifndef ONRAMP_LIB_HTTP_AUTH_AUTH_PARAMS_H_
#define ONRAMP_LIB_HTTP_AUTH_AUTH_PARAMS_H_

// The auth-param list of an HTTP challenge or credentials (RFC 9110
// §11.2): name=token or name="quoted string" pairs separated by commas,
// names case-insensitive (returned in lower case), backslash escapes in
// quoted strings undone. Both sides of Digest authentication read it: the
// phone (device-agent) and the profile server (profile-render).

#include <map>
#include <string>
#include <string_view>

namespace onramp::http_auth {

// `text` is what follows the scheme ("Digest ").
std::map<std::string, std::string> ParseAuthParams(std::string_view text);

}  // namespace onramp::http_auth

#endif  // ONRAMP_LIB_HTTP_AUTH_AUTH_PARAMS_H_
