#ifndef ONRAMP_LIB_KIT_SERVER_SERVICE_MAIN_H_
#define ONRAMP_LIB_KIT_SERVER_SERVICE_MAIN_H_

// The main() of every gRPC service: flags (then the environment) into its
// Options, logging, Run; a failure is logged and exits 1.
//
//   int main(int argc, char** argv) {
//     return onramp::server::ServiceMain(argc, argv, "acs", "Serves ...", onramp::acs::RegisterFlags,
//                                        onramp::acs::Run);
//   }

#include <string>

#include "absl/status/status.h"
#include "lib/kit/config/flags.h"
#include "lib/kit/log/log.h"
#include "lib/kit/server/server.h"

namespace onramp::server {

// `Options` has a `server` (ServerOptions) member.
template <typename Options>
int ServiceMain(int argc, char** argv, const char* name, const char* summary,
                void (*register_flags)(config::Flags&, Options*), absl::Status (*run)(const Options&)) {
  Options options;
  config::Flags flags(name, summary);
  register_flags(flags, &options);
  flags.ParseOrExit(argc, argv);
  InitLogging(name, options.server);
  absl::Status status = run(options);
  if (!status.ok()) {
    log::Error(std::string(name) + " stopped", {{"error", std::string(status.message())}});
    return 1;
  }
  return 0;
}

}  // namespace onramp::server

#endif  // ONRAMP_LIB_KIT_SERVER_SERVICE_MAIN_H_
