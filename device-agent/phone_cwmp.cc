// TR-069 mode: the phone's sessions with its ACS over HTTP(S) (one POST
// per message, the session in the ACS's cookie), and what the ACS asked
// for after each: a Download installed through the upgrade path, a
// Reboot, a FactoryReset, each told in the next session's Inform.

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "device-agent/cwmp_cpe.h"
#include "device-agent/phone.h"
#include "device-agent/phone_files.h"
#include "lib/phone/pki/certificate.h"
#include "device-agent/state.h"
#include "lib/http/auth/authorization.h"
#include "lib/phone/cwmp/cwmp.h"

namespace onramp::agent {

namespace {

// A session answers at most this many requests of the ACS (a loop guard).
constexpr int kMaxMessages = 64;
// Sessions in a row (Download, then Reboot, then ...) in one pass.
constexpr int kMaxSessions = 8;

// TR-069 A.5.1: a TransferComplete's fault for a download that failed.
constexpr int kDownloadFailure = 9010;

// A dateTime as TR-069 writes it.
std::string CwmpTime(absl::Time time) { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, absl::UTCTimeZone()); }

void AddEvent(v1::PhoneState& state, const std::string& code, const std::string& command_key = "") {
  v1::CwmpEvent* event = state.add_cwmp_events();
  event->set_code(code);
  event->set_command_key(command_key);
}

}  // namespace

std::optional<std::string> Phone::InstallCustomCa(const std::string& pem) {
  absl::StatusOr<std::vector<pki::Certificate>> certificates = pki::ReadCertificates(pem, "custom CA file");
  if (!certificates.ok()) return std::string(certificates.status().message());
  if (!HasFlash()) return "no flash to keep a CA in";
  if (absl::Status written = flash_->Write(kCustomCaFile, pem, /*secret=*/false); !written.ok()) {
    return std::string(written.message());
  }
  Step(absl::StrCat("custom CA installed: ", pki::CommonName(certificates->front().get())));
  return std::nullopt;
}

void Phone::ConnectionRequested() { AddEvent(state_, "6 CONNECTION REQUEST"); }

bool Phone::Tr069Enabled() const {
  if (Parameter(kAcsUrl).empty()) return false;
  std::string enabled = absl::AsciiStrToLower(Parameter(kEnableTr069));
  if (!enabled.empty()) return enabled == "yes";
  // A lease that answers the phone's vendor class (dslforum.org, option 60)
  // with an ACS is the provider turning TR-069 on, unless it also names a
  // provisioning server, which DHCP_Option_To_Use (66,160,159,150,60,43,125)
  // puts first.
  if (options_.dhcp_options.contains(160) || options_.dhcp_options.contains(159)) return false;
  for (int option : {43, 125}) {
    auto offered = options_.dhcp_options.find(option);
    if (offered != options_.dhcp_options.end() && !offered->second.empty()) return true;
  }
  return false;
}

absl::Status Phone::RunCwmp() {
  for (int session = 0; session < kMaxSessions; ++session) {
    bool completed = CwmpSession();
    state_.set_last_outcome(completed ? "A" : "C");
    if (!completed) break;
    bool again = AfterCwmpSession();
    if (absl::Status saved = Save(); !saved.ok()) return saved;
    if (!again) break;
  }
  return absl::OkStatus();
}

