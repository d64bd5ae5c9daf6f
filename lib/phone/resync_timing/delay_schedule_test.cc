#include "lib/phone/resync_timing/delay_schedule.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/status_matchers.h"

namespace onramp::resync_timing {
namespace {

using ::onramp::status::StatusIs;
using ::testing::ElementsAre;

int64_t Max(int64_t bound) { return bound; }
int64_t Zero(int64_t) { return 0; }

TEST(DelayScheduleTest, SingleValue) {
  absl::StatusOr<DelaySchedule> schedule = ParseDelaySchedule("3600");
  ASSERT_TRUE(schedule.ok()) << schedule.status();
  EXPECT_TRUE(schedule->enabled());
  EXPECT_EQ(schedule->DelayFor(0, Zero), 3600);
  EXPECT_EQ(schedule->DelayFor(9, Zero), 3600);
}

TEST(DelayScheduleTest, BackOffListRepeatsItsLastStep) {
  absl::StatusOr<DelaySchedule> schedule =
      ParseDelaySchedule("60,120,240,480,960,1920,3840,7680,15360,30720,61440,86400");
  ASSERT_TRUE(schedule.ok()) << schedule.status();
  EXPECT_EQ(schedule->DelayFor(0, Zero), 60);
  EXPECT_EQ(schedule->DelayFor(2, Zero), 240);
  EXPECT_EQ(schedule->DelayFor(11, Zero), 86400);
  EXPECT_EQ(schedule->DelayFor(500, Zero), 86400);
}

TEST(DelayScheduleTest, RandomExtraIsAddedUpToItsBound) {
  absl::StatusOr<DelaySchedule> schedule = ParseDelaySchedule("3600+600");
  ASSERT_TRUE(schedule.ok()) << schedule.status();
  EXPECT_EQ(schedule->DelayFor(0, Zero), 3600);
  EXPECT_EQ(schedule->DelayFor(0, Max), 4200);
  absl::StatusOr<DelaySchedule> both = ParseDelaySchedule(" 60, 120 +30");
  ASSERT_TRUE(both.ok()) << both.status();
  EXPECT_THAT(both->steps, ElementsAre(60, 120));
  EXPECT_EQ(both->DelayFor(1, Max), 150);
  EXPECT_EQ(both->ToString(), "60,120+30");
}

TEST(DelayScheduleTest, ZeroMeansOff) {
  EXPECT_FALSE(ParseDelaySchedule("0")->enabled());
  EXPECT_TRUE(ParseDelaySchedule("0+5")->enabled());
}

TEST(DelayScheduleTest, RejectsEverythingElse) {
  for (const char* text : {"", "-1", "1h", "60,,120", "60,", "+5", "60+", "60+x", "1.5",
                           "99999999999", "2592001", "60+2592001"}) {
    EXPECT_THAT(ParseDelaySchedule(text), StatusIs(absl::StatusCode::kInvalidArgument)) << text;
  }
  std::string many = "1";
  for (int i = 0; i < 64; ++i) many += ",1";
  EXPECT_THAT(ParseDelaySchedule(many), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace onramp::resync_timing
