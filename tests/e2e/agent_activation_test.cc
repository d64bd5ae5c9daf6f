// A device agent nobody has claimed by MAC onboards with what its user types
// at the activation screen: a partner's 16-digit activation code, or '#' and
// a short code (a redirect profile named by digits). The redirect said
// Unavailable, and the customization state, which is about the redirect,
// stays so. Over HTTPS with its factory certificate the code's answer also
// brings the phone its registration credential and profile key; a phone
// whose answer was lost types the code again and gets it again.

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
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

class AgentActivationTest : public ::onramp::testing::GatewayFleetTest {
 protected:
  void SetUp() override {
    GatewayFleetTest::SetUp();
    if (HasFatalFailure()) return;
    PutPhoneLayer();  // acme's parameters for the phone, which no one has claimed
  }

  std::string CreateCode() {
    grpc::ClientContext context;
    activation::v1::CreateCodesRequest create;
    create.set_partner("acme");
    create.set_count(1);
    create.set_idempotency_key("agent-codes");
    create.mutable_target()->set_profile_rule(base_ + "/profile/$MA.xml");
    activation::v1::CreateCodesResponse created;
    grpc::Status status = codes_->CreateCodes(&context, create, &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return created.codes(0).code();
  }

  agent::Phone Provision(const std::string& mac, const std::string& code) {
    std::string dir = ::onramp::testing::NewPhone("code-phone-" + mac, mac, dir_);
    agent::Phone phone =
        ::onramp::testing::LoadPhone({.state_dir = dir, .activation_url = base_, .activation_code = code}, &steps_);
    EXPECT_TRUE(phone.Provision().ok());
    return phone;
  }

  // The same over HTTPS, as phones in the field ask.
  agent::Phone ProvisionSecurely(const std::string& dir, const std::string& code) {
    agent::Phone phone = ::onramp::testing::LoadPhone(
        {.state_dir = dir, .activation_url = tls_base_, .ca_file = dir_ + "/ca.pem", .activation_code = code}, &steps_);
    EXPECT_TRUE(phone.Provision().ok());
    return phone;
  }

  std::vector<std::string> steps_;
};

TEST_F(AgentActivationTest, ASixteenDigitCodeOnboardsThePhoneOnce) {
  const std::string code = CreateCode();
  agent::Phone phone = Provision(kPhoneMac, code);
  EXPECT_THAT(steps_, Contains("customization state: pending -> unavailable"));
  EXPECT_THAT(steps_, Contains("activation code accepted: onboarding profile applied"));
  EXPECT_EQ(phone.state().last_outcome(), "A") << phone.state().last_detail();
  EXPECT_EQ(phone.state().parameters().at("Proxy_1_").value(), "sip.acme.example");
  EXPECT_EQ(phone.state().customization_state(), "unavailable");

  // Used: the next phone typing it gets nothing.
  steps_.clear();
  agent::Phone second = Provision("000e08aabbcd", code);
  EXPECT_THAT(steps_, Contains(::testing::StartsWith("Invalid activation code (HTTP 404")));
  EXPECT_FALSE(second.state().parameters().contains("Proxy_1_"));
}

TEST_F(AgentActivationTest, AHashShortCodeOnboardsThroughItsRedirectProfile) {
  grpc::ClientContext context;
  device::v1::CreateRedirectProfileRequest create;
  create.set_partner("acme");
  create.set_name("4711");
  create.mutable_target()->set_profile_rule(base_ + "/profile/$MA.xml");
  device::v1::RedirectProfile profile;
  ASSERT_TRUE(devices_->CreateRedirectProfile(&context, create, &profile).ok());
  agent::Phone phone = Provision(kPhoneMac, "#4711");
  EXPECT_THAT(steps_, Contains("activation code accepted: onboarding profile applied"));
  EXPECT_EQ(phone.state().parameters().at("Proxy_1_").value(), "sip.acme.example");
}

TEST_F(AgentActivationTest, ATypoIsRefusedWithoutOnboarding) {
  std::string code = CreateCode();
  code.back() = code.back() == '9' ? '0' : static_cast<char>(code.back() + 1);
  agent::Phone phone = Provision(kPhoneMac, code);
  EXPECT_THAT(steps_, Contains(::testing::HasSubstr("check digit")));
  EXPECT_EQ(phone.state().last_outcome(), "C");  // 400: bad input, not "no such code"
  EXPECT_FALSE(phone.state().parameters().contains("Profile_Rule"));
}

TEST_F(AgentActivationTest, ARedirectToTheActivationScreenTakesACodeThenTheCloudRegistration) {
  // The owner sends its phones to the activation screen (gds://); the code
  // typed there brings the profile rule and, to the phone that proved
  // itself with its factory certificate, its credential for registering.
  ClaimPhone("gds://");  // the layer is SetUp's
  agent::Phone phone =
      ProvisionSecurely(::onramp::testing::NewPhone("gds-phone", kPhoneMac, dir_), CreateCode());
  EXPECT_THAT(steps_, Contains("customization state: pending -> custom_pending"));
  EXPECT_THAT(steps_, Contains("activation code accepted: onboarding profile applied"));
  EXPECT_THAT(steps_, Contains("registered with the cloud: device certificate stored"));
  EXPECT_TRUE(phone.state().registered());
  EXPECT_EQ(phone.state().customization_state(), "acquired") << phone.state().last_detail();
  EXPECT_EQ(phone.state().parameters().at("Proxy_1_").value(), "sip.acme.example");
  FlushDeliveries();
  EXPECT_THAT(TimelineKinds(kPhoneMac), ::testing::UnorderedElementsAre("claimed", "lookup", "activation", "registered",
                                                                       "profile_fetched", "state", "acquired"));
}

TEST_F(AgentActivationTest, ACodeBringsAnUnclaimedPhoneItsKeyAndItReadsItsSecretsOverPlainHttp) {
  PutPhoneLayer(/*with_secret=*/true);  // acme's, for the phone it hands the code to
  const std::string code = CreateCode();
  const std::string dir = ::onramp::testing::NewPhone("code-secrets", kPhoneMac, dir_);
  agent::Phone phone = ProvisionSecurely(dir, code);
  EXPECT_EQ(phone.state().last_outcome(), "A") << phone.state().last_detail();
  EXPECT_EQ(phone.state().parameters().at("Password_1_").value(), "s3cret-sip-password");
  EXPECT_THAT(steps_, Contains(HasSubstr("resync: 200 from http://")));
  EXPECT_TRUE(phone.state().registered());
  // Redeeming acme's code made the phone acme's.
  grpc::ClientContext context;
  device::v1::DeviceRequest request;
  request.set_partner("acme");
  request.mutable_mac()->set_value(kPhoneMac);
  device::v1::Device device;
  ASSERT_TRUE(devices_->GetDevice(&context, request, &device).ok());
}

TEST_F(AgentActivationTest, APhoneWhoseAnswerWasLostTypesTheCodeAgainAndGetsItAgain) {
  ClaimPhone("gds://");  // acme sends the phone to its activation screen
  PutPhoneLayer(/*with_secret=*/true);
  const std::string code = CreateCode();
  const std::string dir = ::onramp::testing::NewPhone("lost-answer", kPhoneMac, dir_);
  // The phone sends the code, and its power fails before it stores the
  // answer: in effect it never got it (the redemption did happen).
  ::onramp::testing::ShellResult lost = ::onramp::testing::RunShell(absl::StrCat(
      "curl -s -o /dev/null -w '%{http_code}' --cacert ", dir_, "/ca.pem --cert ", dir_, "/factory.pem --key ", dir_,
      "/factory.key -A 'Cisco-CP-8851-3PCC/12.0.1 (", kPhoneMac, ")' -d code=", code, " ", tls_base_, "/activation"));
  ASSERT_EQ(lost.output, "200");
  agent::Phone phone = ProvisionSecurely(dir, code);
  EXPECT_THAT(steps_, Contains("activation code accepted: onboarding profile applied"));
  EXPECT_EQ(phone.state().last_outcome(), "A") << phone.state().last_detail();
  EXPECT_EQ(phone.state().parameters().at("Password_1_").value(), "s3cret-sip-password");
  EXPECT_TRUE(phone.state().registered());
}

TEST_F(AgentActivationTest, WithTheRegistrationSwitchOffThePhoneStaysUnregistered) {
  ClaimPhone("gds://");  // the layer is SetUp's
  const std::string dir = ::onramp::testing::NewPhone("switched-off", kPhoneMac, dir_);
  absl::StatusOr<agent::v1::PhoneState> state = agent::LoadState(dir);
  ASSERT_TRUE(state.ok());
  (*state->mutable_parameters())["Cloud_Registration_Enable"].set_value("No");
  ASSERT_TRUE(agent::SaveState(dir, *state).ok());
  agent::Phone phone = ProvisionSecurely(dir, CreateCode());
  EXPECT_FALSE(phone.state().registered());
  EXPECT_EQ(phone.state().customization_state(), "acquired") << phone.state().last_detail();
  EXPECT_THAT(TimelineKinds(kPhoneMac), Not(Contains("registered")));
}

TEST_F(AgentActivationTest, TheBinaryAsksForTheCodeAtItsPrompt) {
  const std::string code = CreateCode();
  const std::string dir = ::onramp::testing::NewPhone("prompted", kPhoneMac, dir_);
  ::onramp::testing::ShellResult typed = ::onramp::testing::RunShell(
      absl::StrCat("printf '%s\\n' ", code, " | device-agent/device-agent resync --code - --state_dir ", dir,
                   " --activation_url ", base_, " 2>&1"));
  EXPECT_EQ(typed.exit_code, 0) << typed.output;
  EXPECT_THAT(typed.output, ::testing::HasSubstr("Activation code: "));
  EXPECT_THAT(typed.output, ::testing::HasSubstr("activation code accepted"));
  // Nothing typed: the phone stays at its screen.
  const std::string waiting = ::onramp::testing::NewPhone("left-waiting", "000e08aabbcd", dir_);
  ::onramp::testing::ShellResult nothing = ::onramp::testing::RunShell(absl::StrCat(
      "device-agent/device-agent resync --code - --state_dir ", waiting, " --activation_url ", base_, " </dev/null"));
  EXPECT_THAT(nothing.output, ::testing::Not(::testing::HasSubstr("activation code accepted")));
  EXPECT_THAT(nothing.output, ::testing::HasSubstr("state unavailable"));
}

}  // namespace
}  // namespace onramp
