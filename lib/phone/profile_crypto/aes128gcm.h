#ifndef ONRAMP_LIB_PHONE_PROFILE_CRYPTO_AES128GCM_H_
#define ONRAMP_LIB_PHONE_PROFILE_CRYPTO_AES128GCM_H_

// The RFC 8188 "aes128gcm" HTTP content coding, which phones decrypt with
// the input keying material they hold in IKM_HTTP_Encrypt_Content:
//
//   header  = salt (16) | rs (uint32, big-endian) | idlen (1) | keyid (idlen)
//   PRK     = HMAC-SHA-256(salt, IKM)
//   CEK     = HMAC-SHA-256(PRK, "Content-Encoding: aes128gcm" 0x00 0x01)[0..16)
//   NONCE   = HMAC-SHA-256(PRK, "Content-Encoding: nonce" 0x00 0x01)[0..12)
//   record i: AES-128-GCM(CEK, NONCE xor i) of data | delimiter | zero padding,
//             rs bytes each (the last may be shorter), delimiter 0x01 in every
//             record but the last, 0x02 in the last.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace onramp::profile_crypto {

struct Aes128GcmOptions {
  uint32_t record_size = 4096;  // at least 18
  std::string keyid;            // at most 255 bytes
  std::optional<std::array<uint8_t, 16>> salt;  // default: 16 random bytes
  size_t padding = 0;  // zero bytes added to the last record
};

// INVALID_ARGUMENT for an empty IKM, rs < 18, a keyid over 255 bytes or
// padding that does not fit the last record.
absl::StatusOr<std::string> EncodeAes128Gcm(std::string_view plaintext, std::string_view ikm,
                                            const Aes128GcmOptions& options = {});

struct Aes128GcmHeader {
  std::array<uint8_t, 16> salt;
  uint32_t record_size;
  std::string keyid;
};

absl::StatusOr<Aes128GcmHeader> ReadAes128GcmHeader(std::string_view body);

// INVALID_ARGUMENT for a malformed or truncated body (including one whose
// final record is missing); PERMISSION_DENIED when a record fails
// authentication (wrong IKM or tampered data); RESOURCE_EXHAUSTED past
// `max_output` bytes.
absl::StatusOr<std::string> DecodeAes128Gcm(std::string_view body, std::string_view ikm,
                                            size_t max_output = 16 << 20);

}  // namespace onramp::profile_crypto

#endif  // ONRAMP_LIB_PHONE_PROFILE_CRYPTO_AES128GCM_H_
