// Someone who knows a claimed phone's MAC, model and serial (printed on its
// box) tries every phone route of the real fleet from another address:
// plain HTTP, HTTPS without a certificate, HTTPS with a self-made
// certificate claiming the MAC, HTTPS with a genuine factory certificate of
// another phone, TFTP, /register, /state, /report and /activation. They get
// the partner's Profile_Rule, which is not secret, and nothing else: no
// credential, no key, no readable secret; the phone's state, its partner's
// rollout and its partner's activation codes are as they were, and the
// genuine phone onboards afterwards as if nobody had tried.

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "device-agent/phone.h"
#include "device-agent/state.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/phone/profile_crypto/openssl_enc.h"
#include "lib/testing/shell.h"
#include "tests/e2e/new_phone.h"
#include "tests/onboarding/gateway_fleet.h"

namespace onramp {
namespace {

using ::onramp::testing::kPhoneMac;
using ::onramp::testing::kPhoneModel;
using ::onramp::testing::RunShell;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "s3cret-sip-password";
// What the box says: the phone's User-Agent is no secret either.
constexpr char kStolenAgent[] = "-A 'Cisco-CP-8851-3PCC/12.0.1 (000e08aabbcc)(FCH2233ABCD)' ";

class AttackerTest : public ::onramp::testing::GatewayFleetTest {
 protected:
  void SetUp() override {
    GatewayFleetTest::SetUp();
    if (HasFatalFailure()) return;
    // acme's phone: claimed, its profile holds a SIP password and comes over
    // plain HTTP, and a rollout of its model is under way.
    ClaimAndProfile(/*with_secret=*/true, base_ + "/profile/$MA.xml");
    UploadImage("sip88xx.12-0-1MPP0001-245.loads", "the image rolled out");
    grpc::ClientContext context;
    firmware::v1::CreateRolloutRequest create;
    create.set_partner("acme");
    create.set_model(kPhoneModel);
    create.set_target_version("12-0-1MPP0001-245");
    firmware::v1::RolloutStage* stage = create.add_stages();
    stage->set_percent(100);
    stage->mutable_min_soak()->set_seconds(3600);
    create.set_failure_threshold_percent(10);
    ASSERT_TRUE(firmware_->CreateRollout(&context, create, &rollout_).ok());
  }

  // curl from the attacker's own address.
  std::string Attack(const std::string& arguments) {
    return ::onramp::testing::Curl(absl::StrCat("--interface 127.0.0.2 ", arguments));
  }
  std::string AttackTls(const std::string& arguments) {
    return Attack(absl::StrCat("--cacert ", dir_, "/ca.pem ", arguments));
  }

  // Nothing an attacker may carry away from an answer.
  static void ExpectNothingSecret(const std::string& answer, const std::string& route) {
    SCOPED_TRACE(route);
    EXPECT_THAT(answer, Not(HasSubstr(kSecret)));
    EXPECT_THAT(answer, Not(HasSubstr("Cloud_Registration_Credential")));
    EXPECT_THAT(answer, Not(HasSubstr("GPP_SA")));
    EXPECT_THAT(answer, Not(HasSubstr("IKM_HTTP_Encrypt_Content")));
    EXPECT_THAT(answer, Not(HasSubstr("--key")));
    EXPECT_THAT(answer, Not(HasSubstr("BEGIN CERTIFICATE")));
  }

  firmware::v1::Rollout Rollout() {
    grpc::ClientContext context;
    firmware::v1::RolloutRef ref;
    ref.set_partner("acme");
    ref.set_id(rollout_.id());
    firmware::v1::Rollout now;
    EXPECT_TRUE(firmware_->GetRollout(&context, ref, &now).ok());
    return now;
  }

  std::string CreateCode() {
    grpc::ClientContext context;
    activation::v1::CreateCodesRequest create;
    create.set_partner("acme");
    create.set_count(1);
    create.set_idempotency_key(absl::StrCat("codes-", ++codes_made_));
    create.mutable_target()->set_profile_rule(base_ + "/profile/$MA.xml");
    activation::v1::CreateCodesResponse created;
    EXPECT_TRUE(codes_->CreateCodes(&context, create, &created).ok());
    return created.codes(0).code();
  }

