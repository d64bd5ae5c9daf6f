// Any datagram: parsed without crashing; what parses names at most one
// phone, and a phone's own line read back is the same line.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lib/phone/syslog/syslog.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view datagram(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<onramp::syslog::Message> message = onramp::syslog::Parse(datagram);
  if (!message.ok()) return 0;
  (void)onramp::syslog::PhoneMac(*message);
  (void)onramp::syslog::SeverityName(message->severity);
  if (message->text.find('\n') == std::string::npos && message->hostname.find(' ') == std::string::npos &&
      !message->hostname.empty() && message->app_name.find(' ') == std::string::npos) {
    std::string again = onramp::syslog::Line(*message, absl::FromUnixSeconds(0));
    if (again.size() <= onramp::syslog::kMaxMessage && !onramp::syslog::Parse(again).ok()) __builtin_trap();
  }
  return 0;
}
