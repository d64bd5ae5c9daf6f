#include "services/gateway/phone_routes.h"

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "lib/base/strings/form.h"
#include "lib/http/etag/etag.h"
#include "lib/http/status/http_status.h"
#include "lib/kit/log/log.h"
#include "lib/phone/activation_code/check_digit.h"
#include "lib/phone/flat_profile/flat_profile.h"
#include "lib/phone/identity/mac_address.h"
#include "lib/phone/identity/product.h"
#include "lib/phone/identity/user_agent.h"
#include "services/gateway/byte_range.h"

namespace onramp::gateway {
namespace {

namespace http = boost::beast::http;

// What a phone that asked for &PN.cfg over TFTP, unknown, is given: a rule
// that makes it name itself.
constexpr std::string_view kTftpBootstrapProfile =
    "<flat-profile>\n  <Profile_Rule>/device/$PN/$MA</Profile_Rule>\n</flat-profile>\n";

Response Text(http::status status, std::string_view text) {
  Response response(status, 11);
  response.set(http::field::content_type, "text/plain");
  response.body() = std::string(text);
  response.keep_alive(true);
  response.prepare_payload();
  return response;
}

Response Failure(const absl::Status& status) {
  auto code = static_cast<http::status>(http_status::ForPhone(status.code()));
  std::string text = absl::StrCat(status.message(), "\n");
  if (static_cast<int>(code) >= 500) {
    // The backend's words are for operators, not for whoever sent the request.
    log::Warn("backend call failed", {{"error", status.ToString()}});
    text = "temporarily unavailable, retry later\n";
  }
  Response response = Text(code, text);
  if (code == http::status::service_unavailable || code == http::status::too_many_requests) {
    response.set(http::field::retry_after, http_status::RetryAfterSeconds(status));
  }
  return response;
}

// A provider's rule and parameters as the phone takes them; with a
// registration credential (the answer to a phone that proved itself), the
// phone can then register with the cloud at POST /register.
Response RedirectProfile(const device::v1::RedirectTarget& target, const std::string& registration_credential = "") {
  flat_profile::FlatProfile profile;
  profile.parameters.push_back(
      {.name = "Profile_Rule", .value = target.profile_rule(), .user_access = flat_profile::UserAccess::kNone});
  for (const auto& parameter : target.parameters()) {
    profile.parameters.push_back(
        {.name = parameter.name(), .value = parameter.value(), .user_access = flat_profile::UserAccess::kNone});
  }
  if (!registration_credential.empty()) {
    profile.parameters.push_back({.name = "Cloud_Registration_Credential",
                                  .value = registration_credential,
                                  .user_access = flat_profile::UserAccess::kNone});
  }
  Response response(http::status::ok, 11);
  response.set(http::field::content_type, "application/xml");
  response.set(http::field::cache_control, "no-store");
  response.body() = flat_profile::Write(profile, {.device_wrapper = true});
  response.keep_alive(true);
  response.prepare_payload();
  return response;
}

// For a phone at its activation screen every refused code gets the same
// words (no oracle); other failures keep their own status.
Response CodeFailure(const absl::Status& status) {
  if (status.code() == absl::StatusCode::kNotFound || status.code() == absl::StatusCode::kFailedPrecondition) {
    return Text(http::status::not_found, "no such activation code\n");
  }
  return Failure(status);
}

// A 405 that says which methods the path takes (RFC 9110 15.5.6).
Response NotAllowed(const char* allow) {
  Response response = Text(http::status::method_not_allowed, absl::StrCat("this path takes ", allow, "\n"));
  response.set(http::field::allow, allow);
  return response;
}

std::string Header(const Request& request, http::field field) {
  auto found = request.find(field);
  return found == request.end() ? std::string() : std::string(found->value());
}

// An image's bytes as the firmware-catalog stream gives them.
class ImageBody : public BodySource {
 public:
  explicit ImageBody(std::unique_ptr<clients::ImageReader> reader) : reader_(std::move(reader)) {}
  absl::StatusOr<std::string> Next() override { return reader_->Next(); }

