#ifndef ONRAMP_LIB_PHONE_ACTIVATION_CODE_CHECK_DIGIT_H_
#define ONRAMP_LIB_PHONE_ACTIVATION_CODE_CHECK_DIGIT_H_

// The shape of an activation code (and of a short code), shared by the
// services that make them and the gateway that refuses mistyped ones
// before any backend call.
//
// A code is 16 decimal digits: 15 random digits and a Damm check digit.
// Damm's quasigroup check catches every single-digit error and every swap of
// two adjacent digits (Luhn misses 09 <-> 90).

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"

namespace onramp::activation_code {

inline constexpr size_t kCodeLength = 16;

// The Damm check digit of `digits` (all '0'..'9').
int DammCheckDigit(std::string_view digits);

// INVALID_ARGUMENT naming field "code" unless `code` is 16 digits whose last
// is the Damm check digit of the rest.
absl::Status ValidateCode(std::string_view code);

// A short code, typed after '#' at a phone's activation screen: 3 to 16
// digits, the name of a partner's redirect profile.
bool IsShortCode(std::string_view digits);

}  // namespace onramp::activation_code

#endif  // ONRAMP_LIB_PHONE_ACTIVATION_CODE_CHECK_DIGIT_H_
