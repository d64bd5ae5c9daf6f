#ifndef ONRAMP_LIB_BASE_STRINGS_FORM_H_
#define ONRAMP_LIB_BASE_STRINGS_FORM_H_

// application/x-www-form-urlencoded, as HTML forms, phones' activation
// screens and URL query strings send it: name=value pairs joined by '&',
// '+' for a space and %XX escapes.

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace onramp::strings {

// INVALID_ARGUMENT on a bad %XX escape or a name given twice. Empty pairs
// ("a=1&&b=2") are skipped; a name without '=' has an empty value.
absl::StatusOr<std::map<std::string, std::string>> ParseForm(std::string_view form);

// name=value pairs as application/x-www-form-urlencoded (RFC 3986
// unreserved characters kept, everything else %XX).
std::string EncodeForm(const std::vector<std::pair<std::string, std::string>>& fields);

// %XX escapes of a URL path segment ('+' stays '+'); INVALID_ARGUMENT on a
// bad escape.
absl::StatusOr<std::string> PercentDecode(std::string_view text);

}  // namespace onramp::strings

#endif  // ONRAMP_LIB_BASE_STRINGS_FORM_H_
