// The resync: Profile_Rule to _D evaluated, the profile fetched (HTTP(S)
// with redirects and authentication, or TFTP), decrypted and applied.

#include "absl/strings/str_cat.h"
#include "lib/http/auth/authorization.h"
#include "device-agent/phone.h"
#include "lib/phone/profile_crypto/aes128gcm.h"
#include "lib/phone/profile_crypto/gzip.h"
#include "lib/phone/profile_crypto/openssl_enc.h"
#include "lib/phone/rule/rule.h"

namespace onramp::agent {
namespace {

constexpr const char* kProfileRules[] = {"Profile_Rule", "Profile_Rule_B", "Profile_Rule_C", "Profile_Rule_D"};
constexpr int kMaxRedirects = 5;
// The most a phone takes of one profile, as fetched and as gunzipped.
constexpr size_t kMaxProfileBytes = 16 << 20;

// A fetch that brought no answer: a missing file or one over what a phone
// takes is B (not found or corrupt); no connection, a bad URL, C.
const char* OutcomeOfFailedFetch(const absl::Status& status) {
  return status.code() == absl::StatusCode::kNotFound || status.code() == absl::StatusCode::kResourceExhausted ? "B"
                                                                                                               : "C";
}

}  // namespace

void Phone::RunProfileRules() {
  for (const char* name : kProfileRules) {
    std::string rule = Parameter(name);
    if (rule.empty()) continue;
    // A rule that fetches nothing (no condition held) leaves the outcome
    // of the one before it.
    std::string before = state_.last_outcome();
    state_.clear_last_outcome();
    absl::StatusOr<bool> done = Resync(rule);
    if (!done.ok()) {
      state_.set_last_outcome("C");
      state_.set_last_detail(std::string(done.status().message()));
    }
    if (state_.last_outcome().empty()) {
      state_.set_last_outcome(before);
      continue;
    }
    // Any failure aborts the run (retried after Resync_Error_Retry_Delay).
    if (state_.last_outcome() != "A") {
      state_.set_last_detail(absl::StrCat(name, ": ", state_.last_detail()));
      return;
    }
  }
}

absl::StatusOr<bool> Phone::Resync(const std::string& rule_text) {
  absl::StatusOr<rule::Rule> rule = rule::ParseRule(rule_text);
  if (!rule.ok()) return rule.status();
  std::string tftp_server = options_.dhcp_options.contains(66)    ? options_.dhcp_options.at(66)
                            : options_.dhcp_options.contains(150) ? options_.dhcp_options.at(150)
                                                                  : "";
  absl::StatusOr<std::optional<rule::Resolution>> resolution =
      rule::Evaluate(*rule, Variables(), {.dhcp_tftp_server = tftp_server});
  if (!resolution.ok()) return resolution.status();
  if (!resolution->has_value()) return false;
  for (const rule::Assignment& assignment : (*resolution)->assignments) {
    (*state_.mutable_parameters())[assignment.parameter].set_value(assignment.value);
  }
  if ((*resolution)->kind == rule::Rule::Kind::kGds) {
    return absl::FailedPreconditionError("gds://: waiting at the activation screen for a code");
  }
  if (!(*resolution)->target) return true;
  const rule::Target& target = *(*resolution)->target;
  if (target.scheme == rule::Scheme::kTftp) {
    absl::StatusOr<std::string> file = network_->TftpGet(
        {.host = target.host, .port = target.port, .file = target.path.substr(1), .max_bytes = kMaxProfileBytes});
    Step(absl::StrCat("resync: TFTP ", file.ok() ? "got " : "failed ", target.host, ":", target.port,
                       target.path, file.ok() ? "" : absl::StrCat(": ", file.status().message())));
    if (!file.ok()) {
      state_.set_last_outcome(OutcomeOfFailedFetch(file.status()));
      state_.set_last_detail(absl::StrCat("TFTP: ", file.status().message()));
      return true;
    }
    HttpResponse response{.status = 200, .body = *std::move(file)};
    Received(response, target, /*seen_by_its_certificate=*/false);
    return true;
  }
  HttpLocation location{.tls = target.scheme == rule::Scheme::kHttps,
                        .host = target.host,
                        .port = target.port,
                        .target = target.path};
  if (target.srv) {
    // [--srv]: the URL's host is a domain whose SRV records name the servers.
    std::string name = absl::StrCat(location.tls ? "_ciscoprov-https._tls." : "_ciscoprov-http._tcp.", target.host);
    std::optional<SrvServer> server = FirstReachableSrv(name, target.host);
    if (!server) return absl::UnavailableError(absl::StrCat("DNS SRV ", name, ": no server answers"));
    Step(absl::StrCat("DNS SRV ", name, ": ", server->host, ":", server->port));
    location.host = server->host;
    location.port = server->port;
  }
  absl::StatusOr<HttpResponse> response;
  std::string authorization;
  int credentials_sent = 0;
  for (int redirects = 0;; ++redirects) {
    HttpRequest request{.tls = location.tls,
                        .host = location.host,
                        .port = location.port,
                        .method = target.post_parameter ? "POST" : "GET",
                        .target = location.target,
                        .max_body_bytes = kMaxProfileBytes};
    if (target.post_parameter) request.body = Parameter(*target.post_parameter);
    if (!state_.last_etag().empty()) request.headers["If-None-Match"] = state_.last_etag();
    if (!authorization.empty()) request.headers["Authorization"] = authorization;
    response = Send(request);
    if (!response.ok()) break;
    Step(absl::StrCat("resync: ", response->status, " from ", UrlOf(location)));
    // A challenge is answered with the rule's --uid/--pwd, twice at most.
    if (response->status == 401 && target.uid && credentials_sent < 2) {
      absl::StatusOr<std::string> answer = http_auth::Authorization(response->headers["www-authenticate"], request.method,
                                                         location.target, *target.uid, target.pwd.value_or(""));
      if (answer.ok()) {
        authorization = *answer;
        ++credentials_sent;
        continue;
      }
    }
    if ((response->status != 301 && response->status != 302) || redirects == kMaxRedirects) break;
    std::optional<HttpLocation> next = ResolveRedirect(location, response->headers["location"]);
    if (!next) break;
    location = *next;
  }
  if (!response.ok()) {
    state_.set_last_outcome(OutcomeOfFailedFetch(response.status()));
    state_.set_last_detail(std::string(response.status().message()));
    return true;
  }
  Received(*response, target, location.tls && HasCertificate());
  return true;
}

void Phone::Received(HttpResponse& response, const rule::Target& target, bool seen_by_its_certificate) {
  if (response.status == 304) {
    state_.set_last_outcome("A");
    state_.set_last_detail("not modified");
    return;
  }
  if (response.status != 200) {
    state_.set_last_outcome(response.status == 404 ? "B" : "C");
    state_.set_last_detail(absl::StrCat("HTTP ", response.status));
    return;
  }
  std::string body = std::move(response.body);
  absl::StatusOr<std::string> decoded = body;
  if (response.headers["content-encoding"] == "aes128gcm") {
    decoded = profile_crypto::DecodeAes128Gcm(body, Parameter("IKM_HTTP_Encrypt_Content"));
  } else if (target.key) {
    absl::StatusOr<profile_crypto::DecryptedProfile> decrypted = profile_crypto::DecryptOpensslEnc(body, *target.key);
    decoded = decrypted.ok() ? absl::StatusOr<std::string>(std::move(decrypted->plaintext)) : decrypted.status();
  }
  if (decoded.ok() && decoded->size() >= 2 && static_cast<unsigned char>((*decoded)[0]) == 0x1f &&
      static_cast<unsigned char>((*decoded)[1]) == 0x8b) {
    decoded = profile_crypto::Gunzip(*decoded, kMaxProfileBytes);
  }
  absl::Status applied = decoded.ok() ? Apply(*decoded) : decoded.status();
  if (!applied.ok()) {
    // Not a profile, or one the rule's key cannot open: corrupt (B).
    state_.set_last_outcome("B");
    state_.set_last_detail(absl::StrCat("profile not applied: ", applied.message()));
    return;
  }
  state_.set_last_etag(response.headers["etag"]);
  state_.set_last_outcome("A");
  state_.set_last_detail(absl::StrCat(decoded->size(), " bytes applied"));
  if (state_.customization_state() == "custom_pending") {
    Move("acquired");
    // Fetched with its certificate, the fleet saw the phone itself get it;
    // otherwise the phone tells it (ReportStateToCloud).
    if (seen_by_its_certificate) state_.set_reported_state("acquired");
  }
}

}  // namespace onramp::agent
