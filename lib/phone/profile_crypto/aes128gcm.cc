#include "lib/phone/profile_crypto/aes128gcm.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "absl/strings/str_cat.h"
#include "lib/phone/profile_crypto/evp.h"

namespace onramp::profile_crypto {
namespace {

constexpr size_t kSaltSize = 16;
constexpr size_t kHeaderFixed = kSaltSize + 4 + 1;
constexpr size_t kTagSize = 16;
constexpr uint32_t kMinRecordSize = kTagSize + 2;
constexpr uint8_t kDelimiter = 0x01;
constexpr uint8_t kFinalDelimiter = 0x02;

struct Keys {
  std::array<uint8_t, 16> cek;
  std::array<uint8_t, 12> nonce;
};

Keys DeriveKeys(const std::array<uint8_t, 16>& salt, std::string_view ikm) {
  std::array<uint8_t, 32> prk = evp::HmacSha256(salt.data(), salt.size(), ikm);
  // HKDF-Expand for one block: T(1) = HMAC(PRK, info | 0x01).
  using namespace std::string_view_literals;
  std::array<uint8_t, 32> cek = evp::HmacSha256(prk.data(), prk.size(), "Content-Encoding: aes128gcm\0\1"sv);
  std::array<uint8_t, 32> nonce = evp::HmacSha256(prk.data(), prk.size(), "Content-Encoding: nonce\0\1"sv);
  Keys keys;
  std::copy_n(cek.begin(), keys.cek.size(), keys.cek.begin());
  std::copy_n(nonce.begin(), keys.nonce.size(), keys.nonce.begin());
  return keys;
}

std::array<uint8_t, 12> RecordNonce(const std::array<uint8_t, 12>& base, uint64_t sequence) {
  std::array<uint8_t, 12> nonce = base;
  for (int i = 0; i < 8; ++i) {
    nonce[11 - i] ^= static_cast<uint8_t>(sequence >> (8 * i));
  }
  return nonce;
}

void SealRecord(const Keys& keys, uint64_t sequence, std::string_view plaintext, std::string* out) {
  std::array<uint8_t, 12> nonce = RecordNonce(keys.nonce, sequence);
  EVP_CIPHER_CTX* context = evp::CipherContext();
  EVP_EncryptInit_ex(context, evp::Aes128Gcm(), nullptr, keys.cek.data(), nonce.data());
  size_t start = out->size();
  out->resize(start + plaintext.size() + kTagSize);
  auto* buffer = reinterpret_cast<unsigned char*>(out->data() + start);
  int written = 0;
  int final_written = 0;
  EVP_EncryptUpdate(context, buffer, &written,
                    reinterpret_cast<const unsigned char*>(plaintext.data()),
                    static_cast<int>(plaintext.size()));
  EVP_EncryptFinal_ex(context, buffer + written, &final_written);
  EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, kTagSize,
                      buffer + written + final_written);
}

// The record's plaintext (data, delimiter, padding), or an error if it does
// not authenticate.
absl::StatusOr<std::string> OpenRecord(const Keys& keys, uint64_t sequence,
                                       std::string_view record) {
  std::array<uint8_t, 12> nonce = RecordNonce(keys.nonce, sequence);
  EVP_CIPHER_CTX* context = evp::CipherContext();
  EVP_DecryptInit_ex(context, evp::Aes128Gcm(), nullptr, keys.cek.data(), nonce.data());
  size_t size = record.size() - kTagSize;
  std::string plaintext(size, '\0');
  int written = 0;
  int final_written = 0;
  EVP_DecryptUpdate(context, reinterpret_cast<unsigned char*>(plaintext.data()), &written,
                    reinterpret_cast<const unsigned char*>(record.data()), static_cast<int>(size));
  std::array<uint8_t, kTagSize> tag;
  std::copy_n(record.data() + size, kTagSize, reinterpret_cast<char*>(tag.data()));
  EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, kTagSize, tag.data());
  if (EVP_DecryptFinal_ex(context,
                          reinterpret_cast<unsigned char*>(plaintext.data()) + written,
                          &final_written) != 1) {
    return absl::PermissionDeniedError(
        absl::StrCat("aes128gcm record ", sequence, " does not authenticate (wrong key or tampered)"));
  }
  return plaintext;
}

}  // namespace

