#include "lib/testing/subprocess.h"

#include <signal.h>
#include <sys/wait.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/status_matchers.h"

namespace onramp::testing {
namespace {

using ::onramp::status::IsOkAndHolds;
using ::onramp::status::StatusIs;
using ::testing::Eq;

TEST(SubprocessTest, FindsALineAndTheExitCode) {
  auto child = Subprocess::Start(
      {"/bin/sh", "-c", "echo first >&2; echo \"port=$PORT\" >&2; exit 3"}, {"PORT=8443"});
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_THAT((*child)->WaitForLine(
                  [](std::string_view line) { return line.starts_with("port="); },
                  absl::Seconds(10)),
              IsOkAndHolds(Eq("port=8443")));
  absl::StatusOr<int> status = (*child)->Wait(absl::Seconds(10));
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 3);
}

TEST(SubprocessTest, ClosedStderrWithoutTheLineIsNotFound) {
  auto child = Subprocess::Start({"/bin/sh", "-c", "echo nothing useful >&2"});
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_THAT((*child)->WaitForLine([](std::string_view) { return false; }, absl::Seconds(10)),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(SubprocessTest, SignalsReachTheChild) {
  auto child = Subprocess::Start({"/bin/sh", "-c", "echo ready >&2; exec sleep 60"});
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE((*child)->WaitForLine([](std::string_view l) { return l == "ready"; },
                                    absl::Seconds(10)).ok());
  EXPECT_TRUE((*child)->Signal(SIGTERM).ok());
  absl::StatusOr<int> status = (*child)->Wait(absl::Seconds(10));
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_TRUE(WIFSIGNALED(*status));
  EXPECT_EQ(WTERMSIG(*status), SIGTERM);
}

}  // namespace
}  // namespace onramp::testing
