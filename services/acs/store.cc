#include "services/acs/store.h"

#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/kit/store/transaction.h"
#include "pqxx/pqxx"

namespace onramp::acs {

using store::Transact;

absl::Status PostgresSessionStore::Put(const std::string& id, const v1::SessionState& state) {
  return Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    tx.exec_params("INSERT INTO acs.sessions (id, mac, state) VALUES ($1, $2, $3) "
                   "ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = now()",
                   id, state.mac(), absl::Base64Escape(state.SerializeAsString()));
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::SessionState> PostgresSessionStore::Get(const std::string& id) {
  std::optional<v1::SessionState> state;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    state.reset();
    pqxx::result rows = tx.exec_params("SELECT state FROM acs.sessions WHERE id = $1", id);
    if (rows.empty()) return absl::OkStatus();
    std::string bytes;
    v1::SessionState parsed;
    if (!absl::Base64Unescape(rows[0][0].as<std::string>(), &bytes) || !parsed.ParseFromString(bytes)) {
      return absl::DataLossError(absl::StrCat("session ", id, " does not read back"));
    }
    state = std::move(parsed);
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  if (!state) return absl::NotFoundError("no such CWMP session");
  return *state;
}

absl::StatusOr<int> PostgresSessionStore::Expire(absl::Duration idle) {
  int expired = 0;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    expired = static_cast<int>(
        tx.exec_params("DELETE FROM acs.sessions WHERE updated_at < now() - make_interval(secs => $1)",
                       absl::ToDoubleSeconds(idle))
            .affected_rows());
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return expired;
}

}  // namespace onramp::acs
