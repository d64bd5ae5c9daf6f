#ifndef ONRAMP_LIB_PHONE_PROFILE_CRYPTO_SEALER_H_
#define ONRAMP_LIB_PHONE_PROFILE_CRYPTO_SEALER_H_

// Secrets at rest: AES-256-GCM under a key derived from a server secret
// and a purpose label (so one secret can seal different things under
// different keys). Output: nonce (12) | ciphertext | tag (16).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace onramp::profile_crypto {

class Sealer {
 public:
  // The secret must be at least 32 bytes.
  static absl::StatusOr<Sealer> Create(std::string_view secret, std::string_view purpose);

  std::string Seal(std::string_view plaintext) const;
  // DATA_LOSS when `sealed` was not made by this key and purpose, or was altered.
  absl::StatusOr<std::string> Open(std::string_view sealed) const;

 private:
  explicit Sealer(const std::array<uint8_t, 32>& key) : key_(key) {}
  std::array<uint8_t, 32> key_;
};

}  // namespace onramp::profile_crypto

#endif  // ONRAMP_LIB_PHONE_PROFILE_CRYPTO_SEALER_H_
