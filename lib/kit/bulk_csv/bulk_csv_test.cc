#include "lib/kit/bulk_csv/bulk_csv.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/error_detail.h"
#include "lib/kit/status/status_matchers.h"

namespace onramp::bulk_csv {
namespace {

using ::onramp::status::IsOk;
using ::onramp::status::StatusIs;
using ::testing::HasSubstr;

TEST(BulkCsvTest, ColumnsInAnyOrderSerialOptional) {
  device::v1::ClaimDevicesRequest request;
  ASSERT_THAT(
      DevicesFromCsv("model, mac\r\nCP-8851-3PCC,000e08aabbcc\r\n\"CP-7841-3PCC\",00:0e:08:aa:bb:cd\r\n",
                     &request),
      IsOk());
  ASSERT_EQ(request.devices_size(), 2);
  EXPECT_EQ(request.devices(0).mac().value(), "000e08aabbcc");
  EXPECT_EQ(request.devices(0).model(), "CP-8851-3PCC");
  EXPECT_EQ(request.devices(0).serial(), "");
  EXPECT_EQ(request.devices(1).mac().value(), "00:0e:08:aa:bb:cd");  // device-activation checks the MAC
  EXPECT_EQ(request.devices(1).model(), "CP-7841-3PCC");
}

TEST(BulkCsvTest, ErrorsNameTheBodyAndTheLine) {
  struct Case {
    const char* csv;
    const char* message;
  };
  for (const Case& c : std::vector<Case>{
           {"", "no header row"},
           {"model,serial\nCP,1\n", "a mac column is required"},
           {"mac,colour\n000e08aabbcc,red\n", "line 1: unknown column \"colour\""},
           {"mac,model\n000e08aabbcc,CP\n000e08aabbcd\n", "line 3: 1 fields, the header has 2"},
           {"mac\n\"000e08aabbcc\n", ""},  // an unclosed quote: the CSV reader's words
       }) {
    device::v1::ClaimDevicesRequest request;
    absl::Status status = DevicesFromCsv(c.csv, &request);
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message))) << c.csv;
    EXPECT_EQ(status::FieldOf(status), "body") << c.csv;
  }
}

}  // namespace
}  // namespace onramp::bulk_csv

namespace onramp::bulk_csv {
namespace {

TEST(BulkCsvTest, SiteAssignmentsNeedBothColumns) {
  profile::v1::AssignSitesRequest request;
  ASSERT_TRUE(AssignmentsFromCsv("site,mac\nlisbon,000e08aabbcc\n,000e08aabbcd\n", &request).ok());
  ASSERT_EQ(request.assignments_size(), 2);
  EXPECT_EQ(request.assignments(0).mac().value(), "000e08aabbcc");
  EXPECT_EQ(request.assignments(0).site(), "lisbon");
  EXPECT_EQ(request.assignments(1).site(), "");  // out of its site
  profile::v1::AssignSitesRequest no_site;
  EXPECT_THAT(AssignmentsFromCsv("mac\n000e08aabbcc\n", &no_site).message(), ::testing::HasSubstr("a site column"));
}

}  // namespace
}  // namespace onramp::bulk_csv
