#include "lib/kit/validation/fields.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/error_detail.h"
#include "lib/kit/status/status_matchers.h"

namespace onramp::validation {
namespace {

using ::onramp::status::IsOk;
using ::onramp::status::IsOkAndHolds;
using ::onramp::status::StatusIs;
using ::testing::Eq;
using ::testing::HasSubstr;

TEST(FieldsTest, NamesAllowOnlyTheirCharacters) {
  EXPECT_THAT(Name("partner", "acme-1.b_c", 64), IsOk());
  EXPECT_THAT(Name("partner", "", 64), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("required")));
  EXPECT_THAT(Name("partner", "", 64, Presence::kOptional), IsOk());
  EXPECT_THAT(Name("partner", "a b", 64), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Name("partner", std::string(65, 'a'), 64),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("longer than 64")));
  EXPECT_EQ(status::FieldOf(Name("devices[3].model", "x y", 64)), "devices[3].model");
}

TEST(FieldsTest, TextIsPrintableAscii) {
  EXPECT_THAT(Text("detail", "any text: ok!", 100), IsOk());
  EXPECT_THAT(Text("detail", "tab\there", 100), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Text("detail", "caf\xc3\xa9", 100), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(FieldsTest, MacsComeBackInTheMaForm) {
  EXPECT_THAT(Mac("mac", "00:0E:08:AA:BB:CC"), IsOkAndHolds(Eq("000e08aabbcc")));
  EXPECT_THAT(Mac("mac", "", Presence::kOptional), IsOkAndHolds(Eq("")));
  EXPECT_EQ(status::FieldOf(Mac("devices[9].mac", "00:11").status()), "devices[9].mac");
}

struct MacField {
  std::string mac;
  const std::string& value() const { return mac; }
};

TEST(FieldsTest, AListOfMacsIsCheckedWholeAndNamesTheBadOne) {
  std::vector<MacField> macs = {{"00:0E:08:AA:BB:CC"}, {"000e08aabbcd"}};
  EXPECT_THAT(Macs("macs", macs, 2), IsOkAndHolds(Eq(std::vector<std::string>{"000e08aabbcc", "000e08aabbcd"})));
  absl::StatusOr<std::vector<std::string>> too_many = Macs("macs", macs, 1);
  EXPECT_THAT(too_many, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at most 1")));
  EXPECT_EQ(status::FieldOf(too_many.status()), "macs");
  macs.push_back({"00:11"});
  EXPECT_EQ(status::FieldOf(Macs("macs", macs, 10).status()), "macs[2]");
}

TEST(FieldsTest, Uuids) {
  EXPECT_THAT(Uuid("id", "4c4c32f7-4da1-414a-bb86-b53d2e3d80ab"), IsOk());
  EXPECT_THAT(Uuid("id", "4c4c32f7-4da1-414a-bb86-b53d2e3d80a"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Uuid("id", "4c4c32f7x4da1-414a-bb86-b53d2e3d80ab"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(FieldsTest, PageSizesDefaultTo100AndStopAt1000) {
  EXPECT_THAT(PageSize(0), IsOkAndHolds(Eq(100)));
  EXPECT_THAT(PageSize(1000), IsOkAndHolds(Eq(1000)));
  EXPECT_EQ(status::FieldOf(PageSize(1001).status()), "page.page_size");
  EXPECT_EQ(status::FieldOf(PageSize(-1).status()), "page.page_size");
  EXPECT_EQ(status::FieldOf(PageTokenError(absl::InvalidArgumentError("not ours"))), "page.page_token");
  EXPECT_THAT(PageTokenError(absl::UnavailableError("down")), StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace onramp::validation
