#include "lib/phone/tr069/credentials.h"

#include "absl/strings/str_cat.h"
#include "lib/base/digest/digest.h"
#include "lib/base/strings/strings.h"

namespace onramp::tr069 {

namespace {

// 128 bits of HMAC-SHA256 under the secret, per purpose and phone.
Credentials Derive(std::string_view secret, std::string_view purpose, std::string_view mac) {
  std::string password = digest::HmacSha256Hex(secret, absl::StrCat(strings::ToAbsl(purpose), ":",
                                                                      strings::ToAbsl(mac)));
  return {.username = std::string(mac), .password = password.substr(0, 32)};
}

}  // namespace

Credentials AcsCredentials(std::string_view secret, std::string_view mac) { return Derive(secret, "acs", mac); }

Credentials ConnectionRequestCredentials(std::string_view secret, std::string_view mac) {
  return Derive(secret, "connection-request", mac);
}

}  // namespace onramp::tr069
