// firmware-catalog: images, upgrade paths and staged rollouts, over gRPC.
#include "lib/kit/log/log.h"
#include "lib/kit/server/server.h"
#include "services/firmware-catalog/wiring.h"

int main(int argc, char** argv) {
  onramp::firmware::Options options;
  onramp::config::Flags flags(
      "firmware-catalog",
      "Serves onramp.firmware.v1.FirmwareCatalogService: firmware images, upgrade paths,\n"
      "multi-stage upgrade plans and staged rollouts that halt on failures.");
  onramp::firmware::RegisterFlags(flags, &options);
  flags.ParseOrExit(argc, argv);
  onramp::server::InitLogging("firmware-catalog", options.server);
  absl::Status status = onramp::firmware::Run(options);
  if (!status.ok()) {
    onramp::log::Error("firmware-catalog stopped", {{"error", std::string(status.message())}});
    return 1;
  }
  return 0;
}
