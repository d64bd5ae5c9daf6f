// A phone behind a proxy that wants Digest credentials (squid from Debian,
// with its digest_file_auth helper, on loopback): the phone answers the 407
// with HTTP_Proxy_Username/Password, for its plain requests and its CONNECT
// tunnels alike.

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
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

class AgentProxyDigestTest : public ::onramp::testing::GatewayFleetTest {
 protected:
  void SetUp() override {
    GatewayFleetTest::SetUp();
    if (HasFatalFailure()) return;
    // Squid drops to its own user, who cannot reach Bazel's temporary
    // folders: its files live in a folder of their own under /tmp.
    port_ = ::onramp::testing::FreeLoopbackPort(SOCK_STREAM);
    squid_dir_ = absl::StrCat("/tmp/onramp-squid-", getpid(), "-", port_);
    std::filesystem::remove_all(squid_dir_);
    ASSERT_EQ(mkdir(squid_dir_.c_str(), 0777), 0);
    chmod(squid_dir_.c_str(), 0777);  // past the umask
    std::ofstream(squid_dir_ + "/passwd") << "phone:proxy-secret\n";
    std::ofstream(squid_dir_ + "/squid.conf")
        << "http_port 127.0.0.1:" << port_ << "\n"
        << "auth_param digest program /usr/lib/squid/digest_file_auth " << squid_dir_ << "/passwd\n"
        << "auth_param digest realm onramp-test-proxy\n"
        << "acl authenticated proxy_auth REQUIRED\n"
        << "http_access allow authenticated\nhttp_access deny all\ncache deny all\n"
        << "pid_filename " << squid_dir_ << "/squid.pid\n"
        << "access_log stdio:" << squid_dir_ << "/access.log\n"
        << "cache_log " << squid_dir_ << "/cache.log\ncoredump_dir " << squid_dir_ << "\n"
        << "shutdown_lifetime 0 seconds\n";
    absl::StatusOr<std::unique_ptr<::onramp::testing::Subprocess>> squid =
        ::onramp::testing::Subprocess::Start({"/usr/sbin/squid", "-N", "-d", "1", "-f", squid_dir_ + "/squid.conf"});
    ASSERT_TRUE(squid.ok()) << squid.status();
    squid_ = *std::move(squid);
    absl::StatusOr<std::string> ready = squid_->WaitForLine(
        [](std::string_view line) { return line.find("Accepting HTTP Socket connections") != std::string_view::npos; },
        absl::Seconds(20));
    ASSERT_TRUE(ready.ok()) << ready.status() << "\n" << squid_->output();
  }

  void TearDown() override {
    squid_.reset();
    std::filesystem::remove_all(squid_dir_);
    GatewayFleetTest::TearDown();
  }

  std::string AccessLog() {
    std::ifstream in(squid_dir_ + "/access.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::string squid_dir_;
  int port_ = 0;
  std::unique_ptr<::onramp::testing::Subprocess> squid_;
};

TEST_F(AgentProxyDigestTest, RedirectAndTunnelCarryDigestCredentials) {
  ClaimAndProfile(false, tls_base_ + "/profile/$MA.xml");
  std::vector<std::string> steps;
  agent::Phone phone = ::onramp::testing::LoadPhone(
      {.state_dir = ::onramp::testing::NewPhoneBehindProxy("digest-proxied", kPhoneMac, dir_, port_, "phone", "proxy-secret"),
       .activation_url = base_,
       .ca_file = dir_ + "/ca.pem"},
      &steps);
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_EQ(phone.state().customization_state(), "acquired") << phone.state().last_detail();
  EXPECT_EQ(phone.state().parameters().at("Proxy_1_").value(), "sip.acme.example");
  EXPECT_THAT(steps, ::testing::Contains("proxy asked for credentials (407)"));
  // Squid logs who it let through: the redirect (absolute form) and the
  // profile's tunnel, both as the phone's proxy user.
  squid_.reset();  // stopped, so its log is written out
  std::string log = AccessLog();
  EXPECT_THAT(log, HasSubstr(absl::StrCat("GET ", base_, "/device/CP-8851-3PCC/")));
  EXPECT_THAT(log, ::testing::ContainsRegex("CONNECT 127\\.0\\.0\\.1:[0-9]+ phone "));
}

TEST_F(AgentProxyDigestTest, WrongCredentialsGetNothingThrough) {
  ClaimAndProfile(false, tls_base_ + "/profile/$MA.xml");
  absl::StatusOr<agent::Phone> phone = agent::Phone::Load(
      {.state_dir =
           ::onramp::testing::NewPhoneBehindProxy("digest-refused", kPhoneMac, dir_, port_, "phone", "another-secret"),
       .activation_url = base_});
  ASSERT_TRUE(phone.ok());
  ASSERT_TRUE(phone->Provision().ok());
  EXPECT_FALSE(phone->state().parameters().contains("Profile_Rule"));
  squid_.reset();
  // The redirect query: asked without credentials, then with them twice
  // (at most), and denied each time.
  std::vector<std::string> lines = absl::StrSplit(AccessLog(), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u) << AccessLog();
  for (const std::string& line : lines) EXPECT_THAT(line, HasSubstr("TCP_DENIED/407"));
  EXPECT_THAT(lines[1], HasSubstr(" phone "));
  EXPECT_THAT(lines[2], HasSubstr(" phone "));
}

}  // namespace
}  // namespace onramp
