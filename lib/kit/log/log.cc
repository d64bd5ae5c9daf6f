#include "lib/kit/log/log.h"

#include <memory>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "lib/base/strings/json.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace onramp::log {
namespace {

using strings::AppendJsonString;

std::shared_ptr<spdlog::logger> MakeLogger(std::string_view service) {
  auto logger = std::make_shared<spdlog::logger>(
      "onramp", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  std::string service_json;
  AppendJsonString(&service_json, service);
  // The message (%v) is the pre-escaped rest of the object; spdlog supplies
  // the time in UTC and the level.
  logger->set_pattern(
      absl::StrCat(R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","service":)",
                   service_json, ",%v}"),
      spdlog::pattern_time_type::utc);
  // A crash must not eat the lines that explain it.
  logger->flush_on(spdlog::level::trace);
  return logger;
}

std::mutex logger_mutex;
std::shared_ptr<spdlog::logger>& Logger() {
  static std::shared_ptr<spdlog::logger> logger = MakeLogger("unknown");
  return logger;
}

std::shared_ptr<spdlog::logger> CurrentLogger() {
  std::lock_guard lock(logger_mutex);
  return Logger();
}

spdlog::level::level_enum ToSpdlog(Level level) {
  switch (level) {
    case Level::kDebug: return spdlog::level::debug;
    case Level::kInfo: return spdlog::level::info;
    case Level::kWarn: return spdlog::level::warn;
    case Level::kError: return spdlog::level::err;
  }
  return spdlog::level::info;
}

void Write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  std::shared_ptr<spdlog::logger> logger = CurrentLogger();
  spdlog::level::level_enum spd_level = ToSpdlog(level);
  if (!logger->should_log(spd_level)) return;
  logger->log(spd_level, "{}", FormatBody(message, fields));
}

}  // namespace

Field::Field(std::string_view key, int64_t value) : key(key), value(absl::StrCat(value)) {}

bool ParseLevel(std::string_view text, Level* level) {
  if (text == "debug") *level = Level::kDebug;
  else if (text == "info") *level = Level::kInfo;
  else if (text == "warn") *level = Level::kWarn;
  else if (text == "error") *level = Level::kError;
  else return false;
  return true;
}

void Init(std::string_view service, Level level) {
  std::shared_ptr<spdlog::logger> logger = MakeLogger(service);
  logger->set_level(ToSpdlog(level));
  std::lock_guard lock(logger_mutex);
  Logger() = std::move(logger);
}

std::string FormatBody(std::string_view message, std::initializer_list<Field> fields) {
  std::string body = "\"msg\":";
  AppendJsonString(&body, message);
  for (const Field& field : fields) {
    body.push_back(',');
    AppendJsonString(&body, field.key);
    body.push_back(':');
    AppendJsonString(&body, field.value);
  }
  return body;
}

void Debug(std::string_view message, std::initializer_list<Field> fields) {
  Write(Level::kDebug, message, fields);
}
void Info(std::string_view message, std::initializer_list<Field> fields) {
  Write(Level::kInfo, message, fields);
}
void Warn(std::string_view message, std::initializer_list<Field> fields) {
  Write(Level::kWarn, message, fields);
}
void Error(std::string_view message, std::initializer_list<Field> fields) {
  Write(Level::kError, message, fields);
}

}  // namespace onramp::log
