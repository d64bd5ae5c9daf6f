#ifndef ONRAMP_LIB_PHONE_PROFILE_CRYPTO_EVP_H_
#define ONRAMP_LIB_PHONE_PROFILE_CRYPTO_EVP_H_

// OpenSSL 3 objects fetched once. The legacy EVP_aes_256_cbc()-style
// getters look the algorithm up again on every init, which costs more than
// encrypting a whole profile; contexts are kept per thread for the same
// reason.

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <string_view>

namespace onramp::profile_crypto::evp {

const EVP_CIPHER* Aes256Cbc();
const EVP_CIPHER* Aes128Gcm();
const EVP_MD* Md5();
const EVP_MD* Sha256();

// This thread's cipher context, reset and ready for an Init call.
EVP_CIPHER_CTX* CipherContext();

// HMAC-SHA-256 of `data` under `key`, on this thread's MAC context.
std::array<uint8_t, 32> HmacSha256(const uint8_t* key, size_t key_size, std::string_view data);

}  // namespace onramp::profile_crypto::evp

#endif  // ONRAMP_LIB_PHONE_PROFILE_CRYPTO_EVP_H_
