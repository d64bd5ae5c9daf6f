#include "services/acs/service.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/match.h"
#include "lib/base/digest/digest.h"
#include "lib/http/auth/auth_params.h"
#include "lib/http/auth/digest_check.h"
#include "lib/base/random/random.h"
#include "lib/kit/log/log.h"
#include "lib/kit/proto/messages.h"
#include "lib/kit/server/request_id.h"
#include "lib/kit/status/grpc_status.h"
#include "lib/kit/status/status_macros.h"
#include "lib/kit/validation/fields.h"
#include "lib/phone/cwmp/cwmp.h"
#include "lib/phone/flat_profile/flat_profile.h"
#include "lib/phone/profile_crypto/sealer.h"
#include "lib/phone/tr069/credentials.h"
#include "services/acs/session.h"

namespace onramp::acs {

namespace {

constexpr char kConnectionRequestUrlPath[] = "Device.ManagementServer.ConnectionRequestURL";

void Answer(v1::ExchangeResponse* response, int status, std::string body = "") {
  response->set_http_status(status);
  response->set_body(std::move(body));
}

// A TransferComplete as the phone's report would state it (the upgrade
// lines of NOTES.md), for profile-render, which owns what a report means.
std::string UpgradeReportOf(const v1::SessionState& state, const TransferOutcome& outcome) {
  flat_profile::FlatProfile report;
  report.parameters.push_back({.name = "Upgrade_Status", .value = outcome.success ? "success" : "failed"});
  if (!outcome.detail.empty()) report.parameters.push_back({.name = "Upgrade_Error", .value = outcome.detail});
  report.parameters.push_back({.name = "Upgrade_From", .value = outcome.from_version});
  report.parameters.push_back({.name = "Software_Version", .value = state.software_version()});
  return flat_profile::Write(report);
}

}  // namespace

std::optional<std::string> AcsServiceImpl::ByCredentials(const v1::ExchangeRequest& request,
                                                         v1::ExchangeResponse* response) {
  // Who the phone says it is: the username of its Basic or Digest answer.
  std::string username;
  absl::string_view authorization = request.authorization();
  if (absl::StartsWithIgnoreCase(authorization, "Digest ")) {
    username = http_auth::ParseAuthParams(std::string_view(request.authorization()).substr(7))["username"];
  } else if (absl::StartsWithIgnoreCase(authorization, "Basic ")) {
    std::string decoded;
    if (absl::Base64Unescape(authorization.substr(6), &decoded)) username = decoded.substr(0, decoded.find(':'));
  }
  absl::StatusOr<std::string> mac = validation::Mac("username", username);
  http_auth::HttpAuthSettings settings{.realm = tr069::kAcsRealm};
  if (mac.ok()) {
    settings.username = username;
    settings.ha1 = http_auth::Ha1(username, tr069::kAcsRealm,
                                  tr069::AcsCredentials(options_.tr069_credentials_secret, *mac).password);
  }
  absl::StatusOr<profile_crypto::Sealer> nonces =
      profile_crypto::Sealer::Create(options_.tr069_credentials_secret, "acs digest nonces");
  const absl::Time now = absl::Now();
  http_auth::AuthCheck check = http_auth::AuthCheck::kRefused;
  // Basic sends the password itself: over HTTPS only.
  bool basic_over_plain_http = !request.over_tls() && absl::StartsWithIgnoreCase(authorization, "Basic ");
  if (mac.ok() && nonces.ok() && !basic_over_plain_http) {
    check = http_auth::CheckAuthorization(settings, request.authorization(), "POST", request.request_uri(), *nonces,
                                          now);
  }
  if (check == http_auth::AuthCheck::kAccepted) return *std::move(mac);
  Answer(response, 401);
  if (nonces.ok()) {
    for (std::string& challenge :
         http_auth::Challenges(settings, *nonces, now, check == http_auth::AuthCheck::kStale)) {
      if (!request.over_tls() && challenge.starts_with("Basic")) continue;
      response->add_challenges(std::move(challenge));
    }
  }
  return std::nullopt;
}

void AcsServiceImpl::Record(const std::string& mac, const std::string& kind, const std::string& detail,
                            const std::string& request_id) {
  device::v1::RecordEventsRequest events;
  device::v1::RecordEventRequest& event = *events.add_events();
  event.mutable_mac()->set_value(mac);
  event.set_kind(kind);
  event.set_detail(detail);
  event.set_source("acs");
  if (absl::Status status = devices_.RecordEvents(events, request_id).status(); !status.ok()) {
    log::Warn("timeline event lost", {{"mac", mac}, {"kind", kind}, {"error", std::string(status.message())}});
  }
}

absl::Status AcsServiceImpl::Open(const std::string& mac, const cwmp::Envelope& envelope,
                                  const v1::ExchangeRequest& request, const std::string& request_id,
                                  v1::ExchangeResponse* response) {
  const cwmp::Inform& inform = std::get<cwmp::Inform>(envelope.body);
  profile::v1::GetParametersRequest asked;
  asked.mutable_device()->mutable_mac()->set_value(mac);
  asked.mutable_device()->set_model(inform.device.product_class);
  asked.mutable_device()->set_serial(inform.device.serial_number);
  std::string connection_request_url;
  for (const cwmp::ParameterValue& value : inform.parameters) {
    if (value.name == kSoftwareVersionPath) asked.mutable_device()->set_firmware_version(value.value);
    if (value.name == kConnectionRequestUrlPath) connection_request_url = value.value;
  }
  asked.set_source_address(request.source_address());
  SessionInputs inputs;
  absl::StatusOr<profile::v1::GetParametersResponse> profile = profiles_.GetParameters(asked, request_id);
  if (!profile.ok() && profile.status().code() != absl::StatusCode::kNotFound) return profile.status();
  if (profile.ok()) inputs.profile = *std::move(profile);
  inputs.secrets_allowed = request.over_tls();
  ASSIGN_OR_RETURN(inputs.tasks, tasks_.Open(mac));
  if (!options_.tr069_credentials_secret.empty()) {
    inputs.connection_request = tr069::ConnectionRequestCredentials(options_.tr069_credentials_secret, mac);
  }
  if (!connection_request_url.empty()) {
    RETURN_IF_ERROR(tasks_.PutPhone(mac, {connection_request_url, request.source_address()}));
  }
  for (const cwmp::EventStruct& event : inform.events) {
    if (event.code != "4 VALUE CHANGE") continue;
    // What the phone's user changed, for its partner to see.
    std::vector<std::string> changes;
    for (const cwmp::ParameterValue& value : inform.parameters) {
      if (value.name == kSoftwareVersionPath || value.name == kParameterKeyPath ||
          value.name == kConnectionRequestUrlPath) {
        continue;
      }
      changes.push_back(absl::StrCat(value.name, " = ", value.value));
    }
    Record(mac, "value_changed", absl::StrJoin(changes, "; "), request_id);
  }
  auto [state, reply] = Start(mac, envelope, inputs);
  // At its profile already: that is a delivery too, as a 304 is.
  if (state.pending().empty() && !state.profile_etag().empty()) ConfirmDelivery(state, request_id);
  ASSIGN_OR_RETURN(std::string id, random::Bytes(16));
  std::string session = absl::BytesToHexString(id);
  RETURN_IF_ERROR(sessions_.Put(session, state));
  response->set_session(session);
  Answer(response, reply.http_status, std::move(reply.body));
  return absl::OkStatus();
}

bool AcsServiceImpl::ConfirmDelivery(const v1::SessionState& state, const std::string& request_id) {
  profile::v1::ConfirmDeliveryRequest confirmed;
  confirmed.mutable_phone()->mutable_device()->mutable_mac()->set_value(state.mac());
  confirmed.mutable_phone()->mutable_device()->set_model(state.model());
  confirmed.mutable_phone()->mutable_device()->set_firmware_version(state.software_version());
  confirmed.set_etag(state.profile_etag());
  absl::StatusOr<profile::v1::ConfirmDeliveryResponse> recorded = profiles_.ConfirmDelivery(confirmed, request_id);
  if (!recorded.ok()) {
    // The phone has its profile either way; only the record is missed.
    log::Warn("delivery not recorded", {{"mac", state.mac()}, {"error", std::string(recorded.status().message())}});
    return false;
  }
  return recorded->recorded();
}

absl::Status AcsServiceImpl::Store(const std::string& mac, const v1::SessionState& before, const Effects& effects,
                                   const std::string& source_address, const std::string& request_id) {
  if (effects.profile_applied) ConfirmDelivery(before, request_id);
  if (effects.transfer) {
    // Counted before the phone hears back: a lost answer makes it send the
    // TransferComplete again, and a rollout counts each phone's outcome once.
    profile::v1::ReportRequest report;
    report.mutable_mac()->set_value(mac);
    report.set_body(UpgradeReportOf(before, *effects.transfer));
    report.set_source_address(source_address);
    report.set_authenticated_channel(true);
    report.set_model(before.model());
    RETURN_IF_ERROR(profiles_.Report(report, request_id).status());
  }
  const absl::Time now = absl::Now();
  if (effects.task_transfer) {
    std::string prefix = effects.task_transfer->command_key.substr(std::string_view(kTaskCommandKeyPrefix).size());
    ASSIGN_OR_RETURN(std::optional<v1::Task> task, tasks_.FindDownloading(mac, prefix));
    // None: told twice (the first already stored), or not one of ours.
    if (task) {
      task->set_state(effects.task_transfer->fault_code == 0 ? v1::TASK_STATE_DONE : v1::TASK_STATE_FAILED);
      task->set_fault_code(effects.task_transfer->fault_code);
      task->set_fault_string(effects.task_transfer->fault_string);
      proto::SetTimestamp(now, task->mutable_update_time());
      RETURN_IF_ERROR(tasks_.Update(*task));
      Record(mac, task->state() == v1::TASK_STATE_DONE ? "task_done" : "task_failed", TaskSummary(*task), request_id);
    }
  }
  if (effects.task_finished) {
    v1::Task finished = *effects.task_finished;
    proto::SetTimestamp(now, finished.mutable_update_time());
    RETURN_IF_ERROR(tasks_.Update(finished));
    // A download to be done later is told by its TransferComplete.
    if (finished.state() != v1::TASK_STATE_DOWNLOADING) {
      Record(mac, finished.state() == v1::TASK_STATE_DONE ? "task_done" : "task_failed", TaskSummary(finished),
             request_id);
    }
  }
  if (effects.task_sent) {
    for (const v1::Task& task : before.tasks()) {
      if (task.id() != *effects.task_sent) continue;
      v1::Task sent = task;
      sent.set_state(v1::TASK_STATE_SENT);
      proto::SetTimestamp(now, sent.mutable_update_time());
      RETURN_IF_ERROR(tasks_.Update(sent));
    }
  }
  return absl::OkStatus();
}

grpc::Status AcsServiceImpl::Exchange(grpc::ServerContext* context, const v1::ExchangeRequest* request,
                                      v1::ExchangeResponse* response) {
  auto run = [&]() -> absl::Status {
    // Only a phone that proved itself: its certificate over mutual TLS, or
    // its own ACS credentials.
    std::string mac;
    if (request->evidence().proof() != common::v1::PROOF_UNSPECIFIED) {
      ASSIGN_OR_RETURN(mac, validation::Mac("mac", request->mac().value()));
    } else {
      std::optional<std::string> proven = ByCredentials(*request, response);
      if (!proven) return absl::OkStatus();  // 401, with the challenges
      mac = *std::move(proven);
    }
    absl::StatusOr<cwmp::Envelope> envelope = cwmp::Parse(request->body());
    if (!envelope.ok()) {
      Answer(response, 400, std::string(envelope.status().message()));
      return absl::OkStatus();
    }
    const std::string request_id = server::RequestIdOf(*context);
    if (std::holds_alternative<cwmp::Inform>(envelope->body)) return Open(mac, *envelope, *request, request_id, response);
    absl::StatusOr<v1::SessionState> state = sessions_.Get(request->session());
    // A session is one phone's: another's cookie gets nothing.
    if (!state.ok() && state.status().code() != absl::StatusCode::kNotFound) return state.status();
    if (!state.ok() || state->mac() != mac) {
      Answer(response, 400, "no such CWMP session: start one with an Inform");
      return absl::OkStatus();
    }
    const std::string digest = digest::Sha256Hex(request->body());
    if (state->answered_digest() == digest) {
      // Answered already (on this replica or another): the same again.
      if (!state->ended()) response->set_session(request->session());
      Answer(response, state->answered_status(), state->answered_body());
      return absl::OkStatus();
    }
    if (state->ended()) {
      Answer(response, 400, "no such CWMP session: start one with an Inform");
      return absl::OkStatus();
    }
    auto [next, reply, effects] = Continue(*state, *envelope);
    RETURN_IF_ERROR(Store(mac, *state, effects, request->source_address(), request_id));
    const bool ended = !next.has_value();
    v1::SessionState kept = ended ? *std::move(state) : *std::move(next);
    kept.set_ended(ended);
    kept.set_answered_digest(digest);
    kept.set_answered_status(reply.http_status);
    kept.set_answered_body(reply.body);
    RETURN_IF_ERROR(sessions_.Put(request->session(), kept));
    if (!kept.ended()) response->set_session(request->session());
    Answer(response, reply.http_status, std::move(reply.body));
    return absl::OkStatus();
  };
  return status::ToGrpcStatus(run());
}

}  // namespace onramp::acs
