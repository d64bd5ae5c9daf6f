// A device agent in TR-069 mode through the real fleet: its lease names the
// ACS (DHCP option 43, the gateway's /cwmp), so it opens a session with a
// "0 BOOTSTRAP" Inform over mutual TLS with its factory certificate; the
// ACS sets its profile with SetParameterValues and walks it up its
// two-hop firmware plan with Downloads, each told back by a TransferComplete
// after the reboot; then an unchanged phone costs one Inform.

#include <vector>

#include "absl/strings/str_cat.h"
#include "device-agent/phone.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/new_phone.h"
#include "tests/onboarding/gateway_fleet.h"

namespace onramp {
namespace {

using ::onramp::testing::kHopMiddle;
using ::onramp::testing::kHopStart;
using ::onramp::testing::kHopTarget;
using ::onramp::testing::kPhoneMac;
using ::onramp::testing::kPhoneModel;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::Not;

class AgentTr069Test : public ::onramp::testing::GatewayFleetTest {
 protected:
  void SetUp() override {
    GatewayFleetTest::SetUp();
    if (HasFatalFailure()) return;
    PlanTwoHopUpgrade(300 * 1024);
    ClaimAndProfile(/*with_secret=*/true);
  }

  agent::Phone Load(const std::string& dir) {
    return ::onramp::testing::LoadPhone(
        {.state_dir = dir, .ca_file = dir_ + "/ca.pem", .dhcp_options = {{43, tls_base_ + "/cwmp"}}}, &steps_);
  }

  std::vector<std::string> steps_;
};

TEST_F(AgentTr069Test, APhoneFoundByOption43IsProfiledAndUpgradedInTwoHopsByItsAcs) {
  const std::string dir = ::onramp::testing::NewPhone("tr069-phone", kPhoneMac, dir_, kPhoneModel, kHopStart);
  agent::Phone phone = Load(dir);
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_EQ(phone.state().last_outcome(), "A") << phone.state().last_detail();
  EXPECT_THAT(steps_, IsSupersetOf(std::vector<std::string>{
                          absl::StrCat("TR-069: Inform (0 BOOTSTRAP) to ", tls_base_, "/cwmp"),
                          "TR-069: SetParameterValues -> SetParameterValuesResponse",
                          "TR-069: Download -> DownloadResponse",
                          absl::StrCat("rebooted into ", kHopMiddle),
                          absl::StrCat("TR-069: Inform (1 BOOT, 7 TRANSFER COMPLETE, M Download) to ", tls_base_,
                                       "/cwmp"),
                          "TR-069: TransferComplete (0)",
                          absl::StrCat("rebooted into ", kHopTarget),
                      }));
  EXPECT_EQ(phone.state().firmware(), kHopTarget);
  // The profile arrived by its TR-069 paths, its secret too (mutual TLS).
  EXPECT_EQ(phone.state().parameters().at("Proxy_1_").value(), "sip.acme.example");
  EXPECT_EQ(phone.state().parameters().at("Password_1_").value(), "s3cret-sip-password");
  // Over TR-069 the upgrade is the ACS's Download, not the phone's rule.
  EXPECT_FALSE(phone.state().parameters().contains("Upgrade_Rule"));
  int succeeded = 0;
  for (const std::string& kind : TimelineKinds(kPhoneMac)) succeeded += kind == "upgrade_succeeded";
  EXPECT_EQ(succeeded, 2);

  // Up to date and at its profile's ParameterKey: one Inform, nothing asked.
  steps_.clear();
  agent::Phone again = Load(dir);
  ASSERT_TRUE(again.Provision().ok());
  EXPECT_THAT(steps_, Contains(absl::StrCat("TR-069: Inform (2 PERIODIC) to ", tls_base_, "/cwmp")));
  for (const std::string& step : steps_) EXPECT_THAT(step, Not(HasSubstr("SetParameterValues"))) << step;
  EXPECT_THAT(steps_, Contains("TR-069: session ended by the ACS"));
}

TEST_F(AgentTr069Test, APhoneWithoutACertificateGetsNothingFromTheAcs) {
  const std::string dir = ::onramp::testing::NewPhone("old-tr069-phone", kPhoneMac, "", kPhoneModel, kHopStart);
  agent::Phone phone = Load(dir);
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_EQ(phone.state().last_outcome(), "C");
  EXPECT_THAT(steps_, Contains("TR-069: Inform: the ACS answered HTTP 401"));
  EXPECT_FALSE(phone.state().parameters().contains("Proxy_1_"));
  EXPECT_EQ(phone.state().firmware(), kHopStart);
}

}  // namespace
}  // namespace onramp
