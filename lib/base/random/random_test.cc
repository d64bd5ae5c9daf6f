#include "lib/base/random/random.h"

#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace onramp::random {
namespace {

TEST(RandomTest, UuidsAreVersionFourAndDifferent) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    absl::StatusOr<std::string> uuid = Uuid();
    ASSERT_TRUE(uuid.ok());
    EXPECT_THAT(*uuid, ::testing::MatchesRegex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
    seen.insert(*uuid);
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(Bytes(32)->size(), 32u);
}

}  // namespace
}  // namespace onramp::random
