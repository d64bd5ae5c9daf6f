// LAN pre-provisioning: a phone whose DHCP lease names a TFTP provisioning
// URL fetches its redirect from the gateway's TFTP listener, never asks the
// activation service (Aborted, as the seed document says for DHCP), and on
// its next pass follows the partner's rule to its profile.

#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "device-agent/phone.h"
#include "device-agent/state.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/new_phone.h"
#include "tests/onboarding/gateway_fleet.h"

namespace onramp {
namespace {

using ::onramp::testing::kPhoneMac;
using ::onramp::testing::kPhoneModel;
using ::testing::Contains;
using ::testing::HasSubstr;

class AgentTftpTest : public ::onramp::testing::GatewayFleetTest {
 protected:
  agent::Phone Load(const std::string& dir, std::map<int, std::string> dhcp) {
    return ::onramp::testing::LoadPhone(
        {.state_dir = dir, .activation_url = base_, .dhcp_options = std::move(dhcp)}, &steps_);
  }
  std::vector<std::string> steps_;
};

TEST_F(AgentTftpTest, ADhcpProvisioningUrlOverTftpLeadsToTheProfile) {
  ClaimAndProfile(false, base_ + "/profile/$MA.xml");
  const std::string dir = ::onramp::testing::NewPhone("tftp-phone", kPhoneMac, dir_);
  const std::map<int, std::string> lease = {
      {160, absl::StrCat("tftp://127.0.0.1:", tftp_->port(), "/device/$PN/$MA")},
      {43, "https://acs.isp.example:7547/cwmp"}};

  agent::Phone first = Load(dir, lease);
  ASSERT_TRUE(first.Provision().ok());
  EXPECT_THAT(steps_, Contains(HasSubstr("DHCP option 160")));
  EXPECT_THAT(steps_, Contains("customization state: open -> aborted"));
  EXPECT_THAT(steps_, Contains(HasSubstr("resync: TFTP got 127.0.0.1")));
  for (const std::string& step : steps_) EXPECT_THAT(step, ::testing::Not(HasSubstr("redirect query")));
  EXPECT_EQ(first.state().parameters().at("Profile_Rule").value(), base_ + "/profile/$MA.xml");
  // The same lease named a TR-069 ACS (option 43): kept, for the phone's
  // CWMP client, which the agent does not simulate.
  EXPECT_EQ(first.state().parameters().at("ACS_URL").value(), "https://acs.isp.example:7547/cwmp");

  agent::Phone second = Load(dir, lease);
  ASSERT_TRUE(second.Provision().ok());
  EXPECT_EQ(second.state().parameters().at("Proxy_1_").value(), "sip.acme.example");
  EXPECT_EQ(second.state().customization_state(), "aborted");
  EXPECT_EQ(second.state().last_outcome(), "A");
  // TFTP proves nothing about the phone: the redirect gave the rule only
  // (no credential, so no registration), and the profile it fetched is a
  // fetch anyone could have made.
  EXPECT_FALSE(second.state().registered());
  FlushDeliveries();
  EXPECT_THAT(TimelineKinds(kPhoneMac), ::testing::ElementsAre("claimed", "profile_fetched"));
}

TEST_F(AgentTftpTest, AnUnclaimedPhoneOverTftpIsOutcomeB) {
  const std::string dir = ::onramp::testing::NewPhone("tftp-stranger", "000e08aabbdd", dir_);
  agent::Phone phone = Load(dir, {{160, absl::StrCat("tftp://127.0.0.1:", tftp_->port(), "/device/$PN/$MA")}});
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_EQ(phone.state().last_outcome(), "B");  // TFTP "file not found", as a 404
}

}  // namespace
}  // namespace onramp
