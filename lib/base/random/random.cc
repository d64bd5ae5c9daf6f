#include "lib/base/random/random.h"

#include <openssl/rand.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace onramp::random {

absl::StatusOr<std::string> Bytes(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    return absl::InternalError("RAND_bytes failed");
  }
  return raw;
}

absl::StatusOr<std::string> Uuid() {
  absl::StatusOr<std::string> raw = Bytes(16);
  if (!raw.ok()) return raw.status();
  (*raw)[6] = static_cast<char>((static_cast<unsigned char>((*raw)[6]) & 0x0f) | 0x40);  // version 4
  (*raw)[8] = static_cast<char>((static_cast<unsigned char>((*raw)[8]) & 0x3f) | 0x80);  // variant 10
  std::string hex = absl::BytesToHexString(*raw);
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-", hex.substr(16, 4), "-",
                      hex.substr(20));
}

}  // namespace onramp::random
