#ifndef ONRAMP_LIB_PHONE_PKI_CERTIFICATE_AUTHORITY_H_
#define ONRAMP_LIB_PHONE_PKI_CERTIFICATE_AUTHORITY_H_

// A CA that turns a phone's CSR into a client certificate with the phone's
// MAC as its subject CN: the fleet's onboarding CA (device-activation, at
// registration) and the stand-in manufacturing CA that gives simulated
// phones their factory certificates. The private key stays in this object
// and is never written anywhere.

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace onramp::pki {

class CertificateAuthority {
 public:
  // PEM certificate and private key (RSA or EC) of the CA.
  static absl::StatusOr<std::unique_ptr<CertificateAuthority>> Load(std::string_view cert_pem,
                                                                   std::string_view key_pem);
  ~CertificateAuthority();

  struct Issued {
    std::string certificate_pem;
    std::string serial_hex;
    absl::Time not_after;
  };

  // A certificate for the CSR's key, subject O = `organization`, CN =
  // `common_name`. INVALID_ARGUMENT for a CSR that does not parse, whose
  // signature does not verify, or whose key is weaker than RSA-2048 / EC
  // P-256.
  absl::StatusOr<Issued> Issue(std::string_view csr_pem, std::string_view common_name, absl::Duration validity,
                               std::string_view organization = "Onramp devices") const;

  const std::string& certificate_pem() const { return certificate_pem_; }

 private:
  struct Keys;
  CertificateAuthority(std::unique_ptr<Keys> keys, std::string certificate_pem);

  std::unique_ptr<Keys> keys_;
  std::string certificate_pem_;
};

}  // namespace onramp::pki

#endif  // ONRAMP_LIB_PHONE_PKI_CERTIFICATE_AUTHORITY_H_
