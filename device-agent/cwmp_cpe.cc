#include "device-agent/cwmp_cpe.h"

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/phone/flat_profile/flat_profile.h"
#include "lib/phone/identity/mac_address.h"
#include "lib/phone/tr069/data_model.h"

namespace onramp::agent {

namespace {

constexpr char kParameterKey[] = "Device.ManagementServer.ParameterKey";
constexpr char kConnectionRequestUrl[] = "Device.ManagementServer.ConnectionRequestURL";

// TR-069 A.5.1 fault codes of a CPE.
constexpr int kMethodNotSupported = 9000;
constexpr int kInvalidArguments = 9003;
constexpr int kInvalidParameterName = 9005;
constexpr int kNotWritable = 9008;

cwmp::Version VersionOf(const v1::PhoneState& state) {
  auto support = state.parameters().find(kCwmpV12Support);
  bool v12 = support == state.parameters().end() || absl::AsciiStrToLower(support->second.value()) != "no";
  return v12 ? cwmp::Version::k1_2 : cwmp::Version::k1_0;
}

std::string SoftwareVersion(const v1::PhoneState& state) {
  std::string version = state.firmware();
  if (absl::EndsWith(version, ".loads")) version.resize(version.size() - 6);
  return version;
}

// Device.DeviceInfo and the ManagementServer's read-only values.
std::map<std::string, std::string> ReadOnly(const v1::PhoneState& state, const std::string& connection_request_url) {
  absl::StatusOr<identity::MacAddress> mac = identity::MacAddress::Parse(state.mac());
  return {{"Device.DeviceInfo.Manufacturer", "Cisco"},
          {"Device.DeviceInfo.ManufacturerOUI", mac.ok() ? mac->Upper().substr(0, 6) : ""},
          {"Device.DeviceInfo.ProductClass", state.model()},
          {"Device.DeviceInfo.ModelName", state.model()},
          {"Device.DeviceInfo.SerialNumber", state.serial()},
          {"Device.DeviceInfo.SoftwareVersion", SoftwareVersion(state)},
          {kParameterKey, state.cwmp_parameter_key()},
          {kConnectionRequestUrl, connection_request_url}};
}

cwmp::Envelope Reply(const cwmp::Envelope& request, decltype(cwmp::Envelope::body) body) {
  return {.version = request.version, .id = request.id, .body = std::move(body)};
}

cwmp::Fault FaultOf(int code, std::string message) { return {.code = code, .message = std::move(message)}; }

cwmp::Envelope SetValues(v1::PhoneState& state, const cwmp::Envelope& request,
                         const cwmp::SetParameterValues& set, const std::map<std::string, std::string>& read_only) {
  // All or nothing (TR-069 A.3.2.1): every name is checked first.
  cwmp::Fault fault = FaultOf(kInvalidArguments, "Invalid arguments");
  std::vector<std::pair<std::string, std::string>> changes;
  for (const cwmp::ParameterValue& value : set.parameters) {
    if (read_only.contains(value.name)) {
      fault.parameter_faults.push_back({value.name, kNotWritable, "Attempt to set a non-writable parameter"});
    } else if (std::optional<std::string> name = tr069::FlatNameOf(value.name)) {
      changes.emplace_back(*name, value.value);
    } else {
      fault.parameter_faults.push_back({value.name, kInvalidParameterName, "Invalid parameter name"});
    }
  }
  if (!fault.parameter_faults.empty()) return Reply(request, std::move(fault));
  for (auto& [name, value] : changes) (*state.mutable_parameters())[name].set_value(std::move(value));
  state.set_cwmp_parameter_key(set.parameter_key);
  return Reply(request, cwmp::SetParameterValuesResponse{.status = 0});
}

cwmp::Envelope GetValues(const v1::PhoneState& state, const cwmp::Envelope& request,
                         const cwmp::GetParameterValues& get, const std::string& connection_request_url) {
  std::map<std::string, std::string> model = DataModel(state, connection_request_url);
  cwmp::GetParameterValuesResponse response;
  for (const std::string& name : get.names) {
    // A name ending in "." (or empty: everything) is a partial path.
    if (name.empty() || name.ends_with(".")) {
      size_t before = response.parameters.size();
      for (const auto& [path, value] : model) {
        if (path.starts_with(name)) response.parameters.push_back({path, value});
      }
      if (response.parameters.size() == before) {
        return Reply(request, FaultOf(kInvalidParameterName, absl::StrCat("Invalid parameter name: ", name)));
      }
      continue;
    }
    auto found = model.find(name);
    if (found == model.end()) {
      return Reply(request, FaultOf(kInvalidParameterName, absl::StrCat("Invalid parameter name: ", name)));
    }
    response.parameters.push_back({found->first, found->second});
  }
  return Reply(request, std::move(response));
}

}  // namespace

const std::vector<std::string>& CpeMethods() {
  static const std::vector<std::string>* const methods = new std::vector<std::string>{
      "GetRPCMethods", "SetParameterValues", "GetParameterValues", "Reboot", "FactoryReset", "Download"};
  return *methods;
}

std::map<std::string, std::string> DataModel(const v1::PhoneState& state, const std::string& connection_request_url) {
  std::map<std::string, std::string> model = ReadOnly(state, connection_request_url);
  for (const auto& [name, parameter] : state.parameters()) {
    std::optional<std::string> path = tr069::PathOf(name);
    if (!path) continue;
    model[*path] = flat_profile::IsSecretName(name) ? "" : parameter.value();
  }
  return model;
}

cwmp::Envelope InformOf(const v1::PhoneState& state, const std::string& connection_request_url, int retry_count,
                        const std::string& now) {
  cwmp::Inform inform{.device = {.manufacturer = "Cisco", .product_class = state.model(), .serial_number = state.serial()},
                      .current_time = now,
                      .retry_count = retry_count};
  absl::StatusOr<identity::MacAddress> mac = identity::MacAddress::Parse(state.mac());
  if (mac.ok()) inform.device.oui = mac->Upper().substr(0, 6);
  if (!state.cwmp_bootstrapped()) inform.events.push_back({"0 BOOTSTRAP", ""});
  for (const v1::CwmpEvent& event : state.cwmp_events()) inform.events.push_back({event.code(), event.command_key()});
  if (inform.events.empty()) inform.events.push_back({"2 PERIODIC", ""});
  std::map<std::string, std::string> read_only = ReadOnly(state, connection_request_url);
  for (const char* path : {"Device.DeviceInfo.SoftwareVersion", kParameterKey, kConnectionRequestUrl}) {
    inform.parameters.push_back({path, read_only[path]});
  }
  return {.version = VersionOf(state), .id = absl::StrCat("inform-", state.resyncs()), .body = std::move(inform)};
}

cwmp::Envelope Answer(v1::PhoneState& state, const cwmp::Envelope& request, const std::string& connection_request_url) {
  if (const auto* set = std::get_if<cwmp::SetParameterValues>(&request.body)) {
    return SetValues(state, request, *set, ReadOnly(state, connection_request_url));
  }
  if (const auto* get = std::get_if<cwmp::GetParameterValues>(&request.body)) {
    return GetValues(state, request, *get, connection_request_url);
  }
  if (const auto* download = std::get_if<cwmp::Download>(&request.body)) {
    if (!download->file_type.starts_with("1 ") && !download->file_type.starts_with("3 ")) {
      return Reply(request, FaultOf(kInvalidArguments, absl::StrCat("file type not supported: ", download->file_type)));
    }
    v1::CwmpDownload& kept = *state.mutable_cwmp_download();
    kept.set_command_key(download->command_key);
    kept.set_file_type(download->file_type);
    kept.set_url(download->url);
    kept.set_username(download->username);
    kept.set_password(download->password);
    // Done once the session is over; a TransferComplete tells how it went.
    return Reply(request, cwmp::DownloadResponse{.status = 1});
  }
  if (const auto* reboot = std::get_if<cwmp::Reboot>(&request.body)) {
    state.mutable_cwmp_after_session()->set_reboot(true);
    state.mutable_cwmp_after_session()->set_reboot_command_key(reboot->command_key);
    return Reply(request, cwmp::RebootResponse{});
  }
  if (std::holds_alternative<cwmp::FactoryReset>(request.body)) {
    state.mutable_cwmp_after_session()->set_factory_reset(true);
    return Reply(request, cwmp::FactoryResetResponse{});
  }
  if (std::holds_alternative<cwmp::GetRPCMethods>(request.body)) {
    return Reply(request, cwmp::GetRPCMethodsResponse{CpeMethods()});
  }
  return Reply(request, FaultOf(kMethodNotSupported, "Method not supported"));
}

}  // namespace onramp::agent