bool Phone::CwmpSession() {
  std::optional<HttpLocation> acs = ParseHttpUrl(Parameter(kAcsUrl));
  if (!acs) {
    Step(absl::StrCat("TR-069: ACS URL ", Parameter(kAcsUrl), " is not HTTP(S)"));
    state_.set_last_detail("ACS URL not usable");
    return false;
  }
  std::string cookie;
  // Its own ACS credentials' answer to the ACS's challenge, kept for the
  // session (a phone without a certificate the ACS takes).
  std::string authorization;
  // One message to the ACS and its answer, parsed; nullopt when the ACS
  // answered 204 (or nothing), ending the session.
  auto exchange = [&](const std::string& body) -> absl::StatusOr<std::optional<cwmp::Envelope>> {
    HttpRequest request{.tls = acs->tls, .host = acs->host, .port = acs->port, .method = "POST", .target = acs->target};
    request.headers["Content-Type"] = "text/xml; charset=\"utf-8\"";
    if (!body.empty()) request.headers["SOAPAction"] = "";
    if (!cookie.empty()) request.headers["Cookie"] = cookie;
    if (!authorization.empty()) request.headers["Authorization"] = authorization;
    request.body = body;
    absl::StatusOr<HttpResponse> response = Send(request);
    if (response.ok() && response->status == 401 && !Parameter("ACS_Username").empty()) {
      Step("TR-069: the ACS asked for credentials (401)");
      absl::StatusOr<std::string> answer =
          http_auth::Authorization(response->headers["www-authenticate"], "POST", acs->target,
                                   Parameter("ACS_Username"), Parameter("ACS_Password"));
      if (!answer.ok()) return answer.status();
      authorization = *std::move(answer);
      request.headers["Authorization"] = authorization;
      response = Send(request);
    }
    if (!response.ok()) return response.status();
    if (auto set = response->headers.find("set-cookie"); set != response->headers.end()) {
      cookie = set->second.substr(0, set->second.find(';'));
    }
    if (response->status == 204 || (response->status == 200 && response->body.empty())) return std::nullopt;
    if (response->status != 200) {
      return absl::UnavailableError(absl::StrCat("the ACS answered HTTP ", response->status));
    }
    absl::StatusOr<cwmp::Envelope> envelope = cwmp::Parse(response->body);
    if (!envelope.ok()) return envelope.status();
    return std::optional<cwmp::Envelope>(*std::move(envelope));
  };
  auto failed = [&](const std::string& what, const absl::Status& status) {
    Step(absl::StrCat("TR-069: ", what, ": ", status.message()));
    state_.set_last_detail(absl::StrCat("TR-069 ", what, " failed"));
    return false;
  };

  cwmp::Envelope inform =
      InformOf(state_, options_.connection_request_url, state_.consecutive_failures(), CwmpTime(clock_->Now()));
  std::vector<std::string> codes;
  for (const cwmp::EventStruct& event : std::get<cwmp::Inform>(inform.body).events) codes.push_back(event.code);
  absl::StatusOr<std::optional<cwmp::Envelope>> informed = exchange(cwmp::Write(inform));
  if (!informed.ok()) return failed("Inform", informed.status());
  if (!informed->has_value() || !std::holds_alternative<cwmp::InformResponse>((*informed)->body)) {
    return failed("Inform", absl::UnavailableError("no InformResponse"));
  }
  Step(absl::StrCat("TR-069: Inform (", absl::StrJoin(codes, ", "), ") to ", Parameter(kAcsUrl)));
  // Told: the events and changes are the ACS's now.
  state_.clear_cwmp_events();
  state_.clear_cwmp_changed();
  state_.set_cwmp_bootstrapped(true);

  // What the phone owes the ACS first: how each download went.
  for (const v1::CwmpTransfer& transfer : state_.cwmp_transfers()) {
    cwmp::Envelope complete{.version = inform.version,
                            .id = absl::StrCat("transfer-", state_.resyncs()),
                            .body = cwmp::TransferComplete{.command_key = transfer.command_key(),
                                                           .fault_code = transfer.fault_code(),
                                                           .fault_string = transfer.fault_string(),
                                                           .start_time = transfer.start_time(),
                                                           .complete_time = transfer.complete_time()}};
    absl::StatusOr<std::optional<cwmp::Envelope>> answered = exchange(cwmp::Write(complete));
    if (!answered.ok()) return failed("TransferComplete", answered.status());
    Step(absl::StrCat("TR-069: TransferComplete (", transfer.fault_code(), ")"));
  }
  state_.clear_cwmp_transfers();

  std::string message;  // the empty POST: the phone has nothing more to ask
  for (int answered = 0; answered < kMaxMessages; ++answered) {
    absl::StatusOr<std::optional<cwmp::Envelope>> request = exchange(message);
    if (!request.ok()) return failed("session", request.status());
    if (!request->has_value()) {
      Step("TR-069: session ended by the ACS");
      return true;
    }
    const auto* download = std::get_if<cwmp::Download>(&(*request)->body);
    // A phone without flash (the simulator's) has no room for an image: it
    // says so at once (TR-069 A.5.1, 9010) rather than fail it later.
    cwmp::Envelope reply =
        download != nullptr && absl::StartsWith(download->file_type, "1 ") && !HasFlash()
            ? cwmp::Envelope{.version = (*request)->version,
                             .id = (*request)->id,
                             .body = cwmp::Fault{.code = kDownloadFailure, .message = "no room for firmware images"}}
            : Answer(state_, **request, options_.connection_request_url);
    Step(absl::StrCat("TR-069: ", cwmp::MethodOf(**request), " -> ", cwmp::MethodOf(reply)));
    message = cwmp::Write(reply);
  }
  return failed("session", absl::ResourceExhaustedError(absl::StrCat(kMaxMessages, " requests in one session")));
}

