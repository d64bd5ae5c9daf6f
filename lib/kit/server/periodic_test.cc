#include "lib/kit/server/periodic.h"

#include <atomic>

#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace onramp::server {
namespace {

TEST(PeriodicTest, RunsTheTaskAgainAndAgain) {
  absl::BlockingCounter runs(3);
  std::atomic<int> count = 0;
  {
    Periodic periodic(absl::Milliseconds(1), [&] {
      if (++count <= 3) runs.DecrementCount();
    });
    runs.Wait();
  }
  EXPECT_GE(count.load(), 3);
}

TEST(PeriodicTest, DestructionWaitsForTheRunInProgressAndStopsIt) {
  absl::Notification started;
  absl::Notification release;
  std::atomic<bool> finished = false;
  std::atomic<int> count = 0;
  std::thread releaser;
  {
    Periodic periodic(absl::Milliseconds(1), [&] {
      if (++count > 1) return;
      started.Notify();
      release.WaitForNotification();
      finished = true;
    });
    started.WaitForNotification();
    releaser = std::thread([&] { release.Notify(); });
  }
  // The destructor returned: the run it found in progress had finished,
  // and no run starts after it.
  EXPECT_TRUE(finished.load());
  int after = count.load();
  releaser.join();
  EXPECT_EQ(count.load(), after);
}

TEST(PeriodicTest, AnIdleTaskStopsPromptly) {
  std::atomic<int> count = 0;
  { Periodic periodic(absl::Hours(1), [&] { ++count; }); }
  EXPECT_EQ(count.load(), 0);
}

TEST(PeriodicTest, APollerRunsAtOnce) {
  absl::Notification ran;
  Periodic poller(absl::Hours(1), [&] { ran.Notify(); }, Periodic::FirstRun::kAtOnce);
  EXPECT_TRUE(ran.WaitForNotificationWithTimeout(absl::Seconds(30)));
}

}  // namespace
}  // namespace onramp::server
