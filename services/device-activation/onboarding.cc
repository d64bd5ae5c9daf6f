#include "services/device-activation/onboarding.h"

#include "absl/strings/str_cat.h"
#include "lib/kit/status/error_detail.h"
#include "lib/phone/flat_profile/flat_profile.h"
#include "lib/phone/rule/rule.h"

namespace onramp::device {

bool MayHaveSecrets(const common::v1::Evidence& evidence, v1::DeviceTrust trust) {
  if (evidence.channel() != common::v1::CHANNEL_HTTPS) return false;
  return evidence.proof() == common::v1::PROOF_FACTORY_CERTIFICATE ||
         evidence.proof() == common::v1::PROOF_REGISTRATION_CERTIFICATE || trust == v1::DEVICE_TRUST_MAC_ONLY;
}

bool MayHaveSecretsByCode(const common::v1::Evidence& evidence, v1::DeviceTrust trust, bool code_names_phone) {
  return MayHaveSecrets(evidence, trust) || (evidence.channel() == common::v1::CHANNEL_HTTPS && code_names_phone);
}

absl::StatusOr<v1::RedirectTarget> WithKey(const v1::RedirectTarget& target, const profile::v1::DeliveredKey& key) {
  v1::RedirectTarget keyed = target;
  v1::Parameter* secret = keyed.add_parameters();
  secret->set_value(key.secret());
  if (key.encryption() == profile::v1::ENCRYPTION_AES128GCM) {
    secret->set_name("IKM_HTTP_Encrypt_Content");
    return keyed;
  }
  secret->set_name("GPP_SA");
  absl::StatusOr<rule::Rule> rule = rule::ParseRule(target.profile_rule());
  if (!rule.ok()) return rule.status();
  for (rule::Alternative& alternative : rule->alternatives) {
    // $SA expands only inside --key, so the key never shows in a URL or log.
    if (alternative.url && !alternative.options.key) alternative.options.key = "$SA";
  }
  keyed.set_profile_rule(rule::PrintRule(*rule));
  return keyed;
}

absl::Status CheckNoSecrets(const std::string& field, const v1::RedirectTarget& target) {
  for (int i = 0; i < target.parameters_size(); ++i) {
    if (flat_profile::IsSecretName(target.parameters(i).name())) {
      return status::InvalidField(
          absl::StrCat(field, ".parameters[", i, "].name"),
          absl::StrCat(target.parameters(i).name(),
                       " is a secret, and redirect parameters go to any caller: set it in a profile layer"));
    }
  }
  return absl::OkStatus();
}

}  // namespace onramp::device
