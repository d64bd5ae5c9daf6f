#ifndef ONRAMP_LIB_PHONE_IDENTITY_USER_AGENT_H_
#define ONRAMP_LIB_PHONE_IDENTITY_USER_AGENT_H_

// The identity a phone sends in every HTTP request's User-Agent:
//   Cisco-CP-6841-3PCC/11.0 (00562b043615)          multiplatform phones
//   Cisco-CP-7832-3PCC/11.0.1 (00562b043615)(FCH2233ABCD)
//   Cisco/SPA504G-7.6.2 (88755A5BC2D0)(CBT123456)   older small-business phones
// i.e. a product token (maker, model, firmware version) and comments in
// parentheses holding the MAC address and, on some firmware, the serial.

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "lib/phone/identity/mac_address.h"

namespace onramp::identity {

struct UserAgent {
  std::string maker;    // "Cisco"
  std::string model;    // the $PN, "CP-6841-3PCC"
  std::string version;  // "11.0"
  std::optional<MacAddress> mac;
  std::string serial;   // empty when not sent

  friend bool operator==(const UserAgent&, const UserAgent&) = default;
};

// INVALID_ARGUMENT (naming what is wrong) for anything that is not a phone's
// User-Agent; input longer than 512 bytes is refused unread.
absl::StatusOr<UserAgent> ParseUserAgent(std::string_view text);

// The multiplatform form: "Maker-Model/Version (mac)(serial)", the comments
// present only when known.
std::string FormatUserAgent(const UserAgent& agent);

}  // namespace onramp::identity

#endif  // ONRAMP_LIB_PHONE_IDENTITY_USER_AGENT_H_
