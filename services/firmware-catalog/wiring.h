#ifndef ONRAMP_SERVICES_FIRMWARE_CATALOG_WIRING_H_
#define ONRAMP_SERVICES_FIRMWARE_CATALOG_WIRING_H_

// Wiring of the firmware-catalog service: options, then Run.

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lib/kit/config/flags.h"
#include "lib/kit/server/server.h"
#include "services/firmware-catalog/service.h"

namespace onramp::firmware {

struct Options {
  server::ServerOptions server;
  std::string database_url;
  int pool_size = 8;
  // How often running rollouts are advanced (stages opened, completion).
  std::string device_activation_addr;
  absl::Duration rollout_sweep_interval = absl::Seconds(5);
  ServiceOptions service;
};

void RegisterFlags(config::Flags& flags, Options* options);
absl::Status Run(const Options& options);

}  // namespace onramp::firmware

#endif  // ONRAMP_SERVICES_FIRMWARE_CATALOG_WIRING_H_
