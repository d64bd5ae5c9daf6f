#ifndef ONRAMP_LIB_BASE_DIGEST_DIGEST_H_
#define ONRAMP_LIB_BASE_DIGEST_DIGEST_H_

// Hex digests, for names, keys and ETags (SHA-256), signatures (HMAC-SHA256),
// and for the one protocol that fixes MD5.

#include <cstddef>
#include <string>
#include <string_view>

namespace onramp::digest {

// Lowercase hex of SHA-256(data), the first `bytes` bytes of it (all 32 by
// default).
std::string Sha256Hex(std::string_view data, size_t bytes = 32);

// Lowercase hex of HMAC-SHA256(key, data) (RFC 2104).
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// Lowercase hex of MD5(data): only where a protocol fixes it (HTTP Digest
// authentication, RFC 7616's MD5 algorithm, the one phones implement).
std::string Md5Hex(std::string_view data);

}  // namespace onramp::digest

#endif  // ONRAMP_LIB_BASE_DIGEST_DIGEST_H_
