#ifndef ONRAMP_DEVICE_AGENT_FACTORY_H_
#define ONRAMP_DEVICE_AGENT_FACTORY_H_

// The stand-in factory: gives a simulated phone the identity a real one is
// born with, a key and a certificate (CN = its MAC) from the manufacturer's
// CA. The local fleet and the tests make such a CA; operators trust real
// manufacturers' CAs instead (the gateway's --factory_ca_file).

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "lib/phone/pki/certificate_authority.h"
#include "onramp/agent/v1/state.pb.h"

namespace onramp::agent {

class Factory {
 public:
  // The manufacturing CA's PEM certificate and key files.
  static absl::StatusOr<Factory> Load(const std::string& cert_file, const std::string& key_file);

  // Gives `state` (its MAC set) a factory key and certificate, unless it
  // has them already.
  absl::Status Manufacture(v1::PhoneState& state) const;

 private:
  explicit Factory(std::shared_ptr<const pki::CertificateAuthority> ca) : ca_(std::move(ca)) {}
  std::shared_ptr<const pki::CertificateAuthority> ca_;
};

}  // namespace onramp::agent

#endif  // ONRAMP_DEVICE_AGENT_FACTORY_H_
