// firmware-catalog: images, upgrade paths and staged rollouts, over gRPC.
#include "lib/kit/server/service_main.h"
#include "services/firmware-catalog/wiring.h"

int main(int argc, char** argv) {
  return onramp::server::ServiceMain(
      argc, argv, "firmware-catalog",
      "Serves onramp.firmware.v1.FirmwareCatalogService: firmware images, upgrade paths,\n"
      "multi-stage upgrade plans and staged rollouts that halt on failures.",
      onramp::firmware::RegisterFlags, onramp::firmware::Run);
}
