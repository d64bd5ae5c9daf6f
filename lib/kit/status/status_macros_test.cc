#include "lib/kit/status/status_macros.h"

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/status_matchers.h"

namespace onramp::status {
namespace {

using ::testing::Eq;

absl::StatusOr<int> ParsePositive(int value) {
  if (value <= 0) return absl::InvalidArgumentError("not positive");
  return value;
}

absl::StatusOr<int> DoubleOf(int value, int* steps_run) {
  ASSIGN_OR_RETURN(int parsed, ParsePositive(value));
  ++*steps_run;
  return parsed * 2;
}

absl::Status CheckBoth(int a, int b, int* steps_run) {
  RETURN_IF_ERROR(ParsePositive(a).status());
  ++*steps_run;
  RETURN_IF_ERROR(ParsePositive(b).status());
  ++*steps_run;
  return absl::OkStatus();
}

TEST(StatusMacrosTest, AssignOrReturnYieldsTheValue) {
  int steps = 0;
  EXPECT_THAT(DoubleOf(21, &steps), IsOkAndHolds(Eq(42)));
  EXPECT_EQ(steps, 1);
}

TEST(StatusMacrosTest, AssignOrReturnStopsAtTheFirstError) {
  int steps = 0;
  EXPECT_THAT(DoubleOf(-1, &steps),
              StatusIs(absl::StatusCode::kInvalidArgument, Eq("not positive")));
  EXPECT_EQ(steps, 0);
}

TEST(StatusMacrosTest, ReturnIfErrorStopsAtTheFirstError) {
  int steps = 0;
  EXPECT_THAT(CheckBoth(1, -1, &steps),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(steps, 1);
  steps = 0;
  EXPECT_THAT(CheckBoth(1, 2, &steps), IsOk());
  EXPECT_EQ(steps, 2);
}

}  // namespace
}  // namespace onramp::status
