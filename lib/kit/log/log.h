#ifndef ONRAMP_LIB_KIT_LOG_LOG_H_
#define ONRAMP_LIB_KIT_LOG_LOG_H_

// Structured logs: one JSON object per line on stderr, for a log collector.
//
//   log::Info("code redeemed", {{"request_id", id}, {"partner", partner}});
//   {"ts":"2026-11-24T08:40:01.123456Z","level":"info","service":"activation-code",
//    "msg":"code redeemed","request_id":"…","partner":"…"}
//
// Pass the request id (lib/kit/server/request_id.h) on every line about a
// request, so one phone request can be followed across services.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace onramp::log {

enum class Level { kDebug, kInfo, kWarn, kError };

// Parses "debug", "info", "warn" or "error".
bool ParseLevel(std::string_view text, Level* level);

// One key and its value, already formatted as text.
struct Field {
  Field(std::string_view key, std::string_view value) : key(key), value(value) {}
  Field(std::string_view key, const char* value) : key(key), value(value) {}
  Field(std::string_view key, const std::string& value) : key(key), value(value) {}
  Field(std::string_view key, int64_t value);
  Field(std::string_view key, int value) : Field(key, static_cast<int64_t>(value)) {}

  std::string_view key;
  std::string value;
};

// Names the service on every line and sets the lowest level written. Call
// once at start; before it, lines go out with service "unknown" at info.
void Init(std::string_view service, Level level);

void Debug(std::string_view message, std::initializer_list<Field> fields = {});
void Info(std::string_view message, std::initializer_list<Field> fields = {});
void Warn(std::string_view message, std::initializer_list<Field> fields = {});
void Error(std::string_view message, std::initializer_list<Field> fields = {});

// `"msg":"…","k":"v",…` — the part of a line after ts, level and service,
// with JSON string escaping. Exposed for tests.
std::string FormatBody(std::string_view message, std::initializer_list<Field> fields);

}  // namespace onramp::log

#endif  // ONRAMP_LIB_KIT_LOG_LOG_H_
