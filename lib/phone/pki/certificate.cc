#include "lib/phone/pki/certificate.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace onramp::pki {

absl::StatusOr<std::vector<Certificate>> ReadCertificates(std::string_view pem, std::string_view what) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                 &BIO_free);
  std::vector<Certificate> certificates;
  for (;;) {
    Certificate certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (certificate == nullptr) break;
    certificates.push_back(std::move(certificate));
  }
  // Running out of PEM blocks is the normal end; anything else is an error.
  unsigned long error = ERR_peek_last_error();
  bool clean_end = ERR_GET_LIB(error) == ERR_LIB_PEM && ERR_GET_REASON(error) == PEM_R_NO_START_LINE;
  ERR_clear_error();
  if (certificates.empty() || (error != 0 && !clean_end)) {
    return absl::InvalidArgumentError(absl::StrCat(std::string(what), " holds no readable PEM certificate"));
  }
  return certificates;
}

std::string CommonName(const X509* certificate) {
  char name[256];
  int length = X509_NAME_get_text_by_NID(X509_get_subject_name(certificate), NID_commonName, name, sizeof name);
  return length > 0 ? std::string(name, static_cast<size_t>(length)) : std::string();
}

std::string SerialHex(const X509* certificate) {
  std::unique_ptr<BIGNUM, decltype(&BN_free)> serial(
      ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), nullptr), &BN_free);
  if (serial == nullptr) return "";
  std::unique_ptr<char, void (*)(char*)> hex(BN_bn2hex(serial.get()), [](char* p) { OPENSSL_free(p); });
  std::string digits = absl::AsciiStrToLower(hex.get());
  if (digits.size() < 32) digits.insert(0, 32 - digits.size(), '0');
  return digits;
}

bool IssuedBy(const X509* certificate, const X509* issuer) {
  // X509_check_issued takes non-const pointers but changes nothing.
  return X509_check_issued(const_cast<X509*>(issuer), const_cast<X509*>(certificate)) == X509_V_OK;
}

}  // namespace onramp::pki
