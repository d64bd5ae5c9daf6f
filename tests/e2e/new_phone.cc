#include "tests/e2e/new_phone.h"

#include <filesystem>
#include <map>

#include "device-agent/factory.h"
#include "device-agent/state.h"
#include "gtest/gtest.h"

namespace onramp::testing {

std::string NewPhone(const std::string& name, const std::string& mac, const std::string& factory_dir,
                     const std::string& model, const std::string& firmware) {
  std::string dir = ::testing::TempDir() + "/" + name;
  std::filesystem::remove_all(dir);
  agent::v1::PhoneState identity;
  identity.set_mac(mac);
  identity.set_model(model);
  identity.set_firmware(firmware);
  if (!factory_dir.empty()) {
    absl::StatusOr<agent::Factory> factory =
        agent::Factory::Load(factory_dir + "/factory-ca.pem", factory_dir + "/factory-ca.key");
    EXPECT_TRUE(factory.ok()) << factory.status();
    if (factory.ok()) {
      EXPECT_TRUE(factory->Manufacture(identity).ok());
    }
  }
  EXPECT_TRUE(agent::SaveState(dir, agent::FactoryReset(identity)).ok());
  return dir;
}

agent::Phone LoadPhone(agent::PhoneOptions options, std::vector<std::string>* steps) {
  options.on_step = [steps](const std::string& step) { steps->push_back(step); };
  absl::StatusOr<agent::Phone> phone = agent::Phone::Load(options);
  if (phone.ok()) return *std::move(phone);
  ADD_FAILURE() << "cannot load the phone in " << options.state_dir << ": " << phone.status();
  options.state_dir.clear();
  return agent::Phone::InMemory(std::move(options), agent::v1::PhoneState());
}

std::string NewPhoneBehindProxy(const std::string& name, const std::string& mac, const std::string& factory_dir,
                                int proxy_port, const std::string& user, const std::string& password) {
  const std::string dir = NewPhone(name, mac, factory_dir);
  absl::StatusOr<agent::v1::PhoneState> state = agent::LoadState(dir);
  EXPECT_TRUE(state.ok()) << state.status();
  if (!state.ok()) return dir;
  for (const auto& [parameter, value] : std::map<std::string, std::string>{{"HTTP_Proxy_Host_Address", "127.0.0.1"},
                                                                           {"HTTP_Proxy_Port", std::to_string(proxy_port)},
                                                                           {"HTTP_Proxy_Username", user},
                                                                           {"HTTP_Proxy_Password", password}}) {
    (*state->mutable_parameters())[parameter].set_value(value);
  }
  EXPECT_TRUE(agent::SaveState(dir, *state).ok());
  return dir;
}

}  // namespace onramp::testing
