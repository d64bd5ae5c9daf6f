#include "device-agent/state.h"

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"

namespace onramp::agent {
namespace {

TEST(StateTest, SavedStateComesBackAndAFactoryResetKeepsOnlyTheIdentity) {
  const std::string dir = ::testing::TempDir() + "/phone";
  std::filesystem::remove_all(dir);
  EXPECT_EQ(LoadState(dir).status().code(), absl::StatusCode::kNotFound);

  v1::PhoneState state;
  state.set_mac("000e08aabbcc");
  state.set_model("CP-8851-3PCC");
  state.set_firmware("sip88xx.11-2-3MSR1-1.loads");
  state.set_customization_state("acquired");
  (*state.mutable_parameters())["Proxy_1_"].set_value("sip.acme.example");
  state.set_last_etag("\"abc\"");
  ASSERT_TRUE(SaveState(dir, state).ok());
  absl::StatusOr<v1::PhoneState> loaded = LoadState(dir);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->parameters().at("Proxy_1_").value(), "sip.acme.example");
  EXPECT_EQ(loaded->customization_state(), "acquired");
  EXPECT_FALSE(std::filesystem::exists(dir + "/state.json.new"));

  v1::PhoneState fresh = FactoryReset(*loaded);
  EXPECT_EQ(fresh.mac(), "000e08aabbcc");
  EXPECT_EQ(fresh.firmware(), "sip88xx.11-2-3MSR1-1.loads");
  EXPECT_EQ(fresh.customization_state(), "open");
  EXPECT_TRUE(fresh.parameters().empty());
  EXPECT_TRUE(fresh.last_etag().empty());

  std::ofstream(dir + "/state.json") << "{ not json";
  EXPECT_EQ(LoadState(dir).status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace onramp::agent
