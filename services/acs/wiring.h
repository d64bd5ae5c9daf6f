#ifndef ONRAMP_SERVICES_ACS_WIRING_H_
#define ONRAMP_SERVICES_ACS_WIRING_H_

// Wiring of the ACS: options from flags and environment, then Run.

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lib/kit/config/flags.h"
#include "lib/kit/server/server.h"

namespace onramp::acs {

struct Options {
  server::ServerOptions server;
  std::string database_url;
  int pool_size = 8;
  std::string profile_render_addr;
  std::string device_activation_addr;
  // Derives each phone's connection-request credentials.
  std::string tr069_credentials_secret;
  // A session a phone left (it went quiet) is forgotten after this.
  absl::Duration session_idle = absl::Minutes(5);
};

void RegisterFlags(config::Flags& flags, Options* options);

// Connects, migrates schema "acs", serves until SIGTERM, drains.
absl::Status Run(const Options& options);

}  // namespace onramp::acs

#endif  // ONRAMP_SERVICES_ACS_WIRING_H_
