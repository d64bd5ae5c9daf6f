#include "lib/phone/activation_code/check_digit.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "lib/base/strings/strings.h"
#include "lib/kit/status/error_detail.h"

namespace onramp::activation_code {
namespace {

// Damm's totally anti-symmetric quasigroup of order 10.
constexpr uint8_t kDamm[10][10] = {
    {0, 3, 1, 7, 5, 9, 8, 6, 4, 2}, {7, 0, 9, 2, 1, 5, 4, 8, 6, 3},
    {4, 2, 0, 6, 8, 7, 1, 3, 5, 9}, {1, 7, 5, 0, 9, 8, 3, 4, 2, 6},
    {6, 1, 2, 3, 0, 4, 5, 9, 7, 8}, {3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
    {5, 8, 6, 9, 7, 2, 0, 1, 3, 4}, {8, 9, 4, 5, 3, 6, 2, 0, 1, 7},
    {9, 4, 3, 8, 6, 1, 7, 2, 0, 5}, {2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
};

}  // namespace

int DammCheckDigit(std::string_view digits) {
  int interim = 0;
  for (char c : digits) interim = kDamm[interim][c - '0'];
  return interim;
}

absl::Status ValidateCode(std::string_view code) {
  if (code.size() != kCodeLength) {
    return status::InvalidField(
        "code", absl::StrCat("activation code must be 16 digits, not ", code.size(), " characters"));
  }
  for (char c : code) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return status::InvalidField("code", "activation code must be digits only");
    }
  }
  if (DammCheckDigit(code) != 0) {
    // Appending the check digit makes the whole code's Damm value 0.
    return status::InvalidField("code", "activation code has a typo (check digit mismatch)");
  }
  return absl::OkStatus();
}

bool IsShortCode(std::string_view digits) {
  return digits.size() >= 3 && digits.size() <= 16 && strings::IsDigits(digits);
}

}  // namespace onramp::activation_code
