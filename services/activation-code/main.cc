// activation-code: partners' 16-digit activation codes, over gRPC.
#include "lib/kit/server/service_main.h"
#include "services/activation-code/wiring.h"

int main(int argc, char** argv) {
  return onramp::server::ServiceMain(
      argc, argv, "activation-code",
      "Serves onramp.activation.v1.ActivationCodeService: partners create and revoke\n"
      "16-digit activation codes; phones redeem them for their onboarding target.",
      onramp::activation::RegisterFlags, onramp::activation::Run);
}
