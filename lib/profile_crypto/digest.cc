#include "lib/profile_crypto/digest.h"

#include <openssl/sha.h>

#include <algorithm>

#include "absl/strings/escaping.h"

namespace onramp::profile_crypto {

std::string Sha256Hex(std::string_view data, size_t bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), std::min(bytes, sizeof digest)));
}

}  // namespace onramp::profile_crypto