  firmware::v1::Rollout rollout_;
  int codes_made_ = 0;
  std::vector<std::string> steps_;
};

TEST_F(AttackerTest, KnowingAMacModelAndSerialGetsNothingButTheRule) {
  const std::string redirect = absl::StrCat("/device/", kPhoneModel, "/", kPhoneMac);
  const std::string rule = absl::StrCat("<Profile_Rule ua=\"na\">", base_, "/profile/$MA.xml</Profile_Rule>");
  // The redirect, over every channel and under every name a phone asks by.
  for (const std::string& route : {redirect, std::string("/000e08aabbcc.cfg"), std::string("/CP-8851-3PCC.cfg"),
                                   std::string("/8851-3PCC.xml"), std::string("/FCH2233ABCD.xml")}) {
    std::string plain = Attack(absl::StrCat(kStolenAgent, base_, route));
    EXPECT_THAT(plain, AllOf(HasSubstr("HTTP/1.1 200"), HasSubstr(rule))) << route;
    ExpectNothingSecret(plain, "HTTP " + route);
    std::string tls = AttackTls(absl::StrCat(kStolenAgent, tls_base_, route));
    EXPECT_THAT(tls, AllOf(HasSubstr("HTTP/1.1 200"), HasSubstr(rule))) << route;
    ExpectNothingSecret(tls, "HTTPS " + route);
  }
  // A self-made certificate claiming the MAC: the handshake fails.
  std::string forged = AttackTls(absl::StrCat("--cert ", dir_, "/impostor.pem --key ", dir_, "/impostor.key ",
                                              kStolenAgent, tls_base_, redirect));
  EXPECT_THAT(forged, Not(HasSubstr("HTTP/1.1")));
  // A genuine factory certificate, of the attacker's own phone, proves
  // nothing about this one.
  const std::string own = ::onramp::testing::NewPhone("attackers-own-phone", "000e08ffffff", dir_);
  absl::StatusOr<agent::v1::PhoneState> own_state = agent::LoadState(own);
  ASSERT_TRUE(own_state.ok());
  std::ofstream(own + "/factory.pem") << own_state->factory_cert_pem();
  std::ofstream(own + "/factory.key") << own_state->factory_key_pem();
  std::string borrowed = AttackTls(absl::StrCat("--cert ", own, "/factory.pem --key ", own, "/factory.key ",
                                                kStolenAgent, tls_base_, redirect));
  EXPECT_THAT(borrowed, HasSubstr("HTTP/1.1 200"));
  ExpectNothingSecret(borrowed, "another phone's factory certificate");
  EXPECT_THAT(AttackTls(absl::StrCat("--cert ", own, "/factory.pem --key ", own, "/factory.key ", kStolenAgent,
                                     tls_base_, "/profile/000e08aabbcc.xml")),
              HasSubstr("HTTP/1.1 403"));
  // TFTP.
  const std::string tftp_file = ::testing::TempDir() + "/attacker-tftp.xml";
  ::onramp::testing::ShellResult got = RunShell(absl::StrCat("atftp -g -r device/", kPhoneModel, "/", kPhoneMac,
                                                             " -l ", tftp_file, " 127.0.0.1 ", tftp_->port()));
  ASSERT_EQ(got.exit_code, 0) << got.output;
  EXPECT_THAT(::onramp::testing::ReadFile(tftp_file), HasSubstr(rule));
  ExpectNothingSecret(::onramp::testing::ReadFile(tftp_file), "TFTP");

  // The profile itself, over HTTP and HTTPS: served, and unreadable.
  for (const std::string& url : {base_ + "/profile/000e08aabbcc.xml", tls_base_ + "/profile/000e08aabbcc.xml"}) {
    std::string profile = AttackTls(absl::StrCat(kStolenAgent, url));
    EXPECT_THAT(profile, HasSubstr("HTTP/1.1 200")) << url;
    ExpectNothingSecret(profile, url);
    EXPECT_THAT(profile, Not(HasSubstr("<flat-profile>"))) << url;
  }

  // Registration with a guessed credential, and in the clear.
  ASSERT_EQ(RunShell(absl::StrCat("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=",
                                  kPhoneMac, " -keyout ", dir_, "/attacker.key -out ", dir_, "/attacker.csr 2>&1"))
                .exit_code,
            0);
  const std::string csr = absl::StrCat(" --data-urlencode csr@", dir_, "/attacker.csr ");
  EXPECT_THAT(AttackTls(absl::StrCat(kStolenAgent, "-d credential=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", csr,
                                     tls_base_, "/register")),
              AllOf(HasSubstr("HTTP/1.1 403"), Not(HasSubstr("BEGIN CERTIFICATE"))));
  EXPECT_THAT(Attack(absl::StrCat(kStolenAgent, "-d credential=x", csr, base_, "/register")),
              HasSubstr("HTTP/1.1 403"));

  // Nothing the attacker did moved the phone or wrote its story.
  FlushDeliveries();
  EXPECT_EQ(CloudState(kPhoneMac), device::v1::CUSTOMIZATION_STATE_OPEN);
  EXPECT_THAT(TimelineKinds(kPhoneMac), Not(::testing::Contains(::testing::AnyOf("lookup", "registered",
                                                                                  "profile_delivered", "state"))));
}

TEST_F(AttackerTest, TheAttackerCannotMoveThePhoneHaltItsRolloutOrLockItsPartnerOut) {
  // The phone's state, in its name.
  for (const char* state : {"pending", "custom_pending", "acquired"}) {
    EXPECT_THAT(Attack(absl::StrCat(kStolenAgent, "-d state=", state, " ", base_, "/state")), HasSubstr("HTTP/1.1 403"));
    EXPECT_THAT(AttackTls(absl::StrCat(kStolenAgent, "-d state=", state, " ", tls_base_, "/state")),
                HasSubstr("HTTP/1.1 403"));
  }
  // Failed upgrades, in its name, over and over: kept, never counted.
  const std::string failure =
      "<flat-profile><Upgrade_Status>failed</Upgrade_Status><Upgrade_Error>brick</Upgrade_Error>"
      "<Upgrade_From>11-2-3MSR1-1</Upgrade_From><Upgrade_To>12-0-1MPP0001-245</Upgrade_To></flat-profile>";
  for (int i = 0; i < 10; ++i) {
    EXPECT_THAT(Attack(absl::StrCat(kStolenAgent, "--data-binary '", failure, "' ", base_, "/report/", kPhoneMac, ".xml")),
                HasSubstr("HTTP/1.1 200"));
  }
  // And a body that pretends to be encrypted with the phone's key.
  EXPECT_THAT(Attack(absl::StrCat(kStolenAgent, "--data-binary 'Salted__12345678garbage' ", base_, "/report/",
                                  kPhoneMac, ".xml")),
              HasSubstr("HTTP/1.1 400"));
  firmware::v1::Rollout after = Rollout();
  EXPECT_EQ(after.state(), firmware::v1::ROLLOUT_STATE_RUNNING);
  EXPECT_EQ(after.failures(), 0);

  // A used code, replayed from many addresses with many MACs; a code bound
  // to another phone, tried; guesses. None of it touches acme's budget.
  const std::string used = CreateCode();
  EXPECT_THAT(::onramp::testing::Curl(absl::StrCat("-A 'Cisco-CP-8851-3PCC/12.0.1 (000e08000001)' -d code=", used, " ",
                                                   base_, "/activation")),
              HasSubstr("HTTP/1.1 200"));
  std::string unknown_answer;
  for (int i = 0; i < 60; ++i) {
    std::string answer = ::onramp::testing::Curl(
        absl::StrCat("--interface 127.0.0.", 10 + i, " -A 'Cisco-CP-8851-3PCC/12.0.1 (000e080001", absl::Dec(10 + i),
                     ")' -d code=", used, " ", base_, "/activation"));
    EXPECT_THAT(answer, ::testing::AnyOf(HasSubstr("HTTP/1.1 404"), HasSubstr("HTTP/1.1 429"))) << i;
  }
  // The partner's fresh codes work for its phones, from the usual address.
  const std::string fresh = CreateCode();
  EXPECT_THAT(::onramp::testing::Curl(absl::StrCat("-A 'Cisco-CP-8851-3PCC/12.0.1 (000e08000002)' -d code=", fresh, " ",
                                                   base_, "/activation")),
              HasSubstr("HTTP/1.1 200"));

  // After all that, the genuine phone onboards as if nobody had tried.
  agent::Phone phone = ::onramp::testing::LoadPhone(
      {.state_dir = ::onramp::testing::NewPhone("genuine", kPhoneMac, dir_),
       .activation_url = tls_base_,
       .ca_file = dir_ + "/ca.pem"},
      &steps_);
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_EQ(phone.state().last_outcome(), "A") << phone.state().last_detail();
  EXPECT_EQ(phone.state().parameters().at("Password_1_").value(), kSecret);
  EXPECT_TRUE(phone.state().registered());
  EXPECT_EQ(CloudState(kPhoneMac), device::v1::CUSTOMIZATION_STATE_ACQUIRED);
}

}  // namespace
}  // namespace onramp
