#ifndef ONRAMP_LIB_PHONE_FLAT_PROFILE_FLAT_PROFILE_H_
#define ONRAMP_LIB_PHONE_FLAT_PROFILE_FLAT_PROFILE_H_

// The configuration profile phones download: parameters as elements of
// <flat-profile>, optionally wrapped in <device>:
//
//   <?xml version="1.0" encoding="UTF-8"?>
//   <device><flat-profile>
//     <Profile_Rule ua="na">https://prov.example.com/$MA.cfg</Profile_Rule>
//     <Display_Name_1_ ua="rw" user-pref="y">Front desk</Display_Name_1_>
//     <Upgrade_Enable/>
//   </flat-profile></device>
//
// As the phones read it: tag names are case-sensitive; a value is the
// element's text, trimmed, with each newline folded to a space; standard
// and numeric character references are decoded; <X/> keeps the phone's
// current value (only its attributes apply) while <X></X> sets it empty;
// unknown parameters are kept (the phone ignores them, a validator may not);
// when a parameter repeats, the last one wins and a warning says so.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace onramp::flat_profile {

// The longest value a phone takes: the cloud refuses longer ones, a phone
// leaves them out.
inline constexpr size_t kMaxValueLength = 2048;

// ua="na|ro|rw": the phone user's access to the parameter in the web UI.
enum class UserAccess { kNone, kReadOnly, kReadWrite };

// "na", "ro", "rw", as profiles (and the phone's state) write them.
std::string_view UserAccessName(UserAccess access);
// nullopt for anything else.
std::optional<UserAccess> UserAccessFromName(std::string_view name);

struct Parameter {
  std::string name;
  std::optional<std::string> value;  // nullopt: <X/>, keep the current value
  std::optional<UserAccess> user_access;
  std::optional<bool> user_preference;  // user-pref="y|n"
  // Where it was read, 1-based; 0 when built in code.
  int line = 0;
  int column = 0;

  friend bool operator==(const Parameter& a, const Parameter& b) {
    return a.name == b.name && a.value == b.value && a.user_access == b.user_access &&
           a.user_preference == b.user_preference;
  }
};

struct FlatProfile {
  std::vector<Parameter> parameters;  // document order, one per name
  friend bool operator==(const FlatProfile&, const FlatProfile&) = default;

  // The parameter named `name`, or nullptr.
  const Parameter* Find(std::string_view name) const;
};

struct Warning {
  int line = 0;
  int column = 0;
  std::string message;
};

struct ParseResult {
  FlatProfile profile;
  std::vector<Warning> warnings;
};

// INVALID_ARGUMENT with "line L, column C: ..." for malformed XML, a wrong
// root element or a bad attribute value.
absl::StatusOr<ParseResult> Parse(std::string_view xml);

struct WriteOptions {
  bool xml_declaration = true;
  bool device_wrapper = false;
};

// Deterministic: the same profile always gives the same bytes.
std::string Write(const FlatProfile& profile, const WriteOptions& options = {});

// Whether `name` can be a parameter element: a letter or _ first, then
// letters, digits, _, - or . (what XML allows and phones use).
bool IsValidName(std::string_view name);

// Whether a parameter holds a secret by its name alone (passwords, the
// secure GPP_SA-SD, IKM_HTTP_Encrypt_Content, credentials): such values
// travel only encrypted or to a phone that proved who it is.
bool IsSecretName(std::string_view name);

// "Proxy", 1 -> "Proxy_1_": the name of an indexed parameter.
std::string IndexedName(std::string_view base, int index);

// A web UI label as a parameter name: spaces and [ ] ( ) / become "_",
// e.g. "Resync At (HHmm)" -> "Resync_At__HHmm_".
std::string NameFromLabel(std::string_view label);

}  // namespace onramp::flat_profile

#endif  // ONRAMP_LIB_PHONE_FLAT_PROFILE_FLAT_PROFILE_H_
