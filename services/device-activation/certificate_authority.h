#ifndef ONRAMP_SERVICES_DEVICE_ACTIVATION_CERTIFICATE_AUTHORITY_H_
#define ONRAMP_SERVICES_DEVICE_ACTIVATION_CERTIFICATE_AUTHORITY_H_

// The fleet's onboarding CA: turns a registered phone's CSR into a client
// certificate with the phone's MAC as its subject CN, so later resyncs can
// authenticate it with mutual TLS. The private key stays in this object and
// is never written anywhere.

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace onramp::device {

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

  // INVALID_ARGUMENT for a CSR that does not parse, whose signature does not
  // verify, or whose key is weaker than RSA-2048 / EC P-256.
  absl::StatusOr<Issued> Issue(std::string_view csr_pem, std::string_view mac,
                               absl::Duration validity) const;

  const std::string& certificate_pem() const { return certificate_pem_; }

 private:
  struct Keys;
  CertificateAuthority(std::unique_ptr<Keys> keys, std::string certificate_pem);

  std::unique_ptr<Keys> keys_;
  std::string certificate_pem_;
};

}  // namespace onramp::device

#endif  // ONRAMP_SERVICES_DEVICE_ACTIVATION_CERTIFICATE_AUTHORITY_H_
