#include "services/acs/session.h"

#include "absl/strings/str_cat.h"
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

std::string NextId(v1::SessionState& state) {
  int id = state.next_id();
  state.set_next_id(id + 1);
  return "acs-" + std::to_string(id);
}

// The next request for the phone (parameters first, then firmware), or the
// end of the session.
Step Next(v1::SessionState state) {
  if (state.pending_size() > 0 && !state.sent()) {
    cwmp::SetParameterValues set{.parameter_key = state.parameter_key()};
    for (const v1::SetValue& value : state.pending()) set.parameters.push_back({value.name(), value.value(), value.type()});
    state.set_sent(true);
    std::string id = NextId(state);
    std::string body = Write(state, std::move(id), std::move(set));
    return {std::move(state), Reply{200, std::move(body)}, std::nullopt};
  }
  if (state.pending_size() == 0 && state.has_download() && !state.download_sent()) {
    cwmp::Download download{.command_key = state.download().command_key(),
                            .url = state.download().url(),
                            .username = state.download().username(),
                            .password = state.download().password()};
    state.set_download_sent(true);
    std::string id = NextId(state);
    std::string body = Write(state, std::move(id), std::move(download));
    return {std::move(state), Reply{200, std::move(body)}, std::nullopt};
  }
  return {std::nullopt, Reply{204, ""}, std::nullopt};
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

std::pair<v1::SessionState, Reply> Start(const std::string& mac, const cwmp::Envelope& inform,
                                         const profile::v1::GetParametersResponse& profile) {
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
  if (body != nullptr) state.set_model(body->device.product_class);
  if (reported_key != profile.etag()) {
    state.set_parameter_key(profile.etag());
    for (const profile::v1::Parameter& parameter : profile.parameters()) {
      // Over TR-069 the upgrade is the ACS's Download, not the phone's rule.
      if (IsUpgradeParameter(parameter.name())) continue;
      std::optional<std::string> path = tr069::PathOf(parameter.name());
      if (!path) continue;
      v1::SetValue* value = state.add_pending();
      value->set_name(*path);
      value->set_value(parameter.value());
      value->set_type("xsd:string");
    }
  }
  if (body != nullptr) {
    if (std::optional<v1::Download> download = DownloadOf(mac, *body, software_version, profile)) {
      *state.mutable_download() = *std::move(download);
    }
  }
  Reply reply{200, Write(state, inform.id, cwmp::InformResponse{.max_envelopes = 1})};
  return {std::move(state), std::move(reply)};
}

Step Continue(v1::SessionState state, const cwmp::Envelope& message) {
  if (std::holds_alternative<cwmp::SetParameterValuesResponse>(message.body)) {
    state.clear_pending();
    state.set_sent(false);
  } else if (std::holds_alternative<cwmp::DownloadResponse>(message.body)) {
    state.clear_download();
    state.set_download_sent(false);
  } else if (const auto* fault = std::get_if<cwmp::Fault>(&message.body)) {
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
  } else if (const auto* complete = std::get_if<cwmp::TransferComplete>(&message.body)) {
    // The phone's request: answered at once, and counted by the caller.
    TransferOutcome outcome{.success = complete->fault_code == 0, .from_version = complete->command_key};
    if (!outcome.success) outcome.detail = absl::StrCat(complete->fault_code, " ", complete->fault_string);
    std::string body = Write(state, message.id, cwmp::TransferCompleteResponse{});
    return {std::move(state), Reply{200, std::move(body)}, std::move(outcome)};
  } else if (std::holds_alternative<cwmp::GetRPCMethods>(message.body)) {
    // What a CPE may ask of an ACS (TR-069 A.3.1).
    std::string body = Write(state, message.id,
                             cwmp::GetRPCMethodsResponse{{"Inform", "GetRPCMethods", "TransferComplete"}});
    return {std::move(state), Reply{200, std::move(body)}, std::nullopt};
  } else if (!std::holds_alternative<std::monostate>(message.body)) {
    // A request of the phone's the ACS does not serve: 8000, method not supported.
    std::string body = Write(state, message.id, cwmp::Fault{.code = 8000, .message = "method not supported"});
    return {std::move(state), Reply{200, std::move(body)}, std::nullopt};
  }
  return Next(std::move(state));
}

}  // namespace onramp::acs
