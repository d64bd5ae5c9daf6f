#include "lib/kit/store/page_token.h"

#include "gtest/gtest.h"

namespace onramp::store {
namespace {

TEST(PageTokenTest, PositionsGoRoundAndForeignTokensAreRefused) {
  for (std::string_view position : {"000e08aabbcc", "device/000e08aabbcc", "1800000000000000|0a1b", ""}) {
    EXPECT_EQ(*PositionOf(PageTokenAfter(position)), position);
  }
  EXPECT_EQ(*PositionOf(""), "");
  absl::StatusOr<std::string> foreign = PositionOf("not base64!");
  EXPECT_EQ(foreign.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(foreign.status().message(), "page_token is not one this service issued");
}

}  // namespace
}  // namespace onramp::store
