#ifndef ONRAMP_LIB_BASE_RANDOM_RANDOM_H_
#define ONRAMP_LIB_BASE_RANDOM_RANDOM_H_

// Secrets from the CSPRNG (OpenSSL's RAND_bytes).

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"

namespace onramp::random {

// `bytes` random bytes; INTERNAL if the generator fails.
absl::StatusOr<std::string> Bytes(size_t bytes);

// A random (version 4) UUID, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
// (RFC 9562); INTERNAL if the generator fails.
absl::StatusOr<std::string> Uuid();

}  // namespace onramp::random

#endif  // ONRAMP_LIB_BASE_RANDOM_RANDOM_H_
