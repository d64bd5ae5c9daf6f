#include "lib/kit/server/request_id.h"

#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace onramp::server {
namespace {

TEST(RequestIdTest, NewIdsAre32HexDigitsAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewRequestId();
    EXPECT_THAT(id, ::testing::MatchesRegex("[0-9a-f]{32}"));
    EXPECT_TRUE(IsValidRequestId(id));
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(RequestIdTest, CallerIdsMustBeShortAndPlain) {
  EXPECT_TRUE(IsValidRequestId("gw-1:abc.DEF_9"));
  EXPECT_FALSE(IsValidRequestId(""));
  EXPECT_FALSE(IsValidRequestId(std::string(129, 'a')));
  EXPECT_FALSE(IsValidRequestId("a\"b"));
  EXPECT_FALSE(IsValidRequestId("a b"));
  EXPECT_FALSE(IsValidRequestId("line\nbreak"));
}

}  // namespace
}  // namespace onramp::server
