#include "lib/phone/customization/customization.h"

#include "gtest/gtest.h"

namespace onramp::customization {
namespace {

using S = CustomizationState;

TEST(CustomizationTest, TransitionTable) {
  // Rows: from (nullopt = never reported); columns: to, in enum order
  // Open, Pending, CustomPending, Acquired, Aborted, Unavailable.
  struct Row {
    std::optional<S> from;
    bool allowed[6];
  };
  const Row table[] = {
      {std::nullopt, {true, true, false, false, true, false}},
      {S::kOpen, {true, true, false, false, true, false}},
      {S::kPending, {true, true, true, false, true, true}},
      {S::kCustomPending, {true, false, true, true, true, false}},
      {S::kAcquired, {true, false, false, true, false, false}},
      {S::kAborted, {true, false, false, false, true, false}},
      {S::kUnavailable, {true, false, false, false, false, true}},
  };
  const S to[] = {S::kOpen, S::kPending, S::kCustomPending, S::kAcquired, S::kAborted,
                  S::kUnavailable};
  for (const Row& row : table) {
    for (int i = 0; i < 6; ++i) {
      EXPECT_EQ(TransitionAllowed(row.from, to[i]), row.allowed[i])
          << (row.from ? StateName(*row.from) : "none") << " -> " << StateName(to[i]);
    }
  }
}

TEST(CustomizationTest, NamesRoundTrip) {
  for (S state : {S::kOpen, S::kPending, S::kCustomPending, S::kAcquired, S::kAborted,
                  S::kUnavailable}) {
    EXPECT_EQ(StateFromName(StateName(state)), state);
  }
  EXPECT_EQ(StateFromName("bogus"), std::nullopt);
}

}  // namespace
}  // namespace onramp::customization
