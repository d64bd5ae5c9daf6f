#ifndef ONRAMP_DEVICE_AGENT_TIMING_H_
#define ONRAMP_DEVICE_AGENT_TIMING_H_

// When a phone resyncs next, from its last outcome and its parameters
// (lib/phone/resync_timing reads the values): after A, Resync_Periodic (default
// 3600 s); after B or C, Resync_Error_Retry_Delay (default the newer
// back-off 60, 120, 240 … 61440, 86400 s) at the step of its consecutive
// failures. A failed upgrade still due (upgrade_pending) is tried again
// after Upgrade_Error_Retry_Delay (default 3600 s) if no resync comes
// sooner.

#include <cstdint>
#include <functional>
#include <optional>

#include "onramp/agent/v1/state.pb.h"

namespace onramp::agent {

// Seconds until the next resync; nullopt when the timer is off ("0"). A
// value the phone cannot read falls back to the default, as phones do.
std::optional<int64_t> NextResyncSeconds(const v1::PhoneState& state,
                                         const std::function<int64_t(int64_t bound)>& random);

// A TR-069 phone's next Inform: after a session, Periodic_Inform_Interval
// (default 20 s, NOTES.md) unless Periodic_Inform_Enable is No (nullopt);
// after a failed one, TR-069's session retry wait (3.2.1.1: 5 to 10 s,
// doubling with each failure in a row up to 2560 to 5120 s).
std::optional<int64_t> NextInformSeconds(const v1::PhoneState& state,
                                         const std::function<int64_t(int64_t bound)>& random);

// After power-on: with Resync_On_Reset (default Yes), a random wait up to
// Resync_Random_Delay units of 20 s (default 2), so a building's phones do
// not all ask at once; without it, the periodic timer.
std::optional<int64_t> BootResyncSeconds(const v1::PhoneState& state,
                                         const std::function<int64_t(int64_t bound)>& random);

}  // namespace onramp::agent

#endif  // ONRAMP_DEVICE_AGENT_TIMING_H_
