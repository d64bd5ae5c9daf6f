#ifndef ONRAMP_LIB_BASE_STRINGS_STRINGS_H_
#define ONRAMP_LIB_BASE_STRINGS_STRINGS_H_

// Small string helpers. Debian's Abseil is built with its own
// absl::string_view (not std::string_view), so code that speaks std:: types
// converts at the boundary with these.

#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"

namespace onramp::strings {

inline absl::string_view ToAbsl(std::string_view text) { return {text.data(), text.size()}; }
inline std::string_view FromAbsl(absl::string_view text) { return {text.data(), text.size()}; }

// Without leading and trailing ASCII whitespace.
inline std::string_view Trim(std::string_view text) {
  return FromAbsl(absl::StripAsciiWhitespace(ToAbsl(text)));
}

inline std::string Lower(std::string_view text) { return absl::AsciiStrToLower(ToAbsl(text)); }

// Whether every character is '0'..'9' (true for "").
inline bool IsDigits(std::string_view text) {
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Whether every character is a hex digit, either case (true for "").
inline bool IsHex(std::string_view text) {
  for (char c : text) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// The value of one hex digit (either case), or -1 for any other character.
inline int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace onramp::strings

#endif  // ONRAMP_LIB_BASE_STRINGS_STRINGS_H_
