#include "lib/phone/profile_crypto/evp.h"

#include <openssl/core_names.h>

#include <memory>

namespace onramp::profile_crypto::evp {
namespace {

struct CipherContextDeleter {
  void operator()(EVP_CIPHER_CTX* context) const { EVP_CIPHER_CTX_free(context); }
};

struct MacContextDeleter {
  void operator()(EVP_MAC_CTX* context) const { EVP_MAC_CTX_free(context); }
};

EVP_MAC_CTX* NewHmacSha256Context() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* context = EVP_MAC_CTX_new(mac);
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  EVP_MAC_CTX_set_params(context, params);
  return context;
}

}  // namespace

const EVP_CIPHER* Aes256Cbc() {
  static const EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr);
  return cipher;
}

const EVP_CIPHER* Aes128Gcm() {
  static const EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
  return cipher;
}

const EVP_MD* Md5() {
  static const EVP_MD* const md = EVP_MD_fetch(nullptr, "MD5", nullptr);
  return md;
}

const EVP_MD* Sha256() {
  static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

EVP_CIPHER_CTX* CipherContext() {
  thread_local std::unique_ptr<EVP_CIPHER_CTX, CipherContextDeleter> context(EVP_CIPHER_CTX_new());
  EVP_CIPHER_CTX_reset(context.get());
  return context.get();
}

std::array<uint8_t, 32> HmacSha256(const uint8_t* key, size_t key_size, std::string_view data) {
  thread_local std::unique_ptr<EVP_MAC_CTX, MacContextDeleter> context(NewHmacSha256Context());
  std::array<uint8_t, 32> out;
  size_t size = 0;
  EVP_MAC_init(context.get(), key, key_size, nullptr);
  EVP_MAC_update(context.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
  EVP_MAC_final(context.get(), out.data(), &size, out.size());
  return out;
}

}  // namespace onramp::profile_crypto::evp
