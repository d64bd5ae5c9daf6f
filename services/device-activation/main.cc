// device-activation: claims by MAC, redirects, short codes, customization
// state, cloud registration and onboarding timelines, over gRPC.
#include "lib/kit/log/log.h"
#include "lib/kit/server/server.h"
#include "services/device-activation/wiring.h"

int main(int argc, char** argv) {
  onramp::device::Options options;
  onramp::config::Flags flags(
      "device-activation",
      "Serves onramp.device.v1.DeviceActivationService: partners claim phones and publish\n"
      "redirect profiles and short codes; phones look up their provider, report their\n"
      "customization state and register for a client certificate.");
  onramp::device::RegisterFlags(flags, &options);
  flags.ParseOrExit(argc, argv);
  onramp::server::InitLogging("device-activation", options.server);
  absl::Status status = onramp::device::Run(options);
  if (!status.ok()) {
    onramp::log::Error("device-activation stopped", {{"error", std::string(status.message())}});
    return 1;
  }
  return 0;
}
