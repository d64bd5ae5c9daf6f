#include "device-agent/timing.h"

#include <algorithm>
#include <string>

#include "absl/strings/numbers.h"
#include "lib/phone/resync_timing/delay_schedule.h"

namespace onramp::agent {
namespace {

constexpr char kDefaultPeriodic[] = "3600";
constexpr int64_t kDefaultUpgradeRetrySeconds = 3600;
constexpr char kDefaultErrorRetry[] = "60,120,240,480,960,1920,3840,7680,15360,30720,61440,86400";

resync_timing::DelaySchedule ScheduleOf(const v1::PhoneState& state, const std::string& name, const char* fallback) {
  auto found = state.parameters().find(name);
  if (found != state.parameters().end()) {
    if (absl::StatusOr<resync_timing::DelaySchedule> parsed = resync_timing::ParseDelaySchedule(found->second.value());
        parsed.ok()) {
      return *parsed;
    }
  }
  return *resync_timing::ParseDelaySchedule(fallback);
}

}  // namespace

std::optional<int64_t> NextResyncSeconds(const v1::PhoneState& state,
                                         const std::function<int64_t(int64_t bound)>& random) {
  bool failed = !state.last_outcome().empty() && state.last_outcome() != "A";
  resync_timing::DelaySchedule schedule = failed ? ScheduleOf(state, "Resync_Error_Retry_Delay", kDefaultErrorRetry)
                                                 : ScheduleOf(state, "Resync_Periodic", kDefaultPeriodic);
  std::optional<int64_t> resync;
  if (schedule.enabled()) resync = schedule.DelayFor(failed ? std::max(0, state.consecutive_failures() - 1) : 0, random);
  if (!state.upgrade_pending()) return resync;
  // A failed upgrade is tried again on its own timer, unless a resync
  // (which tries it too) comes first.
  int64_t upgrade_retry = kDefaultUpgradeRetrySeconds;
  if (auto found = state.parameters().find("Upgrade_Error_Retry_Delay"); found != state.parameters().end()) {
    int64_t value = 0;
    if (absl::SimpleAtoi(found->second.value(), &value) && value > 0) upgrade_retry = value;
  }
  return resync ? std::min(*resync, upgrade_retry) : upgrade_retry;
}

std::optional<int64_t> NextInformSeconds(const v1::PhoneState& state,
                                         const std::function<int64_t(int64_t bound)>& random) {
  auto value = [&state](const char* name, const char* fallback) {
    auto found = state.parameters().find(name);
    return found == state.parameters().end() ? std::string(fallback) : found->second.value();
  };
  if (!state.last_outcome().empty() && state.last_outcome() != "A") {
    int doublings = std::min(std::max(0, state.consecutive_failures() - 1), 9);
    int64_t floor = int64_t{5} << doublings;
    return floor + random(floor);
  }
  std::string enabled = value("Periodic_Inform_Enable", "Yes");
  if (enabled == "No" || enabled == "no" || enabled == "0" || enabled == "false") return std::nullopt;
  int64_t interval = 20;
  if (!absl::SimpleAtoi(value("Periodic_Inform_Interval", "20"), &interval) || interval <= 0) interval = 20;
  return interval;
}

std::optional<int64_t> BootResyncSeconds(const v1::PhoneState& state,
                                         const std::function<int64_t(int64_t bound)>& random) {
  auto value = [&state](const char* name, const char* fallback) {
    auto found = state.parameters().find(name);
    return found == state.parameters().end() ? std::string(fallback) : found->second.value();
  };
  std::string on_reset = value("Resync_On_Reset", "Yes");
  if (on_reset == "No" || on_reset == "no") return NextResyncSeconds(state, random);
  int64_t units = 2;
  if (!absl::SimpleAtoi(value("Resync_Random_Delay", "2"), &units) || units < 0) units = 2;
  return random(units * 20);
}

}  // namespace onramp::agent
