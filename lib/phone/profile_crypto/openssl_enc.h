#ifndef ONRAMP_LIB_PHONE_PROFILE_CRYPTO_OPENSSL_ENC_H_
#define ONRAMP_LIB_PHONE_PROFILE_CRYPTO_OPENSSL_ENC_H_

// AES-256-CBC profiles in exactly the file format of
//   openssl enc -e -aes-256-cbc -k <passphrase> [-md md5|sha256]
// i.e. "Salted__", an 8-byte salt, then the PKCS#7-padded ciphertext, with
// key and IV from OpenSSL's EVP_BytesToKey (one round of the digest over
// passphrase and salt). Phones decrypt it when their rule carries --key.
//
// Which digest newer firmware uses is unconfirmed (older guides: OpenSSL
// 0.9.7c, MD5; newer: 1.1.1d, whose default is SHA-256). So we write MD5
// unless told otherwise, and a reader without a digest tries MD5, then
// SHA-256, and keeps the one whose padding is valid and whose plaintext
// starts like XML or gzip.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace onramp::profile_crypto {

enum class KeyDigest { kMd5, kSha256 };

struct CbcKey {
  std::array<uint8_t, 32> key;
  std::array<uint8_t, 16> iv;
};

CbcKey DeriveOpensslEncKey(std::string_view passphrase, const std::array<uint8_t, 8>& salt,
                           KeyDigest digest);

// With a fresh random salt.
std::string EncryptOpensslEnc(std::string_view plaintext, std::string_view passphrase,
                              KeyDigest digest = KeyDigest::kMd5);
std::string EncryptOpensslEnc(std::string_view plaintext, std::string_view passphrase,
                              KeyDigest digest, const std::array<uint8_t, 8>& salt);

struct DecryptedProfile {
  std::string plaintext;
  KeyDigest digest;
};

// INVALID_ARGUMENT for a file that is not in this format or is truncated;
// PERMISSION_DENIED when no digest gives a valid decryption (wrong
// passphrase, or corrupt data).
absl::StatusOr<DecryptedProfile> DecryptOpensslEnc(std::string_view file,
                                                   std::string_view passphrase,
                                                   std::optional<KeyDigest> digest = std::nullopt);

// Raw AES-256-CBC with PKCS#7 padding, for callers holding key and IV.
std::string EncryptAes256Cbc(std::string_view plaintext, const CbcKey& key);
absl::StatusOr<std::string> DecryptAes256Cbc(std::string_view ciphertext, const CbcKey& key);

// Starts (after an optional UTF-8 BOM and whitespace) with '<', or is gzip.
bool LooksLikeProfile(std::string_view plaintext);

}  // namespace onramp::profile_crypto

#endif  // ONRAMP_LIB_PHONE_PROFILE_CRYPTO_OPENSSL_ENC_H_
