// What an onboarding answer may carry, by what the phone proved, and the
// answer with its key as the phone reads it.

#include "services/device-activation/onboarding.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/error_detail.h"
#include "lib/kit/status/status_matchers.h"
#include "lib/phone/rule/rule.h"

namespace onramp::device {
namespace {

using ::onramp::status::StatusIs;

common::v1::Evidence Evidence(common::v1::Channel channel, common::v1::Proof proof) {
  common::v1::Evidence evidence;
  evidence.set_channel(channel);
  evidence.set_proof(proof);
  return evidence;
}

TEST(OnboardingTest, SecretsGoOnlyOverHttpsToAPhoneThatProvedItself) {
  using common::v1::CHANNEL_HTTP;
  using common::v1::CHANNEL_HTTPS;
  using common::v1::CHANNEL_TFTP;
  using common::v1::PROOF_FACTORY_CERTIFICATE;
  using common::v1::PROOF_REGISTRATION_CERTIFICATE;
  using common::v1::PROOF_UNSPECIFIED;
  struct Case {
    common::v1::Channel channel;
    common::v1::Proof proof;
    v1::DeviceTrust trust;
    bool code_names_phone;
    bool lookup;  // MayHaveSecrets
    bool code;    // MayHaveSecretsByCode
  };
  const v1::DeviceTrust factory = v1::DEVICE_TRUST_UNSPECIFIED;
  const v1::DeviceTrust mac_only = v1::DEVICE_TRUST_MAC_ONLY;
  const Case cases[] = {
      {CHANNEL_HTTPS, PROOF_FACTORY_CERTIFICATE, factory, false, true, true},
      {CHANNEL_HTTPS, PROOF_REGISTRATION_CERTIFICATE, factory, false, true, true},
      {CHANNEL_HTTPS, PROOF_UNSPECIFIED, factory, false, false, false},
      {CHANNEL_HTTPS, PROOF_UNSPECIFIED, factory, true, false, true},
      {CHANNEL_HTTPS, PROOF_UNSPECIFIED, mac_only, false, true, true},
      {CHANNEL_HTTP, PROOF_UNSPECIFIED, mac_only, true, false, false},
      {CHANNEL_TFTP, PROOF_UNSPECIFIED, mac_only, true, false, false},
      // A proof can only come over TLS; one claimed on another channel is nothing.
      {CHANNEL_HTTP, PROOF_FACTORY_CERTIFICATE, factory, false, false, false},
  };
  for (const Case& c : cases) {
    common::v1::Evidence evidence = Evidence(c.channel, c.proof);
    EXPECT_EQ(MayHaveSecrets(evidence, c.trust), c.lookup) << evidence.ShortDebugString() << " trust " << c.trust;
    EXPECT_EQ(MayHaveSecretsByCode(evidence, c.trust, c.code_names_phone), c.code)
        << evidence.ShortDebugString() << " trust " << c.trust << " names " << c.code_names_phone;
  }
}

TEST(OnboardingTest, ACbcKeyGoesInGppSaAndEveryFetchingAlternativeUsesIt) {
  v1::RedirectTarget target;
  target.set_profile_rule(
      "($SWVER lt sip88xx.12-0-1MPP0001-245)? [--uid phone --pwd x] http://gw.example/old/$MA.xml | "
      "($SWVER lt sip88xx.12-5-1MPP-100)? [--key own] https://gw.example/own/$MA.xml | (GPP_A = \"1\")!");
  v1::Parameter* plain = target.add_parameters();
  plain->set_name("Resync_Periodic");
  plain->set_value("600");
  profile::v1::DeliveredKey key;
  key.set_encryption(profile::v1::ENCRYPTION_AES_256_CBC);
  key.set_secret("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
  absl::StatusOr<v1::RedirectTarget> keyed = WithKey(target, key);
  ASSERT_TRUE(keyed.ok()) << keyed.status();

  absl::StatusOr<rule::Rule> rule = rule::ParseRule(keyed->profile_rule());
  ASSERT_TRUE(rule.ok()) << keyed->profile_rule();
  ASSERT_EQ(rule->alternatives.size(), 3u);
  EXPECT_EQ(rule->alternatives[0].options.key, "$SA");
  EXPECT_EQ(rule->alternatives[0].options.uid, "phone");
  EXPECT_EQ(rule->alternatives[1].options.key, "own");  // a key of its own stays
  EXPECT_FALSE(rule->alternatives[2].options.key.has_value());  // fetches nothing
  // The key itself never appears in the rule.
  EXPECT_EQ(keyed->profile_rule().find(key.secret()), std::string::npos);
  ASSERT_EQ(keyed->parameters_size(), 2);
  EXPECT_EQ(keyed->parameters(0).name(), "Resync_Periodic");
  EXPECT_EQ(keyed->parameters(1).name(), "GPP_SA");
  EXPECT_EQ(keyed->parameters(1).value(), key.secret());
}

TEST(OnboardingTest, AnAes128gcmKeyGoesInTheIkmAndLeavesTheRuleAlone) {
  v1::RedirectTarget target;
  target.set_profile_rule("http://gw.example/profile/$MA.xml");
  profile::v1::DeliveredKey key;
  key.set_encryption(profile::v1::ENCRYPTION_AES128GCM);
  key.set_secret("an-ikm");
  absl::StatusOr<v1::RedirectTarget> keyed = WithKey(target, key);
  ASSERT_TRUE(keyed.ok());
  EXPECT_EQ(keyed->profile_rule(), target.profile_rule());
  ASSERT_EQ(keyed->parameters_size(), 1);
  EXPECT_EQ(keyed->parameters(0).name(), "IKM_HTTP_Encrypt_Content");
  EXPECT_EQ(keyed->parameters(0).value(), "an-ikm");
}

TEST(OnboardingTest, RedirectParametersMayNotBeSecrets) {
  v1::RedirectTarget target;
  target.set_profile_rule("http://gw.example/$MA.xml");
  v1::Parameter* first = target.add_parameters();
  first->set_name("Proxy_1_");
  v1::Parameter* second = target.add_parameters();
  second->set_name("Password_1_");
  absl::Status checked = CheckNoSecrets("target", target);
  EXPECT_THAT(checked, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(status::FieldOf(checked), "target.parameters[1].name");
  target.mutable_parameters()->RemoveLast();
  EXPECT_TRUE(CheckNoSecrets("target", target).ok());
}

}  // namespace
}  // namespace onramp::device
