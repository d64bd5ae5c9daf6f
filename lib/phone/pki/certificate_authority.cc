#include "lib/phone/pki/certificate_authority.h"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace onramp::pki {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using CsrPtr = std::unique_ptr<X509_REQ, Deleter<X509_REQ, X509_REQ_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

Bio ReadBio(std::string_view pem) {
  return Bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

bool StrongEnough(EVP_PKEY* key) {
  int bits = EVP_PKEY_get_bits(key);
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA: return bits >= 2048;
    case EVP_PKEY_EC: return bits >= 256;
    case EVP_PKEY_ED25519: return true;
    default: return false;
  }
}

bool AddExtension(X509* certificate, X509V3_CTX* context, int nid, const char* value) {
  ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, context, nid, value));
  return extension != nullptr && X509_add_ext(certificate, extension.get(), -1) == 1;
}

}  // namespace

struct CertificateAuthority::Keys {
  X509Ptr certificate;
  KeyPtr key;
};

CertificateAuthority::CertificateAuthority(std::unique_ptr<Keys> keys, std::string certificate_pem)
    : keys_(std::move(keys)), certificate_pem_(std::move(certificate_pem)) {}

CertificateAuthority::~CertificateAuthority() = default;

absl::StatusOr<std::unique_ptr<CertificateAuthority>> CertificateAuthority::Load(
    std::string_view cert_pem, std::string_view key_pem) {
  auto keys = std::make_unique<Keys>();
  keys->certificate.reset(PEM_read_bio_X509(ReadBio(cert_pem).get(), nullptr, nullptr, nullptr));
  if (!keys->certificate) return absl::InvalidArgumentError("CA certificate is not PEM X.509");
  keys->key.reset(PEM_read_bio_PrivateKey(ReadBio(key_pem).get(), nullptr, nullptr, nullptr));
  if (!keys->key) return absl::InvalidArgumentError("CA key is not a PEM private key");
  if (X509_check_private_key(keys->certificate.get(), keys->key.get()) != 1) {
    return absl::InvalidArgumentError("CA key does not belong to the CA certificate");
  }
  return std::unique_ptr<CertificateAuthority>(
      new CertificateAuthority(std::move(keys), std::string(cert_pem)));
}

absl::StatusOr<CertificateAuthority::Issued> CertificateAuthority::Issue(std::string_view csr_pem,
                                                                      std::string_view common_name,
                                                                      absl::Duration validity,
                                                                      std::string_view organization) const {
  CsrPtr csr(PEM_read_bio_X509_REQ(ReadBio(csr_pem).get(), nullptr, nullptr, nullptr));
  if (!csr) return absl::InvalidArgumentError("csr_pem is not a PEM certificate request");
  KeyPtr public_key(X509_REQ_get_pubkey(csr.get()));
  if (!public_key || X509_REQ_verify(csr.get(), public_key.get()) != 1) {
    return absl::InvalidArgumentError("csr_pem signature does not verify");
  }
  if (!StrongEnough(public_key.get())) {
    return absl::InvalidArgumentError("csr_pem key is weaker than RSA-2048 or EC P-256");
  }

  X509Ptr certificate(X509_new());
  X509_set_version(certificate.get(), X509_VERSION_3);
  // 127 random bits: unique without coordination, positive as RFC 5280 asks.
  unsigned char serial_bytes[16];
  RAND_bytes(serial_bytes, sizeof serial_bytes);
  serial_bytes[0] &= 0x7f;
  std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>> serial(
      BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr));
  BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate.get()));
  X509_set_issuer_name(certificate.get(), X509_get_subject_name(keys_->certificate.get()));
  X509_NAME* subject = X509_get_subject_name(certificate.get());
  std::string cn(common_name);
  std::string o(organization);
  X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(o.c_str()), -1, -1,
                             0);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  // A little slack for phones whose clock is behind.
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -300);
  X509_gmtime_adj(X509_getm_notAfter(certificate.get()),
                  static_cast<long>(absl::ToInt64Seconds(validity)));
  X509_set_pubkey(certificate.get(), public_key.get());

  X509V3_CTX context;
  X509V3_set_ctx(&context, keys_->certificate.get(), certificate.get(), nullptr, nullptr, 0);
  if (!AddExtension(certificate.get(), &context, NID_basic_constraints, "critical,CA:FALSE") ||
      !AddExtension(certificate.get(), &context, NID_key_usage, "critical,digitalSignature,keyEncipherment") ||
      !AddExtension(certificate.get(), &context, NID_ext_key_usage, "clientAuth") ||
      !AddExtension(certificate.get(), &context, NID_subject_key_identifier, "hash") ||
      !AddExtension(certificate.get(), &context, NID_authority_key_identifier, "keyid:always")) {
    return absl::InternalError("cannot add certificate extensions");
  }
  if (X509_sign(certificate.get(), keys_->key.get(), EVP_sha256()) == 0) {
    return absl::InternalError("signing the certificate failed");
  }

  Bio out(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(out.get(), certificate.get());
  char* data = nullptr;
  long size = BIO_get_mem_data(out.get(), &data);
  Issued issued;
  issued.certificate_pem.assign(data, static_cast<size_t>(size));
  issued.serial_hex = absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(serial_bytes), sizeof serial_bytes));
  issued.not_after = absl::Now() + validity;
  return issued;
}

}  // namespace onramp::pki
