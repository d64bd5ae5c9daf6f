#include "device-agent/state.h"

#include "absl/strings/match.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace onramp::agent {

absl::StatusOr<v1::PhoneState> LoadState(const std::string& dir) {
  std::ifstream file(dir + "/state.json");
  if (!file) return absl::NotFoundError(absl::StrCat("no phone state in ", dir));
  std::stringstream text;
  text << file.rdbuf();
  v1::PhoneState state;
  auto parsed = google::protobuf::util::JsonStringToMessage(text.str(), &state);
  if (!parsed.ok()) {
    return absl::DataLossError(absl::StrCat(dir, "/state.json is damaged: ", std::string(parsed.message())));
  }
  return state;
}

absl::Status SaveState(const std::string& dir, const v1::PhoneState& state) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return absl::PermissionDeniedError(absl::StrCat("cannot create ", dir, ": ", error.message()));
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(state, &json, options);
  const std::string temporary = dir + "/state.json.new";
  {
    std::ofstream file(temporary, std::ios::trunc);
    file << json;
    if (!file.flush()) return absl::UnavailableError(absl::StrCat("cannot write ", temporary));
  }
  std::filesystem::rename(temporary, dir + "/state.json", error);
  if (error) return absl::UnavailableError(absl::StrCat("cannot replace ", dir, "/state.json: ", error.message()));
  return absl::OkStatus();
}

v1::PhoneState FactoryReset(const v1::PhoneState& state) {
  v1::PhoneState fresh;
  fresh.set_mac(state.mac());
  fresh.set_model(state.model());
  fresh.set_serial(state.serial());
  fresh.set_firmware(state.firmware());
  fresh.set_factory_key_pem(state.factory_key_pem());
  fresh.set_factory_cert_pem(state.factory_cert_pem());
  fresh.set_customization_state("open");
  return fresh;
}

std::string SoftwareVersion(const v1::PhoneState& state) {
  std::string version = state.firmware();
  if (absl::EndsWith(version, ".loads")) version.resize(version.size() - 6);
  return version;
}

}  // namespace onramp::agent
