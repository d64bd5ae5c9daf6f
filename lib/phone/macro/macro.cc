#include "lib/phone/macro/macro.h"

#include <cstdint>
#include <limits>

#include "absl/strings/ascii.h"

namespace onramp::macro {
namespace {

// Each variable once: name, and how to read it. Table-driven so the set of
// names is in one place.
struct Entry {
  std::string_view name;
  std::string (*read)(const Variables&);
};

#define ONRAMP_FIELD(field) [](const Variables& v) { return v.field; }
const Entry kEntries[] = {
    {"MA", [](const Variables& v) { return v.mac ? v.mac->Lower() : std::string(); }},
    {"MAU", [](const Variables& v) { return v.mac ? v.mac->Upper() : std::string(); }},
    {"MAC", [](const Variables& v) { return v.mac ? v.mac->WithColons() : std::string(); }},
    {"PN", ONRAMP_FIELD(product_name)},
    {"PSN", ONRAMP_FIELD(product_series)},
    {"SN", ONRAMP_FIELD(serial)},
    {"SWVER", ONRAMP_FIELD(software_version)},
    {"HWVER", ONRAMP_FIELD(hardware_version)},
    {"IP", ONRAMP_FIELD(ip)},
    {"EXTIP", ONRAMP_FIELD(external_ip)},
    {"CCERT",
     [](const Variables& v) {
       return std::string(v.client_certificate ? "Installed" : "Not Installed");
     }},
    {"PRVST", ONRAMP_FIELD(provisioning_state)},
    {"UPGST", ONRAMP_FIELD(upgrade_state)},
    {"UPGERR", ONRAMP_FIELD(upgrade_error)},
    {"PRVTMR", ONRAMP_FIELD(provisioning_timer)},
    {"UPGTMR", ONRAMP_FIELD(upgrade_timer)},
    {"REGTMR1", ONRAMP_FIELD(registration_timer_1)},
    {"REGTMR2", ONRAMP_FIELD(registration_timer_2)},
    {"SCHEME", ONRAMP_FIELD(scheme)},
    {"SERV", ONRAMP_FIELD(server)},
    {"SERVIP", ONRAMP_FIELD(server_ip)},
    {"PORT", ONRAMP_FIELD(port)},
    {"PATH", ONRAMP_FIELD(path)},
    {"ERR", ONRAMP_FIELD(error)},
};
#undef ONRAMP_FIELD

bool IsNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Parses a non-negative decimal of at most 9 digits.
std::optional<size_t> ParseOffset(std::string_view text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  size_t value = 0;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    value = value * 10 + static_cast<size_t>(c - '0');
  }
  return value;
}

// Expands "$(...)" whose inside is `inner`; nullopt keeps it as written.
std::optional<std::string> ExpandParenthesised(std::string_view inner,
                                               const Variables& variables, Context context) {
  size_t colon = inner.find(':');
  std::optional<std::string> value = Lookup(variables, inner.substr(0, colon), context);
  if (!value.has_value() || colon == std::string_view::npos) return value;
  std::string_view range = inner.substr(colon + 1);
  size_t second = range.find(':');
  std::optional<size_t> offset = ParseOffset(range.substr(0, second));
  if (!offset.has_value()) return std::nullopt;
  size_t length = std::numeric_limits<size_t>::max();
  if (second != std::string_view::npos) {
    std::optional<size_t> parsed = ParseOffset(range.substr(second + 1));
    if (!parsed.has_value()) return std::nullopt;
    length = *parsed;
  }
  if (*offset >= value->size()) return std::string();
  return value->substr(*offset, length);
}

}  // namespace

std::optional<std::string> Lookup(const Variables& variables, std::string_view name,
                                  Context context) {
  for (const Entry& entry : kEntries) {
    if (entry.name == name) return entry.read(variables);
  }
  if (name.size() == 1 && name[0] >= 'A' && name[0] <= 'P') {
    return variables.general_purpose[static_cast<size_t>(name[0] - 'A')];
  }
  if (context == Context::kCredentials && name.size() == 2 && name[0] == 'S' &&
      name[1] >= 'A' && name[1] <= 'D') {
    return variables.secret_general_purpose[static_cast<size_t>(name[1] - 'A')];
  }
  return std::nullopt;
}

std::string Expand(std::string_view text, const Variables& variables, Context context) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '&' && text.substr(i + 1, 2) == "PN" &&
        (i + 3 == text.size() || (!IsNameChar(text[i + 3]) && text[i + 3] != '='))) {
      // "&PN" only as a whole word, never a query parameter like "&PN=x".
      out += variables.product_name;
      i += 3;
      continue;
    }
    if (c != '$' || i + 1 == text.size()) {
      out.push_back(c);
      ++i;
      continue;
    }
    char next = text[i + 1];
    if (next == '$') {
      out.push_back('$');
      i += 2;
      continue;
    }
    if (next == '(') {
      size_t close = text.find(')', i + 2);
      if (close != std::string_view::npos) {
        std::optional<std::string> value =
            ExpandParenthesised(text.substr(i + 2, close - i - 2), variables, context);
        if (value.has_value()) {
          out += *value;
          i = close + 1;
          continue;
        }
      }
      out.push_back('$');
      ++i;
      continue;
    }
    size_t end = i + 1;
    while (end < text.size() && IsNameChar(text[end])) ++end;
    std::optional<std::string> value = Lookup(variables, text.substr(i + 1, end - i - 1), context);
    if (value.has_value()) {
      out += *value;
    } else {
      out.append(text.substr(i, end - i));
    }
    i = end;
  }
  return out;
}

}  // namespace onramp::macro
