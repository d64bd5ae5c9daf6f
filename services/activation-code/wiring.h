#ifndef ONRAMP_SERVICES_ACTIVATION_CODE_WIRING_H_
#define ONRAMP_SERVICES_ACTIVATION_CODE_WIRING_H_

// Wiring of the activation-code service: options from flags and
// environment, then Run. main.cc only parses; tests embed Run's pieces.

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lib/kit/config/flags.h"
#include "lib/kit/server/server.h"
#include "services/activation-code/service.h"

namespace onramp::activation {

struct Options {
  server::ServerOptions server;
  std::string database_url;
  int pool_size = 8;
  // 64+ hex digits (32+ bytes): the HMAC key codes are stored under.
  std::string code_hash_key;
  absl::Duration sweep_interval = absl::Minutes(1);
  ServiceOptions service;
};

void RegisterFlags(config::Flags& flags, Options* options);

// Connects, migrates schema "activation", serves until SIGTERM, drains.
absl::Status Run(const Options& options);

}  // namespace onramp::activation

#endif  // ONRAMP_SERVICES_ACTIVATION_CODE_WIRING_H_
