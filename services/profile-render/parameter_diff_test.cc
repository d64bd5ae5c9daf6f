#include "services/profile-render/parameter_diff.h"

#include "gtest/gtest.h"

namespace onramp::profile {
namespace {

TEST(ParameterDiffTest, AddedChangedAndRemovedByName) {
  std::vector<LayerParameter> before = {{.name = "A", .value = "1"}, {.name = "B", .value = "2"}, {.name = "C", .value = "3"}};
  std::vector<LayerParameter> after = {{.name = "D", .value = "4"}, {.name = "B", .value = "2"}, {.name = "A", .value = "9"}};
  std::vector<ParameterChange> changes = DiffParameters(before, after);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].name, "D");
  EXPECT_EQ(changes[0].before, nullptr);
  EXPECT_EQ(changes[0].after->value, "4");
  EXPECT_EQ(changes[1].name, "A");
  EXPECT_EQ(changes[1].before->value, "1");
  EXPECT_EQ(changes[1].after->value, "9");
  EXPECT_EQ(changes[2].name, "C");
  EXPECT_EQ(changes[2].before->value, "3");
  EXPECT_EQ(changes[2].after, nullptr);
  EXPECT_TRUE(DiffParameters(after, after).empty());
}

}  // namespace
}  // namespace onramp::profile
