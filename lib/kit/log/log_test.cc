#include "lib/kit/log/log.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace onramp::log {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

TEST(LogTest, BodyEscapesWhatJsonRequires) {
  EXPECT_EQ(FormatBody("say \"hi\"\n", {{"path", "C:\\x"}, {"tab", "a\tb"}, {"bell", "\x07"}}),
            R"("msg":"say \"hi\"\n","path":"C:\\x","tab":"a\tb","bell":"\u0007")");
}

TEST(LogTest, NumbersAreWrittenAsText) {
  EXPECT_EQ(FormatBody("x", {{"port", 8443}}), R"("msg":"x","port":"8443")");
}

TEST(LogTest, LinesAreOneJsonObjectWithServiceAndLevel) {
  Init("kit \"test\"", Level::kInfo);
  ::testing::internal::CaptureStderr();
  Info("listening", {{"port", 1}});
  Debug("below the level");
  std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(out, MatchesRegex(
      R"(\{"ts":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z","level":"info","service":"kit \\"test\\"","msg":"listening","port":"1"\}
)"));
  EXPECT_THAT(out, ::testing::Not(HasSubstr("below the level")));
}

TEST(LogTest, ParseLevelKnowsTheFourLevels) {
  Level level = Level::kInfo;
  EXPECT_TRUE(ParseLevel("debug", &level));
  EXPECT_EQ(level, Level::kDebug);
  EXPECT_TRUE(ParseLevel("error", &level));
  EXPECT_EQ(level, Level::kError);
  EXPECT_FALSE(ParseLevel("verbose", &level));
  EXPECT_EQ(level, Level::kError);
}

}  // namespace
}  // namespace onramp::log
