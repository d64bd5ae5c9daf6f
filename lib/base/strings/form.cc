#include "lib/base/strings/form.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/base/strings/strings.h"

namespace onramp::strings {
namespace {

absl::StatusOr<std::string> Unescape(std::string_view text, bool plus_is_space = true) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+' && plus_is_space) {
      out += ' ';
    } else if (text[i] == '%') {
      int high = i + 2 < text.size() ? HexDigitValue(text[i + 1]) : -1;
      int low = i + 2 < text.size() ? HexDigitValue(text[i + 2]) : -1;
      if (high < 0 || low < 0) {
        return absl::InvalidArgumentError(absl::StrCat("bad %-escape at offset ", i));
      }
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

std::string EncodeForm(const std::vector<std::pair<std::string, std::string>>& fields) {
  auto escape = [](std::string_view text, std::string* out) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (unsigned char c : text) {
      if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
        *out += static_cast<char>(c);
      } else {
        *out += '%';
        *out += kHex[c >> 4];
        *out += kHex[c & 15];
      }
    }
  };
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    escape(name, &out);
    out += '=';
    escape(value, &out);
  }
  return out;
}

absl::StatusOr<std::string> PercentDecode(std::string_view text) { return Unescape(text, /*plus_is_space=*/false); }

absl::StatusOr<std::map<std::string, std::string>> ParseForm(std::string_view form) {
  std::map<std::string, std::string> fields;
  for (absl::string_view pair : absl::StrSplit(absl::string_view(form.data(), form.size()), '&', absl::SkipEmpty())) {
    size_t equals = pair.find('=');
    absl::StatusOr<std::string> name = Unescape(std::string_view(pair.data(), std::min(equals, pair.size())));
    if (!name.ok()) return name.status();
    std::string_view raw_value =
        equals == absl::string_view::npos ? std::string_view() : std::string_view(pair.data() + equals + 1, pair.size() - equals - 1);
    absl::StatusOr<std::string> value = Unescape(raw_value);
    if (!value.ok()) return value.status();
    if (!fields.emplace(*name, *value).second) {
      return absl::InvalidArgumentError(absl::StrCat("field ", *name, " given twice"));
    }
  }
  return fields;
}

}  // namespace onramp::strings
