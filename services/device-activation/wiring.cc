#include "services/device-activation/wiring.h"

#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/kit/clients/profile_render_client.h"
#include "lib/kit/log/log.h"
#include "lib/kit/server/periodic.h"
#include "lib/kit/status/status_macros.h"
#include "lib/kit/store/migrations.h"
#include "lib/kit/store/pool.h"
#include "prometheus/registry.h"
#include "services/device-activation/migrations.h"

namespace onramp::device {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& flag, const std::string& path) {
  std::ifstream file(path);
  if (!file) return absl::FailedPreconditionError(absl::StrCat("--", flag, ": cannot read ", path));
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

}  // namespace

void RegisterFlags(config::Flags& flags, Options* options) {
  server::RegisterServerFlags(flags, &options->server);
  flags.RequiredString("database_url", &options->database_url,
                       "PostgreSQL URL; the service owns schema \"device\" in it.");
  flags.Int("pool_size", &options->pool_size, 1, 256, "PostgreSQL connections at most.");
  flags.RequiredString("ca_cert_file", &options->ca_cert_file,
                       "PEM certificate of the onboarding CA that signs device certificates.");
  flags.RequiredString("ca_key_file", &options->ca_key_file,
                       "Secret: PEM private key of the onboarding CA.");
  flags.RequiredString("profile_render_addr", &options->profile_render_addr,
                       "host:port of profile-render, which hands proven phones their profile keys and forgets "
                       "released ones.");
  flags.Duration("certificate_validity", &options->service.certificate_validity,
                 "Lifetime of a device certificate.");
  flags.Int("limit_misses_per_source", &options->limits.misses_per_source, 1, 1000000,
            "Unknown-phone lookups and unknown short codes allowed per source per window.");
  flags.Duration("limit_window", &options->limits.window, "The rate-limit window.");
  flags.Duration("sweep_interval", &options->sweep_interval,
                 "How often ended limiter windows and expired credentials are dropped.");
  flags.HexSecret("webhook_key_encryption_key", &options->webhook_key_encryption_key,
                  "Secret: 32+ bytes in hex; seals partners' webhook secrets at rest (changing it voids them: "
                  "partners make their webhooks again).");
  flags.Duration("webhook_poll_interval", &options->webhook_poll_interval,
                 "How often partners' queued webhook events are looked for and sent.");
  flags.Duration("webhook_timeout", &options->webhooks.timeout, "How long a webhook endpoint has to answer.");
  flags.Duration("webhook_retry_base", &options->webhooks.retry_base,
                 "The wait before a failed webhook delivery's second attempt; it doubles after each.");
  flags.Duration("webhook_max_retry_delay", &options->webhooks.max_retry_delay,
                 "The longest wait between a webhook delivery's attempts.");
  flags.Duration("webhook_give_up_after", &options->webhooks.give_up_after,
                 "How old an undelivered webhook event gets before it is given up on.");
  flags.String("webhook_ca_file", &options->webhooks.ca_file,
               "PEM CA webhook endpoints' certificates must chain to (default: the system's).");
  flags.Bool("webhook_allow_private_addresses", &options->webhooks.allow_private_addresses,
             "Let webhook endpoints be on private, loopback or link-local addresses (a local fleet only: "
             "otherwise a partner's URL could reach into the operator's network).");
}

absl::Status Run(const Options& options) {
  ASSIGN_OR_RETURN(std::string ca_cert, ReadFile("ca_cert_file", options.ca_cert_file));
  ASSIGN_OR_RETURN(std::string ca_key, ReadFile("ca_key_file", options.ca_key_file));
  ASSIGN_OR_RETURN(std::unique_ptr<pki::CertificateAuthority> ca,
                   pki::CertificateAuthority::Load(ca_cert, ca_key));
  ASSIGN_OR_RETURN(std::unique_ptr<store::ConnectionPool> pool,
                   store::ConnectionPool::Create(
                       {.url = options.database_url, .size = options.pool_size}));
  RETURN_IF_ERROR(store::Migrate(*pool, "device", Migrations()).status());

  auto registry = std::make_shared<prometheus::Registry>();
  PostgresDeviceStore device_store(*pool, options.limits);
  clients::ProfileRenderClient profiles(options.profile_render_addr, {.deadline = absl::Seconds(2)});
  DeviceActivationServiceImpl service(device_store, *ca, options.service, *registry, &profiles);
  PostgresApiKeyStore api_key_store(*pool);
  ApiKeyServiceImpl api_keys(api_key_store);
  ASSIGN_OR_RETURN(profile_crypto::Sealer webhook_sealer,
                   profile_crypto::Sealer::Create(absl::HexStringToBytes(options.webhook_key_encryption_key),
                                                  "webhook-secrets"));
  PostgresWebhookStore webhook_store(*pool);
  WebhookServiceImpl webhooks(webhook_store, webhook_sealer);
  ASSIGN_OR_RETURN(std::unique_ptr<server::Server> server,
                   server::Server::Start(options.server, {&service, &api_keys, &webhooks}, registry));
  WebhookDispatcher dispatcher(webhook_store, webhook_sealer, options.webhooks, *registry);
  server::Periodic webhook_sender(options.webhook_poll_interval, [&] {
    if (absl::StatusOr<int> sent = dispatcher.RunOnce(); !sent.ok()) {
      log::Warn("webhook sending failed", {{"error", std::string(sent.status().message())}});
    }
  });
  server::Periodic sweeper(options.sweep_interval, [&] {
    if (absl::Status swept = device_store.Sweep(); !swept.ok()) {
      log::Warn("sweep failed", {{"error", std::string(swept.message())}});
    }
  });
  return server->RunUntilSignalled();
}

}  // namespace onramp::device
