// A phone behind an HTTP proxy (tinyproxy from Debian, on loopback): its
// plain requests go to the proxy in absolute form, its HTTPS ones through a
// CONNECT tunnel, with TLS end to end to the gateway.

#include <sys/socket.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "device-agent/phone.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/free_port.h"
#include "lib/testing/subprocess.h"
#include "tests/e2e/new_phone.h"
#include "tests/onboarding/gateway_fleet.h"

namespace onramp {
namespace {

using ::onramp::testing::kPhoneMac;
using ::testing::HasSubstr;

class AgentProxyTest : public ::onramp::testing::GatewayFleetTest {
 protected:
  // tinyproxy on a free port, with `extra` lines of configuration.
  void StartProxy(const std::string& extra = "") {
    proxy_port_ = ::onramp::testing::FreeLoopbackPort(SOCK_STREAM);
    std::string config = ::testing::TempDir() + "/tinyproxy.conf";
    std::ofstream(config) << "Port " << proxy_port_ << "\nListen 127.0.0.1\nTimeout 30\nLogLevel Info\n"
                          << "MaxClients 20\nAllow 127.0.0.1\n" << extra;
    absl::StatusOr<std::unique_ptr<::onramp::testing::Subprocess>> proxy =
        ::onramp::testing::Subprocess::Start({"/bin/sh", "-c", "exec /usr/bin/tinyproxy -d -c " + config + " 1>&2"});  // it logs to stdout
    ASSERT_TRUE(proxy.ok()) << proxy.status();
    proxy_ = *std::move(proxy);
    absl::StatusOr<std::string> ready = proxy_->WaitForLine(
        [](std::string_view line) { return line.find("Accepting connections") != std::string_view::npos; },
        absl::Seconds(10));
    ASSERT_TRUE(ready.ok()) << ready.status() << "\n" << proxy_->output();
  }

  int proxy_port_ = 0;
  std::unique_ptr<::onramp::testing::Subprocess> proxy_;
};

TEST_F(AgentProxyTest, RedirectAndHttpsProfileGoThroughTheProxy) {
  StartProxy();
  ClaimAndProfile(false, tls_base_ + "/profile/$MA.xml");
  absl::StatusOr<agent::Phone> phone = agent::Phone::Load({.state_dir = ::onramp::testing::NewPhone("proxied", kPhoneMac, dir_),
                                                           .activation_url = base_,
                                                           .ca_file = dir_ + "/ca.pem",
                                                           .proxy = absl::StrCat("127.0.0.1:", proxy_port_)});
  ASSERT_TRUE(phone.ok());
  ASSERT_TRUE(phone->Provision().ok());
  EXPECT_EQ(phone->state().customization_state(), "acquired") << phone->state().last_detail();
  EXPECT_EQ(phone->state().parameters().at("Proxy_1_").value(), "sip.acme.example");
  // The proxy saw both: the redirect in absolute form, the profile tunnelled.
  absl::StatusOr<std::string> tunnel = proxy_->WaitForLine(
      [](std::string_view line) { return line.find("CONNECT 127.0.0.1:") != std::string_view::npos; },
      absl::Seconds(5));
  EXPECT_TRUE(tunnel.ok()) << proxy_->output();
  EXPECT_THAT(proxy_->output(), HasSubstr(absl::StrCat("GET ", base_, "/device/")));
}

TEST_F(AgentProxyTest, AProxyAskingForCredentialsGetsThePhones) {
  StartProxy("BasicAuth phone proxy-secret\n");
  ClaimAndProfile(false, tls_base_ + "/profile/$MA.xml");
  // Configured before it left the warehouse: the proxy and its credentials.
  const std::string dir =
      ::onramp::testing::NewPhoneBehindProxy("proxied-with-credentials", kPhoneMac, dir_, proxy_port_, "phone", "proxy-secret");
  std::vector<std::string> steps;
  agent::Phone phone =
      ::onramp::testing::LoadPhone({.state_dir = dir, .activation_url = base_, .ca_file = dir_ + "/ca.pem"}, &steps);
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_THAT(steps, ::testing::Contains("proxy asked for credentials (407)"));
  EXPECT_EQ(phone.state().parameters().at("Proxy_1_").value(), "sip.acme.example");

  // Wrong credentials: nothing gets through.
  StartProxy("BasicAuth phone another-secret\n");
  const std::string other =
      ::onramp::testing::NewPhoneBehindProxy("proxied-wrongly", kPhoneMac, dir_, proxy_port_, "phone", "proxy-secret");
  absl::StatusOr<agent::Phone> refused = agent::Phone::Load({.state_dir = other, .activation_url = base_});
  ASSERT_TRUE(refused.ok());
  ASSERT_TRUE(refused->Provision().ok());
  EXPECT_FALSE(refused->state().parameters().contains("Profile_Rule"));
}

}  // namespace
}  // namespace onramp
