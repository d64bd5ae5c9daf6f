// activation-code: partners' 16-digit activation codes, over gRPC.
#include "lib/kit/log/log.h"
#include "lib/kit/server/server.h"
#include "services/activation-code/wiring.h"

int main(int argc, char** argv) {
  onramp::activation::Options options;
  onramp::config::Flags flags(
      "activation-code",
      "Serves onramp.activation.v1.ActivationCodeService: partners create and revoke\n"
      "16-digit activation codes; phones redeem them for their onboarding target.");
  onramp::activation::RegisterFlags(flags, &options);
  flags.ParseOrExit(argc, argv);
  onramp::server::InitLogging("activation-code", options.server);
  absl::Status status = onramp::activation::Run(options);
  if (!status.ok()) {
    onramp::log::Error("activation-code stopped", {{"error", std::string(status.message())}});
    return 1;
  }
  return 0;
}
