#include "services/activation-code/codes.h"

#include <array>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/status_matchers.h"

namespace onramp::activation {
namespace {

using ::onramp::status::IsOk;
using ::onramp::status::StatusIs;

TEST(CodesTest, GeneratedCodesAre16DigitsWithAValidCheckDigit) {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    absl::StatusOr<std::string> code = GenerateCode(SystemRandom());
    ASSERT_TRUE(code.ok());
    EXPECT_THAT(*code, ::testing::MatchesRegex("[0-9]{16}"));
    EXPECT_THAT(activation_code::ValidateCode(*code), IsOk()) << *code;
    seen.insert(*code);
  }
  EXPECT_EQ(seen.size(), 2000u);
}

TEST(CodesTest, LeadingZerosAreKept) {
  // A generator that yields only zero bytes: the code is all zeros, still 16
  // characters (Damm's check digit of zeros is 0).
  RandomBytes zeros = [](uint8_t* out, size_t size) {
    std::fill(out, out + size, 0);
    return true;
  };
  EXPECT_EQ(*GenerateCode(zeros), "0000000000000000");
}

TEST(CodesTest, BytesOf250AndAboveAreRedrawn) {
  // 255 and 250 must be skipped; 249 gives 9, 5 gives 5.
  std::vector<uint8_t> script = {255, 250, 249, 5};
  size_t next = 0;
  RandomBytes scripted = [&](uint8_t* out, size_t size) {
    for (size_t i = 0; i < size; ++i) out[i] = script[next++ % script.size()];
    return true;
  };
  std::string code = *GenerateCode(scripted);
  EXPECT_EQ(code.substr(0, 4), "9595");
}

TEST(CodesTest, DigitsAreUniform) {
  // 20000 codes x 15 random digits: each digit ~30000 times. A chi-square
  // over 10 cells with 9 degrees of freedom stays under 27.9 (p = 0.001)
  // for a fair generator; modulo bias of raw bytes (256 % 10) pushes it over.
  std::array<int, 10> counts{};
  for (int i = 0; i < 20000; ++i) {
    std::string code = *GenerateCode(SystemRandom());
    for (size_t d = 0; d < 15; ++d) ++counts[code[d] - '0'];
  }
  double expected = 20000.0 * 15 / 10;
  double chi_square = 0;
  for (int count : counts) chi_square += (count - expected) * (count - expected) / expected;
  EXPECT_LT(chi_square, 27.9);
}

TEST(CodesTest, CheckDigitCatchesEverySingleDigitErrorAndAdjacentSwap) {
  for (int i = 0; i < 200; ++i) {
    std::string code = *GenerateCode(SystemRandom());
    for (size_t position = 0; position < 16; ++position) {
      for (char digit = '0'; digit <= '9'; ++digit) {
        if (digit == code[position]) continue;
        std::string typo = code;
        typo[position] = digit;
        EXPECT_THAT(activation_code::ValidateCode(typo), StatusIs(absl::StatusCode::kInvalidArgument))
            << code << " -> " << typo;
      }
    }
    for (size_t position = 0; position + 1 < 16; ++position) {
      if (code[position] == code[position + 1]) continue;
      std::string swapped = code;
      std::swap(swapped[position], swapped[position + 1]);
      EXPECT_THAT(activation_code::ValidateCode(swapped), StatusIs(absl::StatusCode::kInvalidArgument))
          << code << " -> " << swapped;
    }
  }
}

TEST(CodesTest, HashIsKeyedAndStable) {
  CodeHasher a = *CodeHasher::Create(std::string(32, 'a'));
  CodeHasher b = *CodeHasher::Create(std::string(32, 'b'));
  EXPECT_EQ(a.Hash("5414011256173816"), a.Hash("5414011256173816"));
  EXPECT_NE(a.Hash("5414011256173816"), b.Hash("5414011256173816"));
  EXPECT_NE(a.Hash("5414011256173816"), a.Hash("5414011256173817"));
  EXPECT_EQ(a.Hash("x").size(), 32u);
  EXPECT_THAT(CodeHasher::Create("short").status(), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(CodesTest, SealedBatchesOpenOnlyWithTheSameSecret) {
  BatchSealer sealer = *BatchSealer::Create(std::string(32, 's'));
  std::vector<std::string> codes = {"5414011256173816", "0000000000000000"};
  std::string sealed = sealer.Seal(codes);
  EXPECT_EQ(sealed.find("5414011256173816"), std::string::npos);
  EXPECT_EQ(*sealer.Open(sealed), codes);
  BatchSealer other = *BatchSealer::Create(std::string(32, 't'));
  EXPECT_THAT(other.Open(sealed).status(), StatusIs(absl::StatusCode::kDataLoss));
  sealed[20] ^= 1;
  EXPECT_THAT(sealer.Open(sealed).status(), StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace onramp::activation
