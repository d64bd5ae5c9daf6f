#ifndef ONRAMP_SERVICES_DEVICE_ACTIVATION_WIRING_H_
#define ONRAMP_SERVICES_DEVICE_ACTIVATION_WIRING_H_

// Wiring of the device-activation service: options, then Run.

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lib/kit/config/flags.h"
#include "lib/kit/server/server.h"
#include "services/device-activation/api_keys.h"
#include "services/device-activation/service.h"
#include "services/device-activation/store.h"
#include "services/device-activation/webhook_dispatcher.h"
#include "services/device-activation/webhooks.h"

namespace onramp::device {

struct Options {
  server::ServerOptions server;
  std::string database_url;
  int pool_size = 8;
  std::string ca_cert_file;
  std::string ca_key_file;
  std::string profile_render_addr;
  absl::Duration sweep_interval = absl::Minutes(1);
  Limits limits;
  ServiceOptions service;
  WebhookDispatcherOptions webhooks;
  std::string webhook_key_encryption_key;  // hex
  absl::Duration webhook_poll_interval = absl::Seconds(1);
};

void RegisterFlags(config::Flags& flags, Options* options);

// Connects, migrates schema "device", serves until SIGTERM, drains.
absl::Status Run(const Options& options);

}  // namespace onramp::device

#endif  // ONRAMP_SERVICES_DEVICE_ACTIVATION_WIRING_H_