 private:
  std::unique_ptr<clients::ImageReader> reader_;
};

bool IsRead(const Request& request) {
  return request.method() == http::verb::get || request.method() == http::verb::head;
}

// The phone's identity from its User-Agent, when it sent a phone's.
absl::StatusOr<identity::UserAgent> AgentOf(const Request& request) {
  return identity::ParseUserAgent(Header(request, http::field::user_agent));
}

}  // namespace

Reply PhoneRoutes::Handle(const Request& request, const Peer& peer, const std::string& request_id) {
  std::string_view target(request.target().data(), request.target().size());
  std::string_view path = target.substr(0, target.find('?'));
  std::vector<std::string> parts = absl::StrSplit(absl::string_view(path.data(), path.size()), '/',
                                                  absl::SkipEmpty());
  bool read = IsRead(request);
  if (std::optional<Reply> healthy = Health(request)) return std::move(*healthy);
  if (parts.size() == 3 && parts[0] == "device") {
    if (!read) return NotAllowed("GET, HEAD");
    return Redirect(AgentOf(request), peer, parts[1], parts[2], request_id);
  }
  if (path == "/activation") {
    if (request.method() != http::verb::post) return NotAllowed("POST");
    return Activate(request, peer, request_id);
  }
  if (parts.size() == 1 && (parts[0].ends_with(".cfg") || parts[0].ends_with(".xml"))) {
    if (!read) return NotAllowed("GET, HEAD");
    return FactoryFile(request, peer, parts[0], request_id);
  }
  if (parts.size() == 2 && parts[0] == "firmware") {
    if (!read) return NotAllowed("GET, HEAD");
    return Firmware(request, parts[1], request_id);
  }
  if (path == "/register") {
    if (request.method() != http::verb::post) return NotAllowed("POST");
    return Register(request, peer, request_id);
  }
  if (path == "/cwmp") {
    if (request.method() != http::verb::post) return NotAllowed("POST");
    return Cwmp(request, peer, request_id);
  }
  if (path == "/state") {
    if (request.method() != http::verb::post) return NotAllowed("POST");
    return State(request, peer, request_id);
  }
  if (!parts.empty() && parts[0] == "report" && parts.size() <= 2) {
    if (request.method() != http::verb::post) return NotAllowed("POST");
    return Report(request, peer, parts.size() == 2 ? parts[1] : std::string(), request_id);
  }
  if (parts.size() == 2 && parts[0] == "profile") {
    if (!read && request.method() != http::verb::post) return NotAllowed("GET, HEAD, POST");
    return Resync(request, peer, parts[1], request_id);
  }
  return Text(http::status::not_found, "no such profile\n");
}

common::v1::Evidence PhoneRoutes::EvidenceFor(const Peer& peer, const std::string& mac) const {
  common::v1::Evidence evidence;
  evidence.set_channel(peer.tftp  ? common::v1::CHANNEL_TFTP
                       : peer.tls ? common::v1::CHANNEL_HTTPS
                                  : common::v1::CHANNEL_HTTP);
  absl::StatusOr<identity::MacAddress> named = identity::MacAddress::Parse(peer.client_common_name);
  if (!named.ok() || named->Lower() != mac) return evidence;
  switch (peer.client_certificate) {
    case ClientCertificate::kFactory:
      evidence.set_proof(common::v1::PROOF_FACTORY_CERTIFICATE);
      break;
    case ClientCertificate::kRegistration:
      // Only the phone's current certificate: not one it was issued before
      // registering again, nor one revoked or released since.
      if (revoked_.Current(peer.client_serial)) evidence.set_proof(common::v1::PROOF_REGISTRATION_CERTIFICATE);
      break;
    case ClientCertificate::kNone:
      break;
  }
  return evidence;
}

Response PhoneRoutes::Redirect(const absl::StatusOr<identity::UserAgent>& agent, const Peer& peer,
                               const std::string& model, const std::string& mac,
                               const std::string& request_id) {
  device::v1::LookupRequest lookup;
  lookup.mutable_device()->mutable_mac()->set_value(mac);
  lookup.mutable_device()->set_model(model);
  if (agent.ok()) {
    lookup.mutable_device()->set_serial(agent->serial);
    lookup.mutable_device()->set_firmware_version(agent->version);
  }
  lookup.set_source_address(peer.address);
  if (absl::StatusOr<identity::MacAddress> parsed = identity::MacAddress::Parse(mac); parsed.ok()) {
    *lookup.mutable_evidence() = EvidenceFor(peer, parsed->Lower());
  }
  absl::StatusOr<device::v1::LookupResponse> found = devices_.Lookup(lookup, request_id);
  if (!found.ok()) return Failure(found.status());
  return RedirectProfile(found->target(), found->registration_credential());
}

Response PhoneRoutes::Activate(const Request& request, const Peer& peer, const std::string& request_id) {
  absl::StatusOr<std::map<std::string, std::string>> form = strings::ParseForm(request.body());
  if (!form.ok()) return Text(http::status::bad_request, absl::StrCat(form.status().message(), "\n"));
  auto field = [&form](const std::string& name) {
    auto found = form->find(name);
    return found == form->end() ? std::string() : found->second;
  };
  std::string code = field("code");
  if (code.starts_with('#')) {
    std::string digits = code.substr(1);
    if (!activation_code::IsShortCode(digits)) return Text(http::status::bad_request, "a short code is # and 3-16 digits\n");
    device::v1::ResolveShortCodeRequest resolve;
    resolve.set_digits(digits);
    resolve.set_source_address(peer.address);
    absl::StatusOr<device::v1::ResolveShortCodeResponse> resolved = devices_.ResolveShortCode(resolve, request_id);
    if (!resolved.ok()) return CodeFailure(resolved.status());
    return RedirectProfile(resolved->profile().target());
  }
  // A typo never costs a backend call (or the phone's rate-limit budget).
  if (absl::Status valid = activation_code::ValidateCode(code); !valid.ok()) {
    return Text(http::status::bad_request, absl::StrCat(valid.message(), "\n"));
  }
  // Form fields name the phone; its User-Agent fills in what they leave out.
  activation::v1::RedeemCodeRequest redeem;
  redeem.set_code(code);
  redeem.set_source_address(peer.address);
  common::v1::DeviceIdentity& device = *redeem.mutable_device();
  device.mutable_mac()->set_value(field("mac"));
  device.set_model(field("model"));
  device.set_serial(field("serial"));
  if (absl::StatusOr<identity::UserAgent> agent = AgentOf(request);
      agent.ok()) {
    if (device.mac().value().empty() && agent->mac.has_value()) device.mutable_mac()->set_value(agent->mac->Lower());
    if (device.model().empty()) device.set_model(agent->model);
    if (device.serial().empty()) device.set_serial(agent->serial);
    device.set_firmware_version(agent->version);
  }
  if (device.mac().value().empty() || device.model().empty()) {
    return Text(http::status::bad_request, "the phone's mac and model are required (form or User-Agent)\n");
  }
  absl::StatusOr<activation::v1::RedeemCodeResponse> redeemed = codes_.RedeemCode(redeem, request_id);
  if (!redeemed.ok()) return CodeFailure(redeemed.status());
  // The code's partner takes the phone in (device-activation decides what
  // the answer may carry); a phone whose answer was lost asks again and
  // gets it again (RedeemCode replays for the same MAC).
  device::v1::AdmitRequest admit;
  *admit.mutable_device() = redeem.device();
  admit.set_partner(redeemed->partner());
  admit.set_profile_rule(redeemed->target().profile_rule());
  admit.set_code_names_phone(redeemed->code_names_phone());
  admit.set_source_address(peer.address);
  if (absl::StatusOr<identity::MacAddress> mac = identity::MacAddress::Parse(device.mac().value()); mac.ok()) {
    *admit.mutable_evidence() = EvidenceFor(peer, mac->Lower());
  }
  absl::StatusOr<device::v1::LookupResponse> admitted = devices_.Admit(admit, request_id);
  if (!admitted.ok()) return Failure(admitted.status());
  device::v1::RedirectTarget target = admitted->target();
  auto add = [&target](const char* name, const std::string& value) {
    if (value.empty()) return;
    device::v1::Parameter* parameter = target.add_parameters();
    parameter->set_name(name);
    parameter->set_value(value);
  };
  add("Cloud_Registration_Endpoint", redeemed->target().registration_endpoint());
  add("Cloud_Account", redeemed->target().account_ref());
  return RedirectProfile(target, admitted->registration_credential());
}

Response PhoneRoutes::FactoryFile(const Request& request, const Peer& peer, const std::string& file,
                                  const std::string& request_id) {
  std::string stem = file.substr(0, file.rfind('.'));
  absl::StatusOr<identity::UserAgent> agent = AgentOf(request);
  if (!agent.ok() && peer.tftp) return TftpFactoryFile(peer, file, request_id);
  if (!agent.ok()) return Text(http::status::bad_request, "a phone User-Agent is required\n");
  if (absl::StatusOr<identity::MacAddress> mac = identity::MacAddress::Parse(stem); mac.ok()) {
    return Redirect(agent, peer, agent->model, mac->Lower(), request_id);  // $MA.cfg
  }
  // &PN.cfg and $PSN.xml name the phone only through its User-Agent.
  std::string_view series = identity::ProductSeries(agent->model);
  bool names_this_phone =
      stem == agent->model || stem == series || (!agent->serial.empty() && stem == agent->serial);
  if (!names_this_phone || !agent->mac.has_value()) return Text(http::status::not_found, "no such profile\n");
  return Redirect(agent, peer, agent->model, agent->mac->Lower(), request_id);
}

Response PhoneRoutes::TftpFactoryFile(const Peer& peer, const std::string& file, const std::string& request_id) {
  std::string stem = file.substr(0, file.rfind('.'));
  if (identity::MacAddress::Parse(stem).ok()) {
    return Text(http::status::not_found, "$MA.cfg over TFTP names no model: ask for device/<PN>/<MAC>\n");
  }
  bool model_name = !stem.empty() && stem.size() <= 64 &&
                    std::all_of(stem.begin(), stem.end(), [](char c) { return absl::ascii_isalnum(c) || c == '-'; });
  if (!model_name) return Text(http::status::not_found, "no such profile\n");
  // &PN.cfg names the model; the LAN's lease, if the gateway reads one,
  // names the phone: together they are a redirect query.
  if (file.ends_with(".cfg") && !peer.lease_mac.empty()) {
    return Redirect(absl::NotFoundError("TFTP"), peer, stem, peer.lease_mac, request_id);
  }
  // Otherwise the phone is told to name itself: its next resync asks for
  // device/$PN/$MA (the phone expands both) from its TFTP server (DHCP
  // option 66, as for the factory-default rule).
  Response response = Text(http::status::ok, std::string(kTftpBootstrapProfile));
  response.set(http::field::content_type, "application/xml");
  return response;
}

Reply PhoneRoutes::Firmware(const Request& request, const std::string& file, const std::string& request_id) {
  firmware::v1::GetImageRequest get;
  get.set_file_name(file);
  absl::StatusOr<firmware::v1::Image> image = firmware_.GetImage(get, request_id);
  if (!image.ok()) return Failure(image.status());
  const std::string etag = absl::StrCat("\"", image->sha256(), "\"");
  const int64_t size = image->size();
  auto head = [&etag](http::status status) {
    Response response(status, 11);
    response.set(http::field::etag, etag);
    response.set(http::field::accept_ranges, "bytes");
    // A name always means the same bytes, so caches may keep them.
    response.set(http::field::cache_control, "public, max-age=86400, immutable");
    response.keep_alive(true);
    return response;
  };
  if (http_etag::NoneMatchFails(Header(request, http::field::if_none_match), etag)) {
    Response response = head(http::status::not_modified);
    response.content_length(0);
    return response;
  }
  std::string range = Header(request, http::field::range);
  // If-Range: the rest of a download only if the image is still the one
  // begun; otherwise all of it.
  if (std::string if_range = Header(request, http::field::if_range); !if_range.empty() && if_range != etag) {
    range.clear();
  }
  RangeAnswer answer = ResolveRange(range, size);
  if (answer.kind == RangeKind::kUnsatisfiable) {
    Response response = head(http::status::range_not_satisfiable);
    response.set(http::field::content_range, absl::StrCat("bytes */", size));
    response.content_length(0);
    return response;
  }
  ByteRange bytes{.offset = 0, .length = size};
  Response response = head(http::status::ok);
  if (answer.kind == RangeKind::kPartial) {
    bytes = answer.range;
    response.result(http::status::partial_content);
    response.set(http::field::content_range,
                 absl::StrCat("bytes ", bytes.offset, "-", bytes.offset + bytes.length - 1, "/", size));
  }
  response.set(http::field::content_type, "application/octet-stream");
  response.content_length(static_cast<uint64_t>(bytes.length));
  if (request.method() == http::verb::head || bytes.length == 0) return response;
  firmware::v1::ReadImageRequest read;
  read.set_file_name(file);
  read.set_offset(bytes.offset);
  read.set_length(bytes.length);
  absl::StatusOr<std::unique_ptr<clients::ImageReader>> reader = firmware_.ReadImage(read, request_id);
  if (!reader.ok()) return Failure(reader.status());
  return Reply(std::move(response), std::make_unique<ImageBody>(*std::move(reader)));
}

Response PhoneRoutes::Register(const Request& request, const Peer& peer, const std::string& request_id) {
  // The one-time credential must not cross a network in the clear.
  if (!peer.tls) return Text(http::status::forbidden, "register over HTTPS\n");
  absl::StatusOr<std::map<std::string, std::string>> form = strings::ParseForm(request.body());
  if (!form.ok()) return Text(http::status::bad_request, absl::StrCat(form.status().message(), "\n"));
  absl::StatusOr<identity::UserAgent> agent = AgentOf(request);
  std::string mac = (*form)["mac"];
  if (mac.empty() && agent.ok() && agent->mac.has_value()) mac = agent->mac->Lower();
  if (mac.empty() || (*form)["credential"].empty() || (*form)["csr"].empty()) {
    return Text(http::status::bad_request, "register with the phone's mac, credential and csr\n");
  }
  device::v1::RegisterRequest registration;
  registration.mutable_mac()->set_value(mac);
  registration.set_registration_credential((*form)["credential"]);
  registration.set_csr_pem((*form)["csr"]);
  absl::StatusOr<device::v1::RegisterResponse> registered = devices_.Register(registration, request_id);
  if (!registered.ok()) return Failure(registered.status());
  // The phone's certificate, then the CA's: what it presents and what
  // signed it.
  Response response = Text(http::status::ok, registered->certificate_pem() + registered->ca_certificate_pem());
  response.set(http::field::content_type, "application/x-pem-file");
  response.set(http::field::cache_control, "no-store");
  return response;
}

namespace {

constexpr char kCwmpCookie[] = "onramp_cwmp";

// The session id in a Cookie header ("a=b; onramp_cwmp=<id>").
std::string CwmpSessionOf(const Request& request) {
  std::string cookies = Header(request, http::field::cookie);
  for (absl::string_view cookie : absl::StrSplit(cookies, ';')) {
    cookie = absl::StripAsciiWhitespace(cookie);
    if (absl::ConsumePrefix(&cookie, absl::StrCat(kCwmpCookie, "="))) return std::string(cookie);
  }
  return "";
}

}  // namespace

Response PhoneRoutes::Cwmp(const Request& request, const Peer& peer, const std::string& request_id) {
  if (acs_ == nullptr) return Text(http::status::not_found, "no TR-069 ACS here\n");
  absl::StatusOr<identity::MacAddress> named = identity::MacAddress::Parse(peer.client_common_name);
  common::v1::Evidence evidence = named.ok() ? EvidenceFor(peer, named->Lower()) : common::v1::Evidence();
  acs::v1::ExchangeRequest exchange;
  exchange.set_body(request.body());
  exchange.set_session(CwmpSessionOf(request));
  if (evidence.proof() != common::v1::PROOF_UNSPECIFIED) {
    exchange.mutable_mac()->set_value(named->Lower());
    *exchange.mutable_evidence() = evidence;
  } else {
    // No certificate that proves a phone: the ACS checks the phone's own
    // credentials (and challenges it for them).
    exchange.set_authorization(Header(request, http::field::authorization));
    exchange.set_request_uri(std::string(request.target()));
  }
  exchange.set_source_address(peer.address);
  exchange.set_over_tls(peer.tls);
  absl::StatusOr<acs::v1::ExchangeResponse> exchanged = acs_->Exchange(exchange, request_id);
  if (!exchanged.ok()) return Failure(exchanged.status());
  Response response(static_cast<http::status>(exchanged->http_status()), 11);
  if (!exchanged->body().empty()) {
    response.set(http::field::content_type, exchanged->http_status() == 200 ? "text/xml; charset=\"utf-8\"" : "text/plain");
    response.body() = exchanged->body();
  }
  for (const std::string& challenge : exchanged->challenges()) response.insert(http::field::www_authenticate, challenge);
  if (!exchanged->session().empty()) {
    response.set(http::field::set_cookie,
                 absl::StrCat(kCwmpCookie, "=", exchanged->session(), "; Path=/cwmp", peer.tls ? "; Secure" : "",
                              "; HttpOnly"));
  }
  response.keep_alive(true);
  response.prepare_payload();
  return response;
}

Response PhoneRoutes::State(const Request& request, const Peer& peer, const std::string& request_id) {
  absl::StatusOr<std::map<std::string, std::string>> form = strings::ParseForm(request.body());
  if (!form.ok()) return Text(http::status::bad_request, absl::StrCat(form.status().message(), "\n"));
  absl::StatusOr<identity::UserAgent> agent = AgentOf(request);
  absl::StatusOr<identity::MacAddress> mac = identity::MacAddress::Parse((*form)["mac"]);
  if (!mac.ok() && agent.ok() && agent->mac.has_value()) mac = *agent->mac;
  device::v1::CustomizationState state = device::v1::CUSTOMIZATION_STATE_UNSPECIFIED;
  device::v1::CustomizationState_Parse(absl::StrCat("CUSTOMIZATION_STATE_", absl::AsciiStrToUpper((*form)["state"])),
                                       &state);
  if (!mac.ok() || state == device::v1::CUSTOMIZATION_STATE_UNSPECIFIED) {
    return Text(http::status::bad_request, "send the phone's state (open ... acquired) and its MAC\n");
  }
  device::v1::ReportStateRequest report;
  report.mutable_mac()->set_value(mac->Lower());
  report.set_state(state);
  report.set_detail("reported by the phone");
  report.set_source_address(peer.address);
  *report.mutable_evidence() = EvidenceFor(peer, mac->Lower());
  absl::StatusOr<device::v1::DeviceState> reported = devices_.ReportState(report, request_id);
  if (!reported.ok()) return Failure(reported.status());
  return Text(http::status::ok, "ok\n");
}

Response PhoneRoutes::Report(const Request& request, const Peer& peer, const std::string& file,
                             const std::string& request_id) {
  absl::StatusOr<identity::UserAgent> agent = AgentOf(request);
  absl::StatusOr<identity::MacAddress> mac = identity::MacAddress::Parse(file.substr(0, file.rfind('.')));
  if (!mac.ok()) {
    if (!agent.ok() || !agent->mac.has_value()) {
      return Text(http::status::bad_request, "a report needs the phone's MAC in its file name or User-Agent\n");
    }
    mac = *agent->mac;
  }
  profile::v1::ReportRequest report;
  report.mutable_mac()->set_value(mac->Lower());
  report.set_body(request.body());
  report.set_source_address(peer.address);
  report.set_authenticated_channel(EvidenceFor(peer, mac->Lower()).proof() != common::v1::PROOF_UNSPECIFIED);
  report.set_content_encoding(Header(request, http::field::content_encoding));
  if (agent.ok()) report.set_model(agent->model);
  absl::StatusOr<profile::v1::ReportResponse> kept = profiles_.Report(report, request_id);
  if (!kept.ok()) return Failure(kept.status());
  return Text(http::status::ok,
              absl::StrCat("ok: ", kept->parameters(), " parameters", kept->upgrade_reported() ? "; upgrade reported" : "",
                           "\n"));
}

std::variant<profile::v1::RenderRequest, Response> PhoneRoutes::ResyncOf(const Request& request, const Peer& peer,
                                                                         const std::string& file) const {
  profile::v1::RenderRequest render;
  absl::StatusOr<identity::UserAgent> agent = AgentOf(request);
  // The file is $MA.xml or $MA.cfg; otherwise the User-Agent names the MAC.
  std::string stem = file.substr(0, file.rfind('.'));
  absl::StatusOr<identity::MacAddress> mac = identity::MacAddress::Parse(stem);
  if (!mac.ok() && agent.ok() && agent->mac.has_value()) mac = *agent->mac;
  if (!agent.ok()) return Text(http::status::bad_request, "a phone User-Agent is required\n");
  if (!mac.ok()) return Text(http::status::not_found, "no such profile\n");
  render.mutable_device()->mutable_mac()->set_value(mac->Lower());
  render.mutable_device()->set_model(agent->model);
  render.mutable_device()->set_serial(agent->serial);
  render.mutable_device()->set_firmware_version(agent->version);
  // A rule may send the phone's whole $SWVER (".../$MA.xml?swver=$SWVER"),
  // which its upgrade plan needs; the User-Agent has only "12.0.1".
  std::string_view target(request.target().data(), request.target().size());
  if (size_t question = target.find('?'); question != std::string_view::npos) {
    absl::StatusOr<std::map<std::string, std::string>> query = strings::ParseForm(target.substr(question + 1));
    if (query.ok() && query->contains("swver")) render.mutable_device()->set_firmware_version(query->at("swver"));
  }
  render.set_source_address(peer.address);
  render.set_method(std::string(request.method_string()));
  if (request.method() == http::verb::post) render.set_post_body(request.body());
  render.set_if_none_match(Header(request, http::field::if_none_match));
  // A client certificate the handshake verified names its phone, which may
  // fetch only its own profile; the phone's own (factory or current
  // registration) makes the fetch the phone's and needs no encryption.
  if (peer.client_certificate != ClientCertificate::kNone) {
    absl::StatusOr<identity::MacAddress> certified = identity::MacAddress::Parse(peer.client_common_name);
    if (!certified.ok() || certified->Lower() != mac->Lower()) {
      return Text(http::status::forbidden, "the client certificate is another phone's\n");
    }
    render.set_authenticated_channel(EvidenceFor(peer, mac->Lower()).proof() != common::v1::PROOF_UNSPECIFIED);
  }
  render.set_authorization(Header(request, http::field::authorization));
  render.set_request_uri(std::string(request.target()));
  return render;
}

namespace {

EdgeCache::Answer AnswerOf(profile::v1::RenderResponse& rendered) {
  return {.etag = rendered.etag(),
          .body = std::move(*rendered.mutable_body()),
          .content_type = rendered.content_type(),
          .content_encoding = rendered.content_encoding(),
          .has_secrets = rendered.has_secrets(),
          .encryption = rendered.encryption()};
}

Response ProfileReply(const EdgeCache::Answer& answer, bool not_modified, bool authenticated_channel) {
  if (answer.has_secrets && answer.encryption == profile::v1::ENCRYPTION_NONE && !authenticated_channel) {
    return Text(http::status::forbidden, "this profile is served only over an authenticated channel\n");
  }
  Response response(not_modified ? http::status::not_modified : http::status::ok, 11);
  response.set(http::field::etag, answer.etag);
  response.set(http::field::cache_control, "no-cache");
  if (!not_modified) {
    response.set(http::field::content_type, answer.content_type);
    if (!answer.content_encoding.empty()) response.set(http::field::content_encoding, answer.content_encoding);
    response.body() = answer.body;
  }
  response.keep_alive(true);
  response.prepare_payload();
  return response;
}

}  // namespace

std::optional<Reply> PhoneRoutes::Health(const Request& request) {
  if (request.target() != "/healthz" || !IsRead(request)) return std::nullopt;
  return Reply(Text(http::status::ok, "ok\n"));
}

std::optional<Reply> PhoneRoutes::Quick(const Request& request, const Peer& peer) {
  if (std::optional<Reply> healthy = Health(request)) return healthy;
  std::string_view target(request.target().data(), request.target().size());
  if (edge_ == nullptr || !IsRead(request) || !target.starts_with("/profile/")) return std::nullopt;
  std::string_view file = target.substr(std::string_view("/profile/").size());
  file = file.substr(0, file.find('?'));
  if (file.empty() || file.find('/') != std::string_view::npos) return std::nullopt;
  auto render = ResyncOf(request, peer, std::string(file));
  if (!std::holds_alternative<profile::v1::RenderRequest>(render)) return std::nullopt;
  std::optional<Response> answered = FromCopy(std::get<profile::v1::RenderRequest>(render));
  if (!answered) return std::nullopt;
  return Reply(std::move(*answered));
}

std::optional<Response> PhoneRoutes::FromCopy(const profile::v1::RenderRequest& render) {
  std::shared_ptr<const EdgeCache::Answer> copy =
      edge_->Find(render.device().mac().value(), EdgeCache::VariantOf(render));
  if (copy == nullptr) return std::nullopt;
  profile::v1::RenderRequest delivered = render;
  delivered.clear_if_none_match();
  delivered.clear_authorization();
  delivered.clear_request_uri();
  deliveries_->Add(delivered, copy->etag);
  return ProfileReply(*copy, http_etag::NoneMatchFails(render.if_none_match(), copy->etag),
                      render.authenticated_channel());
}

Response PhoneRoutes::Resync(const Request& request, const Peer& peer, const std::string& file,
                             const std::string& request_id) {
  auto prepared = ResyncOf(request, peer, file);
  if (Response* refused = std::get_if<Response>(&prepared)) return std::move(*refused);
  const profile::v1::RenderRequest& render = std::get<profile::v1::RenderRequest>(prepared);
  // With copies the whole answer is asked for even when the phone has it:
  // the 304 is made here from the copy, which a bodiless answer could not
  // refresh.
  const bool copyable = edge_ != nullptr && IsRead(request);
  uint64_t changes_before = copyable ? edge_->changes() : 0;
  profile::v1::RenderRequest asked = render;
  if (copyable) asked.clear_if_none_match();
  absl::StatusOr<profile::v1::RenderResponse> rendered = profiles_.Render(asked, request_id);
  if (!rendered.ok()) return Failure(rendered.status());
  if (rendered->challenges_size() > 0) {
    // The partner protects its profiles with HTTP authentication.
    Response challenge = Text(http::status::unauthorized, "authentication required\n");
    for (const std::string& value : rendered->challenges()) challenge.insert(http::field::www_authenticate, value);
    return challenge;
  }
  bool not_modified =
      copyable ? http_etag::NoneMatchFails(render.if_none_match(), rendered->etag()) : rendered->not_modified();
  std::optional<profile::v1::EdgeCopy> terms;
  if (rendered->has_edge()) terms = rendered->edge();
  EdgeCache::Answer answer = AnswerOf(*rendered);
  Response response = ProfileReply(answer, not_modified, render.authenticated_channel());
  if (copyable && terms) {
    edge_->Put(render.device().mac().value(), EdgeCache::VariantOf(render), std::move(answer), *terms,
               changes_before);
  }
  return response;
}

}  // namespace onramp::gateway
