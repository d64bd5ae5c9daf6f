#ifndef ONRAMP_SERVICES_PROFILE_RENDER_REPORT_H_
#define ONRAMP_SERVICES_PROFILE_RENDER_REPORT_H_

// A phone's report (a Report_Rule upload, or the body of a POST resync) as
// the fleet reads it: a flat profile whose parameters are counted and kept,
// and whose upgrade lines, if any, tell how its last upgrade went. A report
// encrypted with the key the phone holds (Report_Rule --key: openssl enc;
// its IKM: aes128gcm) could only come from the phone.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "lib/phone/profile_crypto/device_key.h"

namespace onramp::profile {

struct ReportContents {
  int parameters = 0;  // 0 for a body that is not a flat profile
  std::map<std::string, std::string> values;
};

ReportContents ReadReport(std::string_view body);

struct UpgradeOutcome {
  bool success = false;
  std::string from;
  std::string to;
  std::string detail;
};

// Upgrade_Status ("success..." or "ok..."; "fail..." or "error..."; the
// phone's $UPGST), Upgrade_Error ($UPGERR), Upgrade_From, and Upgrade_To
// (Software_Version, $SWVER, when absent). nullopt when the report states
// no outcome.
std::optional<UpgradeOutcome> UpgradeOutcomeOf(const ReportContents& report);

// Whether the body is encrypted: aes128gcm as its Content-Encoding, or
// openssl enc's "Salted__" header.
bool IsEncryptedReport(std::string_view body, std::string_view content_encoding);

// The plaintext of an encrypted report with the phone's key, at most
// `max_bytes`; INVALID_ARGUMENT naming "body" when it does not open.
absl::StatusOr<std::string> OpenReport(std::string_view body, std::string_view content_encoding,
                                       const profile_crypto::DeviceKey& key, size_t max_bytes);

}  // namespace onramp::profile

#endif  // ONRAMP_SERVICES_PROFILE_RENDER_REPORT_H_
