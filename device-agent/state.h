#ifndef ONRAMP_DEVICE_AGENT_STATE_H_
#define ONRAMP_DEVICE_AGENT_STATE_H_

// The phone's flash: <dir>/state.json (onramp.agent.v1.PhoneState in the
// protobuf JSON mapping), written whole and atomically (a temporary file
// renamed over the old one), so a phone "powered off" mid-write keeps the
// previous state.

#include <string>

#include "absl/status/statusor.h"
#include "onramp/agent/v1/state.pb.h"

namespace onramp::agent {

// The saved state; NOT_FOUND when the directory holds none yet.
absl::StatusOr<v1::PhoneState> LoadState(const std::string& dir);

absl::Status SaveState(const std::string& dir, const v1::PhoneState& state);

// Out of the box: identity (factory certificate included) kept,
// everything else cleared, state Open.
v1::PhoneState FactoryReset(const v1::PhoneState& state);

// The image it runs without ".loads" ("sip88xx.11-2-3MSR1-1"): its $SWVER,
// and its TR-069 Device.DeviceInfo.SoftwareVersion.
std::string SoftwareVersion(const v1::PhoneState& state);

}  // namespace onramp::agent

#endif  // ONRAMP_DEVICE_AGENT_STATE_H_
