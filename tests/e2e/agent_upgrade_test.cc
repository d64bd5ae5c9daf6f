// A device agent upgraded in two hops by the fleet's plan: profile-render
// puts the next hop of firmware-catalog's plan in each profile (the phone's
// rule sends its $SWVER), the agent downloads the image through the gateway
// (resuming a broken download), checks it, reboots into it, reports the
// outcome, and resyncs into the next hop.

#include <filesystem>
#include <fstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "device-agent/phone.h"
#include "device-agent/state.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/base/digest/digest.h"
#include "tests/e2e/new_phone.h"
#include "tests/onboarding/gateway_fleet.h"

namespace onramp {
namespace {

using ::onramp::testing::kPhoneMac;
using ::onramp::testing::kPhoneModel;
using ::testing::Contains;
using ::testing::HasSubstr;

constexpr const char* kStart = ::onramp::testing::kHopStart;
constexpr const char* kMiddle = ::onramp::testing::kHopMiddle;
constexpr const char* kTarget = ::onramp::testing::kHopTarget;

class AgentUpgradeTest : public ::onramp::testing::GatewayFleetTest {
 protected:
  void SetUp() override {
    GatewayFleetTest::SetUp();
    if (HasFatalFailure()) return;
    images_ = PlanTwoHopUpgrade(400 * 1024);
    // The partner's rule sends the phone's $SWVER; its reports go to the fleet.
    ClaimAndProfile(false, base_ + "/profile/$MA.xml?swver=$SWVER");
    grpc::ClientContext layer_context;
    profile::v1::PutLayerRequest layer;
    layer.mutable_ref()->set_partner("acme");
    layer.mutable_ref()->set_scope(profile::v1::SCOPE_PARTNER);
    profile::v1::Parameter* report = layer.add_parameters();
    report->set_name("Report_Rule");
    report->set_value(base_ + "/report/$MA.xml");
    profile::v1::Layer kept;
    ASSERT_TRUE(profiles_->PutLayer(&layer_context, layer, &kept).ok());
  }


  std::string NewPhone() { return ::onramp::testing::NewPhone("upgrading-phone", kPhoneMac, dir_, kPhoneModel, kStart); }

  agent::Phone Load(const std::string& dir) {
    return ::onramp::testing::LoadPhone({.state_dir = dir, .activation_url = base_}, &steps_);
  }

  std::map<std::string, std::string> images_;
  std::vector<std::string> steps_;
};

TEST_F(AgentUpgradeTest, APhoneFollowsATwoHopPlanToThePartnersTarget) {
  agent::Phone phone = Load(NewPhone());
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_EQ(phone.state().firmware(), kTarget);
  EXPECT_EQ(phone.state().last_upgrade(), "success");
  EXPECT_EQ(phone.state().customization_state(), "acquired");
  EXPECT_THAT(steps_, Contains(absl::StrCat("upgrade: ", kStart, " -> ", kMiddle)));
  EXPECT_THAT(steps_, Contains(absl::StrCat("rebooted into ", kMiddle)));
  EXPECT_THAT(steps_, Contains(absl::StrCat("upgrade: ", kMiddle, " -> ", kTarget)));
  EXPECT_THAT(steps_, Contains(absl::StrCat("rebooted into ", kTarget)));
  EXPECT_THAT(steps_, Contains("upgrade report: HTTP 200"));
  // Up to date: the next pass plans nothing.
  steps_.clear();
  agent::Phone again = Load(::testing::TempDir() + "/upgrading-phone");
  ASSERT_TRUE(again.Provision().ok());
  for (const std::string& step : steps_) EXPECT_THAT(step, ::testing::Not(HasSubstr("upgrade:")));
}

TEST_F(AgentUpgradeTest, NothingBelowDowngradeRevLimitIsInstalled) {
  // The partner's profile forbids anything older than 12.0.
  grpc::ClientContext context;
  profile::v1::PutLayerRequest layer;
  layer.mutable_ref()->set_partner("acme");
  layer.mutable_ref()->set_scope(profile::v1::SCOPE_PARTNER);
  layer.set_if_version(1);
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"Report_Rule", base_ + "/report/$MA.xml"}, {"Downgrade_Rev_Limit", "12-0-0MPP-1"}}) {
    profile::v1::Parameter* parameter = layer.add_parameters();
    parameter->set_name(name);
    parameter->set_value(value);
  }
  profile::v1::Layer kept;
  grpc::Status put = profiles_->PutLayer(&context, layer, &kept);
  ASSERT_TRUE(put.ok()) << put.error_message();
  agent::Phone limited = Load(NewPhone());
  ASSERT_TRUE(limited.Provision().ok());
  EXPECT_THAT(steps_, Contains("upgrade failed: below Downgrade_Rev_Limit 12-0-0MPP-1"));
  EXPECT_EQ(limited.state().firmware(), kStart);
}

TEST_F(AgentUpgradeTest, ABrokenDownloadResumesWithARange) {
  const std::string dir = NewPhone();
  // The first 100,000 bytes of the first hop arrived before the power cut.
  const std::string& image = images_[kMiddle];
  std::ofstream(dir + "/download.part", std::ios::binary) << image.substr(0, 100000);
  absl::StatusOr<agent::v1::PhoneState> state = agent::LoadState(dir);
  ASSERT_TRUE(state.ok());
  state->set_download_url(absl::StrCat(base_, "/firmware/", kMiddle));
  state->set_download_etag(absl::StrCat("\"", digest::Sha256Hex(image), "\""));
  ASSERT_TRUE(agent::SaveState(dir, *state).ok());

  agent::Phone phone = Load(dir);
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_THAT(steps_, Contains(absl::StrCat("firmware download: 206, ", image.size() - 100000, " bytes (resumed)")));
  EXPECT_EQ(phone.state().firmware(), kTarget);
  EXPECT_FALSE(std::filesystem::exists(dir + "/download.part"));
}

TEST_F(AgentUpgradeTest, ACorruptImageIsRefusedAndReported) {
  const std::string dir = NewPhone();
  // A stale partial download of other bytes under the right ETag: the
  // whole no longer matches its SHA-256.
  std::ofstream(dir + "/download.part", std::ios::binary) << std::string(100000, 'x');
  absl::StatusOr<agent::v1::PhoneState> state = agent::LoadState(dir);
  state->set_download_url(absl::StrCat(base_, "/firmware/", kMiddle));
  state->set_download_etag(absl::StrCat("\"", digest::Sha256Hex(images_[kMiddle]), "\""));
  ASSERT_TRUE(agent::SaveState(dir, *state).ok());
  agent::Phone phone = Load(dir);
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_THAT(steps_, Contains("upgrade failed: checksum mismatch"));
  EXPECT_THAT(steps_, Contains("upgrade report: HTTP 200"));
  EXPECT_EQ(phone.state().firmware(), kStart);
  EXPECT_EQ(phone.state().last_upgrade(), "failed: checksum mismatch");
  EXPECT_TRUE(phone.state().upgrade_pending());  // due again after Upgrade_Error_Retry_Delay
  EXPECT_FALSE(std::filesystem::exists(dir + "/download.part"));
  // The next try starts over and succeeds.
  agent::Phone retry = Load(dir);
  ASSERT_TRUE(retry.Provision().ok());
  EXPECT_EQ(retry.state().firmware(), kTarget);
  EXPECT_FALSE(retry.state().upgrade_pending());
}

}  // namespace
}  // namespace onramp
