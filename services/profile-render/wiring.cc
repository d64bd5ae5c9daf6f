#include "services/profile-render/wiring.h"

#include "absl/strings/escaping.h"
#include "lib/kit/clients/device_activation_client.h"
#include "lib/kit/clients/firmware_catalog_client.h"
#include "lib/kit/log/log.h"
#include "lib/kit/server/periodic.h"
#include "lib/kit/status/status_macros.h"
#include "lib/kit/store/migrations.h"
#include "lib/kit/store/pool.h"
#include "prometheus/registry.h"
#include "services/profile-render/migrations.h"
#include "services/profile-render/service.h"

namespace onramp::profile {

void RegisterFlags(config::Flags& flags, Options* options) {
  server::RegisterServerFlags(flags, &options->server);
  flags.RequiredString("database_url", &options->database_url,
                       "PostgreSQL URL; the service owns schema \"profile\" in it.");
  flags.Int("pool_size", &options->pool_size, 1, 256, "PostgreSQL connections at most.");
  flags.HexSecret("key_encryption_key", &options->key_encryption_key,
                  "Secret: 64 or more hex digits; seals per-device profile keys at rest.");
  flags.OptionalHexSecret("tr069_credentials_secret", &options->tr069_credentials_secret,
                          "Secret: the ACS's --tr069_credentials_secret; a profile that names a TR-069 ACS (ACS_URL) "
                          "then carries the phone's own ACS credentials. Empty: none.");
  flags.Int("cache_entries", &options->cache_entries, 1, 100000000, "Rendered profiles kept.");
  flags.Duration("generation_poll", &options->generation_poll,
                 "How soon other replicas' layer writes reach this replica's cache.");
  flags.Int("keep_deliveries", &options->keep_deliveries, 1, 1000,
            "Deliveries and reports kept per phone.");
  flags.Duration("sweep_interval", &options->sweep_interval, "How often old records are pruned.");
  flags.String("device_activation_addr", &options->device_activation_addr,
               "host:port of device-activation: who owns a phone without a device layer, and phones' "
               "timelines (deliveries, reports); empty: device layers only, no timeline events.");
  flags.String("firmware_catalog_addr", &options->firmware_catalog_addr,
               "host:port of firmware-catalog, to add the next hop of each phone's upgrade plan to "
               "its profile; empty: none.");
}

absl::Status Run(const Options& options) {
  ASSIGN_OR_RETURN(profile_crypto::Sealer sealer,
                   profile_crypto::Sealer::Create(absl::HexStringToBytes(options.key_encryption_key),
                                                  "onramp device profile keys v1"));
  ASSIGN_OR_RETURN(std::unique_ptr<store::ConnectionPool> pool,
                   store::ConnectionPool::Create(
                       {.url = options.database_url, .size = options.pool_size}));
  RETURN_IF_ERROR(store::Migrate(*pool, "profile", Migrations()).status());
  auto registry = std::make_shared<prometheus::Registry>();
  PostgresProfileStore profile_store(*pool);
  std::unique_ptr<clients::DeviceActivationClient> devices;
  if (!options.device_activation_addr.empty()) {
    devices = std::make_unique<clients::DeviceActivationClient>(options.device_activation_addr,
                                                                 clients::CallPolicy{.deadline = absl::Seconds(2)});
  }
  std::unique_ptr<clients::FirmwareCatalogClient> firmware;
  if (!options.firmware_catalog_addr.empty()) {
    firmware = std::make_unique<clients::FirmwareCatalogClient>(options.firmware_catalog_addr,
                                                                clients::CallPolicy{.deadline = absl::Seconds(2)});
  }
  ProfileRenderServiceImpl service(profile_store, std::move(sealer), *registry,
                                   static_cast<size_t>(options.cache_entries),
                                   options.generation_poll, devices.get(), firmware.get(),
                                   options.tr069_credentials_secret);
  ASSIGN_OR_RETURN(std::unique_ptr<server::Server> server,
                   server::Server::Start(options.server, {&service}, registry));
  server->OnDrain([&service] { service.EndWatches(); });
  server::Periodic sweeper(options.sweep_interval, [&] {
    if (absl::Status pruned = profile_store.Prune(options.keep_deliveries); !pruned.ok()) {
      log::Warn("prune failed", {{"error", std::string(pruned.message())}});
    }
  });
  return server->RunUntilSignalled();
}

}  // namespace onramp::profile
