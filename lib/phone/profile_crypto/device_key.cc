#include "lib/phone/profile_crypto/device_key.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "absl/strings/escaping.h"
#include "lib/base/strings/strings.h"

namespace onramp::profile_crypto {

absl::StatusOr<DeviceKey> DeviceKey::Generate() {
  DeviceKey key;
  if (RAND_bytes(key.bytes_.data(), static_cast<int>(key.bytes_.size())) != 1) {
    return absl::InternalError("RAND_bytes failed");
  }
  return key;
}

absl::StatusOr<DeviceKey> DeviceKey::FromHex(std::string_view hex) {
  if (hex.size() != 2 * kSize) {
    return absl::InvalidArgumentError("device key must be 64 hex digits");
  }
  DeviceKey key;
  for (size_t i = 0; i < hex.size(); ++i) {
    int value = strings::HexDigitValue(hex[i]);
    if (value < 0) return absl::InvalidArgumentError("device key must be 64 hex digits");
    key.bytes_[i / 2] = static_cast<uint8_t>(key.bytes_[i / 2] << 4 | value);
  }
  return key;
}

DeviceKey::~DeviceKey() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

std::string DeviceKey::ToHex() const {
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes_.data()), bytes_.size()));
}

bool operator==(const DeviceKey& a, const DeviceKey& b) {
  return CRYPTO_memcmp(a.bytes_.data(), b.bytes_.data(), DeviceKey::kSize) == 0;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // The length is not secret; the contents are.
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace onramp::profile_crypto
