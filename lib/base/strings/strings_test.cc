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

TEST(StringsTest, HexDigitsEitherCase) {
  EXPECT_EQ(HexDigitValue('0'), 0);
  EXPECT_EQ(HexDigitValue('9'), 9);
  EXPECT_EQ(HexDigitValue('a'), 10);
  EXPECT_EQ(HexDigitValue('F'), 15);
  EXPECT_EQ(HexDigitValue('g'), -1);
  EXPECT_EQ(HexDigitValue(':'), -1);
  EXPECT_EQ(HexDigitValue('\0'), -1);
  EXPECT_TRUE(IsHex("00562bFF"));
  EXPECT_FALSE(IsHex("0x56"));
  EXPECT_TRUE(IsDigits("0123"));
  EXPECT_FALSE(IsDigits("12a"));
}

TEST(JsonTest, EscapesWhatJsonRequires) {
  EXPECT_EQ(JsonString("say \"hi\"\n\\ \t\x07 ok"), R"("say \"hi\"\n\\ \t\u0007 ok")");
  EXPECT_EQ(JsonString(""), R"("")");
}

}  // namespace
}  // namespace onramp::strings
