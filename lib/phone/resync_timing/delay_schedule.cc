#include "lib/phone/resync_timing/delay_schedule.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lib/base/strings/strings.h"

namespace onramp::resync_timing {
namespace {

constexpr int64_t kMaxSeconds = 30 * 24 * 3600;
constexpr size_t kMaxSteps = 64;

absl::Status Invalid(std::string_view text, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("delay \"", strings::ToAbsl(text), "\" ",
                                                 strings::ToAbsl(why)));
}

bool ParseSeconds(std::string_view text, int64_t* value) {
  text = strings::Trim(text);
  if (text.empty() || text.size() > 10) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return absl::SimpleAtoi(strings::ToAbsl(text), value) && *value <= kMaxSeconds;
}

}  // namespace

absl::StatusOr<DelaySchedule> ParseDelaySchedule(std::string_view text) {
  DelaySchedule schedule;
  std::string_view steps = text;
  if (size_t plus = text.find('+'); plus != std::string_view::npos) {
    if (!ParseSeconds(text.substr(plus + 1), &schedule.random_extra)) {
      return Invalid(text, "has a bad random part after + (seconds, up to 30 days)");
    }
    steps = text.substr(0, plus);
  }
  for (absl::string_view step : absl::StrSplit(strings::ToAbsl(steps), ',')) {
    int64_t seconds = 0;
    if (!ParseSeconds(strings::FromAbsl(step), &seconds)) {
      return Invalid(text, "is not N, N1,N2,... or N+R (whole seconds, up to 30 days)");
    }
    schedule.steps.push_back(seconds);
    if (schedule.steps.size() > kMaxSteps) return Invalid(text, "has more than 64 steps");
  }
  return schedule;
}

int64_t DelaySchedule::DelayFor(int attempt,
                                const std::function<int64_t(int64_t bound)>& random) const {
  size_t index = attempt < 0 ? 0 : std::min(static_cast<size_t>(attempt), steps.size() - 1);
  int64_t delay = steps[index];
  if (random_extra > 0) delay += random(random_extra);
  return delay;
}

std::string DelaySchedule::ToString() const {
  std::string text = absl::StrJoin(steps, ",");
  if (random_extra > 0) absl::StrAppend(&text, "+", random_extra);
  return text;
}

}  // namespace onramp::resync_timing
