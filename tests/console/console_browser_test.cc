// The partner console in a real browser (Debian's Chromium, driven by
// console_browser.mjs through Playwright) against the whole fleet, with a
// device-agent phone onboarded first and device-agent's simulator powering
// on phones the browser claimed: what the partner did in the pages is
// then checked from the API's side. Screenshots of each page are kept as
// test outputs (TEST_UNDECLARED_OUTPUTS_DIR).

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
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
using ::onramp::testing::ShellResult;
using ::testing::HasSubstr;

class ConsoleBrowserTest : public ::onramp::testing::GatewayFleetTest {
 protected:
  void SetUp() override {
    const char* node_path = std::getenv("ONRAMP_NODE_PATH");
    if (node_path == nullptr || !std::filesystem::exists(absl::StrCat(node_path, "/playwright-core")) ||
        !std::filesystem::exists("/usr/bin/chromium")) {
      GTEST_FAIL() << "needs Chromium and ONRAMP_NODE_PATH with playwright-core (tools/bootstrap): run tools/test";
    }
    node_modules_ = node_path;
    GatewayFleetTest::SetUp();
  }

  // The screenshots' folder: the test's outputs under Bazel, else a temporary one.
  std::string Shots() {
    const char* outputs = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR");
    std::string shots = absl::StrCat(outputs != nullptr ? outputs : dir_, "/console-screenshots");
    std::filesystem::create_directories(shots);
    return shots;
  }

  std::string node_modules_;
};

TEST_F(ConsoleBrowserTest, APartnerClaimsFindsCreatesEditsAndPausesInTheBrowser) {
  // acme's phone onboards from factory reset, as device-agent does.
  ClaimAndProfile(/*with_secret=*/true, base_ + "/profile/$MA.xml");
  std::vector<std::string> steps;
  agent::Phone phone = ::onramp::testing::LoadPhone(
      {.state_dir = ::onramp::testing::NewPhone("console-phone", kPhoneMac, dir_),
       .activation_url = tls_base_,
       .ca_file = dir_ + "/ca.pem"},
      &steps);
  ASSERT_TRUE(phone.Provision().ok());
  ASSERT_EQ(phone.state().customization_state(), "acquired") << phone.state().last_detail();
  FlushDeliveries();

  const std::string acme = CreateApiKey("acme");
  const std::string globex = CreateApiKey("globex");
  ASSERT_EQ(Api("POST", "/api/v1/devices:assign-sites", acme,
                absl::StrCat(R"({"assignments": [{"mac": ")", kPhoneMac, R"(", "site": "lisbon"}]})"))
                .status,
            200);
  // globex owns one phone of acme's CSV.
  const std::string conflict = "02aa000001f4";
  ASSERT_EQ(Api("POST", "/api/v1/devices:claim", globex,
                absl::StrCat(R"({"devices": [{"mac": ")", conflict,
                             R"("}], "target": {"profile_rule": "https://globex.example/$MA"}})"),
                "-H 'Idempotency-Key: globex-1'")
                .status,
            200);
  std::string csv = "mac,model,serial\n";
  for (int i = 0; i < 1000; ++i) absl::StrAppend(&csv, absl::StrFormat("02aa%08x,%s,FCH%05d\n", i, kPhoneModel, i));
  const std::string csv_file = dir_ + "/phones.csv";
  std::ofstream(csv_file) << csv;
  // A two-hop upgrade path and a running rollout (it soaks an hour) for
  // the firmware page.
  PlanTwoHopUpgrade(4096);
  ASSERT_EQ(Api("POST", "/api/v1/rollouts", acme,
                absl::StrCat(R"({"model": ")", kPhoneModel, R"(", "target_version": "12-5-1MPP-100",
                    "stages": [{"percent": 10, "min_soak": "3600s"}, {"percent": 100}],
                    "failure_threshold_percent": 5})"),
                "-H 'Idempotency-Key: rollout-1'")
                .status,
            201);

  // device-agent's simulator powers on the first five phones of the CSV
  // (its MACs 02:aa:00 + a count are the CSV's), born with factory
  // certificates, once the browser has claimed them.
  const std::string simulate = absl::StrCat(
      "device-agent/device-agent sim --phones 5 --mac_prefix 02:aa:00 --activation_url ", tls_base_, " --ca_file ",
      dir_, "/ca.pem --factory_ca_cert ", dir_, "/factory-ca.pem --factory_ca_key ", dir_, "/factory-ca.key");
  ShellResult browsed = RunShell(absl::StrCat(
      "ONRAMP_NODE_PATH='", node_modules_, "' CONSOLE_BASE='", tls_base_, "' KEY_ACME='", acme, "' KEY_GLOBEX='",
      globex, "' CSV='", csv_file, "' PROFILE_RULE='", base_, "/profile/$MA.xml' SIMULATE='", simulate,
      "' SIMULATED_MAC=02aa00000003 PHONE_MAC='", kPhoneMac, "' CONFLICT_MAC='", conflict, "' SHOTS='", Shots(),
      "' node tests/console/console_browser.mjs 2>&1"));
  ASSERT_EQ(browsed.exit_code, 0) << browsed.output;
  EXPECT_THAT(browsed.output, HasSubstr("ok: signed out"));

  // What the partner did in the browser, seen through the API.
  auto summary = Parse<device::v1::DeviceSummary>(Api("GET", "/api/v1/devices:summary", acme));
  EXPECT_EQ(summary.claimed(), 1000);  // 999 from the CSV and the onboarded phone
  EXPECT_EQ(summary.acquired(), 6);    // and five the simulator onboarded
  auto revoked = Parse<activation::v1::ListCodesResponse>(
      Api("GET", "/api/v1/activation-codes?state=CODE_STATE_REVOKED", acme));
  EXPECT_EQ(revoked.codes_size(), 1);
  auto active = Parse<activation::v1::ListCodesResponse>(
      Api("GET", "/api/v1/activation-codes?state=CODE_STATE_ACTIVE", acme));
  EXPECT_EQ(active.codes_size(), 2);
  auto site = Parse<profile::v1::Layer>(Api("GET", "/api/v1/layers/site/lisbon", acme));
  ASSERT_EQ(site.parameters_size(), 1);
  EXPECT_EQ(site.parameters(0).name(), "Time_Zone");
  EXPECT_EQ(site.parameters(0).value(), "GMT+1");  // the bad value was refused
  auto rollouts = Parse<firmware::v1::ListRolloutsResponse>(Api("GET", "/api/v1/rollouts", acme));
  ASSERT_EQ(rollouts.rollouts_size(), 1);
  EXPECT_EQ(rollouts.rollouts(0).state(), firmware::v1::ROLLOUT_STATE_PAUSED);
  for (const char* page : {"sign-in", "claim", "simulated-phone", "phones", "phone", "codes", "layers", "firmware",
                           "overview", "other-partner"}) {
    EXPECT_TRUE(std::filesystem::exists(absl::StrCat(Shots(), "/", page, ".png"))) << page;
  }
}

}  // namespace
}  // namespace onramp
