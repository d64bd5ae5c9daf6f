#include "services/firmware-catalog/rollout.h"

#include "absl/strings/str_format.h"
#include "gtest/gtest.h"

namespace onramp::firmware {
namespace {

identity::MacAddress Mac(int i) { return *identity::MacAddress::Parse(absl::StrFormat("02%010x", i)); }

const std::vector<Stage> kStages = {{10, absl::Hours(1)}, {50, absl::Hours(2)}, {100, absl::ZeroDuration()}};

TEST(RolloutTest, StagesHoldTheirShareOfPhonesAndKeepThem) {
  int counts[4] = {};
  for (int i = 0; i < 10000; ++i) ++counts[StageOf(Bucket(Mac(i)), kStages)];
  // 10%, then 40% more, then the remaining 50%, within sampling noise.
  EXPECT_NEAR(counts[0], 1000, 120);
  EXPECT_NEAR(counts[1], 4000, 200);
  EXPECT_NEAR(counts[2], 5000, 200);
  EXPECT_EQ(counts[3], 0);
  EXPECT_EQ(Bucket(Mac(42)), Bucket(*identity::MacAddress::Parse("02:00:00:00:00:2a")));
}

TEST(RolloutTest, OnlyOpenStagesOfARunningRolloutAreAdmitted) {
  RolloutProgress progress{.current_stage = 0};
  int admitted = 0;
  for (int i = 0; i < 1000; ++i) admitted += Admitted(Mac(i), kStages, progress);
  EXPECT_NEAR(admitted, 100, 40);
  progress.state = RolloutState::kPaused;
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(Admitted(Mac(i), kStages, progress));
}

TEST(RolloutTest, SoakThenAdvanceThenComplete) {
  absl::Time start = absl::FromUnixSeconds(1000000);
  RolloutProgress progress{.current_stage = 0, .stage_started = start};
  EXPECT_EQ(Evaluate(kStages, 10, progress, start + absl::Minutes(59)), Decision::kStay);
  EXPECT_EQ(Evaluate(kStages, 10, progress, start + absl::Hours(1)), Decision::kAdvance);
  progress.current_stage = 2;
  EXPECT_EQ(Evaluate(kStages, 10, progress, start), Decision::kComplete);
}

TEST(RolloutTest, FailuresOverTheThresholdHalt) {
  absl::Time start = absl::FromUnixSeconds(1000000);
  RolloutProgress progress{.current_stage = 0, .stage_started = start, .successes = 3, .failures = 1};
  // Too few reports to judge yet.
  EXPECT_EQ(Evaluate(kStages, 10, progress, start), Decision::kStay);
  progress.successes = 18;
  progress.failures = 2;  // exactly 10%: not over
  EXPECT_EQ(Evaluate(kStages, 10, progress, start), Decision::kStay);
  progress.failures = 3;
  EXPECT_EQ(Evaluate(kStages, 10, progress, start + absl::Hours(5)), Decision::kHalt);
}

TEST(RolloutTest, ProgressAtTakesEveryDecisionDueAtOnce) {
  absl::Time start = absl::FromUnixSeconds(1000000);
  RolloutProgress progress{.current_stage = 0, .stage_started = start};
  EXPECT_EQ(ProgressAt(kStages, 10, progress, start + absl::Minutes(30)), progress);
  // 1 h 30 min in: stage 1 opened when stage 0's hour ended.
  RolloutProgress middle = ProgressAt(kStages, 10, progress, start + absl::Minutes(90));
  EXPECT_EQ(middle.state, RolloutState::kRunning);
  EXPECT_EQ(middle.current_stage, 1);
  EXPECT_EQ(middle.stage_started, start + absl::Hours(1));
  // Nobody looked for a day: stage 1's two hours ended too, and the last
  // stage needs no soak.
  RolloutProgress done = ProgressAt(kStages, 10, progress, start + absl::Hours(24));
  EXPECT_EQ(done.state, RolloutState::kCompleted);
  EXPECT_EQ(done.current_stage, 2);
  EXPECT_EQ(done.stage_started, start + absl::Hours(3));
  // Failures halt where the rollout stands, however late it is.
  progress.successes = 4;
  progress.failures = 2;
  RolloutProgress halted = ProgressAt(kStages, 10, progress, start + absl::Hours(24));
  EXPECT_EQ(halted.state, RolloutState::kHalted);
  EXPECT_EQ(halted.current_stage, 0);
  // Only a running rollout moves.
  progress = {.state = RolloutState::kPaused, .current_stage = 0, .stage_started = start};
  EXPECT_EQ(ProgressAt(kStages, 10, progress, start + absl::Hours(24)), progress);
}

}  // namespace
}  // namespace onramp::firmware
