// The device agent (its real HTTP client) against a server scripted from
// the seed's status table rather than the fleet: each outcome (A success,
// B not found or corrupt, C any other failure), what a failing rule does to
// the rest of the run, the redirect query's failures, bounds on what a
// phone takes, relative redirects and the Host header.

#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "device-agent/phone.h"
#include "device-agent/state.h"
#include "device-agent/timing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/phone/profile_crypto/openssl_enc.h"
#include "lib/testing/free_port.h"
#include "lib/testing/scripted_http_server.h"
#include "tests/e2e/new_phone.h"

namespace onramp {
namespace {

using ::onramp::testing::ScriptedHttpServer;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kMac[] = "000e08aabbcc";

std::string Profile(const std::vector<std::pair<std::string, std::string>>& parameters) {
  std::string xml = "<flat-profile>";
  for (const auto& [name, value] : parameters) absl::StrAppend(&xml, "<", name, ">", value, "</", name, ">");
  return xml + "</flat-profile>";
}

class AgentStatusTableTest : public ::testing::Test {
 protected:
  // A phone already pointed at the server (provisioned on the LAN: Aborted),
  // with these rules.
  agent::Phone Provisioned(const std::vector<std::pair<std::string, std::string>>& rules) {
    dir_ = ::onramp::testing::NewPhone(absl::StrCat("phone", ++phones_), kMac, "");
    agent::Phone phone = ::onramp::testing::LoadPhone({.state_dir = dir_}, &steps_);
    for (const auto& [name, value] : rules) EXPECT_TRUE(phone.Set(name, value).ok());
    return phone;
  }
  // An out-of-the-box phone that asks `activation_url` who owns it.
  agent::Phone OutOfTheBox(const std::string& activation_url) {
    dir_ = ::onramp::testing::NewPhone(absl::StrCat("phone", ++phones_), kMac, "");
    return ::onramp::testing::LoadPhone({.state_dir = dir_, .activation_url = activation_url}, &steps_);
  }
  std::string Param(const agent::Phone& phone, const std::string& name) {
    auto found = phone.state().parameters().find(name);
    return found == phone.state().parameters().end() ? "" : found->second.value();
  }
  // Seconds to the next resync, the random part at its largest.
  static int64_t NextResync(const agent::Phone& phone) {
    return *agent::NextResyncSeconds(phone.state(), [](int64_t bound) { return bound; });
  }
  std::vector<std::string> Targets() const {
    std::vector<std::string> targets;
    for (const auto& request : server_.requests()) targets.push_back(request.target);
    return targets;
  }

