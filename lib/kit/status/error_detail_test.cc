#include "lib/kit/status/error_detail.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/status_matchers.h"

namespace onramp::status {
namespace {

using ::testing::Eq;
using ::testing::Optional;

TEST(ErrorDetailTest, InvalidFieldNamesTheField) {
  absl::Status status = InvalidField("devices[3].mac", "mac \"00:11\" is not 12 hex digits");
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                               Eq("mac \"00:11\" is not 12 hex digits")));
  EXPECT_THAT(FieldOf(status), Optional(Eq("devices[3].mac")));
}

TEST(ErrorDetailTest, PlainErrorsHaveNoField) {
  EXPECT_EQ(FieldOf(absl::NotFoundError("no such code")), std::nullopt);
}

TEST(ErrorDetailTest, OkStatusStaysOkAndCarriesNothing) {
  absl::Status status = WithField(absl::OkStatus(), "mac");
  EXPECT_THAT(status, IsOk());
  EXPECT_EQ(FieldOf(status), std::nullopt);
}

TEST(ErrorDetailTest, ALimitSaysWhenToComeBackInWholeSeconds) {
  absl::Status status = LimitExceeded("too many unknown codes from this source", absl::Milliseconds(1500));
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kResourceExhausted,
                               Eq("too many unknown codes from this source; retry in 2s")));
  EXPECT_THAT(RetryAfterOf(status), Optional(Eq(absl::Seconds(2))));
  EXPECT_EQ(RetryAfterOf(absl::UnavailableError("down")), std::nullopt);
  EXPECT_EQ(RetryAfterOf(WithRetryAfter(absl::OkStatus(), absl::Seconds(1))), std::nullopt);
}

}  // namespace
}  // namespace onramp::status
