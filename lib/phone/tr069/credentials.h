#ifndef ONRAMP_LIB_PHONE_TR069_CREDENTIALS_H_
#define ONRAMP_LIB_PHONE_TR069_CREDENTIALS_H_

// Each phone's own TR-069 credentials, derived from the fleet's secret
// (--tr069_credentials_secret) and its MAC, so that every service that
// needs them — the ACS, which checks and uses them, and profile-render,
// which hands a phone its ACS credentials with its profile — knows them
// without any of them storing them. The username is the MAC ($MA form).

#include <string>
#include <string_view>

namespace onramp::tr069 {

struct Credentials {
  std::string username;
  std::string password;
};

// The realm of the ACS's Digest challenges.
inline constexpr char kAcsRealm[] = "Onramp ACS";

// What the phone answers the ACS with (ACS_Username, ACS_Password).
Credentials AcsCredentials(std::string_view secret, std::string_view mac);

// What the phone's connection-request listener takes from the ACS
// (Connection_Request_Username, Connection_Request_Password).
Credentials ConnectionRequestCredentials(std::string_view secret, std::string_view mac);

}  // namespace onramp::tr069

#endif  // ONRAMP_LIB_PHONE_TR069_CREDENTIALS_H_
