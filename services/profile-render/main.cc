// profile-render: turns parameter layers into each phone's encrypted
// <flat-profile>, over gRPC.
#include "lib/kit/log/log.h"
#include "lib/kit/server/server.h"
#include "services/profile-render/wiring.h"

int main(int argc, char** argv) {
  onramp::profile::Options options;
  onramp::config::Flags flags(
      "profile-render",
      "Serves onramp.profile.v1.ProfileRenderService: parameter layers, templates and the\n"
      "phone's resync (render, encrypt, ETag), previews, diffs and report intake.");
  onramp::profile::RegisterFlags(flags, &options);
  flags.ParseOrExit(argc, argv);
  onramp::server::InitLogging("profile-render", options.server);
  absl::Status status = onramp::profile::Run(options);
  if (!status.ok()) {
    onramp::log::Error("profile-render stopped", {{"error", std::string(status.message())}});
    return 1;
  }
  return 0;
}
