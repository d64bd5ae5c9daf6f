#include "device-agent/timing.h"

#include "gtest/gtest.h"

namespace onramp::agent {
namespace {

int64_t NoExtra(int64_t) { return 0; }
int64_t AllExtra(int64_t bound) { return bound; }

TEST(TimingTest, SuccessWaitsThePeriodAndFailuresBackOff) {
  v1::PhoneState state;
  state.set_last_outcome("A");
  EXPECT_EQ(NextResyncSeconds(state, NoExtra), 3600);  // the default
  (*state.mutable_parameters())["Resync_Periodic"].set_value("600+60");
  EXPECT_EQ(NextResyncSeconds(state, NoExtra), 600);
  EXPECT_EQ(NextResyncSeconds(state, AllExtra), 660);

  state.set_last_outcome("B");
  state.set_consecutive_failures(1);
  EXPECT_EQ(NextResyncSeconds(state, NoExtra), 60);  // the default back-off
  state.set_consecutive_failures(3);
  EXPECT_EQ(NextResyncSeconds(state, NoExtra), 240);
  (*state.mutable_parameters())["Resync_Error_Retry_Delay"].set_value("30,90");
  state.set_consecutive_failures(9);
  EXPECT_EQ(NextResyncSeconds(state, NoExtra), 90);  // the last step repeats

  // Unreadable values fall back to the default; "0" turns the timer off.
  (*state.mutable_parameters())["Resync_Error_Retry_Delay"].set_value("soon");
  state.set_consecutive_failures(1);
  EXPECT_EQ(NextResyncSeconds(state, NoExtra), 60);
  state.set_last_outcome("A");
  (*state.mutable_parameters())["Resync_Periodic"].set_value("0");
  EXPECT_EQ(NextResyncSeconds(state, NoExtra), std::nullopt);
}

TEST(TimingTest, AFailedUpgradeIsTriedAgainAfterUpgradeErrorRetryDelay) {
  v1::PhoneState state;
  state.set_last_outcome("A");
  state.set_upgrade_pending(true);
  EXPECT_EQ(NextResyncSeconds(state, NoExtra), 3600);  // the default, as the periodic one
  (*state.mutable_parameters())["Resync_Periodic"].set_value("86400");
  (*state.mutable_parameters())["Upgrade_Error_Retry_Delay"].set_value("900");
  EXPECT_EQ(NextResyncSeconds(state, NoExtra), 900);
  (*state.mutable_parameters())["Resync_Periodic"].set_value("600");
  EXPECT_EQ(NextResyncSeconds(state, NoExtra), 600);  // a resync comes first and tries it too
  (*state.mutable_parameters())["Resync_Periodic"].set_value("0");
  EXPECT_EQ(NextResyncSeconds(state, NoExtra), 900);  // even with the resync timer off
  state.set_upgrade_pending(false);
  EXPECT_EQ(NextResyncSeconds(state, NoExtra), std::nullopt);
}

TEST(TimingTest, APowerOnWaitsAtRandomWithinResyncRandomDelay) {
  v1::PhoneState state;
  EXPECT_EQ(BootResyncSeconds(state, AllExtra), 40);  // 2 units of 20 s
  (*state.mutable_parameters())["Resync_Random_Delay"].set_value("0");
  EXPECT_EQ(BootResyncSeconds(state, AllExtra), 0);
  (*state.mutable_parameters())["Resync_On_Reset"].set_value("No");
  state.set_last_outcome("A");
  EXPECT_EQ(BootResyncSeconds(state, NoExtra), 3600);  // the periodic timer instead
}

TEST(TimingTest, ATr069PhoneInformsPeriodicallyAndRetriesAsTr069Says) {
  v1::PhoneState state;
  state.set_last_outcome("A");
  EXPECT_EQ(NextInformSeconds(state, NoExtra), 20);
  (*state.mutable_parameters())["Periodic_Inform_Interval"].set_value("300");
  EXPECT_EQ(NextInformSeconds(state, NoExtra), 300);
  (*state.mutable_parameters())["Periodic_Inform_Enable"].set_value("No");
  EXPECT_EQ(NextInformSeconds(state, NoExtra), std::nullopt);
  // After failures: 5-10 s, then 10-20 s, ... up to 2560-5120 s.
  state.set_last_outcome("C");
  state.set_consecutive_failures(1);
  EXPECT_EQ(NextInformSeconds(state, NoExtra), 5);
  EXPECT_EQ(NextInformSeconds(state, AllExtra), 10);
  state.set_consecutive_failures(2);
  EXPECT_EQ(NextInformSeconds(state, NoExtra), 10);
  state.set_consecutive_failures(40);
  EXPECT_EQ(NextInformSeconds(state, NoExtra), 2560);
  EXPECT_EQ(NextInformSeconds(state, AllExtra), 5120);
}

}  // namespace
}  // namespace onramp::agent
