#include "lib/base/random/random.h"

#include <openssl/rand.h>

namespace onramp::random {

absl::StatusOr<std::string> Bytes(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    return absl::InternalError("RAND_bytes failed");
  }
  return raw;
}

}  // namespace onramp::random
