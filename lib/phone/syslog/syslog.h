#ifndef ONRAMP_LIB_PHONE_SYSLOG_SYSLOG_H_
#define ONRAMP_LIB_PHONE_SYSLOG_SYSLOG_H_

// Syslog messages as phones send them to a provider's server (UDP 514) and
// the fleet reads them: RFC 5424 ("<PRI>1 TIMESTAMP HOST APP PROCID MSGID
// [SD] MSG") and the older BSD format of RFC 3164 ("<PRI>Mmm dd hh:mm:ss
// HOST TAG: MSG"). Reading is lenient, as both RFCs ask of a receiver:
// after a valid <PRI>, what does not parse as a header is the message.
// A phone's lines carry its MAC (NOTES.md: "$PN $MAC -- Requesting resync
// ..."), which names the phone a line is about.

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace onramp::syslog {

enum class Format { kRfc3164, kRfc5424 };

struct Message {
  int facility = 1;  // user-level
  int severity = 6;  // informational
  Format format = Format::kRfc3164;
  std::optional<absl::Time> time;  // RFC 5424's, when given
  std::string hostname;
  std::string app_name;  // RFC 3164's TAG
  std::string text;      // the MSG, without structured data or a BOM
};

inline constexpr size_t kMaxMessage = 2048;  // RFC 5424 §6.1: receivers take at least 480; phones send less

// INVALID_ARGUMENT when the datagram does not start with a valid <PRI>
// (RFC 5424 §6.2.1: 0..191) or is longer than kMaxMessage.
absl::StatusOr<Message> Parse(std::string_view datagram);

// The phone the message is about: the first MAC (12 hex digits, or in
// colon or dotted form) among the words of its hostname and text, in $MA
// form.
std::optional<std::string> PhoneMac(const Message& message);

// The severity's name ("err", "info", ...).
std::string_view SeverityName(int severity);

// A message as a phone sends it, in `message.format`; `now` stamps RFC 5424.
std::string Line(const Message& message, absl::Time now);

}  // namespace onramp::syslog

#endif  // ONRAMP_LIB_PHONE_SYSLOG_SYSLOG_H_
