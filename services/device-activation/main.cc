// device-activation: claims by MAC, redirects, short codes, customization
// state, cloud registration and onboarding timelines, over gRPC.
#include "lib/kit/server/service_main.h"
#include "services/device-activation/wiring.h"

int main(int argc, char** argv) {
  return onramp::server::ServiceMain(
      argc, argv, "device-activation",
      "Serves onramp.device.v1.DeviceActivationService: partners claim phones and publish\n"
      "redirect profiles and short codes; phones look up their provider, report their\n"
      "customization state and register for a client certificate.",
      onramp::device::RegisterFlags, onramp::device::Run);
}
