#include "lib/phone/syslog/syslog.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/base/strings/strings.h"
#include "lib/phone/identity/mac_address.h"

namespace onramp::syslog {

namespace {

// The next space-separated field of `rest`, taken off it.
std::string_view NextField(std::string_view& rest) {
  size_t space = rest.find(' ');
  std::string_view field = rest.substr(0, space);
  rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
  return field;
}

// RFC 5424's "-" is an absent value.
std::string Value(std::string_view field) { return field == "-" ? std::string() : std::string(field); }

// RFC 5424 §6.3: "-" or one or more [ID PARAM="..."] elements, in which "]"
// and "\"" inside values are escaped with a backslash. Returns false when
// `rest` does not start with structured data.
bool SkipStructuredData(std::string_view& rest) {
  if (rest.starts_with("- ") || rest == "-") {
    rest.remove_prefix(std::min<size_t>(2, rest.size()));
    return true;
  }
  if (!rest.starts_with("[")) return false;
  size_t at = 0;
  while (at < rest.size() && rest[at] == '[') {
    bool quoted = false;
    for (++at; at < rest.size(); ++at) {
      char c = rest[at];
      if (quoted && c == '\\') {
        ++at;  // the escaped character
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == ']' && !quoted) {
        break;
      }
    }
    if (at >= rest.size()) return false;  // unclosed: not structured data after all
    ++at;                                   // past ']'
  }
  rest.remove_prefix(at);
  if (rest.starts_with(" ")) rest.remove_prefix(1);
  return true;
}

bool IsMonth(std::string_view word) {
  for (const char* month : {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}) {
    if (word == month) return true;
  }
  return false;
}

void ParseRfc5424(std::string_view rest, Message* message) {
  message->format = Format::kRfc5424;
  std::string_view timestamp = NextField(rest);
  absl::Time time;
  std::string error;
  if (timestamp != "-" && absl::ParseTime(absl::RFC3339_full, std::string(timestamp), &time, &error)) {
    message->time = time;
  }
  message->hostname = Value(NextField(rest));
  message->app_name = Value(NextField(rest));
  NextField(rest);  // PROCID
  NextField(rest);  // MSGID
  SkipStructuredData(rest);
  if (rest.starts_with("\xEF\xBB\xBF")) rest.remove_prefix(3);  // the UTF-8 BOM of §6.4
  message->text = std::string(rest);
}

void ParseRfc3164(std::string_view rest, Message* message) {
  message->format = Format::kRfc3164;
  // "Mmm dd hh:mm:ss " (a day below 10 has a leading space), then HOST.
  if (rest.size() >= 16 && IsMonth(rest.substr(0, 3)) && rest[3] == ' ' && rest[15] == ' ') {
    rest.remove_prefix(16);
    std::string_view host = NextField(rest);
    message->hostname = std::string(host);
  }
  // "TAG: " or "TAG[pid]: ", when the message starts so.
  size_t colon = rest.find(": ");
  if (colon != std::string_view::npos && colon <= 48) {
    std::string_view tag = rest.substr(0, colon);
    size_t bracket = tag.find('[');
    std::string_view name = tag.substr(0, bracket);
    bool plain = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/';
    });
    if (plain) {
      message->app_name = std::string(name);
      rest.remove_prefix(colon + 2);
    }
  }
  message->text = std::string(rest);
}

}  // namespace

absl::StatusOr<Message> Parse(std::string_view datagram) {
  if (datagram.size() > kMaxMessage) return absl::InvalidArgumentError("a syslog message is at most 2048 bytes");
  // Trailing line ends are framing some senders add.
  while (!datagram.empty() && (datagram.back() == '\n' || datagram.back() == '\r' || datagram.back() == '\0')) {
    datagram.remove_suffix(1);
  }
  size_t close = datagram.find('>');
  if (!datagram.starts_with("<") || close == std::string_view::npos || close < 2 || close > 4) {
    return absl::InvalidArgumentError("a syslog message starts with <PRI>");
  }
  std::string_view digits = datagram.substr(1, close - 1);
  int pri = 0;
  if (!strings::IsDigits(digits) || (digits.size() > 1 && digits[0] == '0') ||
      !absl::SimpleAtoi(strings::ToAbsl(digits), &pri) || pri > 191) {
    return absl::InvalidArgumentError("PRI is 0 to 191");
  }
  Message message;
  message.facility = pri / 8;
  message.severity = pri % 8;
  std::string_view rest = datagram.substr(close + 1);
  if (rest.starts_with("1 ")) {
    ParseRfc5424(rest.substr(2), &message);
  } else {
    ParseRfc3164(rest, &message);
  }
  return message;
}

std::optional<std::string> PhoneMac(const Message& message) {
  for (const std::string* text : {&message.hostname, &message.text}) {
    for (absl::string_view word : absl::StrSplit(strings::ToAbsl(*text), absl::ByAnyChar(" \t,;()[]<>\"'="),
                                                 absl::SkipEmpty())) {
      if (word.size() != 12 && word.size() != 14 && word.size() != 17) continue;
      absl::StatusOr<identity::MacAddress> mac = identity::MacAddress::Parse(strings::FromAbsl(word));
      if (mac.ok()) return mac->Lower();
    }
  }
  return std::nullopt;
}

std::string_view SeverityName(int severity) {
  static constexpr std::string_view kNames[] = {"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"};
  return severity >= 0 && severity < 8 ? kNames[severity] : "unknown";
}

std::string Line(const Message& message, absl::Time now) {
  int pri = message.facility * 8 + message.severity;
  std::string host = message.hostname.empty() ? "-" : message.hostname;
  std::string app = message.app_name.empty() ? "-" : message.app_name;
  if (message.format == Format::kRfc5424) {
    return absl::StrCat("<", pri, ">1 ", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", now, absl::UTCTimeZone()), " ",
                        host, " ", app, " - - - ", message.text);
  }
  return absl::StrCat("<", pri, ">", absl::FormatTime("%b %e %H:%M:%S", now, absl::UTCTimeZone()), " ", host, " ",
                      app, ": ", message.text);
}

}  // namespace onramp::syslog
