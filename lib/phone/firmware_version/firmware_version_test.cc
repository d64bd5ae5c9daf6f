#include "lib/phone/firmware_version/firmware_version.h"

#include <algorithm>
#include <random>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/status_matchers.h"

namespace onramp::firmware_version {
namespace {

using ::onramp::status::StatusIs;

TEST(FirmwareVersionTest, ParsesTheVendorsNames) {
  absl::StatusOr<FirmwareName> name = ParseFirmwareName("sip88xx.11-2-3MSR1-1.loads");
  ASSERT_TRUE(name.ok()) << name.status();
  EXPECT_EQ(name->family, "sip88xx");
  EXPECT_EQ(name->extension, "loads");
  EXPECT_EQ(name->version.major, 11);
  EXPECT_EQ(name->version.minor, 2);
  EXPECT_EQ(name->version.micro, 3);
  EXPECT_EQ(name->version.tag_kind, "MSR");
  EXPECT_EQ(name->version.tag_number, 1);
  EXPECT_EQ(name->version.build, 1);

  absl::StatusOr<FirmwareName> swver = ParseFirmwareName("sip68xx.12-0-1MPP0001-245");
  ASSERT_TRUE(swver.ok()) << swver.status();
  EXPECT_EQ(swver->extension, "");
  EXPECT_EQ(swver->version.ToString(), "12-0-1MPP0001-245");
}

TEST(FirmwareVersionTest, PrintsWhatItParsed) {
  for (const char* text : {"11-2-3MPP-398", "11-2-3MSR1-1", "12-0-1MPP0001-245",
                           "11-0-0MPP-256", "11-3-2MPP0001-609"}) {
    absl::StatusOr<Version> version = ParseVersion(text);
    ASSERT_TRUE(version.ok()) << text << ": " << version.status();
    EXPECT_EQ(version->ToString(), text);
  }
}

TEST(FirmwareVersionTest, OrdersAsTheVendorReleases) {
  // Listed in release order.
  const std::vector<std::string> ordered = {
      "10-4-1MPP-100", "11-0-0MPP-256", "11-2-3MPP-398",  "11-2-3MPP0001-12",
      "11-2-3MSR1-1",  "11-2-3MSR2-1",  "11-2-3MSR10-1",  "11-3-1MPP-100",
      "11-3-2MPP0001-609", "12-0-1MPP0001-245", "12-0-1MPP0001-300", "12-0-10MPP-1",
  };
  std::vector<Version> versions;
  for (const std::string& text : ordered) versions.push_back(*ParseVersion(text));
  for (size_t i = 0; i + 1 < versions.size(); ++i) {
    EXPECT_LT(versions[i], versions[i + 1]) << ordered[i] << " < " << ordered[i + 1];
  }
  std::vector<Version> shuffled = versions;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(42));
  std::sort(shuffled.begin(), shuffled.end());
  EXPECT_EQ(shuffled, versions);
}

TEST(FirmwareVersionTest, FileNameAndBareVersionCompareEqual) {
  EXPECT_EQ(*ParseVersion("sip7832.11-0-0MPP-256.loads"), *ParseVersion("11-0-0MPP-256"));
}

TEST(FirmwareVersionTest, RejectsMalformedNames) {
  for (const char* text : {"", "11", "11-2", "11-2-3", "11-2-3-398", "11-2-3MPP", "11-2-3MPP-",
                           "11-2-3MPP-39x", "a-2-3MPP-1", "11-2-3MPP-1-2", "11-2-3MSR1x-1",
                           "1234567890-0-0MPP-1", "sip88xx.", ".11-2-3MPP-398",
                           "sip88xx.11-2-3MPP-398.bin", "sip 88xx.11-2-3MPP-398"}) {
    EXPECT_THAT(ParseVersion(text), StatusIs(absl::StatusCode::kInvalidArgument)) << text;
  }
}

}  // namespace
}  // namespace onramp::firmware_version
