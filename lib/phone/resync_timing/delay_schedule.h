#ifndef ONRAMP_LIB_PHONE_RESYNC_TIMING_DELAY_SCHEDULE_H_
#define ONRAMP_LIB_PHONE_RESYNC_TIMING_DELAY_SCHEDULE_H_

// The delay values of Resync_Periodic and Resync_Error_Retry_Delay, in
// seconds:
//   "3600"                 every time the same
//   "60,120,240,...,86400" a back-off list: attempt n waits the n-th value,
//                          the last one repeats
//   "3600+600"             3600 plus a random 0..600 each time
// The forms combine ("60,120+30" adds 0..30 to each step). "0" means off.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace onramp::resync_timing {

struct DelaySchedule {
  std::vector<int64_t> steps;  // seconds; never empty
  int64_t random_extra = 0;    // seconds added at random, 0..random_extra

  // False for "0": the timer is off.
  bool enabled() const { return !(steps.size() == 1 && steps[0] == 0 && random_extra == 0); }

  // Seconds to wait before attempt `attempt` (0 = the first). `random`
  // returns a uniform value in [0, bound]; injected so tests and simulated
  // phones decide.
  int64_t DelayFor(int attempt, const std::function<int64_t(int64_t bound)>& random) const;

  std::string ToString() const;
};

// INVALID_ARGUMENT naming the value for anything else (negative, empty
// steps, more than 64 steps, a step above 30 days).
absl::StatusOr<DelaySchedule> ParseDelaySchedule(std::string_view text);

}  // namespace onramp::resync_timing

#endif  // ONRAMP_LIB_PHONE_RESYNC_TIMING_DELAY_SCHEDULE_H_
