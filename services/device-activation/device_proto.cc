#include "services/device-activation/device_proto.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/kit/proto/messages.h"
#include "lib/kit/status/error_detail.h"
#include "lib/kit/status/status_macros.h"
#include "lib/kit/validation/fields.h"
#include "lib/phone/flat_profile/flat_profile.h"
#include "lib/phone/rule/rule.h"
#include "services/device-activation/onboarding.h"

namespace onramp::device {

using status::InvalidField;
using validation::Presence;

absl::Status CheckTarget(const std::string& field, const v1::RedirectTarget& target) {
  RETURN_IF_ERROR(validation::Text(field + ".profile_rule", target.profile_rule(), 2048));
  RETURN_IF_ERROR(CheckNoSecrets(field, target));
  absl::StatusOr<rule::Rule> parsed = rule::ParseRule(target.profile_rule());
  if (!parsed.ok()) {
    return InvalidField(field + ".profile_rule", std::string(parsed.status().message()));
  }
  if (target.parameters_size() > 200) {
    return InvalidField(field + ".parameters", "at most 200 parameters");
  }
  for (int i = 0; i < target.parameters_size(); ++i) {
    const v1::Parameter& parameter = target.parameters(i);
    std::string at = absl::StrCat(field, ".parameters[", i, "]");
    if (!flat_profile::IsValidName(parameter.name())) {
      return InvalidField(at + ".name", "parameter name is not a valid flat-profile element");
    }
    RETURN_IF_ERROR(validation::Text(at + ".value", parameter.value(), 1024, Presence::kOptional));
  }
  return absl::OkStatus();
}

std::string EncodeTarget(const v1::RedirectTarget& target) {
  return absl::Base64Escape(proto::DeterministicBytes(target));
}

void DecodeTarget(const std::string& encoded, v1::RedirectTarget* out) {
  std::string bytes;
  if (absl::Base64Unescape(encoded, &bytes)) out->ParseFromString(bytes);
}

v1::CustomizationState ToProto(std::optional<CustomizationState> state) {
  if (!state) return v1::CUSTOMIZATION_STATE_OPEN;
  switch (*state) {
    case CustomizationState::kOpen: return v1::CUSTOMIZATION_STATE_OPEN;
    case CustomizationState::kPending: return v1::CUSTOMIZATION_STATE_PENDING;
    case CustomizationState::kCustomPending: return v1::CUSTOMIZATION_STATE_CUSTOM_PENDING;
    case CustomizationState::kAcquired: return v1::CUSTOMIZATION_STATE_ACQUIRED;
    case CustomizationState::kAborted: return v1::CUSTOMIZATION_STATE_ABORTED;
    case CustomizationState::kUnavailable: return v1::CUSTOMIZATION_STATE_UNAVAILABLE;
  }
  return v1::CUSTOMIZATION_STATE_UNSPECIFIED;
}

std::optional<CustomizationState> FromProto(v1::CustomizationState state) {
  switch (state) {
    case v1::CUSTOMIZATION_STATE_OPEN: return CustomizationState::kOpen;
    case v1::CUSTOMIZATION_STATE_PENDING: return CustomizationState::kPending;
    case v1::CUSTOMIZATION_STATE_CUSTOM_PENDING: return CustomizationState::kCustomPending;
    case v1::CUSTOMIZATION_STATE_ACQUIRED: return CustomizationState::kAcquired;
    case v1::CUSTOMIZATION_STATE_ABORTED: return CustomizationState::kAborted;
    case v1::CUSTOMIZATION_STATE_UNAVAILABLE: return CustomizationState::kUnavailable;
    default: return std::nullopt;
  }
}

v1::DeviceTrust ToProto(Trust trust) {
  return trust == Trust::kMacOnly ? v1::DEVICE_TRUST_MAC_ONLY : v1::DEVICE_TRUST_FACTORY_CERTIFICATE;
}

Trust FromProto(v1::DeviceTrust trust) {
  return trust == v1::DEVICE_TRUST_MAC_ONLY ? Trust::kMacOnly : Trust::kFactoryCertificate;
}

std::string ProofName(const common::v1::Evidence& evidence, Trust trust) {
  switch (evidence.proof()) {
    case common::v1::PROOF_FACTORY_CERTIFICATE: return "factory certificate";
    case common::v1::PROOF_REGISTRATION_CERTIFICATE: return "registration certificate";
    default: return trust == Trust::kMacOnly ? "MAC-only trust" : "no proof";
  }
}

void ToProto(const DeviceRecord& device, v1::Device* out) {
  out->mutable_mac()->set_value(device.mac);
  out->set_serial(device.serial);
  out->set_model(device.model);
  out->set_partner(device.partner);
  if (device.redirect_profile_id.empty()) {
    DecodeTarget(device.target, out->mutable_target());
  } else {
    out->set_redirect_profile_id(device.redirect_profile_id);
  }
  out->set_state(ToProto(device.state));
  out->set_registered(device.registered);
  out->set_certificate_serial(device.certificate_serial);
  proto::SetTimestamp(device.claimed, out->mutable_claim_time());
  out->set_trust(ToProto(device.trust));
}

void ToProto(const ProfileRecord& profile, v1::RedirectProfile* out) {
  out->set_id(profile.id);
  out->set_partner(profile.partner);
  out->set_name(profile.name);
  out->set_short_code(profile.short_code);
  DecodeTarget(profile.target, out->mutable_target());
}

absl::StatusOr<std::string> DeviceMac(const v1::DeviceRequest& request) {
  RETURN_IF_ERROR(validation::Name("partner", request.partner(), 64));
  return validation::Mac("mac", request.mac().value());
}

}  // namespace onramp::device
