#include "device-agent/phone.h"

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "lib/http/auth/authorization.h"
#include "device-agent/cwmp_cpe.h"
#include "device-agent/phone_files.h"
#include "device-agent/state.h"
#include "lib/phone/syslog/syslog.h"
#include "lib/kit/status/status_macros.h"
#include "lib/phone/customization/customization.h"
#include "lib/phone/firmware_version/firmware_version.h"
#include "lib/phone/flat_profile/flat_profile.h"
#include "lib/phone/identity/mac_address.h"
#include "lib/phone/identity/product.h"
#include "lib/phone/identity/user_agent.h"

namespace onramp::agent {
namespace {

const SystemClock kSystemClock;

}  // namespace

Phone::Phone(PhoneOptions options, v1::PhoneState state, std::unique_ptr<Flash> flash, const Clock* clock)
    : options_(std::move(options)),
      state_(std::move(state)),
      flash_(std::move(flash)),
      clock_(clock != nullptr ? clock : &kSystemClock) {}

void Phone::Step(const std::string& step) const {
  options_.on_step(step);
  std::string server = Parameter("Syslog_Server");
  if (server.empty() || network_ == nullptr) return;
  // host, host:port, [v6] or [v6]:port; a bare IPv6 address is all host.
  std::string host = server;
  std::string port_text;
  if (server.starts_with("[")) {
    size_t close = server.find(']');
    if (close == std::string::npos) return;
    host = server.substr(1, close - 1);
    if (server.size() > close + 1 && server[close + 1] == ':') port_text = server.substr(close + 2);
  } else if (size_t colon = server.find(':'); colon != std::string::npos && server.find(':', colon + 1) == std::string::npos) {
    host = server.substr(0, colon);
    port_text = server.substr(colon + 1);
  }
  int port = 514;
  if (!port_text.empty() && !absl::SimpleAtoi(port_text, &port)) return;
  // As phones write it: "$PN $MAC -- what happened" (NOTES.md).
  syslog::Message line{.facility = 16,  // local0
                       .severity = 6,
                       .format = syslog::Format::kRfc3164,
                       .hostname = state_.mac(),
                       .app_name = "phone",
                       .text = absl::StrCat(state_.model(), " ", state_.mac(), " -- ", step)};
  (void)network_->SendDatagram(host, port, syslog::Line(line, clock_->Now()));
}

absl::StatusOr<Phone> Phone::Load(PhoneOptions options) {
  absl::StatusOr<v1::PhoneState> state = LoadState(options.state_dir);
  if (!state.ok()) return state.status();
  auto flash = std::make_unique<DirectoryFlash>(options.state_dir);
  return Phone(std::move(options), *std::move(state), std::move(flash));
}

absl::StatusOr<HttpRequest> Phone::ToActivationService(const std::string& method, const std::string& path) const {
  std::optional<HttpLocation> base = ParseHttpUrl(options_.activation_url);
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
  if (request.source_address.empty()) request.source_address = options_.source_address;
  if (request.ca_file.empty()) request.ca_file = options_.ca_file;
  // And the CA its ACS had it install, if any.
  if (HasFlash()) {
    if (absl::StatusOr<std::string> custom = flash_->Read(kCustomCaFile); custom.ok()) request.extra_ca_pem = *custom;
  }
  if (state_.registered() && HasFlash()) {
    absl::StatusOr<std::string> certificate = flash_->Read(kCertificateFile);
    absl::StatusOr<std::string> key = flash_->Read(kKeyFile);
    if (certificate.ok() && key.ok()) {
      request.client_cert_pem = *std::move(certificate);
      request.client_key_pem = *std::move(key);
    }
  } else if (state_.registered()) {
    request.client_cert_pem = state_.device_cert_pem();
    request.client_key_pem = state_.device_key_pem();
  } else if (!state_.factory_cert_pem().empty()) {
    request.client_cert_pem = state_.factory_cert_pem();
    request.client_key_pem = state_.factory_key_pem();
  }
  // Names resolve through the phone's DNS server when it has one.
  if (std::string dns_server = DnsServer(); !dns_server.empty() && request.connect_address.empty()) {
    auto known = addresses_.find(request.host);
    if (known == addresses_.end()) {
      absl::StatusOr<std::string> address = network_->LookupAddress(request.host, dns_server);
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
  absl::StatusOr<HttpResponse> response = network_->Fetch(request);
  // The proxy wants credentials (407): the phone's, Digest or Basic as the
  // proxy offers, twice at most (a stale Digest nonce is asked again).
  std::string user = Parameter("HTTP_Proxy_Username");
  for (int sent = 0; response.ok() && response->status == 407 && !user.empty() && sent < 2; ++sent) {
    Step("proxy asked for credentials (407)");
    absl::StatusOr<std::string> answer =
        http_auth::Authorization(response->headers["proxy-authenticate"], ProxyMethod(request), ProxyTarget(request), user,
                      Parameter("HTTP_Proxy_Password"));
    if (!answer.ok()) {
      Step(absl::StrCat("proxy credentials: ", answer.status().message()));
      break;
    }
    request.proxy_authorization = *answer;
    response = network_->Fetch(request);
  }
  return response;
}

std::string Phone::DnsServer() const {
  if (!options_.dns_resolver.empty()) return options_.dns_resolver;
  auto lease = options_.dhcp_options.find(6);
  if (lease == options_.dhcp_options.end()) return "";
  // Option 6 lists servers, the preferred first.
  std::string first(absl::StripAsciiWhitespace(lease->second.substr(0, lease->second.find_first_of(", "))));
  return first.empty() ? "" : absl::StrCat(first, ":53");
}

std::string Phone::Parameter(const std::string& name) const {
  auto found = state_.parameters().find(name);
  return found == state_.parameters().end() ? std::string() : found->second.value();
}

std::string Phone::UserAgent() const {
  if (!options_.user_agent.empty()) return options_.user_agent;
  identity::UserAgent agent{.maker = "Cisco", .model = state_.model(), .version = "0.0"};
  if (absl::StatusOr<firmware_version::FirmwareName> name = firmware_version::ParseFirmwareName(state_.firmware()); name.ok()) {
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
  Step(absl::StrCat("customization state: ", state_.customization_state(), " -> ", to));
  state_.set_customization_state(to);
}

absl::Status Phone::Apply(const std::string& profile_xml) {
  absl::StatusOr<flat_profile::ParseResult> parsed = flat_profile::Parse(profile_xml);
  if (!parsed.ok()) return parsed.status();
  for (const flat_profile::Parameter& parameter : parsed->profile.parameters) {
    if (!parameter.value) continue;  // <X/>: keep the current value
    if (parameter.value->size() > flat_profile::kMaxValueLength) {
      Step(absl::StrCat(parameter.name, " left out: ", parameter.value->size(), " characters (at most ",
                         flat_profile::kMaxValueLength, ")"));
      continue;
    }
    v1::Parameter& kept = (*state_.mutable_parameters())[parameter.name];
    kept.set_value(*parameter.value);
    if (parameter.user_access) kept.set_ua(std::string(flat_profile::UserAccessName(*parameter.user_access)));
  }
  return absl::OkStatus();
}

absl::Status Phone::Set(const std::string& name, const std::string& value) {
  (*state_.mutable_parameters())[name].set_value(value);
  // The ACS asked to hear of this one: its next Inform says so.
  if (NoteValueChange(state_, name)) Step(absl::StrCat(name, " changed: the ACS is told at the next Inform"));
  // Provisioned by hand before the provider's profile arrived.
  if (state_.customization_state() != "acquired") Move("aborted");
  return Save();
}

absl::Status Phone::Save() const { return HasFlash() ? flash_->SaveState(state_) : absl::OkStatus(); }

macro::Variables Phone::Variables() const {
  macro::Variables variables;
  if (absl::StatusOr<identity::MacAddress> mac = identity::MacAddress::Parse(state_.mac()); mac.ok()) variables.mac = *mac;
  variables.product_name = state_.model();
  variables.product_series = std::string(identity::ProductSeries(state_.model()));
  variables.serial = state_.serial();
  variables.software_version = SoftwareVersion(state_);
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

bool Phone::HasCertificate() const { return state_.registered() || !state_.factory_cert_pem().empty(); }

absl::Status Phone::Provision() {
  HttpClient blocking;
  return Provision(blocking);
}

absl::Status Phone::Provision(HttpClient& client) {
  HostNetwork network(client, options_.tls_sessions);
  return Provision(network);
}

absl::Status Phone::Provision(Network& network) {
  network_ = &network;
  absl::Cleanup forget = [this] {
    network_ = nullptr;
    addresses_.clear();
  };
  if (state_.in_call()) {
    // Resyncs (and with them upgrades and their reboots) only when idle.
    Step("in a call: resync deferred until idle");
    return absl::OkStatus();
  }
  state_.set_resyncs(state_.resyncs() + 1);
  auto now = absl::ToUnixMicros(clock_->Now());
  state_.mutable_last_resync_time()->set_seconds(now / 1000000);
  state_.mutable_last_resync_time()->set_nanos(static_cast<int32_t>(now % 1000000) * 1000);
  if (state_.customization_state().empty()) state_.set_customization_state("open");
  if (state_.customization_state() == "open" && Parameter("Profile_Rule").empty()) {
    for (int option : {160, 159}) {
      auto url = options_.dhcp_options.find(option);
      if (url == options_.dhcp_options.end()) continue;
      Step(absl::StrCat("DHCP option ", option, ": Profile_Rule ", url->second));
      (*state_.mutable_parameters())["Profile_Rule"].set_value(url->second);
      Move("aborted");  // provisioned by DHCP: remote customization is not tried
      break;
    }
  }
  DiscoverAcs();
  // A TR-069 phone resyncs with its ACS instead of a provisioning server.
  if (Tr069Enabled()) {
    // Provisioned by its provider (DHCP, or by hand): remote customization
    // is not tried.
    if (state_.customization_state() == "open") Move("aborted");
    RETURN_IF_ERROR(RunCwmp());
    state_.set_consecutive_failures(state_.last_outcome() == "A" ? 0 : state_.consecutive_failures() + 1);
    return Save();
  }
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
      Step(absl::StrCat("upgrade rule not usable: ", upgraded.status().message()));
      break;
    }
    if (!*upgraded) break;
    RETURN_IF_ERROR(Save());
    RunProfileRules();
  }
  return Save();
}

}  // namespace onramp::agent
