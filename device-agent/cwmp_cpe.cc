#include "device-agent/cwmp_cpe.h"

#include <algorithm>
#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "device-agent/state.h"
#include "lib/base/strings/strings.h"
#include "lib/phone/flat_profile/flat_profile.h"
#include "lib/phone/identity/mac_address.h"
#include "lib/phone/tr069/data_model.h"

namespace onramp::agent {

namespace {

constexpr char kParameterKey[] = "Device.ManagementServer.ParameterKey";
// The one multi-instance object a partner may add to and delete from: the
// phone's lines (TR-104).
constexpr char kLines[] = "Device.Services.VoiceService.1.VoiceProfile.1.Line.";
constexpr int kMaxLines = 16;
constexpr char kConnectionRequestUrl[] = "Device.ManagementServer.ConnectionRequestURL";

// TR-069 A.5.1 fault codes of a CPE.
constexpr int kMethodNotSupported = 9000;
constexpr int kInvalidArguments = 9003;
constexpr int kInvalidParameterName = 9005;
constexpr int kNotWritable = 9008;
constexpr int kResourcesExceeded = 9004;

cwmp::Version VersionOf(const v1::PhoneState& state) {
  auto support = state.parameters().find(kCwmpV12Support);
  bool v12 = support == state.parameters().end() || absl::AsciiStrToLower(support->second.value()) != "no";
  return v12 ? cwmp::Version::k1_2 : cwmp::Version::k1_0;
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

// Every object path (ending in ".") above the phone's parameters, and the
// added instances that hold none yet.
std::set<std::string> Objects(const v1::PhoneState& state, const std::map<std::string, std::string>& model) {
  std::set<std::string> objects;
  for (const auto& [path, value] : model) {
    for (size_t dot = path.find('.'); dot != std::string::npos; dot = path.find('.', dot + 1)) {
      objects.insert(path.substr(0, dot + 1));
    }
  }
  for (const std::string& instance : state.cwmp_objects()) {
    for (size_t dot = instance.find('.'); dot != std::string::npos; dot = instance.find('.', dot + 1)) {
      objects.insert(instance.substr(0, dot + 1));
    }
  }
  return objects;
}

// The paths a name or partial path names among `model`'s; empty: none.
std::vector<std::string> Matching(const std::map<std::string, std::string>& model, const std::string& name) {
  std::vector<std::string> paths;
  if (!name.empty() && !name.ends_with(".")) {
    if (model.contains(name)) paths.push_back(name);
    return paths;
  }
  for (const auto& [path, value] : model) {
    if (path.starts_with(name)) paths.push_back(path);
  }
  return paths;
}

cwmp::Envelope GetNames(const v1::PhoneState& state, const cwmp::Envelope& request, const cwmp::GetParameterNames& get,
                        const std::map<std::string, std::string>& read_only, const std::string& url) {
  std::map<std::string, std::string> model = DataModel(state, url);
  std::set<std::string> objects = Objects(state, model);
  const std::string& path = get.parameter_path;
  cwmp::GetParameterNamesResponse response;
  auto add = [&](const std::string& name) {
    bool writable = name.ends_with(".") ? name == kLines : !read_only.contains(name);
    response.parameters.push_back({name, writable});
  };
  if (!path.empty() && !path.ends_with(".")) {
    if (!model.contains(path)) return Reply(request, FaultOf(kInvalidParameterName, "Invalid parameter name: " + path));
    if (get.next_level) return Reply(request, FaultOf(kInvalidArguments, "NextLevel with a parameter, not an object"));
    add(path);
    return Reply(request, std::move(response));
  }
  if (!path.empty() && !objects.contains(path)) {
    return Reply(request, FaultOf(kInvalidParameterName, "Invalid parameter name: " + path));
  }
  // The level just below `path`: "" is above "Device.".
  auto depth = [](const std::string& name) {
    size_t dots = std::count(name.begin(), name.end(), '.');
    return name.ends_with(".") ? dots - 1 : dots;
  };
  size_t below = path.empty() ? 0 : depth(path) + 1;
  if (!get.next_level && !path.empty()) add(path);
  for (const std::string& object : objects) {
    if (object == path || !object.starts_with(path)) continue;
    if (!get.next_level || depth(object) == below) add(object);
  }
  for (const auto& [name, value] : model) {
    if (!name.starts_with(path)) continue;
    if (!get.next_level || depth(name) == below) add(name);
  }
  return Reply(request, std::move(response));
}

cwmp::Envelope SetAttributes(v1::PhoneState& state, const cwmp::Envelope& request,
                             const cwmp::SetParameterAttributes& set, const std::string& url) {
  std::map<std::string, std::string> model = DataModel(state, url);
  std::vector<std::pair<std::string, int>> changes;
  for (const cwmp::SetParameterAttributes::Change& change : set.parameters) {
    std::vector<std::string> paths = Matching(model, change.name);
    if (paths.empty()) {
      return Reply(request, FaultOf(kInvalidParameterName, "Invalid parameter name: " + change.name));
    }
    if (change.notification < 0 || change.notification > 2) {
      return Reply(request, FaultOf(kInvalidArguments, "Notification must be 0, 1 or 2"));
    }
    if (!change.notification_change) continue;
    for (std::string& path : paths) changes.emplace_back(std::move(path), change.notification);
  }
  for (const auto& [path, notification] : changes) {
    if (notification == 0) {
      state.mutable_cwmp_notifications()->erase(path);
    } else {
      (*state.mutable_cwmp_notifications())[path] = notification;
    }
  }
  return Reply(request, cwmp::SetParameterAttributesResponse{});
}

cwmp::Envelope GetAttributes(const v1::PhoneState& state, const cwmp::Envelope& request,
                             const cwmp::GetParameterAttributes& get, const std::string& url) {
  std::map<std::string, std::string> model = DataModel(state, url);
  cwmp::GetParameterAttributesResponse response;
  for (const std::string& name : get.names) {
    std::vector<std::string> paths = Matching(model, name);
    if (paths.empty()) return Reply(request, FaultOf(kInvalidParameterName, "Invalid parameter name: " + name));
    for (std::string& path : paths) {
      auto notification = state.cwmp_notifications().find(path);
      response.parameters.push_back(
          {path, notification == state.cwmp_notifications().end() ? 0 : notification->second, {}});
    }
  }
  return Reply(request, std::move(response));
}

// The phone's line numbers in use: those holding parameters, and added ones.
std::set<int> Lines(const v1::PhoneState& state, const std::map<std::string, std::string>& model) {
  std::set<int> lines;
  auto take = [&lines](std::string_view path) {
    if (!path.starts_with(kLines)) return;
    path.remove_prefix(std::string_view(kLines).size());
    int line = 0;
    if (absl::SimpleAtoi(strings::ToAbsl(path.substr(0, path.find('.'))), &line)) lines.insert(line);
  };
  for (const auto& [path, value] : model) take(path);
  for (const std::string& instance : state.cwmp_objects()) take(instance);
  return lines;
}

cwmp::Envelope AddInstance(v1::PhoneState& state, const cwmp::Envelope& request, const cwmp::AddObject& add,
                           const std::string& url) {
  if (add.object_name != kLines) {
    return Reply(request, FaultOf(kInvalidParameterName, "Not an object instances can be added to: " + add.object_name));
  }
  std::set<int> lines = Lines(state, DataModel(state, url));
  int instance = lines.empty() ? 1 : *lines.rbegin() + 1;
  if (instance > kMaxLines) return Reply(request, FaultOf(kResourcesExceeded, "Resources exceeded: no free line"));
  state.add_cwmp_objects(absl::StrCat(kLines, instance, "."));
  state.set_cwmp_parameter_key(add.parameter_key);
  return Reply(request, cwmp::AddObjectResponse{.instance_number = instance, .status = 0});
}

cwmp::Envelope DeleteInstance(v1::PhoneState& state, const cwmp::Envelope& request, const cwmp::DeleteObject& remove,
                              const std::string& url) {
  int line = 0;
  std::string_view name = remove.object_name;
  bool is_line = name.starts_with(kLines) && name.ends_with(".") &&
                 absl::SimpleAtoi(strings::ToAbsl(name.substr(std::string_view(kLines).size(),
                                                              name.size() - std::string_view(kLines).size() - 1)),
                                  &line);
  if (!is_line || !Lines(state, DataModel(state, url)).contains(line)) {
    return Reply(request, FaultOf(kInvalidParameterName, "No such instance: " + remove.object_name));
  }
  std::vector<std::string> gone;
  for (const auto& [flat, parameter] : state.parameters()) {
    std::optional<std::string> path = tr069::PathOf(flat);
    if (path && path->starts_with(remove.object_name)) gone.push_back(flat);
  }
  for (const std::string& flat : gone) state.mutable_parameters()->erase(flat);
  auto* objects = state.mutable_cwmp_objects();
  objects->erase(std::remove(objects->begin(), objects->end(), remove.object_name), objects->end());
  state.set_cwmp_parameter_key(remove.parameter_key);
  return Reply(request, cwmp::DeleteObjectResponse{.status = 0});
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
      "GetRPCMethods",          "SetParameterValues",     "GetParameterValues", "GetParameterNames",
      "SetParameterAttributes", "GetParameterAttributes", "AddObject",          "DeleteObject",
      "Reboot",                 "FactoryReset",           "Download"};
  return *methods;
}

bool NoteValueChange(v1::PhoneState& state, const std::string& flat_name) {
  std::optional<std::string> path = tr069::PathOf(flat_name);
  if (!path || !state.cwmp_notifications().contains(*path)) return false;
  if (std::find(state.cwmp_changed().begin(), state.cwmp_changed().end(), *path) == state.cwmp_changed().end()) {
    state.add_cwmp_changed(*path);
  }
  return true;
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
  if (!state.cwmp_changed().empty()) inform.events.push_back({"4 VALUE CHANGE", ""});
  if (inform.events.empty()) inform.events.push_back({"2 PERIODIC", ""});
  std::map<std::string, std::string> model = DataModel(state, connection_request_url);
  std::set<std::string> sent;
  for (const char* path : {"Device.DeviceInfo.SoftwareVersion", kParameterKey, kConnectionRequestUrl}) {
    inform.parameters.push_back({path, model[path]});
    sent.insert(path);
  }
  // What changed, with its value now (the changes themselves are not kept).
  for (const std::string& path : state.cwmp_changed()) {
    auto value = model.find(path);
    if (value != model.end() && sent.insert(path).second) inform.parameters.push_back({path, value->second});
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
    if (download->file_type != cwmp::kFirmwareUpgradeImage && download->file_type != cwmp::kVendorConfigurationFile &&
        download->file_type != cwmp::kCustomCaFile) {
      return Reply(request, FaultOf(kInvalidArguments, absl::StrCat("file type not supported: ", download->file_type)));
    }
    v1::CwmpDownload& kept = *state.add_cwmp_downloads();
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
  if (const auto* names = std::get_if<cwmp::GetParameterNames>(&request.body)) {
    return GetNames(state, request, *names, ReadOnly(state, connection_request_url), connection_request_url);
  }
  if (const auto* set = std::get_if<cwmp::SetParameterAttributes>(&request.body)) {
    return SetAttributes(state, request, *set, connection_request_url);
  }
  if (const auto* get = std::get_if<cwmp::GetParameterAttributes>(&request.body)) {
    return GetAttributes(state, request, *get, connection_request_url);
  }
  if (const auto* add = std::get_if<cwmp::AddObject>(&request.body)) {
    return AddInstance(state, request, *add, connection_request_url);
  }
  if (const auto* remove = std::get_if<cwmp::DeleteObject>(&request.body)) {
    return DeleteInstance(state, request, *remove, connection_request_url);
  }
  if (std::holds_alternative<cwmp::GetRPCMethods>(request.body)) {
    return Reply(request, cwmp::GetRPCMethodsResponse{CpeMethods()});
  }
  return Reply(request, FaultOf(kMethodNotSupported, "Method not supported"));
}

}  // namespace onramp::agent
