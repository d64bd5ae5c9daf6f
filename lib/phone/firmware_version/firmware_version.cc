#include "lib/phone/firmware_version/firmware_version.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/base/strings/strings.h"

namespace onramp::firmware_version {
namespace {

absl::Status Invalid(std::string_view text, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrFormat(
      "firmware version \"%s\" %s",
      absl::CHexEscape(strings::ToAbsl(text.substr(0, 80))),
      strings::ToAbsl(why)));
}

// Reads 1 to 9 digits at the front of `text`.
bool TakeNumber(std::string_view& text, int64_t* value, int* width = nullptr) {
  size_t n = 0;
  *value = 0;
  while (n < text.size() && n < 9 && absl::ascii_isdigit(static_cast<unsigned char>(text[n]))) {
    *value = *value * 10 + (text[n] - '0');
    ++n;
  }
  if (n == 0 || (n < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[n])))) {
    return false;
  }
  if (width != nullptr) *width = static_cast<int>(n);
  text.remove_prefix(n);
  return true;
}

bool TakeChar(std::string_view& text, char c) {
  if (text.empty() || text.front() != c) return false;
  text.remove_prefix(1);
  return true;
}

int KindRank(const std::string& kind) {
  if (kind == "MPP") return 0;
  if (kind == "MSR") return 1;
  return 2;
}

}  // namespace

std::strong_ordering operator<=>(const Version& a, const Version& b) {
  if (auto c = a.major <=> b.major; c != 0) return c;
  if (auto c = a.minor <=> b.minor; c != 0) return c;
  if (auto c = a.micro <=> b.micro; c != 0) return c;
  if (auto c = KindRank(a.tag_kind) <=> KindRank(b.tag_kind); c != 0) return c;
  if (auto c = a.tag_kind.compare(b.tag_kind) <=> 0; c != 0) return c;
  if (auto c = a.tag_number <=> b.tag_number; c != 0) return c;
  return a.build <=> b.build;
}

std::string Version::ToString() const {
  std::string number =
      tag_number_width > 0 ? absl::StrFormat("%0*d", tag_number_width, tag_number) : "";
  return absl::StrCat(major, "-", minor, "-", micro, tag_kind, number, "-", build);
}

absl::StatusOr<Version> ParseVersion(std::string_view text) {
  std::string_view rest = text;
  // Accept the whole file name too.
  if (size_t dot = rest.find('.'); dot != std::string_view::npos) {
    absl::StatusOr<FirmwareName> name = ParseFirmwareName(text);
    if (!name.ok()) return name.status();
    return name->version;
  }
  Version version;
  if (!TakeNumber(rest, &version.major) || !TakeChar(rest, '-') ||
      !TakeNumber(rest, &version.minor) || !TakeChar(rest, '-') ||
      !TakeNumber(rest, &version.micro)) {
    return Invalid(text, "does not start MAJOR-MINOR-MICRO (as 11-2-3)");
  }
  while (!rest.empty() && absl::ascii_isalpha(static_cast<unsigned char>(rest.front()))) {
    version.tag_kind.push_back(absl::ascii_toupper(static_cast<unsigned char>(rest.front())));
    rest.remove_prefix(1);
  }
  if (version.tag_kind.empty()) return Invalid(text, "has no release tag (as MPP or MSR1)");
  if (!rest.empty() && rest.front() != '-' &&
      !TakeNumber(rest, &version.tag_number, &version.tag_number_width)) {
    return Invalid(text, "has a malformed release tag");
  }
  if (!TakeChar(rest, '-') || !TakeNumber(rest, &version.build) || !rest.empty()) {
    return Invalid(text, "does not end with -BUILD (as -398)");
  }
  return version;
}

absl::StatusOr<FirmwareName> ParseFirmwareName(std::string_view text) {
  size_t dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0) {
    return Invalid(text, "is not FAMILY.VERSION[.loads] (as sip88xx.11-2-3MSR1-1.loads)");
  }
  FirmwareName name;
  name.family = text.substr(0, dot);
  for (char c : name.family) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') {
      return Invalid(text, "has a malformed family before the first dot");
    }
  }
  std::string_view rest = text.substr(dot + 1);
  if (size_t ext = rest.find('.'); ext != std::string_view::npos) {
    name.extension = rest.substr(ext + 1);
    rest = rest.substr(0, ext);
    if (name.extension != "loads") return Invalid(text, "does not end in .loads");
  }
  absl::StatusOr<Version> version = ParseVersion(rest);
  if (!version.ok()) return Invalid(text, "has a malformed version after the family");
  name.version = *version;
  return name;
}

}  // namespace onramp::firmware_version
