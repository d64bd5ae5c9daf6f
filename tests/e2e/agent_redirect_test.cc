// A device agent onboarding through the real gateway and services by the
// redirect path: out of the box, it asks who owns it, follows the partner's
// Profile_Rule over HTTP or HTTPS and ends Acquired with the partner's
// parameters; the customization states pass in the documented order. A
// phone born with a factory certificate asks over HTTPS, proves itself, and
// is handed its registration credential and profile key, so its secrets
// reach it even over plain HTTP; an old phone without one gets the rule only.

#include <algorithm>
#include <tuple>
#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "device-agent/phone.h"
#include "device-agent/state.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/shell.h"
#include "tests/e2e/new_phone.h"
#include "tests/onboarding/gateway_fleet.h"

namespace onramp {
namespace {

using ::onramp::testing::kPhoneMac;
using ::onramp::testing::kPhoneModel;
using ::onramp::testing::RunShell;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

class AgentRedirectTest : public ::onramp::testing::GatewayFleetTest {
 protected:
  // A phone fresh from the factory (with its factory certificate); returns
  // its flash.
  std::string NewPhone(const std::string& mac) { return ::onramp::testing::NewPhone("phone-" + mac, mac, dir_); }
  // The same without a factory certificate: an old phone.
  std::string NewOldPhone(const std::string& mac) { return ::onramp::testing::NewPhone("phone-" + mac, mac, ""); }

  // A phone asking the activation service over plain HTTP.
  agent::Phone Load(const std::string& dir, const std::string& ca_file = "") {
    return ::onramp::testing::LoadPhone({.state_dir = dir, .activation_url = base_, .ca_file = ca_file}, &steps_);
  }
  // A phone asking it over HTTPS, as a phone in the field does.
  agent::Phone LoadSecure(const std::string& dir) {
    return ::onramp::testing::LoadPhone({.state_dir = dir, .activation_url = tls_base_, .ca_file = dir_ + "/ca.pem"},
                                        &steps_);
  }

  std::vector<std::string> StateSteps() const {
    std::vector<std::string> states;
    for (const std::string& step : steps_) {
      if (step.starts_with("customization state: ")) states.push_back(step.substr(21));
    }
    return states;
  }

