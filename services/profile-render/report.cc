#include "services/profile-render/report.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "lib/kit/status/error_detail.h"
#include "lib/phone/flat_profile/flat_profile.h"
#include "lib/phone/profile_crypto/aes128gcm.h"
#include "lib/phone/profile_crypto/openssl_enc.h"

namespace onramp::profile {

ReportContents ReadReport(std::string_view body) {
  ReportContents report;
  if (absl::StatusOr<flat_profile::ParseResult> parsed = flat_profile::Parse(body); parsed.ok()) {
    report.parameters = static_cast<int>(parsed->profile.parameters.size());
    for (const flat_profile::Parameter& parameter : parsed->profile.parameters) {
      report.values[parameter.name] = parameter.value.value_or("");
    }
  }
  return report;
}

std::optional<UpgradeOutcome> UpgradeOutcomeOf(const ReportContents& report) {
  auto value = [&report](const char* name) {
    auto found = report.values.find(name);
    return found == report.values.end() ? std::string() : found->second;
  };
  std::string status = absl::AsciiStrToLower(value("Upgrade_Status"));
  bool success = absl::StartsWith(status, "success") || absl::StartsWith(status, "ok");
  bool failure = absl::StartsWith(status, "fail") || absl::StartsWith(status, "error");
  if (!success && !failure) return std::nullopt;
  return UpgradeOutcome{.success = success,
                        .from = value("Upgrade_From"),
                        .to = value("Upgrade_To").empty() ? value("Software_Version") : value("Upgrade_To"),
                        .detail = value("Upgrade_Error")};
}

bool IsEncryptedReport(std::string_view body, std::string_view content_encoding) {
  return content_encoding == "aes128gcm" || body.starts_with("Salted__");
}

absl::StatusOr<std::string> OpenReport(std::string_view body, std::string_view content_encoding,
                                       const profile_crypto::DeviceKey& key, size_t max_bytes) {
  absl::StatusOr<std::string> opened;
  if (content_encoding == "aes128gcm") {
    opened = profile_crypto::DecodeAes128Gcm(body, key.Ikm(), max_bytes);
  } else if (absl::StatusOr<profile_crypto::DecryptedProfile> decrypted =
                 profile_crypto::DecryptOpensslEnc(body, key.Passphrase());
             decrypted.ok()) {
    opened = std::move(decrypted->plaintext);
  } else {
    opened = decrypted.status();
  }
  if (!opened.ok()) return status::InvalidField("body", "the report does not open with the phone's key");
  return opened;
}

}  // namespace onramp::profile
