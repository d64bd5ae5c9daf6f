#include "device-agent/phone.h"

#include <filesystem>
#include <fstream>
#include <optional>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "lib/pki/enrollment.h"
#include "device-agent/http_auth.h"
#include "device-agent/http_client.h"
#include "device-agent/srv_lookup.h"
#include "device-agent/state.h"
#include "device-agent/tftp_client.h"
#include "lib/customization/customization.h"
#include "lib/firmware_version/firmware_version.h"
#include "lib/flat_profile/flat_profile.h"
#include "lib/identity/mac_address.h"
#include "lib/identity/user_agent.h"
#include "lib/profile_crypto/aes128gcm.h"
#include "lib/profile_crypto/digest.h"
#include "lib/profile_crypto/gzip.h"
#include "lib/profile_crypto/openssl_enc.h"
#include "lib/rule/rule.h"
#include "lib/status/status_macros.h"
#include "lib/strings/form.h"

namespace onramp::agent {
namespace {

constexpr const char* kProfileRules[] = {"Profile_Rule", "Profile_Rule_B", "Profile_Rule_C", "Profile_Rule_D"};
constexpr int kMaxRedirects = 5;

struct Location {
  bool tls = false;
  std::string host;
  int port = 0;
  std::string target;  // path and query
};

// "http://host[:port]/path" or "https://…"; other schemes are not HTTP.
std::optional<Location> ParseHttpUrl(std::string_view url) {
  Location location;
  if (url.starts_with("https://")) {
    location.tls = true;
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    url.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  location.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  size_t colon = authority.rfind(':');
  location.port = location.tls ? 443 : 80;
  if (colon != std::string_view::npos) {
    std::string_view digits = authority.substr(colon + 1);
    if (!absl::SimpleAtoi(absl::string_view(digits.data(), digits.size()), &location.port)) return std::nullopt;
    authority = authority.substr(0, colon);
  }
  location.host = std::string(authority);
  if (location.host.empty()) return std::nullopt;
  return location;
}

}  // namespace

absl::StatusOr<HttpRequest> Phone::ToActivationService(const std::string& method, const std::string& path) const {
  std::optional<Location> base = ParseHttpUrl(options_.activation_url);
  if (!base) return absl::InvalidArgumentError(absl::StrCat("activation URL ", options_.activation_url, " is not HTTP(S)"));
  return HttpRequest{.tls = base->tls,
                     .host = base->host,
                     .port = base->port,
                     .method = method,
                     .target = absl::StrCat(base->target == "/" ? "" : base->target, path)};
}

absl::StatusOr<HttpResponse> Phone::Send(HttpRequest request) const {
  // What every request of this phone carries: its User-Agent, the CA it
  // trusts and its certificate: the cloud's once registered, before that
  // its factory certificate (when it was born with one).
  request.headers.try_emplace("User-Agent", UserAgent());
  if (request.ca_file.empty()) request.ca_file = options_.ca_file;
  if (state_.registered() && HasFlash()) {
    request.client_cert_file = options_.state_dir + "/device.pem";
    request.client_key_file = options_.state_dir + "/device.key";
  } else if (state_.registered()) {
    request.client_cert_pem = state_.device_cert_pem();
    request.client_key_pem = state_.device_key_pem();
  } else if (!state_.factory_cert_pem().empty()) {
    request.client_cert_pem = state_.factory_cert_pem();
    request.client_key_pem = state_.factory_key_pem();
  }
  // Names resolve through the phone's DNS server when it has one.
  if (!options_.dns_resolver.empty() && request.connect_address.empty()) {
    auto known = addresses_.find(request.host);
    if (known == addresses_.end()) {
      absl::StatusOr<std::string> address = LookupAddress(request.host, options_.dns_resolver);
      // A name the resolver does not know (an IP literal) is connected to as it is.
      known = addresses_.emplace(request.host, address.ok() ? *address : "").first;
    }
    request.connect_address = known->second;
  }
  std::string proxy_host = Parameter("HTTP_Proxy_Host_Address");
  request.proxy = proxy_host.empty() ? options_.proxy
                                     : absl::StrCat(proxy_host, ":", Parameter("HTTP_Proxy_Port").empty()
                                                                         ? std::string("8080")
                                                                         : Parameter("HTTP_Proxy_Port"));
  absl::StatusOr<HttpResponse> response = client_->Fetch(request);
  // The proxy wants credentials (407): the phone's, Digest or Basic as the
  // proxy offers, twice at most (a stale Digest nonce is asked again).
  std::string user = Parameter("HTTP_Proxy_Username");
  for (int sent = 0; response.ok() && response->status == 407 && !user.empty() && sent < 2; ++sent) {
    options_.on_step("proxy asked for credentials (407)");
    absl::StatusOr<std::string> answer =
        Authorization(response->headers["proxy-authenticate"], ProxyMethod(request), ProxyTarget(request), user,
                      Parameter("HTTP_Proxy_Password"));
    if (!answer.ok()) {
      options_.on_step(absl::StrCat("proxy credentials: ", answer.status().message()));
      break;
    }
    request.proxy_authorization = *answer;
    response = client_->Fetch(request);
  }
  return response;
}

absl::StatusOr<Phone> Phone::Load(PhoneOptions options) {
  absl::StatusOr<v1::PhoneState> state = LoadState(options.state_dir);
  if (!state.ok()) return state.status();
  return Phone(std::move(options), *std::move(state));
}

std::string Phone::Parameter(const std::string& name) const {
  auto found = state_.parameters().find(name);
  return found == state_.parameters().end() ? std::string() : found->second.value();
}

std::string Phone::UserAgent() const {
  if (!options_.user_agent.empty()) return options_.user_agent;
  identity::UserAgent agent{.maker = "Cisco", .model = state_.model(), .version = "0.0"};
  if (absl::StatusOr<firmware::FirmwareName> name = firmware::ParseFirmwareName(state_.firmware()); name.ok()) {
    agent.version = absl::StrCat(name->version.major, ".", name->version.minor, ".", name->version.micro);
  }
  if (absl::StatusOr<identity::MacAddress> mac = identity::MacAddress::Parse(state_.mac()); mac.ok()) agent.mac = *mac;
  agent.serial = state_.serial();
  return identity::FormatUserAgent(agent);
}

void Phone::Move(const std::string& to) {
  std::optional<customization::CustomizationState> from =
      customization::StateFromName(state_.customization_state());
  std::optional<customization::CustomizationState> next = customization::StateFromName(to);
  if (!next || !customization::TransitionAllowed(from, *next) || state_.customization_state() == to) return;
  options_.on_step(absl::StrCat("customization state: ", state_.customization_state(), " -> ", to));
  state_.set_customization_state(to);
}

absl::Status Phone::Apply(const std::string& profile_xml) {
  absl::StatusOr<flat_profile::ParseResult> parsed = flat_profile::Parse(profile_xml);
  if (!parsed.ok()) return parsed.status();
  for (const flat_profile::Parameter& parameter : parsed->profile.parameters) {
    if (!parameter.value) continue;  // <X/>: keep the current value
    v1::Parameter& kept = (*state_.mutable_parameters())[parameter.name];
    kept.set_value(*parameter.value);
    if (parameter.user_access) {
      switch (*parameter.user_access) {
        case flat_profile::UserAccess::kNone: kept.set_ua("na"); break;
        case flat_profile::UserAccess::kReadOnly: kept.set_ua("ro"); break;
        case flat_profile::UserAccess::kReadWrite: kept.set_ua("rw"); break;
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Phone::Set(const std::string& name, const std::string& value) {
  (*state_.mutable_parameters())[name].set_value(value);
  // Provisioned by hand before the provider's profile arrived.
  if (state_.customization_state() != "acquired") Move("aborted");
  return Save();
}

absl::Status Phone::Save() const { return HasFlash() ? SaveState(options_.state_dir, state_) : absl::OkStatus(); }

absl::Status Phone::QueryActivation() {
  ASSIGN_OR_RETURN(HttpRequest request,
                   ToActivationService("GET", absl::StrCat("/device/", state_.model(), "/", state_.mac())));
  Move("pending");
  absl::StatusOr<HttpResponse> response = Send(request);
  if (!response.ok()) {
    options_.on_step(absl::StrCat("redirect query failed: ", response.status().message()));
    return absl::OkStatus();  // stays Pending; the next pass asks again
  }
  options_.on_step(absl::StrCat("redirect query: ", response->status, " from ", options_.activation_url));
  if (response->status == 404) {
    Move("unavailable");
  } else if (response->status == 200) {
    if (absl::Status applied = Apply(response->body); !applied.ok()) {
      options_.on_step(absl::StrCat("redirect profile unreadable: ", applied.message()));
      return absl::OkStatus();
    }
    Move("custom_pending");
  }
  return absl::OkStatus();
}

macro::Variables Phone::Variables() const {
  macro::Variables variables;
  if (absl::StatusOr<identity::MacAddress> mac = identity::MacAddress::Parse(state_.mac()); mac.ok()) variables.mac = *mac;
  variables.product_name = state_.model();
  // The product series: the model without its maker's "CP-" ($PSN).
  variables.product_series = std::string(absl::StripPrefix(state_.model(), "CP-"));
  variables.serial = state_.serial();
  std::string version = state_.firmware();
  if (absl::EndsWith(version, ".loads")) version.resize(version.size() - 6);
  variables.software_version = version;
  variables.upgrade_error = state_.last_upgrade();
  for (int i = 0; i < 16; ++i) {
    variables.general_purpose[static_cast<size_t>(i)] = Parameter(absl::StrCat("GPP_", std::string(1, static_cast<char>('A' + i))));
  }
  for (int i = 0; i < 4; ++i) {
    variables.secret_general_purpose[static_cast<size_t>(i)] =
        Parameter(absl::StrCat("GPP_S", std::string(1, static_cast<char>('A' + i))));
  }
  return variables;
}

void Phone::DiscoverBySrv(const std::string& domain) {
  struct Service {
    const char* name;
    const char* scheme;
  };
  for (const Service& service : {Service{"_ciscoprov-https._tls", "https"}, Service{"_ciscoprov-http._tcp", "http"}}) {
    std::string name = absl::StrCat(service.name, ".", domain);
    absl::StatusOr<std::vector<SrvRecord>> records = LookupSrv(name, options_.dns_resolver);
    if (!records.ok()) {
      options_.on_step(absl::StrCat("DNS SRV ", name, ": ", records.status().message()));
      continue;
    }
    for (const SrvRecord& record : *records) {
      std::string host(absl::StripSuffix(record.target, "."));
      // The server's certificate is checked against its name, which must be
      // in the DHCP domain: so the certificate must be too.
      if (host != domain && !absl::EndsWith(host, absl::StrCat(".", domain))) {
        options_.on_step(absl::StrCat("DNS SRV ", name, ": ", host, " is outside the DHCP domain ", domain));
        continue;
      }
      absl::StatusOr<std::string> address = LookupAddress(host, options_.dns_resolver);
      if (!address.ok() || !client_->Probe(*address, record.port).ok()) {
        options_.on_step(absl::StrCat("DNS SRV ", name, ": ", host, ":", record.port, " unreachable"));
        continue;
      }
      std::string rule = absl::StrCat(service.scheme, "://", host, ":", record.port, "/$PSN.xml");
      options_.on_step(absl::StrCat("DNS SRV ", name, ": Profile_Rule ", rule));
      (*state_.mutable_parameters())["Profile_Rule"].set_value(rule);
      Move("aborted");  // provisioned by the network: remote customization is not tried
      return;
    }
  }
}

void Phone::DiscoverAcs() {
  // TR-069 DHCPOption Init: an ACS URL the phone was not given by hand
  // comes from option 43 (the vendor-specific information), else 125.
  if (!Parameter("ACS_URL").empty()) return;
  for (int option : {43, 125}) {
    auto url = options_.dhcp_options.find(option);
    if (url == options_.dhcp_options.end() || url->second.empty()) continue;
    (*state_.mutable_parameters())["ACS_URL"].set_value(url->second);
    options_.on_step(absl::StrCat("DHCP option ", option, ": TR-069 ACS ", url->second,
                                  " (kept; the agent speaks no CWMP)"));
    return;
  }
}

absl::Status Phone::EnterActivationCode(const std::string& code) {
  ASSIGN_OR_RETURN(HttpRequest request, ToActivationService("POST", "/activation"));
  request.headers["Content-Type"] = "application/x-www-form-urlencoded";
  request.body = strings::EncodeForm({{"code", code},
                                      {"mac", state_.mac()},
                                      {"model", state_.model()},
                                      {"serial", state_.serial()}});
  absl::StatusOr<HttpResponse> response = Send(request);
  if (!response.ok()) {
    options_.on_step(absl::StrCat("activation code not sent: ", response.status().message()));
    return absl::OkStatus();
  }
  if (response->status != 200) {
    // What the phone's screen says, then why.
    options_.on_step(absl::StrCat("Invalid activation code (HTTP ", response->status, " ",
                                  absl::StripAsciiWhitespace(response->body), ")"));
    state_.set_last_outcome(response->status == 404 ? "B" : "C");
    state_.set_last_detail("activation code refused");
    return absl::OkStatus();
  }
  if (absl::Status applied = Apply(response->body); !applied.ok()) {
    options_.on_step(absl::StrCat("onboarding profile unreadable: ", applied.message()));
    return absl::OkStatus();
  }
  options_.on_step("activation code accepted: onboarding profile applied");
  return absl::OkStatus();
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
    absl::StatusOr<std::string> file = TftpGet({.host = target.host, .port = target.port, .file = target.path.substr(1)});
    options_.on_step(absl::StrCat("resync: TFTP ", file.ok() ? "got " : "failed ", target.host, ":", target.port,
                                  target.path, file.ok() ? "" : absl::StrCat(": ", file.status().message())));
    HttpResponse response;
    if (file.ok()) {
      response.status = 200;
      response.body = *std::move(file);
    } else {
      response.status = file.status().code() == absl::StatusCode::kNotFound ? 404 : 503;
    }
    return Received(response, target, /*seen_by_its_certificate=*/false);
  }
  Location location{.tls = target.scheme == rule::Scheme::kHttps,
                    .host = target.host,
                    .port = target.port,
                    .target = target.path};
  absl::StatusOr<HttpResponse> response;
  std::string authorization;
  int credentials_sent = 0;
  for (int redirects = 0;; ++redirects) {
    HttpRequest request{.tls = location.tls,
                        .host = location.host,
                        .port = location.port,
                        .method = target.post_parameter ? "POST" : "GET",
                        .target = location.target};
    if (target.post_parameter) request.body = Parameter(*target.post_parameter);
    if (!state_.last_etag().empty()) request.headers["If-None-Match"] = state_.last_etag();
    if (!authorization.empty()) request.headers["Authorization"] = authorization;
    response = Send(request);
    if (!response.ok()) break;
    options_.on_step(absl::StrCat("resync: ", response->status, " from ", location.tls ? "https://" : "http://",
                                  location.host, ":", location.port, location.target));
    // A challenge is answered with the rule's --uid/--pwd, twice at most.
    if (response->status == 401 && target.uid && credentials_sent < 2) {
      absl::StatusOr<std::string> answer = Authorization(response->headers["www-authenticate"], request.method,
                                                         location.target, *target.uid, target.pwd.value_or(""));
      if (answer.ok()) {
        authorization = *answer;
        ++credentials_sent;
        continue;
      }
    }
    if ((response->status != 301 && response->status != 302) || redirects == kMaxRedirects) break;
    std::optional<Location> next = ParseHttpUrl(response->headers["location"]);
    if (!next) break;
    location = *next;
  }
  if (!response.ok()) {
    state_.set_last_outcome("C");
    state_.set_last_detail(std::string(response.status().message()));
    return true;
  }
  return Received(*response, target, location.tls && HasCertificate());
}

bool Phone::HasCertificate() const { return state_.registered() || !state_.factory_cert_pem().empty(); }

bool Phone::Received(HttpResponse& response, const rule::Target& target, bool seen_by_its_certificate) {
  if (response.status == 304) {
    state_.set_last_outcome("A");
    state_.set_last_detail("not modified");
    return true;
  }
  if (response.status != 200) {
    state_.set_last_outcome(response.status == 404 ? "B" : "C");
    state_.set_last_detail(absl::StrCat("HTTP ", response.status));
    return true;
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
    decoded = profile_crypto::Gunzip(*decoded);
  }
  absl::Status applied = decoded.ok() ? Apply(*decoded) : decoded.status();
  if (!applied.ok()) {
    state_.set_last_outcome("C");
    state_.set_last_detail(absl::StrCat("profile not applied: ", applied.message()));
    return true;
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
  return true;
}

absl::Status Phone::RegisterWithCloud() {
  ASSIGN_OR_RETURN(HttpRequest request, ToActivationService("POST", "/register"));
  ASSIGN_OR_RETURN(pki::Enrollment enrollment, pki::MakeEnrollment(state_.mac()));
  request.headers["Content-Type"] = "application/x-www-form-urlencoded";
  request.body = strings::EncodeForm({{"mac", state_.mac()},
                                      {"credential", Parameter("Cloud_Registration_Credential")},
                                      {"csr", enrollment.csr_pem}});
  absl::StatusOr<HttpResponse> response = Send(request);
  if (!response.ok() || response->status != 200) {
    options_.on_step(absl::StrCat("registration failed: ", response.ok() ? absl::StrCat("HTTP ", response->status, " ", response->body)
                                                                           : std::string(response.status().message())));
    return absl::OkStatus();  // tried again on the next pass while the credential lasts
  }
  if (HasFlash()) {
    {
      std::ofstream key(options_.state_dir + "/device.key", std::ios::trunc);
      key << enrollment.key_pem;
      std::ofstream certificate(options_.state_dir + "/device.pem", std::ios::trunc);
      certificate << response->body;
      if (!key.flush() || !certificate.flush()) return absl::UnavailableError("cannot store the device certificate");
    }
    std::filesystem::permissions(options_.state_dir + "/device.key", std::filesystem::perms::owner_read |
                                                                          std::filesystem::perms::owner_write);
  } else {
    state_.set_device_key_pem(enrollment.key_pem);
    state_.set_device_cert_pem(response->body);
  }
  state_.set_registered(true);
  state_.mutable_parameters()->erase("Cloud_Registration_Credential");  // used up
  options_.on_step("registered with the cloud: device certificate stored");
  return absl::OkStatus();
}

void Phone::ReportStateToCloud() {
  // The cloud takes a phone's state only from the phone itself: over
  // HTTPS with its certificate (the cloud's, or its factory one).
  if (state_.customization_state() != "acquired" || state_.reported_state() == "acquired") return;
  if (!absl::StartsWith(options_.activation_url, "https://") || !HasCertificate()) return;
  absl::StatusOr<HttpRequest> request = ToActivationService("POST", "/state");
  if (!request.ok()) return;
  request->headers["Content-Type"] = "application/x-www-form-urlencoded";
  request->body = strings::EncodeForm({{"mac", state_.mac()}, {"state", state_.customization_state()}});
  absl::StatusOr<HttpResponse> response = Send(*std::move(request));
  if (response.ok() && response->status == 200) {
    state_.set_reported_state(state_.customization_state());
    options_.on_step(absl::StrCat("cloud told: ", state_.customization_state()));
  } else {
    options_.on_step(absl::StrCat("cloud not told of its state: ",
                                  response.ok() ? absl::StrCat("HTTP ", response->status) : std::string(response.status().message())));
  }
}

void Phone::RunProfileRules() {
  for (const char* name : kProfileRules) {
    std::string rule = Parameter(name);
    if (rule.empty()) continue;
    absl::StatusOr<bool> done = Resync(rule);
    if (!done.ok()) {
      state_.set_last_outcome("C");
      state_.set_last_detail(absl::StrCat(name, ": ", done.status().message()));
    }
  }
}

absl::StatusOr<HttpResponse> Phone::Download(const std::string& url) {
  std::optional<Location> location = ParseHttpUrl(url);
  if (!location) return absl::UnimplementedError(absl::StrCat("only HTTP(S) upgrades are simulated: ", url));
  const std::string part = options_.state_dir + "/download.part";
  if (state_.download_url() != url) {
    std::filesystem::remove(part);
    state_.set_download_url(url);
    state_.set_download_etag("");
  }
  std::error_code error;
  uintmax_t have = std::filesystem::exists(part) ? std::filesystem::file_size(part, error) : 0;
  HttpRequest request{.tls = location->tls,
                      .host = location->host,
                      .port = location->port,
                      .target = location->target,
                      .timeout = absl::Minutes(10)};
  if (have > 0 && !state_.download_etag().empty()) {
    // The rest of what was begun, if the image is still the same one.
    request.headers["Range"] = absl::StrCat("bytes=", have, "-");
    request.headers["If-Range"] = state_.download_etag();
  }
  ASSIGN_OR_RETURN(HttpResponse response, Send(request));
  if (response.status != 200 && response.status != 206) return response;
  std::ofstream out(part, response.status == 206 ? std::ios::app | std::ios::binary : std::ios::trunc | std::ios::binary);
  out << response.body;
  if (!out.flush()) return absl::UnavailableError("cannot store the download");
  state_.set_download_etag(response.headers["etag"]);
  options_.on_step(absl::StrCat("firmware download: ", response.status, ", ", response.body.size(), " bytes",
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
  options_.on_step(absl::StrCat("upgrade report: ",
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
  std::string url = absl::StrCat(target.scheme == rule::Scheme::kHttps ? "https://" : "http://", target.host, ":",
                                 target.port, target.path);
  options_.on_step(absl::StrCat("upgrade: ", state_.firmware(), " -> ", image));
  const std::string from = state_.firmware();
  auto fail = [&](const std::string& why) {
    state_.set_last_upgrade(absl::StrCat("failed: ", why));
    state_.set_upgrade_pending(true);
    options_.on_step(absl::StrCat("upgrade failed: ", why));
    ReportUpgrade(from, image, "failed");
    return false;
  };
  // Nothing older than Downgrade_Rev_Limit is ever installed.
  if (std::string limit = Parameter("Downgrade_Rev_Limit"); !limit.empty()) {
    absl::StatusOr<firmware::Version> floor = firmware::ParseVersion(limit);
    absl::StatusOr<firmware::Version> offered = firmware::ParseVersion(image);
    if (floor.ok() && offered.ok() && *offered < *floor) {
      return fail(absl::StrCat("below Downgrade_Rev_Limit ", limit));
    }
  }
  absl::StatusOr<HttpResponse> response = Download(url);
  if (!response.ok()) return fail(std::string(response.status().message()));
  if (response->status != 200 && response->status != 206) return fail(absl::StrCat("HTTP ", response->status));
  // Our server's strong ETag is the image's SHA-256: check what arrived.
  const std::string part = options_.state_dir + "/download.part";
  std::string expected(absl::StripAsciiWhitespace(state_.download_etag()));
  if (expected.size() == 66 && expected.front() == '"') {
    std::ifstream in(part, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (profile_crypto::Sha256Hex(bytes) != expected.substr(1, 64)) {
      std::filesystem::remove(part);
      state_.set_download_url("");
      return fail("checksum mismatch");
    }
  }
  std::filesystem::remove(part);
  state_.set_download_url("");
  state_.set_download_etag("");
  state_.set_firmware(image);
  state_.set_last_upgrade("success");
  options_.on_step(absl::StrCat("rebooted into ", image));
  ReportUpgrade(from, image, "success");
  return true;
}

absl::Status Phone::Provision() {
  HttpClient blocking;
  return Provision(blocking);
}

absl::Status Phone::Provision(HttpClient& client) {
  client_ = &client;
  absl::Cleanup forget = [this] { client_ = nullptr; };
  if (state_.in_call()) {
    // Resyncs (and with them upgrades and their reboots) only when idle.
    options_.on_step("in a call: resync deferred until idle");
    return absl::OkStatus();
  }
  state_.set_resyncs(state_.resyncs() + 1);
  auto now = absl::ToUnixMicros(absl::Now());
  state_.mutable_last_resync_time()->set_seconds(now / 1000000);
  state_.mutable_last_resync_time()->set_nanos(static_cast<int32_t>(now % 1000000) * 1000);
  if (state_.customization_state().empty()) state_.set_customization_state("open");
  if (state_.customization_state() == "open" && Parameter("Profile_Rule").empty()) {
    for (int option : {160, 159}) {
      auto url = options_.dhcp_options.find(option);
      if (url == options_.dhcp_options.end()) continue;
      options_.on_step(absl::StrCat("DHCP option ", option, ": Profile_Rule ", url->second));
      (*state_.mutable_parameters())["Profile_Rule"].set_value(url->second);
      Move("aborted");  // provisioned by DHCP: remote customization is not tried
      break;
    }
  }
  DiscoverAcs();
  if (state_.customization_state() == "open" && Parameter("Profile_Rule").empty() &&
      options_.dhcp_options.contains(15)) {
    DiscoverBySrv(options_.dhcp_options.at(15));
  }
  if (state_.customization_state() == "open" && Parameter("Profile_Rule").empty() &&
      !options_.activation_url.empty()) {
    RETURN_IF_ERROR(QueryActivation());
  }
  bool at_activation_screen = state_.customization_state() == "unavailable" || Parameter("Profile_Rule") == "gds://";
  if (at_activation_screen && !options_.activation_url.empty()) {
    std::string code = options_.activation_code;
    if (code.empty() && options_.ask_activation_code) code = options_.ask_activation_code();
    if (!code.empty()) RETURN_IF_ERROR(EnterActivationCode(code));
  }
  // Registered first, the phone fetches its profile over mutual TLS, which
  // brings its secrets in the clear.
  if (!state_.registered() && !Parameter("Cloud_Registration_Credential").empty() &&
      absl::AsciiStrToLower(Parameter("Cloud_Registration_Enable")) != "no" && !options_.activation_url.empty()) {
    RETURN_IF_ERROR(RegisterWithCloud());
  }
  RunProfileRules();
  ReportStateToCloud();
  state_.set_consecutive_failures(state_.last_outcome() == "A" ? 0 : state_.consecutive_failures() + 1);
  // After each reboot into new firmware the phone resyncs (Resync_On_Reset)
  // and may find the next hop of its plan.
  constexpr int kMaxHops = 8;
  for (int hop = 0; hop < kMaxHops; ++hop) {
    absl::StatusOr<bool> upgraded = Upgrade();
    if (!upgraded.ok()) {
      options_.on_step(absl::StrCat("upgrade rule not usable: ", upgraded.status().message()));
      break;
    }
    if (!*upgraded) break;
    RETURN_IF_ERROR(Save());
    RunProfileRules();
  }
  return Save();
}

}  // namespace onramp::agent
