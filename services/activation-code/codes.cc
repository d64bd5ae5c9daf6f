#include "services/activation-code/codes.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace onramp::activation {
namespace {

std::array<uint8_t, 32> Hmac(std::string_view key, std::string_view data) {
  std::array<uint8_t, 32> out;
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &size);
  return out;
}

}  // namespace

RandomBytes SystemRandom() {
  return [](uint8_t* out, size_t size) { return RAND_bytes(out, static_cast<int>(size)) == 1; };
}

absl::StatusOr<std::string> GenerateCode(const RandomBytes& random) {
  std::string code;
  code.reserve(activation_code::kCodeLength);
  uint8_t buffer[32];
  while (code.size() < activation_code::kCodeLength - 1) {
    if (!random(buffer, sizeof buffer)) return absl::InternalError("random generator failed");
    for (uint8_t byte : buffer) {
      // 250 = 25 * 10: taking bytes below it keeps every digit equally likely.
      if (byte >= 250 || code.size() == activation_code::kCodeLength - 1) continue;
      code.push_back(static_cast<char>('0' + byte % 10));
    }
  }
  code.push_back(static_cast<char>('0' + activation_code::DammCheckDigit(code)));
  return code;
}

absl::StatusOr<CodeHasher> CodeHasher::Create(std::string key) {
  if (key.size() < 32) return absl::InvalidArgumentError("code hash key must be at least 32 bytes");
  return CodeHasher(std::move(key));
}

std::string CodeHasher::Hash(std::string_view code) const {
  std::array<uint8_t, 32> digest = Hmac(key_, code);
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

absl::StatusOr<BatchSealer> BatchSealer::Create(std::string_view secret) {
  absl::StatusOr<profile_crypto::Sealer> sealer =
      profile_crypto::Sealer::Create(secret, "onramp activation batch seal v1");
  if (!sealer.ok()) return sealer.status();
  return BatchSealer(*std::move(sealer));
}

std::string BatchSealer::Seal(const std::vector<std::string>& codes) const {
  return sealer_.Seal(absl::StrJoin(codes, ","));
}

absl::StatusOr<std::vector<std::string>> BatchSealer::Open(std::string_view sealed) const {
  absl::StatusOr<std::string> plaintext = sealer_.Open(sealed);
  if (!plaintext.ok()) return plaintext.status();
  if (plaintext->empty()) return std::vector<std::string>();
  return std::vector<std::string>(absl::StrSplit(*plaintext, ','));
}

}  // namespace onramp::activation
