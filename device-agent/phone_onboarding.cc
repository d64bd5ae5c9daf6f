// The phone finding its provider: DHCP and DNS SRV discovery, the redirect
// query, activation codes, the cloud registration and telling the cloud its
// state (phone.h has the order).

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "device-agent/phone.h"
#include "device-agent/phone_files.h"
#include "lib/base/strings/form.h"
#include "lib/kit/status/status_macros.h"
#include "lib/phone/pki/enrollment.h"

namespace onramp::agent {

absl::Status Phone::QueryActivation() {
  ASSIGN_OR_RETURN(HttpRequest request,
                   ToActivationService("GET", absl::StrCat("/device/", state_.model(), "/", state_.mac())));
  Move("pending");
  // The query has an outcome as a resync does (the status table), so a
  // failed one is asked again after Resync_Error_Retry_Delay, Pending.
  auto outcome = [this](const char* outcome, std::string detail) {
    state_.set_last_outcome(outcome);
    state_.set_last_detail(absl::StrCat("redirect query: ", detail));
    Step(state_.last_detail());
  };
  absl::StatusOr<HttpResponse> response = Send(request);
  if (!response.ok()) {
    outcome("C", std::string(response.status().message()));
    return absl::OkStatus();
  }
  Step(absl::StrCat("redirect query: ", response->status, " from ", options_.activation_url));
  if (response->status == 404) {
    outcome("B", "no provider for this phone (HTTP 404)");
    Move("unavailable");
  } else if (response->status != 200) {
    outcome("C", absl::StrCat("HTTP ", response->status));
  } else if (absl::Status applied = Apply(response->body); !applied.ok()) {
    outcome("B", absl::StrCat("redirect profile unreadable: ", applied.message()));
  } else {
    outcome("A", "provider found");
    Move("custom_pending");
  }
  return absl::OkStatus();
}

std::optional<Phone::SrvServer> Phone::FirstReachableSrv(const std::string& name, const std::string& domain) {
  absl::StatusOr<std::vector<SrvRecord>> records = network_->LookupSrv(name, DnsServer());
  if (!records.ok()) {
    Step(absl::StrCat("DNS SRV ", name, ": ", records.status().message()));
    return std::nullopt;
  }
  for (const SrvRecord& record : *records) {
    std::string host(absl::StripSuffix(record.target, "."));
    // The server's certificate is checked against its name, which must be
    // in the domain asked: so the certificate must be too.
    if (host != domain && !absl::EndsWith(host, absl::StrCat(".", domain))) {
      Step(absl::StrCat("DNS SRV ", name, ": ", host, " is outside the domain ", domain));
      continue;
    }
    absl::StatusOr<std::string> address = network_->LookupAddress(host, DnsServer());
    if (!address.ok() || !network_->Probe(*address, record.port).ok()) {
      Step(absl::StrCat("DNS SRV ", name, ": ", host, ":", record.port, " unreachable"));
      continue;
    }
    return SrvServer{.host = host, .port = record.port};
  }
  return std::nullopt;
}

void Phone::DiscoverBySrv(const std::string& domain) {
  struct Service {
    const char* name;
    const char* scheme;
  };
  for (const Service& service : {Service{"_ciscoprov-https._tls", "https"}, Service{"_ciscoprov-http._tcp", "http"}}) {
    std::string name = absl::StrCat(service.name, ".", domain);
    std::optional<SrvServer> server = FirstReachableSrv(name, domain);
    if (!server) continue;
    std::string rule = absl::StrCat(service.scheme, "://", server->host, ":", server->port, "/$PSN.xml");
    Step(absl::StrCat("DNS SRV ", name, ": Profile_Rule ", rule));
    (*state_.mutable_parameters())["Profile_Rule"].set_value(rule);
    Move("aborted");  // provisioned by the network: remote customization is not tried
    return;
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
    Step(absl::StrCat("DHCP option ", option, ": TR-069 ACS ", url->second));
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
    Step(absl::StrCat("activation code not sent: ", response.status().message()));
    return absl::OkStatus();
  }
  if (response->status != 200) {
    // What the phone's screen says, then why.
    Step(absl::StrCat("Invalid activation code (HTTP ", response->status, " ",
                       absl::StripAsciiWhitespace(response->body), ")"));
    state_.set_last_outcome(response->status == 404 ? "B" : "C");
    state_.set_last_detail("activation code refused");
    return absl::OkStatus();
  }
  if (absl::Status applied = Apply(response->body); !applied.ok()) {
    Step(absl::StrCat("onboarding profile unreadable: ", applied.message()));
    return absl::OkStatus();
  }
  Step("activation code accepted: onboarding profile applied");
  return absl::OkStatus();
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
    Step(absl::StrCat("registration failed: ", response.ok() ? absl::StrCat("HTTP ", response->status, " ", response->body)
                                                                : std::string(response.status().message())));
    return absl::OkStatus();  // tried again on the next pass while the credential lasts
  }
  if (HasFlash()) {
    RETURN_IF_ERROR(flash_->Write(kKeyFile, enrollment.key_pem, /*secret=*/true));
    RETURN_IF_ERROR(flash_->Write(kCertificateFile, response->body, /*secret=*/false));
  } else {
    state_.set_device_key_pem(enrollment.key_pem);
    state_.set_device_cert_pem(response->body);
  }
  state_.set_registered(true);
  state_.mutable_parameters()->erase("Cloud_Registration_Credential");  // used up
  Step("registered with the cloud: device certificate stored");
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
    Step(absl::StrCat("cloud told: ", state_.customization_state()));
  } else {
    Step(absl::StrCat("cloud not told of its state: ",
                       response.ok() ? absl::StrCat("HTTP ", response->status) : std::string(response.status().message())));
  }
}

}  // namespace onramp::agent