std::optional<std::string> Phone::Fetch(const v1::CwmpDownload& download, bool* rebooted) {
  std::optional<HttpLocation> location = ParseHttpUrl(download.url());
  if (!location) return absl::StrCat("not an HTTP(S) URL: ", download.url());
  if (download.file_type() == cwmp::kFirmwareUpgradeImage) {
    std::string image = location->target.substr(location->target.rfind('/') + 1);
    Step(absl::StrCat("upgrade: ", state_.firmware(), " -> ", image, " (TR-069 Download)"));
    std::optional<std::string> failure = Install(*location, image);
    *rebooted = *rebooted || !failure.has_value();
    return failure;
  }
  // A vendor configuration file (a flat profile, applied as a resync's) or
  // a CA certificate to trust (Answer took no other type).
  absl::StatusOr<HttpResponse> fetched =
      Send(HttpRequest{.tls = location->tls, .host = location->host, .port = location->port, .target = location->target});
  if (!fetched.ok()) return std::string(fetched.status().message());
  if (fetched->status != 200) return absl::StrCat("HTTP ", fetched->status);
  if (download.file_type() == cwmp::kCustomCaFile) return InstallCustomCa(fetched->body);
  if (absl::Status applied = Apply(fetched->body); !applied.ok()) return std::string(applied.message());
  return std::nullopt;
}

bool Phone::AfterCwmpSession() {
  if (!state_.cwmp_downloads().empty()) {
    const auto downloads = state_.cwmp_downloads();
    state_.clear_cwmp_downloads();
    bool rebooted = false;
    for (const v1::CwmpDownload& download : downloads) {
      v1::CwmpTransfer& transfer = *state_.add_cwmp_transfers();
      transfer.set_command_key(download.command_key());
      transfer.set_start_time(CwmpTime(clock_->Now()));
      std::optional<std::string> failure = Fetch(download, &rebooted);
      if (failure) {
        transfer.set_fault_code(kDownloadFailure);
        transfer.set_fault_string(*failure);
      }
      transfer.set_complete_time(CwmpTime(clock_->Now()));
    }
    if (rebooted) AddEvent(state_, "1 BOOT");
    AddEvent(state_, "7 TRANSFER COMPLETE");
    for (const v1::CwmpDownload& download : downloads) AddEvent(state_, "M Download", download.command_key());
    return true;
  }
  if (state_.cwmp_after_session().reboot()) {
    std::string command_key = state_.cwmp_after_session().reboot_command_key();
    state_.clear_cwmp_after_session();
    Step("TR-069: rebooting as the ACS asked");
    AddEvent(state_, "1 BOOT");
    AddEvent(state_, "M Reboot", command_key);
    return true;
  }
  if (state_.cwmp_after_session().factory_reset()) {
    Step("TR-069: factory reset as the ACS asked");
    state_ = FactoryReset(state_);
    // Back from the factory: the lease's ACS again, then "0 BOOTSTRAP".
    DiscoverAcs();
    AddEvent(state_, "1 BOOT");
    return Tr069Enabled();
  }
  return false;
}

}  // namespace onramp::agent