  // acme changes the phone's SIP password.
  void SetPassword(const std::string& password) {
    grpc::ClientContext context;
    profile::v1::SetParametersRequest request;
    request.mutable_ref()->set_partner("acme");
    request.mutable_ref()->set_scope(profile::v1::SCOPE_DEVICE);
    request.mutable_ref()->set_key(kPhoneMac);
    profile::v1::Parameter* parameter = request.add_parameters();
    parameter->set_name("Password_1_");
    parameter->set_value(password);
    parameter->set_secret(true);
    profile::v1::Layer layer;
    grpc::Status status = profiles_->SetParameters(&context, request, &layer);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  std::vector<std::string> steps_;
};

TEST_F(AgentRedirectTest, AFactoryPhoneOnboardsOverHttpsAndReadsItsSecretsFromAPlainHttpProfile) {
  ClaimAndProfile(/*with_secret=*/true, base_ + "/profile/$MA.xml");
  const std::string dir = NewPhone(kPhoneMac);
  agent::Phone phone = LoadSecure(dir);
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_THAT(StateSteps(), ElementsAre("open -> pending", "pending -> custom_pending", "custom_pending -> acquired"));
  EXPECT_TRUE(phone.state().registered());
  EXPECT_EQ(phone.state().last_outcome(), "A") << phone.state().last_detail();
  // The profile came over plain HTTP, encrypted with the key the redirect
  // handed over, and the secret is the phone's now.
  EXPECT_THAT(steps_, Contains(HasSubstr("resync: 200 from http://")));
  EXPECT_EQ(phone.state().parameters().at("Password_1_").value(), "s3cret-sip-password");
  EXPECT_EQ(phone.state().parameters().at("Proxy_1_").ua(), "na");
  EXPECT_THAT(phone.state().parameters().at("Profile_Rule").value(), HasSubstr("[--key \"$SA\"]"));
  EXPECT_FALSE(phone.state().parameters().contains("Cloud_Registration_Credential"));  // used once
  EXPECT_THAT(RunShell(absl::StrCat("openssl verify -CAfile ", dir_, "/ca.pem ", dir, "/device.pem")).output,
              HasSubstr(": OK"));
  // The fleet took the phone's own word for it: Acquired.
  FlushDeliveries();
  EXPECT_EQ(CloudState(kPhoneMac), device::v1::CUSTOMIZATION_STATE_ACQUIRED);
  // (Delivery records come in batches, so the phone's own word may come first.)
  EXPECT_THAT(TimelineKinds(kPhoneMac),
              UnorderedElementsAre("claimed", "lookup", "registered", "profile_fetched", "state", "acquired"));

  // The next resync finds nothing new (the ETag matches), and the flash
  // kept it all.
  agent::Phone again = LoadSecure(dir);
  ASSERT_TRUE(again.Provision().ok());
  EXPECT_EQ(again.state().last_detail(), "not modified");
  EXPECT_EQ(again.state().customization_state(), "acquired");
}

TEST_F(AgentRedirectTest, WithAes128gcmTheKeyTravelsAsTheIkm) {
  ClaimAndProfile(/*with_secret=*/true, base_ + "/profile/$MA.xml", profile::v1::ENCRYPTION_AES128GCM);
  agent::Phone phone = LoadSecure(NewPhone(kPhoneMac));
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_EQ(phone.state().last_outcome(), "A") << phone.state().last_detail();
  EXPECT_EQ(phone.state().parameters().at("Password_1_").value(), "s3cret-sip-password");
  EXPECT_FALSE(phone.state().parameters().at("IKM_HTTP_Encrypt_Content").value().empty());
  EXPECT_THAT(phone.state().parameters().at("Profile_Rule").value(), Not(HasSubstr("--key")));
}

TEST_F(AgentRedirectTest, ARegisteredPhoneGetsItsSecretsOverMutualTls) {
  ClaimAndProfile(/*with_secret=*/true, tls_base_ + "/profile/$MA.xml");
  const std::string dir = NewPhone(kPhoneMac);
  agent::Phone phone = LoadSecure(dir);
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_TRUE(phone.state().registered());
  EXPECT_EQ(phone.state().customization_state(), "acquired") << phone.state().last_detail();
  EXPECT_EQ(phone.state().parameters().at("Password_1_").value(), "s3cret-sip-password");
  // Fetched with its certificate: the fleet saw the phone itself get it
  // (and the phone, knowing so, has nothing to tell).
  FlushDeliveries();
  EXPECT_THAT(TimelineKinds(kPhoneMac), ElementsAre("claimed", "lookup", "registered", "profile_delivered", "acquired"));
  EXPECT_EQ(CloudState(kPhoneMac), device::v1::CUSTOMIZATION_STATE_ACQUIRED);
}

TEST_F(AgentRedirectTest, ARegisteredPhoneResumesItsTlsSessionIsKnownByItsCertificateAndSeesEveryChange) {
  ClaimAndProfile(/*with_secret=*/true, tls_base_ + "/profile/$MA.xml");
  const std::string dir = NewPhone(kPhoneMac);
  http_client::TlsSessions sessions;  // the phone's memory while powered on
  auto load = [&] {
    return ::onramp::testing::LoadPhone(
        {.state_dir = dir, .activation_url = tls_base_, .ca_file = dir_ + "/ca.pem", .tls_sessions = &sessions},
        &steps_);
  };
  agent::Phone first = load();
  ASSERT_TRUE(first.Provision().ok());
  ASSERT_TRUE(first.state().registered());
  // Its factory certificate's session (the redirect, then registering)
  // and its registration certificate's (the profile) are kept apart.
  EXPECT_EQ(sessions.size(), 2u);
  const int while_onboarding = resumed_handshakes_.load();
  SetPassword("n3w-sip-password");
  agent::Phone again = load();
  ASSERT_TRUE(again.Provision().ok());
  EXPECT_EQ(resumed_handshakes_.load(), while_onboarding + 1) << "the resync resumed";
  // Resumed, the session still names the phone's certificate: its secrets
  // come to it in the clear, over mutual TLS.
  EXPECT_EQ(again.state().parameters().at("Password_1_").value(), "n3w-sip-password");
  EXPECT_EQ(again.state().customization_state(), "acquired") << again.state().last_detail();
  // Nothing changed since: the gateway answers from its copy of that profile.
  const double from_copies = ProfilesFromCopies();
  agent::Phone unchanged = load();
  ASSERT_TRUE(unchanged.Provision().ok());
  EXPECT_EQ(ProfilesFromCopies(), from_copies + 1);
  EXPECT_EQ(unchanged.state().last_outcome(), "A") << unchanged.state().last_detail();
  EXPECT_EQ(unchanged.state().parameters().at("Password_1_").value(), "n3w-sip-password");
}

TEST_F(AgentRedirectTest, AnOldPhoneWithoutAFactoryCertificateGetsTheRuleButNoSecret) {
  ClaimAndProfile(/*with_secret=*/true, base_ + "/profile/$MA.xml");
  agent::Phone old = LoadSecure(NewOldPhone(kPhoneMac));
  ASSERT_TRUE(old.Provision().ok());
  EXPECT_EQ(old.state().customization_state(), "custom_pending");  // it has the rule...
  EXPECT_FALSE(old.state().registered());                           // ...and nothing else
  EXPECT_EQ(old.state().last_outcome(), "B");  // the profile it fetched does not open: corrupt to it
  EXPECT_FALSE(old.state().parameters().contains("Password_1_"));
  EXPECT_EQ(CloudState(kPhoneMac), device::v1::CUSTOMIZATION_STATE_OPEN);
}

TEST_F(AgentRedirectTest, AClaimedPhoneWithoutSecretsGoesFromOpenToAcquiredOverPlainHttp) {
  ClaimAndProfile(false, base_ + "/profile/$MA.xml");
  agent::Phone phone = Load(NewPhone(kPhoneMac));
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_THAT(StateSteps(), ElementsAre("open -> pending", "pending -> custom_pending", "custom_pending -> acquired"));
  EXPECT_EQ(phone.state().last_outcome(), "A") << phone.state().last_detail();
  EXPECT_EQ(phone.state().parameters().at("Proxy_1_").value(), "sip.acme.example");
  // Over plain HTTP the phone proved nothing: nothing secret came, and the
  // fleet did not take a fetch anyone could make for the phone's progress.
  EXPECT_FALSE(phone.state().registered());
  FlushDeliveries();
  EXPECT_THAT(TimelineKinds(kPhoneMac), ElementsAre("claimed", "profile_fetched"));
  EXPECT_EQ(CloudState(kPhoneMac), device::v1::CUSTOMIZATION_STATE_OPEN);
}

TEST_F(AgentRedirectTest, APhoneClaimedWithOnlyAPartnerLayerIsAcquiredAndGetsItsSecrets) {
  // The partner set its parameters once for all its phones; this phone has
  // no device layer of its own.
  ClaimPhone(base_ + "/profile/$MA.xml");
  grpc::ClientContext context;
  profile::v1::PutLayerRequest layer;
  layer.mutable_ref()->set_partner("acme");
  layer.mutable_ref()->set_scope(profile::v1::SCOPE_PARTNER);
  for (const auto& [name, value, secret] : {std::tuple{"Proxy_1_", "sip.acme.example", false},
                                            std::tuple{"Password_1_", "partner-wide-secret", true}}) {
    profile::v1::Parameter* parameter = layer.add_parameters();
    parameter->set_name(name);
    parameter->set_value(value);
    parameter->set_secret(secret);
  }
  profile::v1::Layer stored;
  ASSERT_TRUE(profiles_->PutLayer(&context, layer, &stored).ok());
  // Someone who knows the MAC, model and serial gets the profile encrypted
  // with a key only the proven phone will be handed: never the secret,
  // before the phone holds its key or after.
  const std::string anyones = absl::StrCat(::onramp::testing::kPhoneAgent, " ", base_, "/profile/", kPhoneMac, ".xml");
  std::string before = ::onramp::testing::Curl(anyones);
  EXPECT_THAT(before, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(before, Not(HasSubstr("partner-wide-secret")));

  agent::Phone phone = LoadSecure(NewPhone(kPhoneMac));
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_THAT(StateSteps(), ElementsAre("open -> pending", "pending -> custom_pending", "custom_pending -> acquired"));
  EXPECT_EQ(phone.state().last_outcome(), "A") << phone.state().last_detail();
  EXPECT_EQ(phone.state().parameters().at("Proxy_1_").value(), "sip.acme.example");
  // Proven, it was handed its key: the secret came encrypted over plain HTTP.
  EXPECT_EQ(phone.state().parameters().at("Password_1_").value(), "partner-wide-secret");
  EXPECT_THAT(::onramp::testing::Curl(anyones), Not(HasSubstr("partner-wide-secret")));
}

TEST_F(AgentRedirectTest, APartnersHttpAuthenticationIsAnsweredWithTheRulesCredentials) {
  RequireHttpAuth();
  ClaimAndProfile(false, "[--uid phone --pwd \"correct horse\"]" + base_ + "/profile/$MA.xml");
  agent::Phone phone = Load(NewPhone(kPhoneMac));
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_THAT(steps_, Contains(HasSubstr("resync: 401")));  // challenged once, then answered
  EXPECT_EQ(phone.state().customization_state(), "acquired") << phone.state().last_detail();
  EXPECT_EQ(phone.state().parameters().at("Proxy_1_").value(), "sip.acme.example");

  // The wrong password is tried twice, then the resync fails (outcome C).
  agent::Phone wrong = Load(NewPhone("000e08aabbcd"));
  ASSERT_TRUE(wrong.Set("Profile_Rule", "[--uid phone --pwd wrong-horse]" + base_ + "/profile/000e08aabbcc.xml").ok());
  steps_.clear();
  agent::Phone reloaded = Load(absl::StrCat(::testing::TempDir(), "/phone-000e08aabbcd"));
  ASSERT_TRUE(reloaded.Provision().ok());
  EXPECT_EQ(reloaded.state().last_outcome(), "C");
  EXPECT_EQ(reloaded.state().last_detail(), "Profile_Rule: HTTP 401");
  EXPECT_EQ(std::count_if(steps_.begin(), steps_.end(), [](const std::string& step) { return step.starts_with("resync: 401"); }),
            3);
}

TEST_F(AgentRedirectTest, OverHttpsTheServerIsVerified) {
  ClaimAndProfile(false, tls_base_ + "/profile/$MA.xml");
  agent::Phone phone = Load(NewPhone(kPhoneMac), dir_ + "/ca.pem");
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_EQ(phone.state().customization_state(), "acquired");
  EXPECT_EQ(phone.state().parameters().at("Proxy_1_").value(), "sip.acme.example");

  // A phone that does not trust the server's CA gets nothing (outcome C).
  std::string other_ca = dir_ + "/other-ca";
  ASSERT_EQ(RunShell("mkdir -p " + other_ca + " && lib/testing/make_test_certs.sh " + other_ca).exit_code, 0);
  agent::Phone wary = Load(NewPhone("000e08aabbcd"), other_ca + "/ca.pem");
  ASSERT_TRUE(wary.Set("Profile_Rule", tls_base_ + "/profile/$MA.xml").ok());
  agent::Phone reloaded = Load(absl::StrCat(::testing::TempDir(), "/phone-000e08aabbcd"), other_ca + "/ca.pem");
  ASSERT_TRUE(reloaded.Provision().ok());
  EXPECT_EQ(reloaded.state().last_outcome(), "C");
  EXPECT_THAT(reloaded.state().last_detail(), HasSubstr("certificate verify failed"));
}

TEST_F(AgentRedirectTest, AnUnclaimedPhoneIsUnavailableAndAHandSetRuleAborts) {
  agent::Phone phone = Load(NewPhone("000e08aabbdd"));
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_THAT(StateSteps(), ElementsAre("open -> pending", "pending -> unavailable"));

  steps_.clear();
  agent::Phone manual = Load(NewPhone("000e08aabbde"));
  ASSERT_TRUE(manual.Set("Profile_Rule", base_ + "/profile/$MA.xml").ok());
  EXPECT_THAT(StateSteps(), ElementsAre("open -> aborted"));
}

TEST_F(AgentRedirectTest, TheBinaryDoesTheSameFromTheCommandLine) {
  ClaimAndProfile(false, base_ + "/profile/$MA.xml");
  const std::string dir = absl::StrCat(::testing::TempDir(), "/cli-phone");
  std::filesystem::remove_all(dir);
  const std::string agent = "device-agent/device-agent";
  auto reset = RunShell(absl::StrCat(agent, " factory-reset --state_dir ", dir, " --mac 00:0E:08:AA:BB:CC --model ",
                                     kPhoneModel, " --firmware sip88xx.12-0-1MPP0001-245.loads"));
  ASSERT_EQ(reset.exit_code, 0) << reset.output;
  auto resync = RunShell(absl::StrCat(agent, " resync --state_dir ", dir, " --activation_url ", base_));
  EXPECT_EQ(resync.exit_code, 0) << resync.output;
  EXPECT_THAT(resync.output, HasSubstr("redirect query: 200"));
  EXPECT_THAT(resync.output, HasSubstr("customization state: custom_pending -> acquired"));
  // No random wait after this power-on, and none while in a call.
  ASSERT_EQ(RunShell(absl::StrCat(agent, " set --state_dir ", dir, " Resync_Random_Delay 0")).exit_code, 0);
  ASSERT_EQ(RunShell(absl::StrCat(agent, " call start --state_dir ", dir)).exit_code, 0);
  EXPECT_THAT(RunShell(absl::StrCat(agent, " resync --state_dir ", dir)).output,
              HasSubstr("in a call: resync deferred until idle"));
  ASSERT_EQ(RunShell(absl::StrCat(agent, " call end --state_dir ", dir)).exit_code, 0);
  auto run = RunShell(absl::StrCat(agent, " run --passes 1 --state_dir ", dir, " --activation_url ", base_));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("powered on: first resync in 0 s"));
  EXPECT_THAT(run.output, HasSubstr("outcome A: not modified"));
  auto status = RunShell(absl::StrCat(agent, " status --state_dir ", dir));
  EXPECT_THAT(status.output, HasSubstr("customization  acquired"));
  EXPECT_NE(RunShell(agent + " status --state_dir " + dir + "/none").exit_code, 0);
}

}  // namespace
}  // namespace onramp
