// gateway: the phones' HTTP edge in front of the fleet's gRPC services.
#include "lib/kit/log/log.h"
#include "services/gateway/wiring.h"

int main(int argc, char** argv) {
  onramp::gateway::Options options;
  onramp::config::Flags flags(
      "gateway",
      "Serves phones over HTTP and TFTP: GET /device/<model>/<mac> (redirect) and GET/POST\n"
      "/profile/<file> (resync), translated to device-activation and profile-render calls.");
  onramp::gateway::RegisterFlags(flags, &options);
  flags.ParseOrExit(argc, argv);
  onramp::log::Level level = onramp::log::Level::kInfo;
  onramp::log::ParseLevel(options.log_level, &level);
  onramp::log::Init("gateway", level);
  absl::Status status = onramp::gateway::Run(options);
  if (!status.ok()) {
    onramp::log::Error("gateway stopped", {{"error", std::string(status.message())}});
    return 1;
  }
  return 0;
}
