#ifndef ONRAMP_SERVICES_DEVICE_ACTIVATION_DEVICE_PROTO_H_
#define ONRAMP_SERVICES_DEVICE_ACTIVATION_DEVICE_PROTO_H_

// Devices, redirect targets and profiles between the API's messages and the
// store's types, and the checks a redirect target must pass.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "onramp/common/v1/common.pb.h"
#include "onramp/device/v1/device.pb.h"
#include "services/device-activation/store.h"

namespace onramp::device {

// A rule that parses, at most 200 parameters with valid names, nothing
// named like a secret (a redirect is anyone's to read). Errors name the
// field under `field`.
absl::Status CheckTarget(const std::string& field, const v1::RedirectTarget& target);

// A target as the store keeps it (deterministic bytes, base64) and back.
std::string EncodeTarget(const v1::RedirectTarget& target);
void DecodeTarget(const std::string& encoded, v1::RedirectTarget* out);

v1::CustomizationState ToProto(std::optional<CustomizationState> state);
std::optional<CustomizationState> FromProto(v1::CustomizationState state);
v1::DeviceTrust ToProto(Trust trust);
Trust FromProto(v1::DeviceTrust trust);

// What a phone's request proved, for its timeline.
std::string ProofName(const common::v1::Evidence& evidence, Trust trust);

void ToProto(const DeviceRecord& device, v1::Device* out);
void ToProto(const ProfileRecord& profile, v1::RedirectProfile* out);

// The request's MAC ($MA form), its partner checked.
absl::StatusOr<std::string> DeviceMac(const v1::DeviceRequest& request);

}  // namespace onramp::device

#endif  // ONRAMP_SERVICES_DEVICE_ACTIVATION_DEVICE_PROTO_H_
