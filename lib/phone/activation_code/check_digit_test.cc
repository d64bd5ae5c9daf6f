#include "lib/phone/activation_code/check_digit.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/status_matchers.h"

namespace onramp::activation_code {
namespace {

using ::onramp::status::IsOk;
using ::onramp::status::StatusIs;
using ::testing::HasSubstr;

TEST(CheckDigitTest, MatchesThePublishedDammExample) {
  // Damm (2004) and its common worked example: 572 gets check digit 4.
  EXPECT_EQ(DammCheckDigit("572"), 4);
  EXPECT_EQ(DammCheckDigit("5724"), 0);
}

TEST(CheckDigitTest, CatchesTheAdjacentSwapLuhnMisses) {
  std::string code = "123456789012340";
  code += static_cast<char>('0' + DammCheckDigit(code));
  EXPECT_THAT(ValidateCode(code), IsOk());
  std::string swapped = code;
  std::swap(swapped[8], swapped[9]);  // "...90..." -> "...09..."
  EXPECT_THAT(ValidateCode(swapped), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("typo")));
}

TEST(CheckDigitTest, MalformedCodesNameTheRule) {
  EXPECT_THAT(ValidateCode("123"), StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("must be 16 digits, not 3")));
  EXPECT_THAT(ValidateCode("12345678901234a6"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("digits only")));
  EXPECT_THAT(ValidateCode(""), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ShortCodeTest, ThreeToSixteenDigits) {
  for (const char* yes : {"123", "0000", "1234567890123456"}) EXPECT_TRUE(IsShortCode(yes)) << yes;
  for (const char* no : {"", "12", "12345678901234567", "12a4", "#123", " 123"}) EXPECT_FALSE(IsShortCode(no)) << no;
}

}  // namespace
}  // namespace onramp::activation_code
