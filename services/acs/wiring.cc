#include "services/acs/wiring.h"

#include "lib/kit/clients/device_activation_client.h"
#include "lib/kit/clients/profile_render_client.h"
#include "lib/kit/log/log.h"
#include "lib/kit/server/periodic.h"
#include "lib/kit/status/status_macros.h"
#include "lib/kit/store/migrations.h"
#include "lib/kit/store/pool.h"
#include "prometheus/registry.h"
#include "services/acs/migrations.h"
#include "services/acs/service.h"
#include "services/acs/store.h"
#include "services/acs/task_store.h"

namespace onramp::acs {

void RegisterFlags(config::Flags& flags, Options* options) {
  server::RegisterServerFlags(flags, &options->server);
  flags.RequiredString("database_url", &options->database_url,
                       "PostgreSQL URL; the service owns schema \"acs\" in it.");
  flags.Int("pool_size", &options->pool_size, 1, 256, "PostgreSQL connections at most.");
  flags.RequiredString("profile_render_addr", &options->profile_render_addr,
                       "host:port of profile-render, whose profile the ACS sets on each phone.");
  flags.RequiredString("device_activation_addr", &options->device_activation_addr,
                       "host:port of device-activation: who owns a phone, and its timeline.");
  flags.HexSecret("tr069_credentials_secret", &options->tr069_credentials_secret,
                  "Secret: 32+ bytes in hex; each phone's ACS and connection-request passwords are derived from it "
                  "and the phone's MAC (profile-render must have the same one to hand phones their ACS "
                  "credentials; changing it gives every phone new ones).");
  flags.Duration("session_idle", &options->session_idle,
                 "How long a CWMP session a phone stopped answering is kept.");
}

absl::Status Run(const Options& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<store::ConnectionPool> pool,
                   store::ConnectionPool::Create({.url = options.database_url, .size = options.pool_size}));
  RETURN_IF_ERROR(store::Migrate(*pool, "acs", Migrations()).status());
  auto registry = std::make_shared<prometheus::Registry>();
  PostgresSessionStore sessions(*pool);
  PostgresTaskStore tasks(*pool);
  clients::ProfileRenderClient profiles(options.profile_render_addr, {.deadline = absl::Seconds(2)});
  clients::DeviceActivationClient devices(options.device_activation_addr, {.deadline = absl::Seconds(2)});
  HttpConnectionRequester requester;
  AcsServiceImpl service(sessions, tasks, profiles, devices, requester,
                         {.tr069_credentials_secret = options.tr069_credentials_secret});
  ASSIGN_OR_RETURN(std::unique_ptr<server::Server> server, server::Server::Start(options.server, {&service}, registry));
  server::Periodic sweeper(options.session_idle, [&] {
    if (absl::StatusOr<int> expired = sessions.Expire(options.session_idle); !expired.ok()) {
      log::Warn("session sweep failed", {{"error", std::string(expired.status().message())}});
    }
  });
  return server->RunUntilSignalled();
}

}  // namespace onramp::acs
