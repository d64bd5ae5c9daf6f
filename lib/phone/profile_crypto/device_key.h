#ifndef ONRAMP_LIB_PHONE_PROFILE_CRYPTO_DEVICE_KEY_H_
#define ONRAMP_LIB_PHONE_PROFILE_CRYPTO_DEVICE_KEY_H_

// A phone's own 256-bit profile key: made by the CSPRNG, wiped from memory
// when dropped, compared in constant time.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace onramp::profile_crypto {

class DeviceKey {
 public:
  static constexpr size_t kSize = 32;

  // 32 bytes from OpenSSL's RAND_bytes. INTERNAL if the generator fails.
  static absl::StatusOr<DeviceKey> Generate();
  // 64 hex digits.
  static absl::StatusOr<DeviceKey> FromHex(std::string_view hex);

  DeviceKey(const DeviceKey&) = default;
  DeviceKey& operator=(const DeviceKey&) = default;
  ~DeviceKey();

  std::string ToHex() const;
  // The passphrase for `openssl enc -k` and rules' --key: the hex form.
  std::string Passphrase() const { return ToHex(); }
  // The aes128gcm input keying material as the phone holds it in
  // IKM_HTTP_Encrypt_Content: the 64 hex digits as text. (How phones
  // write the IKM is unconfirmed; text is what a profile can carry, and
  // all 256 bits go into the HKDF.)
  std::string Ikm() const { return ToHex(); }

  const std::array<uint8_t, kSize>& bytes() const { return bytes_; }

  friend bool operator==(const DeviceKey& a, const DeviceKey& b);

 private:
  DeviceKey() = default;
  std::array<uint8_t, kSize> bytes_{};
};

// Equality of two secrets without leaking where they differ through timing.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace onramp::profile_crypto

#endif  // ONRAMP_LIB_PHONE_PROFILE_CRYPTO_DEVICE_KEY_H_
