#ifndef ONRAMP_LIB_PHONE_PKI_ENROLLMENT_H_
#define ONRAMP_LIB_PHONE_PKI_ENROLLMENT_H_

// What a phone makes to get a certificate (at the factory, or when it
// registers with the cloud): a fresh P-256 key and a certificate request
// for it (subject CN = its MAC), both PEM.

#include <string>

#include "absl/status/statusor.h"

namespace onramp::pki {

struct Enrollment {
  std::string key_pem;  // PKCS#8, unencrypted: it stays in the phone's flash
  std::string csr_pem;
};

absl::StatusOr<Enrollment> MakeEnrollment(const std::string& common_name);

}  // namespace onramp::pki

#endif  // ONRAMP_LIB_PHONE_PKI_ENROLLMENT_H_
