// LAN pre-provisioning: a phone whose DHCP lease names a TFTP provisioning
// URL fetches its redirect from the gateway's TFTP listener, never asks the
// activation service (Aborted, as the seed document says for DHCP), and on
// its next pass follows the partner's rule to its profile.

#include <filesystem>
#include <fstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "device-agent/phone.h"
#include "device-agent/state.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/gateway/dhcp_leases.h"
#include "services/gateway/tftp_server.h"
#include "services/gateway/wiring.h"
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

TEST_F(AgentTftpTest, TheFactoryDefaultPnCfgOverTftpFindsThePhoneByItsLease) {
  ClaimAndProfile(false, base_ + "/profile/$MA.xml");
  // The LAN's DHCP server leased this address to the phone.
  const std::string lease_file = ::testing::TempDir() + "/dnsmasq.leases";
  std::ofstream(lease_file) << "1767225600 00:0e:08:aa:bb:cc 127.0.0.1 SEP000E08AABBCC *\n";
  gateway::DhcpLeases leases(lease_file);
  std::unique_ptr<gateway::TftpServer> lan_tftp =
      *gateway::TftpServer::Start({.host = "127.0.0.1", .threads = 1}, gateway::TftpFiles(handlers_.handler, &leases));
  const std::string dir = ::onramp::testing::NewPhone("tftp-factory", kPhoneMac, dir_);
  agent::Phone phone = Load(dir, {});
  // Pre-provisioned on the LAN: the factory rule, &PN.cfg from its TFTP server.
  ASSERT_TRUE(phone.Set("Profile_Rule", absl::StrCat("tftp://127.0.0.1:", lan_tftp->port(), "/$PN.cfg")).ok());
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_THAT(steps_, Contains(HasSubstr("resync: TFTP got 127.0.0.1")));
  EXPECT_EQ(phone.state().last_outcome(), "A") << phone.state().last_detail();
  EXPECT_EQ(phone.state().parameters().at("Profile_Rule").value(), base_ + "/profile/$MA.xml");
  // A lease is a claim, as a User-Agent is: the rule and nothing secret.
  EXPECT_FALSE(phone.state().parameters().contains("Cloud_Registration_Credential"));
  EXPECT_FALSE(phone.state().parameters().contains("GPP_SA"));
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_EQ(phone.state().parameters().at("Proxy_1_").value(), "sip.acme.example");
  EXPECT_FALSE(phone.state().registered());
}

TEST_F(AgentTftpTest, WithoutALeaseAnUnknownPhoneIsToldToNameItself) {
  const std::string dir = ::onramp::testing::NewPhone("tftp-unknown", kPhoneMac, dir_);
  agent::Phone phone = Load(dir, {});
  ASSERT_TRUE(phone.Set("Profile_Rule", absl::StrCat("tftp://127.0.0.1:", tftp_->port(), "/$PN.cfg")).ok());
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_EQ(phone.state().last_outcome(), "A") << phone.state().last_detail();
  EXPECT_EQ(phone.state().parameters().at("Profile_Rule").value(), "/device/$PN/$MA");
  // $MA.cfg cannot name the model over TFTP: not found, and the phone says why.
  ASSERT_TRUE(phone.Set("Profile_Rule", absl::StrCat("tftp://127.0.0.1:", tftp_->port(), "/$MA.cfg")).ok());
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_EQ(phone.state().last_outcome(), "B");
  EXPECT_THAT(phone.state().last_detail(), HasSubstr("names no model"));
}

}  // namespace
}  // namespace onramp
