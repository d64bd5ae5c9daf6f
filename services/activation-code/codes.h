#ifndef ONRAMP_SERVICES_ACTIVATION_CODE_CODES_H_
#define ONRAMP_SERVICES_ACTIVATION_CODE_CODES_H_

// Activation codes themselves: making them, checking what a user typed,
// and the keyed hash that is all the database ever holds.
//
// A code is 16 decimal digits: 15 uniform random digits and a Damm check
// digit (lib/phone/activation_code), so a mistyped code is refused before any
// database lookup.

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/phone/activation_code/check_digit.h"
#include "lib/phone/profile_crypto/sealer.h"

namespace onramp::activation {

// Fills a buffer with cryptographically secure random bytes; OpenSSL's
// RAND_bytes in production, a script in tests.
using RandomBytes = std::function<bool(uint8_t* out, size_t size)>;
RandomBytes SystemRandom();

// 15 random digits (uniform: bytes of 250 and above are redrawn, so no
// digit is favoured) and their check digit.
absl::StatusOr<std::string> GenerateCode(const RandomBytes& random);

// HMAC-SHA-256 under a server secret: a stolen database does not give the
// codes, and lookups stay one index probe.
class CodeHasher {
 public:
  // The key must be at least 32 bytes.
  static absl::StatusOr<CodeHasher> Create(std::string key);
  std::string Hash(std::string_view code) const;

 private:
  explicit CodeHasher(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

// Codes of one batch sealed with AES-256-GCM, so an idempotent retry of
// CreateCodes can return the same digits without them ever being stored in
// plain text. Sealed batches are deleted after a day.
class BatchSealer {
 public:
  // Derives its own key from the server secret.
  static absl::StatusOr<BatchSealer> Create(std::string_view secret);
  std::string Seal(const std::vector<std::string>& codes) const;
  absl::StatusOr<std::vector<std::string>> Open(std::string_view sealed) const;

 private:
  explicit BatchSealer(profile_crypto::Sealer sealer) : sealer_(std::move(sealer)) {}
  profile_crypto::Sealer sealer_;
};

}  // namespace onramp::activation

#endif  // ONRAMP_SERVICES_ACTIVATION_CODE_CODES_H_
