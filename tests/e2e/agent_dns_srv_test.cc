// Discovery by DNS SRV: a phone whose DHCP lease names only a domain asks a
// real DNS server (dnsmasq from Debian, on loopback) for
// _ciscoprov-https._tls.<domain>, tries the records in the documented order
// (priority, then weight), skips one that does not answer, and provisions
// from the first that does, over verified HTTPS.

#include <sys/socket.h>

#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"
#include "device-agent/phone.h"
#include "device-agent/srv_lookup.h"
#include "device-agent/state.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/free_port.h"
#include "lib/testing/subprocess.h"
#include "tests/e2e/new_phone.h"
#include "tests/onboarding/gateway_fleet.h"

namespace onramp {
namespace {

using ::onramp::testing::kPhoneMac;
using ::onramp::testing::kPhoneModel;
using ::testing::Contains;
using ::testing::HasSubstr;

class AgentDnsSrvTest : public ::onramp::testing::GatewayFleetTest {
 protected:
  void SetUp() override {
    GatewayFleetTest::SetUp();
    if (HasFatalFailure()) return;
    dns_port_ = ::onramp::testing::FreeLoopbackPortForUdpAndTcp();
    int https_port = tls_gateway_->port();
    // Priority 5, then 10 (weight 1 before 5), then 20. The first names a
    // host outside the DHCP domain and the second a port nobody listens on,
    // so the phone must move on to the third.
    absl::StatusOr<std::unique_ptr<::onramp::testing::Subprocess>> dns = ::onramp::testing::Subprocess::Start(
        {"/usr/sbin/dnsmasq", "--keep-in-foreground", "--log-facility=-", "--no-resolv", "--no-hosts",
         absl::StrCat("--pid-file=", ::testing::TempDir(), "/dnsmasq.pid"),
         "--bind-interfaces", "--listen-address=127.0.0.1", "--local=/onramp.test/", absl::StrCat("--port=", dns_port_),
         "--host-record=gw.onramp.test,127.0.0.1",
         absl::StrCat("--srv-host=_ciscoprov-https._tls.onramp.test,gw.onramp.test,", https_port, ",20,0"),
         absl::StrCat("--srv-host=_ciscoprov-https._tls.onramp.test,gw.onramp.test,1,10,1"),
         absl::StrCat("--srv-host=_ciscoprov-https._tls.onramp.test,gw.onramp.test,", https_port, ",10,5"),
         absl::StrCat("--srv-host=_ciscoprov-https._tls.onramp.test,localhost,", https_port, ",5,0")});
    ASSERT_TRUE(dns.ok()) << dns.status();
    dns_ = *std::move(dns);
    absl::StatusOr<std::string> started =
        dns_->WaitForLine([](std::string_view line) { return line.find("started") != std::string_view::npos; },
                          absl::Seconds(10));
    ASSERT_TRUE(started.ok()) << started.status() << "\n" << dns_->output();
  }

  int dns_port_ = 0;
  std::unique_ptr<::onramp::testing::Subprocess> dns_;
};

TEST_F(AgentDnsSrvTest, RecordsComeInPriorityThenWeightOrder) {
  absl::StatusOr<std::vector<agent::SrvRecord>> records =
      agent::LookupSrv("_ciscoprov-https._tls.onramp.test", absl::StrCat("127.0.0.1:", dns_port_));
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 4u);
  EXPECT_EQ((*records)[0].target, "localhost");  // priority 5
  EXPECT_EQ((*records)[1].port, 1);              // priority 10, weight 1
  EXPECT_EQ((*records)[2].weight, 5);            // priority 10, weight 5
  EXPECT_EQ((*records)[3].priority, 20);
  EXPECT_EQ(*agent::LookupAddress("gw.onramp.test", absl::StrCat("127.0.0.1:", dns_port_)), "127.0.0.1");
  EXPECT_EQ(agent::LookupSrv("_ciscoprov-http._tcp.onramp.test", absl::StrCat("127.0.0.1:", dns_port_))
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST_F(AgentDnsSrvTest, APhoneWithOnlyADomainProvisionsFromTheFirstReachableServer) {
  ClaimAndProfile(false, tls_base_ + "/profile/$MA.xml");
  const std::string dir = ::onramp::testing::NewPhone("srv-phone", kPhoneMac, dir_);
  std::vector<std::string> steps;
  auto load = [&] {
    return ::onramp::testing::LoadPhone({.state_dir = dir,
                                         .ca_file = dir_ + "/ca.pem",
                                         .dhcp_options = {{15, "onramp.test"}},
                                         .dns_resolver = absl::StrCat("127.0.0.1:", dns_port_)},
                                        &steps);
  };
  agent::Phone first = load();
  ASSERT_TRUE(first.Provision().ok());
  EXPECT_THAT(steps, Contains(HasSubstr("localhost is outside the domain onramp.test")));
  EXPECT_THAT(steps, Contains(HasSubstr("gw.onramp.test:1 unreachable")));
  EXPECT_THAT(steps, Contains(absl::StrCat("DNS SRV _ciscoprov-https._tls.onramp.test: Profile_Rule https://gw.onramp.test:",
                                           tls_gateway_->port(), "/$PSN.xml")));
  EXPECT_THAT(steps, Contains("customization state: open -> aborted"));
  // $PSN.xml is the factory file the gateway answers with the redirect;
  // asked over HTTPS with the phone's factory certificate, it carries the
  // phone's key too.
  EXPECT_EQ(first.state().parameters().at("Profile_Rule").value(),
            absl::StrCat("[--key \"$SA\"] ", tls_base_, "/profile/$MA.xml"));

  agent::Phone second = load();
  ASSERT_TRUE(second.Provision().ok());
  EXPECT_EQ(second.state().parameters().at("Proxy_1_").value(), "sip.acme.example");
  // Fetched with the factory certificate: the phone's own fetch.
  FlushDeliveries();
  EXPECT_THAT(TimelineKinds(kPhoneMac), ::testing::ElementsAre("claimed", "lookup", "profile_delivered", "acquired"));
}

TEST_F(AgentDnsSrvTest, ASrvRuleFetchesItsProfileFromTheServerTheRecordsName) {
  ClaimAndProfile(false, tls_base_ + "/profile/$MA.xml");
  const std::string dir = ::onramp::testing::NewPhone("srv-rule-phone", kPhoneMac, dir_);
  std::vector<std::string> steps;
  agent::Phone phone = ::onramp::testing::LoadPhone(
      {.state_dir = dir, .ca_file = dir_ + "/ca.pem", .dns_resolver = absl::StrCat("127.0.0.1:", dns_port_)}, &steps);
  // Provisioned on the LAN with a rule whose host is the SRV domain.
  ASSERT_TRUE(phone.Set("Profile_Rule", "[--srv] https://onramp.test/profile/$MA.xml").ok());
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_THAT(steps, Contains(absl::StrCat("DNS SRV _ciscoprov-https._tls.onramp.test: gw.onramp.test:",
                                           tls_gateway_->port())));
  EXPECT_EQ(phone.state().last_outcome(), "A") << phone.state().last_detail();
  EXPECT_EQ(phone.state().parameters().at("Proxy_1_").value(), "sip.acme.example");
}

}  // namespace
}  // namespace onramp
