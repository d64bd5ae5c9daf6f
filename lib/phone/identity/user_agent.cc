#include "lib/phone/identity/user_agent.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/base/strings/strings.h"

namespace onramp::identity {
namespace {

constexpr size_t kMaxLength = 512;

absl::Status Invalid(std::string_view text, std::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrFormat("User-Agent \"%s\" %s",
                      absl::CHexEscape(strings::ToAbsl(text.substr(0, 80))),
                      strings::ToAbsl(why)));
}

bool IsTokenChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

bool AllTokenChars(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<UserAgent> ParseUserAgent(std::string_view text) {
  if (text.size() > kMaxLength) return Invalid(text, "is longer than 512 bytes");
  std::string_view rest = text;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);

  size_t product_end = rest.find_first_of(" (");
  std::string_view product = rest.substr(0, product_end);
  rest = product_end == std::string_view::npos ? std::string_view() : rest.substr(product_end);

  size_t slash = product.find('/');
  if (slash == std::string_view::npos || product.find('/', slash + 1) != std::string_view::npos) {
    return Invalid(text, "has no Maker-Model/Version product token");
  }
  std::string_view left = product.substr(0, slash);
  std::string_view right = product.substr(slash + 1);
  UserAgent agent;
  size_t dash = left.find('-');
  if (dash != std::string_view::npos) {
    // Cisco-CP-6841-3PCC/11.0
    agent.maker = left.substr(0, dash);
    agent.model = left.substr(dash + 1);
    agent.version = right;
  } else {
    // Cisco/SPA504G-7.6.2: the version follows the last dash.
    size_t last_dash = right.rfind('-');
    if (last_dash == std::string_view::npos) return Invalid(text, "has no firmware version");
    agent.maker = left;
    agent.model = right.substr(0, last_dash);
    agent.version = right.substr(last_dash + 1);
  }
  if (!AllTokenChars(agent.maker) || !AllTokenChars(agent.model) ||
      !AllTokenChars(agent.version)) {
    return Invalid(text, "has an empty or malformed maker, model or version");
  }

  while (!rest.empty()) {
    if (rest.front() == ' ') {
      rest.remove_prefix(1);
      continue;
    }
    if (rest.front() != '(') return Invalid(text, "has text outside parentheses after the product");
    size_t close = rest.find(')');
    if (close == std::string_view::npos) return Invalid(text, "has an unclosed parenthesis");
    std::string_view comment = rest.substr(1, close - 1);
    rest.remove_prefix(close + 1);
    if (comment.empty()) continue;
    absl::StatusOr<MacAddress> mac = MacAddress::Parse(comment);
    if (mac.ok() && !agent.mac.has_value()) {
      agent.mac = *mac;
    } else if (AllTokenChars(comment) && agent.serial.empty()) {
      agent.serial = comment;
    } else {
      return Invalid(text, "has an unexpected comment");
    }
  }
  return agent;
}

std::string FormatUserAgent(const UserAgent& agent) {
  std::string out = absl::StrCat(agent.maker, "-", agent.model, "/", agent.version);
  if (agent.mac.has_value()) absl::StrAppend(&out, " (", agent.mac->Lower(), ")");
  if (!agent.serial.empty()) {
    absl::StrAppend(&out, agent.mac.has_value() ? "" : " ", "(", agent.serial, ")");
  }
  return out;
}

}  // namespace onramp::identity
