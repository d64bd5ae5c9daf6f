#include "tests/e2e/new_phone.h"

#include <filesystem>

#include "device-agent/state.h"
#include "gtest/gtest.h"

namespace onramp::testing {

std::string NewPhone(const std::string& name, const std::string& mac, const std::string& model,
                     const std::string& firmware) {
  std::string dir = ::testing::TempDir() + "/" + name;
  std::filesystem::remove_all(dir);
  agent::v1::PhoneState identity;
  identity.set_mac(mac);
  identity.set_model(model);
  identity.set_firmware(firmware);
  EXPECT_TRUE(agent::SaveState(dir, agent::FactoryReset(identity)).ok());
  return dir;
}

}  // namespace onramp::testing
