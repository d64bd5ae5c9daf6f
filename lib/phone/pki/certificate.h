#ifndef ONRAMP_LIB_PHONE_PKI_CERTIFICATE_H_
#define ONRAMP_LIB_PHONE_PKI_CERTIFICATE_H_

// What the fleet reads off a certificate a phone presents: its subject CN
// (a phone's MAC), its serial as the onboarding CA writes it, and which CA
// of a bundle issued it.

#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace onramp::pki {

struct X509Free {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
using Certificate = std::unique_ptr<X509, X509Free>;

// Every certificate in a PEM text, in order; INVALID_ARGUMENT naming
// `what` when there is none or one does not parse.
absl::StatusOr<std::vector<Certificate>> ReadCertificates(std::string_view pem, std::string_view what);

// The subject CN, or "" without one.
std::string CommonName(const X509* certificate);

// The serial in lowercase hex, at least 32 digits (CertificateAuthority's
// 16-byte serials keep their leading zeros).
std::string SerialHex(const X509* certificate);

// Whether `issuer` issued `certificate`: its subject is the certificate's
// issuer name and the key identifiers agree. Signatures are not checked
// here: call this for a certificate TLS has already verified.
bool IssuedBy(const X509* certificate, const X509* issuer);

}  // namespace onramp::pki

#endif  // ONRAMP_LIB_PHONE_PKI_CERTIFICATE_H_
