#ifndef ONRAMP_SERVICES_DEVICE_ACTIVATION_API_KEY_STORE_H_
#define ONRAMP_SERVICES_DEVICE_ACTIVATION_API_KEY_STORE_H_

// Partners' API keys and the console sessions started with them in
// PostgreSQL (tables device.api_keys, device.console_sessions): the only
// place that speaks SQL for them. Each is kept as its secret's SHA-256.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/kit/store/pool.h"

namespace onramp::device {

struct ApiKeyRecord {
  std::string id;  // 16 hex digits
  std::string partner;
  std::string name;
  absl::Time created;
  std::optional<absl::Time> revoked;
};

// A partner console session (device.console_sessions): stands for the key
// it was started with.
struct ConsoleSessionRecord {
  std::string id;  // 16 hex digits
  std::string partner;
  std::string api_key_id;
  absl::Time started;
  absl::Time expires;
};

class ApiKeyStore {
 public:
  virtual ~ApiKeyStore() = default;

  virtual absl::StatusOr<ApiKeyRecord> Create(const std::string& id, const std::string& partner,
                                              const std::string& name, const std::string& secret_sha256) = 0;
  // The partner's keys by id, and the next page's token ("" at the end).
  virtual absl::StatusOr<std::pair<std::vector<ApiKeyRecord>, std::string>> List(const std::string& partner,
                                                                                 int page_size,
                                                                                 const std::string& page_token) = 0;
  // NOT_FOUND unless the partner's; revoking twice keeps the first time.
  virtual absl::StatusOr<ApiKeyRecord> Revoke(const std::string& partner, const std::string& id) = 0;
  // The key and its secret's SHA-256; nullopt when there is none.
  virtual absl::StatusOr<std::optional<std::pair<ApiKeyRecord, std::string>>> Find(const std::string& id) = 0;

  // A new session for key `api_key_id`, expiring `idle` from now; sessions
  // over for a day are deleted on the way.
  virtual absl::StatusOr<ConsoleSessionRecord> StartSession(const std::string& id, const std::string& api_key_id,
                                                            const std::string& secret_sha256,
                                                            absl::Duration idle) = 0;
  // The live session `id` (not ended, not expired, its key not revoked) and
  // its secret's SHA-256; nullopt when there is none.
  virtual absl::StatusOr<std::optional<std::pair<ConsoleSessionRecord, std::string>>> FindLiveSession(
      const std::string& id) = 0;
  // A use: the session now expires `idle` from now, but never later than
  // `lifetime` after it started.
  virtual absl::StatusOr<ConsoleSessionRecord> TouchSession(const std::string& id, absl::Duration idle,
                                                            absl::Duration lifetime) = 0;
  // Ends it now (nothing when there is no such live session).
  virtual absl::Status EndSession(const std::string& id) = 0;
};

class PostgresApiKeyStore final : public ApiKeyStore {
 public:
  explicit PostgresApiKeyStore(store::ConnectionPool& pool) : pool_(pool) {}

  absl::StatusOr<ApiKeyRecord> Create(const std::string& id, const std::string& partner, const std::string& name,
                                      const std::string& secret_sha256) override;
  absl::StatusOr<std::pair<std::vector<ApiKeyRecord>, std::string>> List(const std::string& partner, int page_size,
                                                                         const std::string& page_token) override;
  absl::StatusOr<ApiKeyRecord> Revoke(const std::string& partner, const std::string& id) override;
  absl::StatusOr<std::optional<std::pair<ApiKeyRecord, std::string>>> Find(const std::string& id) override;
  absl::StatusOr<ConsoleSessionRecord> StartSession(const std::string& id, const std::string& api_key_id,
                                                    const std::string& secret_sha256, absl::Duration idle) override;
  absl::StatusOr<std::optional<std::pair<ConsoleSessionRecord, std::string>>> FindLiveSession(
      const std::string& id) override;
  absl::StatusOr<ConsoleSessionRecord> TouchSession(const std::string& id, absl::Duration idle,
                                                    absl::Duration lifetime) override;
  absl::Status EndSession(const std::string& id) override;

 private:
  store::ConnectionPool& pool_;
};

}  // namespace onramp::device

#endif  // ONRAMP_SERVICES_DEVICE_ACTIVATION_API_KEY_STORE_H_
