#include "lib/phone/identity/mac_address.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "lib/base/strings/strings.h"

namespace onramp::identity {
namespace {

// Where the separators stand in each accepted spelling (0 = none).
struct Spelling {
  size_t length;
  char separator;
  size_t group;  // hex digits between separators
};
constexpr Spelling kSpellings[] = {{12, 0, 12}, {17, ':', 2}, {14, '.', 4}};

std::string Format(const std::array<uint8_t, 6>& bytes, const char* hex, char separator) {
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (separator != 0 && i > 0) out.push_back(separator);
    out.push_back(hex[bytes[i] >> 4]);
    out.push_back(hex[bytes[i] & 0xf]);
  }
  return out;
}

}  // namespace

absl::StatusOr<MacAddress> MacAddress::Parse(std::string_view text) {
  for (const Spelling& spelling : kSpellings) {
    if (text.size() != spelling.length) continue;
    std::array<uint8_t, 6> bytes{};
    size_t digits = 0;
    bool valid = true;
    for (size_t i = 0; i < text.size() && valid; ++i) {
      // In "aa:bb:..." position 2 is a separator; in "aabb.ccdd..." position 4.
      bool separator_here = spelling.separator != 0 && i % (spelling.group + 1) == spelling.group;
      if (separator_here) {
        valid = text[i] == spelling.separator;
        continue;
      }
      int value = strings::HexDigitValue(text[i]);
      valid = value >= 0;
      if (valid) {
        bytes[digits / 2] = static_cast<uint8_t>(bytes[digits / 2] << 4 | value);
        ++digits;
      }
    }
    if (valid && digits == 12) return MacAddress(bytes);
  }
  return absl::InvalidArgumentError(absl::StrFormat(
      "mac \"%s\" is not 12 hex digits (as 00562b043615, 00:56:2b:04:36:15 or 0056.2b04.3615)",
      absl::CHexEscape(strings::ToAbsl(text))));
}

std::string MacAddress::Lower() const { return Format(bytes_, "0123456789abcdef", 0); }
std::string MacAddress::Upper() const { return Format(bytes_, "0123456789ABCDEF", 0); }
std::string MacAddress::WithColons() const { return Format(bytes_, "0123456789abcdef", ':'); }

}  // namespace onramp::identity
