#include "device-agent/factory.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "lib/kit/status/status_macros.h"
#include "lib/phone/pki/enrollment.h"

namespace onramp::agent {
namespace {

absl::StatusOr<std::string> Read(const std::string& path) {
  std::ifstream file(path);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// Phones keep their factory certificate for life.
constexpr absl::Duration kLifetime = absl::Hours(24 * 365 * 20);

}  // namespace

absl::StatusOr<Factory> Factory::Load(const std::string& cert_file, const std::string& key_file) {
  ASSIGN_OR_RETURN(std::string cert, Read(cert_file));
  ASSIGN_OR_RETURN(std::string key, Read(key_file));
  ASSIGN_OR_RETURN(std::unique_ptr<pki::CertificateAuthority> ca, pki::CertificateAuthority::Load(cert, key));
  return Factory(std::move(ca));
}

absl::Status Factory::Manufacture(v1::PhoneState& state) const {
  if (!state.factory_cert_pem().empty()) return absl::OkStatus();
  if (state.mac().empty()) return absl::InvalidArgumentError("a phone is made with its MAC");
  ASSIGN_OR_RETURN(pki::Enrollment enrollment, pki::MakeEnrollment(state.mac()));
  ASSIGN_OR_RETURN(pki::CertificateAuthority::Issued issued,
                   ca_->Issue(enrollment.csr_pem, state.mac(), kLifetime, "Stand-in Phone Maker"));
  state.set_factory_key_pem(enrollment.key_pem);
  state.set_factory_cert_pem(issued.certificate_pem);
  return absl::OkStatus();
}

}  // namespace onramp::agent
