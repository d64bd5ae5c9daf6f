#include "tools/onramp/cli_kit.h"

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "onramp/acs/v1/acs.pb.h"
#include "onramp/device/v1/device.pb.h"

namespace onramp::cli {
namespace {

using ::testing::HasSubstr;

TEST(CliKitTest, AListPrintsAsATableWithReadableStatesAndItsTotalsBelow) {
  device::v1::ListDevicesResponse listed;
  device::v1::Device* phone = listed.add_devices();
  phone->mutable_mac()->set_value("000e08aabbcc");
  phone->set_model("CP-8851-3PCC");
  phone->set_state(device::v1::CUSTOMIZATION_STATE_CUSTOM_PENDING);
  phone->mutable_claim_time()->set_seconds(1800000000);
  listed.mutable_page()->set_next_page_token("abc");
  std::string table = Table(listed);
  std::vector<std::string> lines = absl::StrSplit(table, '\n', absl::SkipEmpty());
  ASSERT_GE(lines.size(), 3u) << table;
  EXPECT_THAT(lines[0], HasSubstr("MAC"));
  EXPECT_THAT(lines[0], HasSubstr("STATE"));
  EXPECT_THAT(lines[1], HasSubstr("000e08aabbcc"));
  EXPECT_THAT(lines[1], HasSubstr("CUSTOM_PENDING"));
  EXPECT_THAT(lines[1], HasSubstr("2027-01-15T08:00:00Z"));
  EXPECT_THAT(table, HasSubstr("page.next_page_token  abc"));
  // The columns line up: MAC and its value start at the same place.
  EXPECT_EQ(lines[0].find("MODEL"), lines[1].find("CP-8851-3PCC"));
}

TEST(CliKitTest, OneMessagePrintsAsNameValueLines) {
  device::v1::ClaimCounts counts;
  counts.set_claimed(998);
  counts.set_conflicts(2);
  EXPECT_EQ(Table(counts), "claimed        998\nalready_yours  0\nconflicts      2\ninvalid        0\n");
}

TEST(CliKitTest, AMessageWithMapsPrintsEachEntryNotAnEmptyTable) {
  acs::v1::Task task;
  task.set_id("t-1");
  task.set_state(acs::v1::TASK_STATE_DONE);
  (*task.mutable_result())["Device.DeviceInfo.SoftwareVersion"] = "sip88xx.12-5-1MPP-100";
  std::string table = Table(task);
  EXPECT_THAT(table, HasSubstr("id"));
  EXPECT_THAT(table, HasSubstr("t-1"));
  EXPECT_THAT(table, HasSubstr("DONE"));
  EXPECT_THAT(table, HasSubstr("result[Device.DeviceInfo.SoftwareVersion]"));
  EXPECT_THAT(table, HasSubstr("sip88xx.12-5-1MPP-100"));
}

TEST(CliKitTest, ExitCodesTellOutcomesApart) {
  EXPECT_EQ(ExitCodeFor(absl::StatusCode::kNotFound), kExitNotFound);
  EXPECT_EQ(ExitCodeFor(absl::StatusCode::kFailedPrecondition), kExitConflict);
  EXPECT_EQ(ExitCodeFor(absl::StatusCode::kUnavailable), kExitTryAgain);
  EXPECT_EQ(ExitCodeFor(absl::StatusCode::kInvalidArgument), kExitUsage);
  EXPECT_EQ(ExitCodeForHttp(409), kExitConflict);
  EXPECT_EQ(ExitCodeForHttp(401), kExitDenied);
  EXPECT_EQ(ExitCodeForHttp(201), kExitOk);
}

}  // namespace
}  // namespace onramp::cli
