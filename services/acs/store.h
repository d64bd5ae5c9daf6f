#ifndef ONRAMP_SERVICES_ACS_STORE_H_
#define ONRAMP_SERVICES_ACS_STORE_H_

// The only place that speaks SQL for the ACS (schema "acs"): sessions
// between a phone's POSTs, so that any replica takes the next one.

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/kit/store/pool.h"
#include "onramp/acs/v1/acs.pb.h"

namespace onramp::acs {

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  virtual absl::Status Put(const std::string& id, const v1::SessionState& state) = 0;
  // NOT_FOUND for a session that expired or never was.
  virtual absl::StatusOr<v1::SessionState> Get(const std::string& id) = 0;
  // Forgets sessions idle longer than `idle`; how many.
  virtual absl::StatusOr<int> Expire(absl::Duration idle) = 0;
};

class PostgresSessionStore final : public SessionStore {
 public:
  explicit PostgresSessionStore(store::ConnectionPool& pool) : pool_(pool) {}
  absl::Status Put(const std::string& id, const v1::SessionState& state) override;
  absl::StatusOr<v1::SessionState> Get(const std::string& id) override;
  absl::StatusOr<int> Expire(absl::Duration idle) override;

 private:
  store::ConnectionPool& pool_;
};

}  // namespace onramp::acs

#endif  // ONRAMP_SERVICES_ACS_STORE_H_
