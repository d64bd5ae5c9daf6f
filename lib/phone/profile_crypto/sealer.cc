#include "lib/phone/profile_crypto/sealer.h"

#include <openssl/rand.h>

#include "lib/phone/profile_crypto/evp.h"

namespace onramp::profile_crypto {
namespace {

constexpr size_t kNonceSize = 12;
constexpr size_t kTagSize = 16;

}  // namespace

absl::StatusOr<Sealer> Sealer::Create(std::string_view secret, std::string_view purpose) {
  if (secret.size() < 32) return absl::InvalidArgumentError("secret must be at least 32 bytes");
  return Sealer(evp::HmacSha256(reinterpret_cast<const uint8_t*>(secret.data()), secret.size(),
                                purpose));
}

std::string Sealer::Seal(std::string_view plaintext) const {
  std::string out(kNonceSize + plaintext.size() + kTagSize, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  RAND_bytes(bytes, kNonceSize);
  EVP_CIPHER_CTX* context = evp::CipherContext();
  EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nullptr, key_.data(), bytes);
  int written = 0;
  int final_written = 0;
  EVP_EncryptUpdate(context, bytes + kNonceSize, &written,
                    reinterpret_cast<const unsigned char*>(plaintext.data()),
                    static_cast<int>(plaintext.size()));
  EVP_EncryptFinal_ex(context, bytes + kNonceSize + written, &final_written);
  EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, kTagSize,
                      bytes + kNonceSize + plaintext.size());
  return out;
}

absl::StatusOr<std::string> Sealer::Open(std::string_view sealed) const {
  if (sealed.size() < kNonceSize + kTagSize) return absl::DataLossError("sealed data is truncated");
  size_t size = sealed.size() - kNonceSize - kTagSize;
  const auto* bytes = reinterpret_cast<const unsigned char*>(sealed.data());
  std::string plaintext(size, '\0');
  EVP_CIPHER_CTX* context = evp::CipherContext();
  EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nullptr, key_.data(), bytes);
  int written = 0;
  int final_written = 0;
  EVP_DecryptUpdate(context, reinterpret_cast<unsigned char*>(plaintext.data()), &written,
                    bytes + kNonceSize, static_cast<int>(size));
  std::array<unsigned char, kTagSize> tag;
  std::copy_n(bytes + kNonceSize + size, kTagSize, tag.begin());
  EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data());
  if (EVP_DecryptFinal_ex(context, reinterpret_cast<unsigned char*>(plaintext.data()) + written,
                          &final_written) != 1) {
    return absl::DataLossError("sealed data does not authenticate (key changed or data altered)");
  }
  return plaintext;
}

}  // namespace onramp::profile_crypto
