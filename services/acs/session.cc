#include "services/acs/session.h"

#include "lib/kit/log/log.h"
#include "lib/phone/tr069/data_model.h"

namespace onramp::acs {

namespace {

std::string Write(const v1::SessionState& state, std::string id,
                  decltype(cwmp::Envelope::body) body) {
  cwmp::Envelope envelope{.version = static_cast<cwmp::Version>(state.cwmp_version()), .id = std::move(id),
                          .body = std::move(body)};
  return cwmp::Write(envelope);
}

// The next request for the phone, or the end of the session.
std::pair<std::optional<v1::SessionState>, Reply> Next(v1::SessionState state) {
  if (state.pending_size() > 0 && !state.sent()) {
    cwmp::SetParameterValues set{.parameter_key = state.parameter_key()};
    for (const v1::SetValue& value : state.pending()) set.parameters.push_back({value.name(), value.value(), value.type()});
    state.set_sent(true);
    int id = state.next_id();
    state.set_next_id(id + 1);
    std::string body = Write(state, "acs-" + std::to_string(id), std::move(set));
    return {std::move(state), Reply{200, std::move(body)}};
  }
  return {std::nullopt, Reply{204, ""}};
}

}  // namespace

std::pair<v1::SessionState, Reply> Start(const std::string& mac, const cwmp::Envelope& inform,
                                         const profile::v1::GetParametersResponse& profile) {
  v1::SessionState state;
  state.set_mac(mac);
  state.set_cwmp_version(static_cast<int>(inform.version));
  state.set_next_id(1);
  std::string reported_key;
  if (const auto* body = std::get_if<cwmp::Inform>(&inform.body)) {
    for (const cwmp::ParameterValue& value : body->parameters) {
      if (value.name == kParameterKeyPath) reported_key = value.value;
    }
  }
  if (reported_key != profile.etag()) {
    state.set_parameter_key(profile.etag());
    for (const profile::v1::Parameter& parameter : profile.parameters()) {
      std::optional<std::string> path = tr069::PathOf(parameter.name());
      if (!path) continue;
      v1::SetValue* value = state.add_pending();
      value->set_name(*path);
      value->set_value(parameter.value());
      value->set_type("xsd:string");
    }
  }
  Reply reply{200, Write(state, inform.id, cwmp::InformResponse{.max_envelopes = 1})};
  return {std::move(state), std::move(reply)};
}

std::pair<std::optional<v1::SessionState>, Reply> Continue(v1::SessionState state, const cwmp::Envelope& message) {
  if (std::holds_alternative<cwmp::SetParameterValuesResponse>(message.body)) {
    state.clear_pending();
    state.set_sent(false);
  } else if (const auto* fault = std::get_if<cwmp::Fault>(&message.body)) {
    // The phone refused the request: it stays as it is until its next
    // session, which asks again.
    log::Warn("phone answered with a CWMP fault",
              {{"mac", state.mac()}, {"code", std::to_string(fault->code)}, {"message", fault->message}});
    state.clear_pending();
    state.set_sent(false);
  } else if (!std::holds_alternative<std::monostate>(message.body)) {
    // A request of the phone's the ACS does not serve: 8000, method not supported.
    std::string body = Write(state, message.id, cwmp::Fault{.code = 8000, .message = "method not supported"});
    return {std::move(state), Reply{200, std::move(body)}};
  }
  return Next(std::move(state));
}

}  // namespace onramp::acs
