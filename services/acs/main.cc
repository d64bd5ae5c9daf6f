// acs: the TR-069 ACS, CWMP sessions with phones through the gateway.
#include "lib/kit/log/log.h"
#include "lib/kit/server/server.h"
#include "services/acs/wiring.h"

int main(int argc, char** argv) {
  onramp::acs::Options options;
  onramp::config::Flags flags(
      "acs",
      "Serves onramp.acs.v1.AcsService: CWMP (TR-069) sessions with phones, one POST at a\n"
      "time through the gateway; brings each phone to its rendered profile.");
  onramp::acs::RegisterFlags(flags, &options);
  flags.ParseOrExit(argc, argv);
  onramp::server::InitLogging("acs", options.server);
  absl::Status status = onramp::acs::Run(options);
  if (!status.ok()) {
    onramp::log::Error("acs stopped", {{"error", std::string(status.message())}});
    return 1;
  }
  return 0;
}
