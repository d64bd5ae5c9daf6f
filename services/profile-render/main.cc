// profile-render: turns parameter layers into each phone's encrypted
// <flat-profile>, over gRPC.
#include "lib/kit/server/service_main.h"
#include "services/profile-render/wiring.h"

int main(int argc, char** argv) {
  return onramp::server::ServiceMain(
      argc, argv, "profile-render",
      "Serves onramp.profile.v1.ProfileRenderService: parameter layers, templates and the\n"
      "phone's resync (render, encrypt, ETag), previews, diffs and report intake.",
      onramp::profile::RegisterFlags, onramp::profile::Run);
}
