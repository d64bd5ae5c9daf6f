#include "lib/phone/profile_crypto/openssl_enc.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "lib/phone/profile_crypto/evp.h"
#include "lib/phone/profile_crypto/gzip.h"

namespace onramp::profile_crypto {
namespace {

constexpr std::string_view kMagic = "Salted__";
constexpr size_t kHeaderSize = 16;  // magic + salt
constexpr size_t kBlock = 16;

const unsigned char* Bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

}  // namespace

CbcKey DeriveOpensslEncKey(std::string_view passphrase, const std::array<uint8_t, 8>& salt,
                           KeyDigest digest) {
  CbcKey derived;
  EVP_BytesToKey(evp::Aes256Cbc(), digest == KeyDigest::kMd5 ? evp::Md5() : evp::Sha256(),
                 salt.data(), Bytes(passphrase), static_cast<int>(passphrase.size()), 1,
                 derived.key.data(), derived.iv.data());
  return derived;
}

std::string EncryptAes256Cbc(std::string_view plaintext, const CbcKey& key) {
  EVP_CIPHER_CTX* context = evp::CipherContext();
  EVP_EncryptInit_ex(context, evp::Aes256Cbc(), nullptr, key.key.data(), key.iv.data());
  std::string out(plaintext.size() + kBlock, '\0');
  int written = 0;
  int final_written = 0;
  auto* buffer = reinterpret_cast<unsigned char*>(out.data());
  EVP_EncryptUpdate(context, buffer, &written, Bytes(plaintext),
                    static_cast<int>(plaintext.size()));
  EVP_EncryptFinal_ex(context, buffer + written, &final_written);
  out.resize(static_cast<size_t>(written + final_written));
  return out;
}

absl::StatusOr<std::string> DecryptAes256Cbc(std::string_view ciphertext, const CbcKey& key) {
  if (ciphertext.empty() || ciphertext.size() % kBlock != 0) {
    return absl::InvalidArgumentError("truncated ciphertext (not a whole number of AES blocks)");
  }
  EVP_CIPHER_CTX* context = evp::CipherContext();
  EVP_DecryptInit_ex(context, evp::Aes256Cbc(), nullptr, key.key.data(), key.iv.data());
  std::string out(ciphertext.size() + kBlock, '\0');
  int written = 0;
  int final_written = 0;
  auto* buffer = reinterpret_cast<unsigned char*>(out.data());
  EVP_DecryptUpdate(context, buffer, &written, Bytes(ciphertext),
                    static_cast<int>(ciphertext.size()));
  if (EVP_DecryptFinal_ex(context, buffer + written, &final_written) != 1) {
    return absl::PermissionDeniedError("wrong key or corrupt data (bad padding)");
  }
  out.resize(static_cast<size_t>(written + final_written));
  return out;
}

std::string EncryptOpensslEnc(std::string_view plaintext, std::string_view passphrase,
                              KeyDigest digest) {
  std::array<uint8_t, 8> salt;
  RAND_bytes(salt.data(), static_cast<int>(salt.size()));
  return EncryptOpensslEnc(plaintext, passphrase, digest, salt);
}

std::string EncryptOpensslEnc(std::string_view plaintext, std::string_view passphrase,
                              KeyDigest digest, const std::array<uint8_t, 8>& salt) {
  std::string out(kMagic);
  out.append(reinterpret_cast<const char*>(salt.data()), salt.size());
  out += EncryptAes256Cbc(plaintext, DeriveOpensslEncKey(passphrase, salt, digest));
  return out;
}

absl::StatusOr<DecryptedProfile> DecryptOpensslEnc(std::string_view file,
                                                   std::string_view passphrase,
                                                   std::optional<KeyDigest> digest) {
  if (!file.starts_with(kMagic)) {
    return absl::InvalidArgumentError("not an openssl enc file (no Salted__ header)");
  }
  if (file.size() < kHeaderSize + kBlock || (file.size() - kHeaderSize) % kBlock != 0) {
    return absl::InvalidArgumentError("truncated openssl enc file");
  }
  std::array<uint8_t, 8> salt;
  std::copy(file.begin() + 8, file.begin() + 16, salt.begin());
  std::string_view ciphertext = file.substr(kHeaderSize);
  if (digest.has_value()) {
    absl::StatusOr<std::string> plaintext =
        DecryptAes256Cbc(ciphertext, DeriveOpensslEncKey(passphrase, salt, *digest));
    if (!plaintext.ok()) return plaintext.status();
    return DecryptedProfile{*std::move(plaintext), *digest};
  }
  for (KeyDigest candidate : {KeyDigest::kMd5, KeyDigest::kSha256}) {
    absl::StatusOr<std::string> plaintext =
        DecryptAes256Cbc(ciphertext, DeriveOpensslEncKey(passphrase, salt, candidate));
    // Valid padding alone happens by chance about once in 256 wrong keys;
    // the content check makes a false accept negligible.
    if (plaintext.ok() && LooksLikeProfile(*plaintext)) {
      return DecryptedProfile{*std::move(plaintext), candidate};
    }
  }
  return absl::PermissionDeniedError(
      "wrong key or corrupt data: neither MD5 nor SHA-256 key derivation gives a profile");
}

bool LooksLikeProfile(std::string_view plaintext) {
  if (LooksGzipped(plaintext)) return true;
  if (plaintext.starts_with("\xEF\xBB\xBF")) plaintext.remove_prefix(3);
  size_t first = plaintext.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && plaintext[first] == '<';
}

}  // namespace onramp::profile_crypto
