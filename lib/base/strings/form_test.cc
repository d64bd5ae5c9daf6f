#include "lib/base/strings/form.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace onramp::strings {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(FormTest, DecodesPlusAndPercentEscapes) {
  absl::StatusOr<std::map<std::string, std::string>> form = ParseForm("code=%23123&name=Front+desk&empty=&bare");
  ASSERT_TRUE(form.ok()) << form.status();
  EXPECT_THAT(*form, ElementsAre(Pair("bare", ""), Pair("code", "#123"), Pair("empty", ""),
                                 Pair("name", "Front desk")));
}

TEST(FormTest, SkipsEmptyPairs) {
  absl::StatusOr<std::map<std::string, std::string>> form = ParseForm("&a=1&&b=2&");
  ASSERT_TRUE(form.ok()) << form.status();
  EXPECT_THAT(*form, ElementsAre(Pair("a", "1"), Pair("b", "2")));
}

TEST(FormTest, RefusesBadEscapesAndRepeatedNames) {
  EXPECT_EQ(ParseForm("a=%2").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseForm("a=%zz").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseForm("a=1&a=2").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace onramp::strings

namespace onramp::strings {
namespace {

TEST(EncodeFormTest, RoundTripsThroughParseForm) {
  std::string encoded = EncodeForm({{"csr", "-----BEGIN X-----\nab+c/=\n"}, {"mac", "00:0e"}});
  EXPECT_EQ(encoded, "csr=-----BEGIN%20X-----%0Aab%2Bc%2F%3D%0A&mac=00%3A0e");
  absl::StatusOr<std::map<std::string, std::string>> parsed = ParseForm(encoded);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->at("csr"), "-----BEGIN X-----\nab+c/=\n");
}

TEST(PercentDecodeTest, DecodesPathSegmentsKeepingPlus) {
  EXPECT_EQ(*PercentDecode("00%3A0e%3a08+x"), "00:0e:08+x");
  EXPECT_FALSE(PercentDecode("bad%2").ok());
  EXPECT_FALSE(PercentDecode("bad%zz").ok());
}

}  // namespace
}  // namespace onramp::strings
