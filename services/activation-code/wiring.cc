#include "services/activation-code/wiring.h"


#include "absl/strings/escaping.h"
#include "lib/kit/log/log.h"
#include "lib/kit/server/periodic.h"
#include "lib/kit/status/status_macros.h"
#include "lib/kit/store/migrations.h"
#include "lib/kit/store/pool.h"
#include "prometheus/registry.h"
#include "services/activation-code/migrations.h"

namespace onramp::activation {

void RegisterFlags(config::Flags& flags, Options* options) {
  server::RegisterServerFlags(flags, &options->server);
  flags.RequiredString("database_url", &options->database_url,
                       "PostgreSQL URL; the service owns schema \"activation\" in it.");
  flags.Int("pool_size", &options->pool_size, 1, 256, "PostgreSQL connections at most.");
  flags.HexSecret("code_hash_key", &options->code_hash_key,
                  "Secret: 64 or more hex digits; codes are stored as HMAC-SHA-256 under it. "
                  "Changing it makes every existing code unredeemable.");
  flags.Duration("sweep_interval", &options->sweep_interval,
                 "How often expired codes are marked and old limiter windows dropped.");
  flags.Int("limit_per_source", &options->service.limits.per_source, 1, 1000000,
            "Failed redemptions allowed per source address per window.");
  flags.Int("limit_per_mac", &options->service.limits.per_mac, 1, 1000000,
            "Failed redemptions allowed per MAC address per window.");
  flags.Int("limit_per_code", &options->service.limits.per_code, 1, 1000000,
            "Failed redemptions of one existing code (used, revoked, expired, another phone's) per window.");
  flags.Duration("redeem_replay_window", &options->service.limits.replay_window,
                 "How long the phone that redeemed a code gets the same answer again (its answer was lost).");
  flags.Duration("limit_window", &options->service.limits.window,
                 "The rate-limit window (fixed windows aligned to the epoch).");
  flags.Duration("default_expiry", &options->service.default_expiry,
                 "Lifetime of a code when CreateCodes gives none.");
  flags.Check([options]() -> absl::Status {
    if (options->service.limits.window < absl::Seconds(1)) {
      return absl::InvalidArgumentError("--limit_window must be at least 1s");
    }
    return absl::OkStatus();
  });
}

absl::Status Run(const Options& options) {
  const std::string key = absl::HexStringToBytes(options.code_hash_key);  // checked by its flag
  ASSIGN_OR_RETURN(CodeHasher hasher, CodeHasher::Create(key));
  ASSIGN_OR_RETURN(BatchSealer sealer, BatchSealer::Create(key));
  ASSIGN_OR_RETURN(std::unique_ptr<store::ConnectionPool> pool,
                   store::ConnectionPool::Create(
                       {.url = options.database_url, .size = options.pool_size}));
  ASSIGN_OR_RETURN(store::MigrationResult migrated,
                   store::Migrate(*pool, "activation", Migrations()));
  (void)migrated;

  auto registry = std::make_shared<prometheus::Registry>();
  PostgresCodeStore code_store(*pool);
  ActivationCodeServiceImpl service(code_store, std::move(hasher), std::move(sealer),
                                    options.service, *registry);
  ASSIGN_OR_RETURN(std::unique_ptr<server::Server> server,
                   server::Server::Start(options.server, {&service}, registry));

  server::Periodic sweeper(options.sweep_interval, [&] {
    absl::StatusOr<CodeStore::SweepResult> swept = code_store.Sweep(options.service.limits.window);
    if (!swept.ok()) {
      log::Warn("sweep failed", {{"error", std::string(swept.status().message())}});
    } else if (swept->expired > 0) {
      log::Info("codes expired", {{"count", swept->expired}});
    }
  });
  return server->RunUntilSignalled();
}

}  // namespace onramp::activation