absl::StatusOr<std::string> EncodeAes128Gcm(std::string_view plaintext, std::string_view ikm,
                                            const Aes128GcmOptions& options) {
  if (ikm.empty()) return absl::InvalidArgumentError("aes128gcm: empty input keying material");
  if (options.record_size < kMinRecordSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("aes128gcm: record size ", options.record_size, " is below 18"));
  }
  if (options.keyid.size() > 255) {
    return absl::InvalidArgumentError("aes128gcm: keyid is longer than 255 bytes");
  }
  std::array<uint8_t, 16> salt;
  if (options.salt.has_value()) {
    salt = *options.salt;
  } else {
    RAND_bytes(salt.data(), static_cast<int>(salt.size()));
  }
  const size_t data_per_record = options.record_size - kTagSize - 1;
  size_t records = plaintext.empty() ? 1 : (plaintext.size() + data_per_record - 1) / data_per_record;
  size_t last_data = plaintext.size() - (records - 1) * data_per_record;
  if (last_data + options.padding > data_per_record) {
    return absl::InvalidArgumentError("aes128gcm: padding does not fit in the last record");
  }

  std::string out;
  out.reserve(kHeaderFixed + options.keyid.size() + plaintext.size() +
              records * (kTagSize + 1) + options.padding);
  out.append(reinterpret_cast<const char*>(salt.data()), salt.size());
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>(options.record_size >> shift));
  }
  out.push_back(static_cast<char>(options.keyid.size()));
  out.append(options.keyid);

  Keys keys = DeriveKeys(salt, ikm);
  std::string record;
  for (size_t i = 0; i < records; ++i) {
    bool last = i + 1 == records;
    record.assign(plaintext.substr(i * data_per_record, data_per_record));
    record.push_back(static_cast<char>(last ? kFinalDelimiter : kDelimiter));
    if (last) record.append(options.padding, '\0');
    SealRecord(keys, i, record, &out);
  }
  return out;
}

absl::StatusOr<Aes128GcmHeader> ReadAes128GcmHeader(std::string_view body) {
  if (body.size() < kHeaderFixed) return absl::InvalidArgumentError("aes128gcm: truncated header");
  Aes128GcmHeader header;
  std::copy_n(body.data(), kSaltSize, reinterpret_cast<char*>(header.salt.data()));
  header.record_size = 0;
  for (size_t i = 0; i < 4; ++i) {
    header.record_size = header.record_size << 8 | static_cast<uint8_t>(body[kSaltSize + i]);
  }
  size_t keyid_size = static_cast<uint8_t>(body[kSaltSize + 4]);
  if (body.size() < kHeaderFixed + keyid_size) {
    return absl::InvalidArgumentError("aes128gcm: truncated keyid");
  }
  header.keyid = body.substr(kHeaderFixed, keyid_size);
  if (header.record_size < kMinRecordSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("aes128gcm: record size ", header.record_size, " is below 18"));
  }
  return header;
}

absl::StatusOr<std::string> DecodeAes128Gcm(std::string_view body, std::string_view ikm,
                                            size_t max_output) {
  if (ikm.empty()) return absl::InvalidArgumentError("aes128gcm: empty input keying material");
  absl::StatusOr<Aes128GcmHeader> header = ReadAes128GcmHeader(body);
  if (!header.ok()) return header.status();
  std::string_view records = body.substr(kHeaderFixed + header->keyid.size());
  if (records.empty()) return absl::InvalidArgumentError("aes128gcm: no records");
  Keys keys = DeriveKeys(header->salt, ikm);
  std::string out;
  for (uint64_t sequence = 0; !records.empty(); ++sequence) {
    std::string_view record = records.substr(0, header->record_size);
    records.remove_prefix(record.size());
    if (record.size() <= kTagSize) {
      return absl::InvalidArgumentError(
          absl::StrCat("aes128gcm: record ", sequence, " is too short"));
    }
    absl::StatusOr<std::string> plaintext = OpenRecord(keys, sequence, record);
    if (!plaintext.ok()) return plaintext.status();
    size_t end = plaintext->find_last_not_of('\0');
    if (end == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("aes128gcm: record ", sequence, " has no delimiter"));
    }
    uint8_t delimiter = static_cast<uint8_t>((*plaintext)[end]);
    bool last = records.empty();
    if (delimiter != (last ? kFinalDelimiter : kDelimiter)) {
      return absl::InvalidArgumentError(
          last && delimiter == kDelimiter
              ? "aes128gcm: truncated (the last record is not marked final)"
              : absl::StrCat("aes128gcm: record ", sequence, " has a wrong delimiter"));
    }
    if (out.size() + end > max_output) {
      return absl::ResourceExhaustedError(
          absl::StrCat("aes128gcm: content is larger than ", max_output, " bytes"));
    }
    out.append(*plaintext, 0, end);
  }
  return out;
}

}  // namespace onramp::profile_crypto
