// Firmware upgrades: the Upgrade_Rule evaluated, the image downloaded
// (resumed with Range and If-Range), checked, "installed", and the outcome
// reported through the Report_Rule.

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "device-agent/phone.h"
#include "device-agent/phone_files.h"
#include "lib/base/digest/digest.h"
#include "lib/kit/status/status_macros.h"
#include "lib/phone/firmware_version/firmware_version.h"
#include "lib/phone/flat_profile/flat_profile.h"
#include "lib/phone/profile_crypto/aes128gcm.h"
#include "lib/phone/profile_crypto/openssl_enc.h"
#include "lib/phone/rule/rule.h"

namespace onramp::agent {

absl::StatusOr<HttpResponse> Phone::Download(const HttpLocation& location) {
  const std::string url = UrlOf(location);
  if (state_.download_url() != url) {
    flash_->Remove(kDownloadFile);
    state_.set_download_url(url);
    state_.set_download_etag("");
  }
  uint64_t have = flash_->Size(kDownloadFile);
  HttpRequest request{.tls = location.tls,
                      .host = location.host,
                      .port = location.port,
                      .target = location.target,
                      .timeout = absl::Minutes(10)};
  if (have > 0 && !state_.download_etag().empty()) {
    // The rest of what was begun, if the image is still the same one.
    request.headers["Range"] = absl::StrCat("bytes=", have, "-");
    request.headers["If-Range"] = state_.download_etag();
  }
  ASSIGN_OR_RETURN(HttpResponse response, Send(request));
  if (response.status != 200 && response.status != 206) return response;
  RETURN_IF_ERROR(response.status == 206 ? flash_->Append(kDownloadFile, response.body)
                                          : flash_->Write(kDownloadFile, response.body, /*secret=*/false));
  state_.set_download_etag(response.headers["etag"]);
  Step(absl::StrCat("firmware download: ", response.status, ", ", response.body.size(), " bytes",
                     response.status == 206 ? " (resumed)" : ""));
  response.body.clear();
  return response;
}

void Phone::ReportUpgrade(const std::string& from, const std::string& to, const std::string& outcome) {
  std::string rule_text = Parameter("Report_Rule");
  if (rule_text.empty()) return;
  absl::StatusOr<rule::Rule> rule = rule::ParseRule(rule_text, rule::RuleKind::kReport);
  if (!rule.ok()) return;
  absl::StatusOr<std::optional<rule::Resolution>> resolution =
      rule::Evaluate(*rule, Variables(), {.kind = rule::RuleKind::kReport});
  if (!resolution.ok() || !resolution->has_value() || !(*resolution)->target) return;
  const rule::Target& target = *(*resolution)->target;
  flat_profile::FlatProfile report;
  auto add = [&report](const char* name, const std::string& value) {
    report.parameters.push_back({.name = name, .value = value});
  };
  add("Software_Version", state_.firmware());
  add("Upgrade_Status", outcome);
  add("Upgrade_From", from);
  add("Upgrade_To", to);
  if (outcome != "success") add("Upgrade_Error", state_.last_upgrade());
  HttpRequest request{.tls = target.scheme == rule::Scheme::kHttps,
                      .host = target.host,
                      .port = target.port,
                      .method = "POST",
                      .target = target.path,
                      .headers = {{"Content-Type", "application/xml"}},
                      .body = flat_profile::Write(report)};
  // Encrypted as NOTES.md has it: with the rule's --key (AES-256-CBC), else
  // with the phone's IKM (aes128gcm); the server then knows it is the phone's.
  if (target.key) {
    request.body = profile_crypto::EncryptOpensslEnc(request.body, *target.key);
  } else if (std::string ikm = Parameter("IKM_HTTP_Encrypt_Content"); !ikm.empty()) {
    absl::StatusOr<std::string> sealed = profile_crypto::EncodeAes128Gcm(request.body, ikm);
    if (sealed.ok()) {
      request.body = *std::move(sealed);
      request.headers["Content-Encoding"] = "aes128gcm";
    }
  }
  absl::StatusOr<HttpResponse> response = Send(request);
  Step(absl::StrCat("upgrade report: ",
                     response.ok() ? absl::StrCat("HTTP ", response->status) : std::string(response.status().message())));
}

absl::StatusOr<bool> Phone::Upgrade() {
  if (!HasFlash()) return false;
  // Until it fails again, nothing is pending.
  state_.set_upgrade_pending(false);
  std::string rule_text = Parameter("Upgrade_Rule");
  if (rule_text.empty() || absl::AsciiStrToLower(Parameter("Upgrade_Enable")) == "no") return false;
  absl::StatusOr<rule::Rule> rule = rule::ParseRule(rule_text, rule::RuleKind::kUpgrade);
  if (!rule.ok()) return rule.status();
  absl::StatusOr<std::optional<rule::Resolution>> resolution =
      rule::Evaluate(*rule, Variables(), {.kind = rule::RuleKind::kUpgrade});
  if (!resolution.ok()) return resolution.status();
  if (!resolution->has_value() || !(*resolution)->target) return false;
  const rule::Target& target = *(*resolution)->target;
  std::string image = target.path.substr(target.path.rfind('/') + 1);
  if (image == state_.firmware()) return false;  // already running it
  if (target.scheme != rule::Scheme::kHttp && target.scheme != rule::Scheme::kHttps) {
    return absl::UnimplementedError(absl::StrCat("only HTTP(S) upgrades are simulated: ", rule_text));
  }
  const HttpLocation location{.tls = target.scheme == rule::Scheme::kHttps,
                              .host = target.host,
                              .port = target.port,
                              .target = target.path};
  Step(absl::StrCat("upgrade: ", state_.firmware(), " -> ", image));
  const std::string from = state_.firmware();
  if (Install(location, image).has_value()) {
    state_.set_upgrade_pending(true);
    ReportUpgrade(from, image, "failed");
    return false;
  }
  ReportUpgrade(from, image, "success");
  return true;
}

std::optional<std::string> Phone::Install(const HttpLocation& location, const std::string& image) {
  auto fail = [&](const std::string& why) {
    state_.set_last_upgrade(absl::StrCat("failed: ", why));
    Step(absl::StrCat("upgrade failed: ", why));
    return why;
  };
  // Nothing older than Downgrade_Rev_Limit is ever installed.
  if (std::string limit = Parameter("Downgrade_Rev_Limit"); !limit.empty()) {
    absl::StatusOr<firmware_version::Version> floor = firmware_version::ParseVersion(limit);
    absl::StatusOr<firmware_version::Version> offered = firmware_version::ParseVersion(image);
    if (floor.ok() && offered.ok() && *offered < *floor) {
      return fail(absl::StrCat("below Downgrade_Rev_Limit ", limit));
    }
  }
  absl::StatusOr<HttpResponse> response = Download(location);
  if (!response.ok()) return fail(std::string(response.status().message()));
  if (response->status != 200 && response->status != 206) return fail(absl::StrCat("HTTP ", response->status));
  // Our server's strong ETag is the image's SHA-256: check what arrived.
  std::string expected(absl::StripAsciiWhitespace(state_.download_etag()));
  if (expected.size() == 66 && expected.front() == '"') {
    absl::StatusOr<std::string> bytes = flash_->Read(kDownloadFile);
    if (!bytes.ok() || digest::Sha256Hex(*bytes) != expected.substr(1, 64)) {
      flash_->Remove(kDownloadFile);
      state_.set_download_url("");
      return fail("checksum mismatch");
    }
  }
  flash_->Remove(kDownloadFile);
  state_.set_download_url("");
  state_.set_download_etag("");
  state_.set_firmware(image);
  state_.set_last_upgrade("success");
  Step(absl::StrCat("rebooted into ", image));
  return std::nullopt;
}

}  // namespace onramp::agent
