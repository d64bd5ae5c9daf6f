#ifndef ONRAMP_SERVICES_DEVICE_ACTIVATION_API_KEY_STORE_H_
#define ONRAMP_SERVICES_DEVICE_ACTIVATION_API_KEY_STORE_H_

// Partners' API keys in PostgreSQL (table device.api_keys): the only place
// that speaks SQL for them. A key is kept as its secret's SHA-256.

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

 private:
  store::ConnectionPool& pool_;
};

}  // namespace onramp::device

#endif  // ONRAMP_SERVICES_DEVICE_ACTIVATION_API_KEY_STORE_H_
