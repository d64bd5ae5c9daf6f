#ifndef ONRAMP_SERVICES_DEVICE_ACTIVATION_ONBOARDING_H_
#define ONRAMP_SERVICES_DEVICE_ACTIVATION_ONBOARDING_H_

// What a phone's onboarding answer may carry, decided from what it proved
// (docs/TRUST.md), and the answer written as the phone reads it. Pure: no
// I/O, no gRPC calls.
//
// Anyone gets the partner's Profile_Rule and plain parameters. The
// registration credential and the phone's profile key go only over HTTPS,
// and only to a phone that proved it is the phone: its factory certificate
// (or the fleet's certificate it registered), a claim the partner made with
// MAC-only trust, or an activation code bound to its MAC.

#include "absl/status/statusor.h"
#include "onramp/common/v1/common.pb.h"
#include "onramp/device/v1/device.pb.h"
#include "onramp/profile/v1/profile.pb.h"

namespace onramp::device {

// Whether a redirect query may be answered with the phone's secrets.
bool MayHaveSecrets(const common::v1::Evidence& evidence, v1::DeviceTrust trust);

// The same for a phone that redeemed an activation code: also when the code
// was bound to its MAC.
bool MayHaveSecretsByCode(const common::v1::Evidence& evidence, v1::DeviceTrust trust, bool code_names_phone);

// `target` with the phone's key: for AES-256-CBC every alternative of the
// rule that fetches something gets [--key $SA] (unless it names a key of
// its own) and the key goes in GPP_SA; for aes128gcm it goes in
// IKM_HTTP_Encrypt_Content (the server's Content-Encoding tells the phone
// to use it). INVALID_ARGUMENT if the rule does not parse.
absl::StatusOr<v1::RedirectTarget> WithKey(const v1::RedirectTarget& target, const profile::v1::DeliveredKey& key);

// Partners' redirect parameters reach phones that proved nothing, so none
// may be a secret: INVALID_ARGUMENT naming `field` (parameters[i].name).
absl::Status CheckNoSecrets(const std::string& field, const v1::RedirectTarget& target);

}  // namespace onramp::device

#endif  // ONRAMP_SERVICES_DEVICE_ACTIVATION_ONBOARDING_H_
