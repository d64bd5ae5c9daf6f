#include "services/firmware-catalog/wiring.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "lib/kit/clients/device_activation_client.h"
#include "lib/kit/log/log.h"
#include "lib/kit/server/periodic.h"
#include "lib/kit/status/status_macros.h"
#include "lib/kit/store/migrations.h"
#include "lib/kit/store/pool.h"
#include "prometheus/registry.h"
#include "services/firmware-catalog/halt_notices.h"
#include "services/firmware-catalog/migrations.h"

namespace onramp::firmware {

void RegisterFlags(config::Flags& flags, Options* options) {
  server::RegisterServerFlags(flags, &options->server);
  flags.RequiredString("database_url", &options->database_url,
                       "PostgreSQL URL; the service owns schema \"firmware\" in it.");
  flags.Int("pool_size", &options->pool_size, 1, 256, "PostgreSQL connections at most.");
  flags.RequiredString("image_dir", &options->service.image_dir,
                       "Directory of image bytes, named by SHA-256 (a volume in Kubernetes).");
  flags.String("download_base_url", &options->service.download_base_url,
               "Prefix of the Upgrade_Rule URLs handed to phones (the gateway's /firmware/).");
  flags.Int("max_image_bytes", &options->service.max_image_bytes, 1, int64_t{16} << 30,
            "Largest image accepted.");
  flags.String("device_activation_addr", &options->device_activation_addr,
               "host:port of device-activation, which tells partners' webhooks that a rollout halted (empty: "
               "nobody is told).");
  flags.Duration("rollout_sweep_interval", &options->rollout_sweep_interval,
                 "How often running rollouts are advanced and completed (one replica at a time).");
  flags.Duration("plan_cache_ttl", &options->service.plan_cache_ttl,
                 "How long a replica plans upgrades from what it read of a partner's model; "
                 "other replicas' writes reach its plans within this.");
}

absl::Status Run(const Options& options) {
  std::error_code error;
  std::filesystem::create_directories(options.service.image_dir, error);
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("--image_dir ", options.service.image_dir, ": ", error.message()));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<store::ConnectionPool> pool,
                   store::ConnectionPool::Create(
                       {.url = options.database_url, .size = options.pool_size}));
  RETURN_IF_ERROR(store::Migrate(*pool, "firmware", Migrations()).status());
  auto registry = std::make_shared<prometheus::Registry>();
  PostgresCatalogStore catalog(*pool);
  FirmwareCatalogServiceImpl service(catalog, options.service, *registry);
  ASSIGN_OR_RETURN(std::unique_ptr<server::Server> server,
                   server::Server::Start(options.server, {&service}, registry));
  std::unique_ptr<clients::DeviceActivationClient> devices;
  std::unique_ptr<HaltNotices> halt_notices;
  if (options.device_activation_addr.empty()) {
    log::Warn("no --device_activation_addr: partners' webhooks will not hear of halted rollouts", {});
  } else {
    devices = std::make_unique<clients::DeviceActivationClient>(options.device_activation_addr,
                                                                clients::CallPolicy{.deadline = absl::Seconds(2)});
    halt_notices = std::make_unique<HaltNotices>(catalog, *devices);
  }
  server::Periodic sweeper(options.rollout_sweep_interval, [&] {
    absl::StatusOr<int> advanced = catalog.AdvanceRollouts(options.service.now());
    if (!advanced.ok()) {
      log::Warn("rollout sweep failed", {{"error", std::string(advanced.status().message())}});
    } else if (*advanced > 0) {
      log::Info("rollouts advanced", {{"count", *advanced}});
    }
    if (halt_notices == nullptr) return;
    if (absl::Status told = halt_notices->SendUntold(); !told.ok()) {
      log::Warn("halted rollouts not told yet", {{"error", std::string(told.message())}});
    }
  });
  return server->RunUntilSignalled();
}

}  // namespace onramp::firmware