  ScriptedHttpServer server_;
  std::string dir_;
  int phones_ = 0;
  std::vector<std::string> steps_;
};

TEST_F(AgentStatusTableTest, ACorruptProfileIsOutcomeBAndRetriedAfterTheErrorDelay) {
  server_.On("GET", "/garbled.xml", {.body = "<flat-profile><A>1</flat-profile>"});
  agent::Phone phone = Provisioned({{"Profile_Rule", server_.base() + "/garbled.xml"}});
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_EQ(phone.state().last_outcome(), "B") << phone.state().last_detail();
  EXPECT_EQ(NextResync(phone), 60);  // Resync_Error_Retry_Delay's first step, not Resync_Periodic

  // Encrypted with another key than the rule's: the phone cannot open it.
  server_.On("GET", "/sealed.xml", {.body = profile_crypto::EncryptOpensslEnc(Profile({{"A", "1"}}), "right")});
  agent::Phone wrong_key = Provisioned({{"Profile_Rule", "[--key wrong] " + server_.base() + "/sealed.xml"}});
  ASSERT_TRUE(wrong_key.Provision().ok());
  EXPECT_EQ(wrong_key.state().last_outcome(), "B") << wrong_key.state().last_detail();
  EXPECT_EQ(Param(wrong_key, "A"), "");
}

TEST_F(AgentStatusTableTest, AFailingRuleAbortsTheRun) {
  server_.On("GET", "/missing.xml", {.status = 404});
  server_.On("GET", "/b.xml", {.body = Profile({{"From_B", "yes"}})});
  agent::Phone phone = Provisioned({{"Profile_Rule", server_.base() + "/missing.xml"},
                                    {"Profile_Rule_B", server_.base() + "/b.xml"}});
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_EQ(phone.state().last_outcome(), "B");
  EXPECT_THAT(phone.state().last_detail(), HasSubstr("Profile_Rule: HTTP 404"));
  EXPECT_THAT(Targets(), Not(Contains("/b.xml")));
  EXPECT_EQ(Param(phone, "From_B"), "");
  EXPECT_EQ(NextResync(phone), 60);

  // Once the first rule succeeds the run goes on to _B.
  server_.On("GET", "/missing.xml", {.body = Profile({{"From_A", "yes"}})});
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_EQ(phone.state().last_outcome(), "A") << phone.state().last_detail();
  EXPECT_EQ(Param(phone, "From_B"), "yes");
}

TEST_F(AgentStatusTableTest, AFailedRedirectQueryIsAskedAgainAfterTheErrorDelay) {
  for (int status : {503, 429}) {
    server_.On("GET", absl::StrCat("/device/CP-8851-3PCC/", kMac), {.status = status});
    agent::Phone phone = OutOfTheBox(server_.base());
    ASSERT_TRUE(phone.Provision().ok());
    EXPECT_EQ(phone.state().customization_state(), "pending");
    EXPECT_EQ(phone.state().last_outcome(), "C") << status;
    EXPECT_THAT(phone.state().last_detail(), HasSubstr(absl::StrCat("HTTP ", status)));
    EXPECT_EQ(NextResync(phone), 60) << status;  // not Resync_Periodic's 3,600 s
  }
  // Nothing listening.
  agent::Phone refused = OutOfTheBox(
      absl::StrCat("http://127.0.0.1:", ::onramp::testing::FreeLoopbackPort(SOCK_STREAM)));
  ASSERT_TRUE(refused.Provision().ok());
  EXPECT_EQ(refused.state().last_outcome(), "C");
  EXPECT_EQ(NextResync(refused), 60);
  // The second failure in a row waits the second step.
  ASSERT_TRUE(refused.Provision().ok());
  EXPECT_EQ(NextResync(refused), 120);
}

TEST_F(AgentStatusTableTest, APhoneTakesNoMoreThanItCanHold) {
  // 50 MiB in one value: over what a phone takes, a corrupt profile.
  server_.On("GET", "/huge.xml", {.body = Profile({{"Huge", std::string(50 << 20, 'x')}})});
  agent::Phone phone = Provisioned({{"Profile_Rule", server_.base() + "/huge.xml"}});
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_EQ(phone.state().last_outcome(), "B") << phone.state().last_detail();
  EXPECT_EQ(Param(phone, "Huge"), "");
  EXPECT_LT(std::filesystem::file_size(dir_ + "/state.json"), 64u << 10);

  // A value over 2,048 characters is left out; the rest of the profile applies.
  server_.On("GET", "/long.xml", {.body = Profile({{"Long", std::string(2049, 'y')}, {"Short", "ok"}})});
  agent::Phone long_value = Provisioned({{"Profile_Rule", server_.base() + "/long.xml"}});
  ASSERT_TRUE(long_value.Provision().ok());
  EXPECT_EQ(long_value.state().last_outcome(), "A");
  EXPECT_EQ(Param(long_value, "Long"), "");
  EXPECT_EQ(Param(long_value, "Short"), "ok");
}

TEST_F(AgentStatusTableTest, RelativeRedirectsAreFollowedAndHostNamesThePort) {
  server_.On("GET", "/a/first.xml", {.status = 302, .headers = {{"Location", "second.xml"}}});
  server_.On("GET", "/a/second.xml", {.status = 301, .headers = {{"Location", "/b/third.xml?v=1"}}});
  server_.On("GET", "/b/third.xml?v=1", {.body = Profile({{"Arrived", "yes"}})});
  agent::Phone phone = Provisioned({{"Profile_Rule", server_.base() + "/a/first.xml"}});
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_EQ(phone.state().last_outcome(), "A") << phone.state().last_detail();
  EXPECT_EQ(Param(phone, "Arrived"), "yes");
  EXPECT_EQ(Targets(), (std::vector<std::string>{"/a/first.xml", "/a/second.xml", "/b/third.xml?v=1"}));
  for (const auto& request : server_.requests()) {
    EXPECT_EQ(request.headers.at("host"), absl::StrCat("127.0.0.1:", server_.port()));
  }
}

}  // namespace
}  // namespace onramp
