// Fuzzes the aes128gcm decoder with attacker-controlled bodies, and the
// encoder/decoder pair with arbitrary plaintext. Properties: nothing
// crashes, and encode then decode gives the plaintext back.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lib/phone/profile_crypto/aes128gcm.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace onramp::profile_crypto;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  constexpr std::string_view kIkm = "0123456789abcdef";
  (void)DecodeAes128Gcm(input, kIkm, 1 << 20);
  uint32_t record_size = 18 + (size > 0 ? data[0] : 0);
  // At most 64 records a round trip: every record size is still tried,
  // without a 4 KiB input in 1-byte records costing 4,000 of them.
  std::string_view plaintext = input.substr(0, 64 * (record_size - 17));
  absl::StatusOr<std::string> encoded =
      EncodeAes128Gcm(plaintext, kIkm, {.record_size = record_size, .keyid = "k"});
  if (!encoded.ok()) std::abort();
  absl::StatusOr<std::string> decoded = DecodeAes128Gcm(*encoded, kIkm);
  if (!decoded.ok() || *decoded != plaintext) std::abort();
  return 0;
}
