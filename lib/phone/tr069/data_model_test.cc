#include "lib/phone/tr069/data_model.h"

#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace onramp::tr069 {
namespace {

TEST(DataModelTest, LinesMapToTr104AndBack) {
  EXPECT_EQ(PathOf("Proxy_1_"), "Device.Services.VoiceService.1.VoiceProfile.1.SIP.ProxyServer");
  EXPECT_EQ(PathOf("Password_2_"), "Device.Services.VoiceService.1.VoiceProfile.1.Line.2.SIP.AuthPassword");
  EXPECT_EQ(PathOf("Display_Name_10_"),
            "Device.Services.VoiceService.1.VoiceProfile.1.Line.10.CallingFeatures.CallerIDName");
  EXPECT_EQ(FlatNameOf("Device.Services.VoiceService.1.VoiceProfile.1.Line.2.SIP.AuthPassword"), "Password_2_");
  EXPECT_EQ(PathOf("ACS_URL"), "Device.ManagementServer.URL");
  EXPECT_EQ(FlatNameOf("Device.ManagementServer.PeriodicInformInterval"), "Periodic_Inform_Interval");
}

TEST(DataModelTest, EveryOtherParameterHasTheVendorPathAndBack) {
  EXPECT_EQ(PathOf("Resync_Periodic"), "Device.X_ONRAMP_Profile.Resync_Periodic");
  EXPECT_EQ(FlatNameOf("Device.X_ONRAMP_Profile.Resync_Periodic"), "Resync_Periodic");
  // A parameter with a standard home has no second, vendor path.
  EXPECT_EQ(FlatNameOf("Device.X_ONRAMP_Profile.Proxy_1_"), std::nullopt);
}

TEST(DataModelTest, EveryTableEntryRoundTripsForSeveralLines) {
  for (const Entry& entry : Table()) {
    for (const char* index : {"1", "2", "12"}) {
      std::string flat(entry.flat_name);
      if (size_t hole = flat.find("{n}"); hole != std::string::npos) flat.replace(hole, 3, index);
      std::optional<std::string> path = PathOf(flat);
      ASSERT_TRUE(path.has_value()) << flat;
      EXPECT_EQ(FlatNameOf(*path), flat) << *path;
    }
  }
}

TEST(DataModelTest, WhatIsNotANameOrAPathOfTheTableIsRefused) {
  for (const char* bad : {"", "1abc", "has space", "dot.ted", "Proxy_1_<x>"}) EXPECT_EQ(PathOf(bad), std::nullopt) << bad;
  for (const char* bad : {"Device.DeviceInfo.SoftwareVersion", "Device.Services.VoiceService.1.VoiceProfile.01.SIP.ProxyServer",
                          "Device.Services.VoiceService.1.VoiceProfile..SIP.ProxyServer", "Device.X_ONRAMP_Profile.",
                          "Device.X_ONRAMP_Profile.a.b", "InternetGatewayDevice.ManagementServer.URL"}) {
    EXPECT_EQ(FlatNameOf(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace onramp::tr069

namespace onramp::tr069 {
namespace {

TEST(DataModelTest, TheReadmeListsEveryRow) {
  std::ifstream file("lib/phone/tr069/README.md");
  std::string readme((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(readme.empty());
  for (const Entry& entry : Table()) {
    EXPECT_THAT(readme, ::testing::HasSubstr(absl::StrCat("| `", std::string(entry.flat_name), "` | `", std::string(entry.path), "` |")))
        << entry.flat_name;
  }
}

}  // namespace
}  // namespace onramp::tr069
