#ifndef ONRAMP_DEVICE_AGENT_PHONE_FILES_H_
#define ONRAMP_DEVICE_AGENT_PHONE_FILES_H_

// The files a phone keeps in its flash beside its state.

namespace onramp::agent {

inline constexpr char kCertificateFile[] = "device.pem";  // from its cloud registration, then the CA's
inline constexpr char kKeyFile[] = "device.key";          // that certificate's key
inline constexpr char kDownloadFile[] = "download.part";  // a firmware image on its way
inline constexpr char kCustomCaFile[] = "custom-ca.pem";  // a CA its ACS had it install, trusted for HTTPS

}  // namespace onramp::agent

#endif  // ONRAMP_DEVICE_AGENT_PHONE_FILES_H_
