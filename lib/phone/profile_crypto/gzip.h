#ifndef ONRAMP_LIB_PHONE_PROFILE_CRYPTO_GZIP_H_
#define ONRAMP_LIB_PHONE_PROFILE_CRYPTO_GZIP_H_

// gzip (RFC 1952) for profiles. Phones detect it by its header and need it
// applied before encryption, never after.

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

struct z_stream_s;

namespace onramp::profile_crypto {

// Starts with the gzip magic bytes 1f 8b.
bool LooksGzipped(std::string_view data);

// Holds one zlib stream and resets it per call, so compressing many
// profiles costs no allocation of zlib state each time. Not thread-safe:
// one per thread.
class GzipCompressor {
 public:
  explicit GzipCompressor(int level = 6);
  ~GzipCompressor();
  GzipCompressor(const GzipCompressor&) = delete;
  GzipCompressor& operator=(const GzipCompressor&) = delete;

  std::string Compress(std::string_view data);

 private:
  z_stream_s* stream_;
};

// One-off compression.
std::string Gzip(std::string_view data);

// INVALID_ARGUMENT for data that is not one complete gzip member;
// RESOURCE_EXHAUSTED when the output would pass `max_output` bytes (a
// profile is kilobytes; this stops compression bombs).
absl::StatusOr<std::string> Gunzip(std::string_view data, size_t max_output = 16 << 20);

}  // namespace onramp::profile_crypto

#endif  // ONRAMP_LIB_PHONE_PROFILE_CRYPTO_GZIP_H_
