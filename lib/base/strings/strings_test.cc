#include "gtest/gtest.h"
#include "lib/base/strings/json.h"
#include "lib/base/strings/strings.h"

namespace onramp::strings {
namespace {

TEST(StringsTest, TrimAndLower) {
  EXPECT_EQ(Trim(" \t a b \r\n"), "a b");
  EXPECT_EQ(Trim("   "), "");
  EXPECT_EQ(Lower("GDS://"), "gds://");
}

TEST(JsonTest, EscapesWhatJsonRequires) {
  EXPECT_EQ(JsonString("say \"hi\"\n\\ \t\x07 ok"), R"("say \"hi\"\n\\ \t\u0007 ok")");
  EXPECT_EQ(JsonString(""), R"("")");
}

}  // namespace
}  // namespace onramp::strings
