#include "services/acs/session.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "lib/base/digest/digest.h"
#include "lib/base/strings/strings.h"
#include "lib/kit/log/log.h"
#include "lib/phone/firmware_version/firmware_version.h"
#include "lib/phone/identity/mac_address.h"
#include "lib/phone/macro/macro.h"
#include "lib/phone/rule/rule.h"
#include "lib/phone/tr069/data_model.h"

namespace onramp::acs {

namespace {

std::string Write(const v1::SessionState& state, std::string id,
                  decltype(cwmp::Envelope::body) body) {
  cwmp::Envelope envelope{.version = static_cast<cwmp::Version>(state.cwmp_version()), .id = std::move(id),
                          .body = std::move(body)};
  return cwmp::Write(envelope);
}

bool IsUpgradeParameter(const std::string& name) { return name == "Upgrade_Rule" || name == "Upgrade_Enable"; }

bool IsConnectionRequestParameter(const std::string& name) {
  return name == "Connection_Request_Username" || name == "Connection_Request_Password";
}

std::string NextId(v1::SessionState& state) {
  int id = state.next_id();
  state.set_next_id(id + 1);
  return "acs-" + std::to_string(id);
}

// A task's CommandKey (TR-069 bounds it at 32 characters): the prefix and
// the start of its id, unique among the phone's open tasks.
std::string CommandKeyOf(const v1::Task& task) {
  return absl::StrCat(kTaskCommandKeyPrefix, task.id().substr(0, 32 - std::string_view(kTaskCommandKeyPrefix).size()));
}

// A task's request, as the phone is sent it.
decltype(cwmp::Envelope::body) RequestOf(const v1::Task& task) {
  switch (task.kind()) {
    case v1::TASK_KIND_GET_PARAMETER_VALUES:
      return cwmp::GetParameterValues{{task.names().begin(), task.names().end()}};
    case v1::TASK_KIND_SET_PARAMETER_VALUES: {
      cwmp::SetParameterValues set{.parameter_key = CommandKeyOf(task)};
      for (const auto& [path, value] : task.values()) set.parameters.push_back({path, value, "xsd:string"});
      // Sorted by path: the same task is the same request on any replica.
      std::sort(set.parameters.begin(), set.parameters.end(),
                [](const cwmp::ParameterValue& a, const cwmp::ParameterValue& b) { return a.name < b.name; });
      return set;
    }
    case v1::TASK_KIND_REBOOT:
      return cwmp::Reboot{CommandKeyOf(task)};
    case v1::TASK_KIND_FACTORY_RESET:
      return cwmp::FactoryReset{};
    case v1::TASK_KIND_DOWNLOAD:
      return cwmp::Download{.command_key = CommandKeyOf(task),
                            .file_type = task.file_type(),
                            .url = task.url()};
    case v1::TASK_KIND_GET_PARAMETER_NAMES:
      return cwmp::GetParameterNames{task.names().empty() ? "" : task.names(0), task.next_level()};
    case v1::TASK_KIND_GET_PARAMETER_ATTRIBUTES:
      return cwmp::GetParameterAttributes{{task.names().begin(), task.names().end()}};
    case v1::TASK_KIND_SET_PARAMETER_ATTRIBUTES: {
      cwmp::SetParameterAttributes set;
      for (const auto& [path, notification] : task.values()) {
        set.parameters.push_back(
            {.name = path, .notification_change = true, .notification = notification.empty() ? 0 : notification[0] - '0'});
      }
      std::sort(set.parameters.begin(), set.parameters.end(),
                [](const auto& a, const auto& b) { return a.name < b.name; });
      return set;
    }
    case v1::TASK_KIND_ADD_OBJECT:
      return cwmp::AddObject{task.names(0), CommandKeyOf(task)};
    case v1::TASK_KIND_DELETE_OBJECT:
      return cwmp::DeleteObject{task.names(0), CommandKeyOf(task)};
    default:
      return std::monostate{};
  }
}

// The next request for the phone (parameters first, then firmware, then
// tasks), or the end of the session.
Step Next(v1::SessionState state) {
  if (state.pending_size() > 0 && !state.sent()) {
    cwmp::SetParameterValues set{.parameter_key = state.parameter_key()};
    for (const v1::SetValue& value : state.pending()) set.parameters.push_back({value.name(), value.value(), value.type()});
    state.set_sent(true);
    std::string id = NextId(state);
    std::string body = Write(state, std::move(id), std::move(set));
    return {std::move(state), Reply{200, std::move(body)}};
  }
  if (state.pending_size() == 0 && state.has_download() && !state.download_sent()) {
    cwmp::Download download{.command_key = state.download().command_key(),
                            .url = state.download().url(),
                            .username = state.download().username(),
                            .password = state.download().password()};
    state.set_download_sent(true);
    std::string id = NextId(state);
    std::string body = Write(state, std::move(id), std::move(download));
    return {std::move(state), Reply{200, std::move(body)}};
  }
  if (state.pending_size() == 0 && !state.has_download() && state.tasks_size() > 0 && state.task_in_flight().empty()) {
    const v1::Task& task = state.tasks(0);
    std::string task_id = task.id();
    decltype(cwmp::Envelope::body) request = RequestOf(task);
    state.set_task_in_flight(task_id);
    std::string id = NextId(state);
    std::string body = Write(state, std::move(id), std::move(request));
    return {std::move(state), Reply{200, std::move(body)}, {.task_sent = std::move(task_id)}};
  }
  return {std::nullopt, Reply{204, ""}};
}

// The task in flight, finished by the phone's answer: done, with what it
// read, or failed with its fault.
v1::Task Finish(v1::SessionState& state, const cwmp::Envelope& answer) {
  v1::Task task = state.tasks(0);
  state.mutable_tasks()->erase(state.mutable_tasks()->begin());
  state.clear_task_in_flight();
  if (const auto* fault = std::get_if<cwmp::Fault>(&answer.body)) {
    task.set_state(v1::TASK_STATE_FAILED);
    task.set_fault_code(fault->code);
    std::string message = fault->message;
    for (const cwmp::Fault::ParameterFault& each : fault->parameter_faults) {
      absl::StrAppend(&message, message.empty() ? "" : "; ", each.name, ": ", each.code, " ", each.message);
    }
    task.set_fault_string(std::move(message));
    return task;
  }
  const auto* download = std::get_if<cwmp::DownloadResponse>(&answer.body);
  // A download the phone does later waits for its TransferComplete.
  task.set_state(download != nullptr && download->status == 1 ? v1::TASK_STATE_DOWNLOADING : v1::TASK_STATE_DONE);
  auto& result = *task.mutable_result();
  if (const auto* values = std::get_if<cwmp::GetParameterValuesResponse>(&answer.body)) {
    for (const cwmp::ParameterValue& value : values->parameters) result[value.name] = value.value;
  } else if (const auto* names = std::get_if<cwmp::GetParameterNamesResponse>(&answer.body)) {
    for (const cwmp::ParameterInfo& info : names->parameters) result[info.name] = info.writable ? "writable" : "read-only";
  } else if (const auto* attributes = std::get_if<cwmp::GetParameterAttributesResponse>(&answer.body)) {
    for (const cwmp::ParameterAttributes& each : attributes->parameters) {
      result[each.name] = std::to_string(each.notification);
    }
  } else if (const auto* added = std::get_if<cwmp::AddObjectResponse>(&answer.body)) {
    result["instance_number"] = std::to_string(added->instance_number);
  }
  return task;
}

// Whether a phone's message answers the ACS's request in flight (any
// response, or a fault), as opposed to a request of its own.
bool IsAnswer(const cwmp::Envelope& message) {
  return std::holds_alternative<cwmp::Fault>(message.body) ||
         std::holds_alternative<cwmp::GetParameterNamesResponse>(message.body) ||
         std::holds_alternative<cwmp::GetParameterAttributesResponse>(message.body) ||
         std::holds_alternative<cwmp::SetParameterAttributesResponse>(message.body) ||
         std::holds_alternative<cwmp::AddObjectResponse>(message.body) ||
         std::holds_alternative<cwmp::DeleteObjectResponse>(message.body) ||
         std::holds_alternative<cwmp::SetParameterValuesResponse>(message.body) ||
         std::holds_alternative<cwmp::GetParameterValuesResponse>(message.body) ||
         std::holds_alternative<cwmp::DownloadResponse>(message.body) ||
         std::holds_alternative<cwmp::RebootResponse>(message.body) ||
         std::holds_alternative<cwmp::FactoryResetResponse>(message.body);
}

// The Download for the profile's Upgrade_Rule, as the phone would read the
// rule (its conditions on $SWVER and the rest); nullopt when the rule names
// nothing to fetch over HTTP(S) or upgrades are off.
std::optional<v1::Download> DownloadOf(const std::string& mac, const cwmp::Inform& inform,
                                       const std::string& software_version,
                                       const profile::v1::GetParametersResponse& profile) {
  std::string rule_text;
  bool enabled = true;
  for (const profile::v1::Parameter& parameter : profile.parameters()) {
    if (parameter.name() == "Upgrade_Rule") rule_text = parameter.value();
    if (parameter.name() == "Upgrade_Enable") enabled = parameter.value() != "No";
  }
  if (rule_text.empty() || !enabled) return std::nullopt;
  absl::StatusOr<rule::Rule> parsed = rule::ParseRule(rule_text, rule::RuleKind::kUpgrade);
  // The version the phone upgrades from comes back as the CommandKey, which
  // TR-069 bounds at 32 characters: the short form ("12-0-1MPP0001-245").
  absl::StatusOr<firmware_version::Version> from = firmware_version::ParseVersion(software_version);
  if (!parsed.ok() || !from.ok()) return std::nullopt;
  absl::StatusOr<identity::MacAddress> address = identity::MacAddress::Parse(mac);
  macro::Variables variables{.mac = address.ok() ? std::optional(*address) : std::nullopt,
                             .product_name = inform.device.product_class,
                             .serial = inform.device.serial_number,
                             .software_version = software_version};
  absl::StatusOr<std::optional<rule::Resolution>> resolved =
      rule::Evaluate(*parsed, variables, {.kind = rule::RuleKind::kUpgrade});
  if (!resolved.ok() || !resolved->has_value() || !(*resolved)->target) return std::nullopt;
  const rule::Target& target = *(*resolved)->target;
  // TR-069's Download fetches over HTTP(S); a TFTP image is for phones that
  // resync over HTTP and TFTP.
  if (target.scheme == rule::Scheme::kTftp) return std::nullopt;
  v1::Download download;
  std::string authority = target.port == rule::DefaultPort(target.scheme)
                              ? target.host
                              : absl::StrCat(target.host, ":", target.port);
  download.set_url(absl::StrCat(strings::ToAbsl(rule::SchemeName(target.scheme)), "://", authority, target.path));
  download.set_username(target.uid.value_or(""));
  download.set_password(target.pwd.value_or(""));
  download.set_command_key(from->ToString());
  return download;
}

}  // namespace

std::string TaskSummary(const v1::Task& task) {
  std::string kind(v1::TaskKind_Name(task.kind()));
  kind = kind.substr(std::string("TASK_KIND_").size());
  switch (task.state()) {
    case v1::TASK_STATE_FAILED:
      return absl::StrCat(kind, " ", task.id(), ": fault ", task.fault_code(), " ", task.fault_string());
    case v1::TASK_STATE_DONE:
      if (task.kind() == v1::TASK_KIND_GET_PARAMETER_VALUES || task.kind() == v1::TASK_KIND_GET_PARAMETER_NAMES ||
          task.kind() == v1::TASK_KIND_GET_PARAMETER_ATTRIBUTES) {
        return absl::StrCat(kind, " ", task.id(), ": ", task.result_size(), " values");
      }
      if (task.kind() == v1::TASK_KIND_ADD_OBJECT) {
        return absl::StrCat(kind, " ", task.id(), ": instance ", task.result().at("instance_number"));
      }
      return absl::StrCat(kind, " ", task.id(), ": done");
    default:
      return absl::StrCat(kind, " ", task.id(), ": queued");
  }
}

std::string ParameterKeyOf(const std::string& etag, const ConnectionRequestCredentials& credentials,
                           bool with_secrets) {
  return digest::Sha256Hex(
      absl::StrCat(etag, "\n", credentials.username, "\n", credentials.password, with_secrets ? "" : "\nno secrets"), 16);
}

std::pair<v1::SessionState, Reply> Start(const std::string& mac, const cwmp::Envelope& inform,
                                         const SessionInputs& inputs) {
  v1::SessionState state;
  state.set_mac(mac);
  state.set_cwmp_version(static_cast<int>(inform.version));
  state.set_next_id(1);
  std::string reported_key;
  std::string software_version;
  const auto* body = std::get_if<cwmp::Inform>(&inform.body);
  if (body != nullptr) {
    for (const cwmp::ParameterValue& value : body->parameters) {
      if (value.name == kParameterKeyPath) reported_key = value.value;
      if (value.name == kSoftwareVersionPath) software_version = value.value;
    }
  }
  state.set_software_version(software_version);
  state.set_profile_etag(inputs.profile.etag());
  if (body != nullptr) state.set_model(body->device.product_class);
  const std::string parameter_key =
      ParameterKeyOf(inputs.profile.etag(), inputs.connection_request, inputs.secrets_allowed);
  // A value changed on the phone (by its user) is not its profile's any
  // more: the profile is set again, the layers being the one source.
  bool changed = body != nullptr && std::any_of(body->events.begin(), body->events.end(),
                                                [](const cwmp::EventStruct& event) { return event.code == "4 VALUE CHANGE"; });
  if (reported_key != parameter_key || changed) {
    state.set_parameter_key(parameter_key);
    auto add = [&state](std::string path, std::string value) {
      v1::SetValue* set = state.add_pending();
      set->set_name(std::move(path));
      set->set_value(std::move(value));
      set->set_type("xsd:string");
    };
    for (const profile::v1::Parameter& parameter : inputs.profile.parameters()) {
      // Over TR-069 the upgrade is the ACS's Download, not the phone's
      // rule; the connection-request credentials are the ACS's own.
      if (IsUpgradeParameter(parameter.name()) || IsConnectionRequestParameter(parameter.name())) continue;
      if (parameter.secret() && !inputs.secrets_allowed) continue;
      std::optional<std::string> path = tr069::PathOf(parameter.name());
      if (path) add(*std::move(path), parameter.value());
    }
    if (!inputs.connection_request.username.empty() && inputs.secrets_allowed) {
      add("Device.ManagementServer.ConnectionRequestUsername", inputs.connection_request.username);
      add("Device.ManagementServer.ConnectionRequestPassword", inputs.connection_request.password);
    }
  }
  if (body != nullptr) {
    if (std::optional<v1::Download> download = DownloadOf(mac, *body, software_version, inputs.profile)) {
      *state.mutable_download() = *std::move(download);
    }
  }
  for (const v1::Task& task : inputs.tasks) *state.add_tasks() = task;
  Reply reply{200, Write(state, inform.id, cwmp::InformResponse{.max_envelopes = 1})};
  return {std::move(state), std::move(reply)};
}

Step Continue(v1::SessionState state, const cwmp::Envelope& message) {
  if (IsAnswer(message) && !state.task_in_flight().empty()) {
    v1::Task finished = Finish(state, message);
    Step next = Next(std::move(state));
    next.effects.task_finished = std::move(finished);
    return next;
  }
  if (const auto* fault = std::get_if<cwmp::Fault>(&message.body)) {
    // The phone refused the request in flight: it stays as it is until its
    // next session, which asks again.
    log::Warn("phone answered with a CWMP fault",
              {{"mac", state.mac()}, {"code", std::to_string(fault->code)}, {"message", fault->message}});
    if (state.sent()) {
      state.clear_pending();
      state.set_sent(false);
    } else {
      state.clear_download();
      state.set_download_sent(false);
    }
  } else if (std::holds_alternative<cwmp::SetParameterValuesResponse>(message.body)) {
    state.clear_pending();
    state.set_sent(false);
    Step next = Next(std::move(state));
    next.effects.profile_applied = true;
    return next;
  } else if (std::holds_alternative<cwmp::DownloadResponse>(message.body)) {
    state.clear_download();
    state.set_download_sent(false);
  } else if (const auto* complete = std::get_if<cwmp::TransferComplete>(&message.body)) {
    // The phone's request: answered at once, and stored by the caller — a
    // task's download as the task's outcome, the firmware plan's as an
    // upgrade report.
    std::string body = Write(state, message.id, cwmp::TransferCompleteResponse{});
    Effects effects;
    if (complete->command_key.starts_with(kTaskCommandKeyPrefix)) {
      effects.task_transfer = TaskTransfer{.command_key = complete->command_key,
                                           .fault_code = complete->fault_code,
                                           .fault_string = complete->fault_string};
    } else {
      TransferOutcome outcome{.success = complete->fault_code == 0, .from_version = complete->command_key};
      if (!outcome.success) outcome.detail = absl::StrCat(complete->fault_code, " ", complete->fault_string);
      effects.transfer = std::move(outcome);
    }
    return {std::move(state), Reply{200, std::move(body)}, std::move(effects)};
  } else if (std::holds_alternative<cwmp::GetRPCMethods>(message.body)) {
    // What a CPE may ask of an ACS (TR-069 A.3.1).
    std::string body = Write(state, message.id,
                             cwmp::GetRPCMethodsResponse{{"Inform", "GetRPCMethods", "TransferComplete"}});
    return {std::move(state), Reply{200, std::move(body)}};
  } else if (!std::holds_alternative<std::monostate>(message.body)) {
    // A request of the phone's the ACS does not serve: 8000, method not supported.
    std::string body = Write(state, message.id, cwmp::Fault{.code = 8000, .message = "method not supported"});
    return {std::move(state), Reply{200, std::move(body)}};
  }
  return Next(std::move(state));
}

}  // namespace onramp::acs
