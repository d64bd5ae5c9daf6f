#include "lib/kit/clients/backend.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace onramp::clients {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(BackendTest, RefusesCallsBeyondTheBoundAtOnce) {
  Backend backend("profile-render", {.max_in_flight = 2});
  ASSERT_TRUE(backend.Enter().ok());
  ASSERT_TRUE(backend.Enter().ok());
  absl::Status third = backend.Enter();
  EXPECT_EQ(third.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(third.message(), HasSubstr("profile-render is busy"));
  // A call through a full backend never reaches it.
  int attempts = 0;
  EXPECT_EQ(backend.Call("Render", Repeat::kSafe, [&](absl::Time) { return ++attempts, absl::OkStatus(); }).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(attempts, 0);
  backend.Leave();
  EXPECT_TRUE(backend.Call("Render", Repeat::kSafe, [&](absl::Time) { return ++attempts, absl::OkStatus(); }).ok());
  EXPECT_EQ(attempts, 1);
}

TEST(BackendTest, RepeatsSafeCallsOnlyWhileUnavailable) {
  std::vector<absl::StatusCode> outcomes;
  Backend backend("device-activation", {.max_attempts = 3,
                                        .first_backoff = absl::Milliseconds(1),
                                        .on_outcome = [&](std::string_view, absl::StatusCode code) {
                                          outcomes.push_back(code);
                                        }});
  int attempts = 0;
  auto flaky = [&](absl::Time) {
    return ++attempts < 3 ? absl::UnavailableError("connection refused") : absl::OkStatus();
  };
  EXPECT_TRUE(backend.Call("Lookup", Repeat::kSafe, flaky).ok());
  EXPECT_EQ(attempts, 3);

  attempts = 0;
  EXPECT_EQ(backend.Call("RedeemCode", Repeat::kOnce, flaky).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(attempts, 1);

  attempts = 0;
  auto missing = [&](absl::Time) { return ++attempts, absl::NotFoundError("no such phone"); };
  EXPECT_EQ(backend.Call("Lookup", Repeat::kSafe, missing).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(attempts, 1);

  attempts = 0;
  auto down = [&](absl::Time) { return ++attempts, absl::UnavailableError("down"); };
  EXPECT_EQ(backend.Call("Lookup", Repeat::kSafe, down).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(attempts, 3);
  // One outcome per call, after its retries.
  EXPECT_THAT(outcomes, ElementsAre(absl::StatusCode::kOk, absl::StatusCode::kUnavailable,
                                    absl::StatusCode::kNotFound, absl::StatusCode::kUnavailable));
}

TEST(BackendTest, RetriesStopAtTheDeadline) {
  Backend backend("profile-render",
                  {.deadline = absl::Milliseconds(30), .max_attempts = 100, .first_backoff = absl::Milliseconds(20)});
  int attempts = 0;
  absl::Time first_deadline;
  auto down = [&](absl::Time deadline) {
    if (attempts++ == 0) first_deadline = deadline;
    EXPECT_EQ(deadline, first_deadline);  // every attempt shares the call's deadline
    return absl::UnavailableError("down");
  };
  EXPECT_EQ(backend.Call("Render", Repeat::kSafe, down).code(), absl::StatusCode::kUnavailable);
  EXPECT_LT(attempts, 5);
}

}  // namespace
}  // namespace onramp::clients
