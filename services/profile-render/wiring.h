#ifndef ONRAMP_SERVICES_PROFILE_RENDER_WIRING_H_
#define ONRAMP_SERVICES_PROFILE_RENDER_WIRING_H_

// Wiring of the profile-render service: options, then Run.

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lib/kit/config/flags.h"
#include "lib/kit/server/server.h"

namespace onramp::profile {

struct Options {
  server::ServerOptions server;
  std::string database_url;
  int pool_size = 8;
  // 64+ hex digits: seals per-device keys at rest.
  std::string key_encryption_key;
  // The ACS's: phones whose profile names an ACS get their ACS credentials.
  std::string tr069_credentials_secret;
  int cache_entries = 100000;
  absl::Duration generation_poll = absl::Milliseconds(250);
  int keep_deliveries = 10;
  absl::Duration sweep_interval = absl::Minutes(5);
  // host:port of device-activation for timeline events; empty: none.
  std::string device_activation_addr;
  // host:port of firmware-catalog, to put the next hop of a phone's
  // upgrade plan in its profile; empty: no upgrades planned.
  std::string firmware_catalog_addr;
};

void RegisterFlags(config::Flags& flags, Options* options);
absl::Status Run(const Options& options);

}  // namespace onramp::profile

#endif  // ONRAMP_SERVICES_PROFILE_RENDER_WIRING_H_
