#include "services/device-activation/api_key_store.h"

#include "absl/strings/str_cat.h"
#include "lib/kit/status/status_macros.h"
#include "lib/kit/store/page_token.h"
#include "lib/kit/store/transaction.h"
#include "pqxx/pqxx"

namespace onramp::device {
namespace {

using store::Transact;

constexpr char kColumns[] =
    "id, partner, name, (extract(epoch FROM create_time) * 1000000)::bigint, "
    "(extract(epoch FROM revoke_time) * 1000000)::bigint";

ApiKeyRecord FromRow(const pqxx::row& row) {
  ApiKeyRecord key{.id = row[0].as<std::string>(),
                   .partner = row[1].as<std::string>(),
                   .name = row[2].as<std::string>(),
                   .created = absl::FromUnixMicros(row[3].as<int64_t>())};
  if (!row[4].is_null()) key.revoked = absl::FromUnixMicros(row[4].as<int64_t>());
  return key;
}

// The session columns, from device.console_sessions s joined with its key k.
constexpr char kSessionColumns[] =
    "s.id, k.partner, s.api_key_id, (extract(epoch FROM s.start_time) * 1000000)::bigint, "
    "(extract(epoch FROM s.expire_time) * 1000000)::bigint";

ConsoleSessionRecord SessionFromRow(const pqxx::row& row) {
  return ConsoleSessionRecord{.id = row[0].as<std::string>(),
                              .partner = row[1].as<std::string>(),
                              .api_key_id = row[2].as<std::string>(),
                              .started = absl::FromUnixMicros(row[3].as<int64_t>()),
                              .expires = absl::FromUnixMicros(row[4].as<int64_t>())};
}

}  // namespace

absl::StatusOr<ApiKeyRecord> PostgresApiKeyStore::Create(const std::string& id, const std::string& partner,
                                                         const std::string& name, const std::string& secret_sha256) {
  ApiKeyRecord created;
  RETURN_IF_ERROR(Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    created = FromRow(tx.exec_params1(
        absl::StrCat("INSERT INTO device.api_keys (id, partner, name, secret_sha256) VALUES ($1, $2, $3, $4) "
                     "RETURNING ",
                     kColumns),
        id, partner, name, secret_sha256));
    return absl::OkStatus();
  }));
  return created;
}

absl::StatusOr<std::pair<std::vector<ApiKeyRecord>, std::string>> PostgresApiKeyStore::List(
    const std::string& partner, int page_size, const std::string& page_token) {
  ASSIGN_OR_RETURN(std::string after, store::PositionOf(page_token));
  std::vector<ApiKeyRecord> keys;
  RETURN_IF_ERROR(Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    keys.clear();
    for (const pqxx::row& row : tx.exec_params(
             absl::StrCat("SELECT ", kColumns,
                          " FROM device.api_keys WHERE partner = $1 AND id > $2 ORDER BY id LIMIT $3"),
             partner, after, page_size + 1)) {
      keys.push_back(FromRow(row));
    }
    return absl::OkStatus();
  }, {.read_only = true}));
  std::string next;
  if (keys.size() > static_cast<size_t>(page_size)) {
    keys.pop_back();
    next = store::PageTokenAfter(keys.back().id);
  }
  return std::make_pair(std::move(keys), next);
}

absl::StatusOr<ApiKeyRecord> PostgresApiKeyStore::Revoke(const std::string& partner, const std::string& id) {
  std::optional<ApiKeyRecord> revoked;
  RETURN_IF_ERROR(Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    pqxx::result rows = tx.exec_params(
        absl::StrCat("UPDATE device.api_keys SET revoke_time = coalesce(revoke_time, now()) "
                     "WHERE id = $1 AND partner = $2 RETURNING ",
                     kColumns),
        id, partner);
    if (!rows.empty()) revoked = FromRow(rows[0]);
    return absl::OkStatus();
  }));
  if (!revoked) return absl::NotFoundError(absl::StrCat("no API key ", id));
  return *revoked;
}

absl::StatusOr<std::optional<std::pair<ApiKeyRecord, std::string>>> PostgresApiKeyStore::Find(const std::string& id) {
  std::optional<std::pair<ApiKeyRecord, std::string>> found;
  RETURN_IF_ERROR(Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    pqxx::result rows = tx.exec_params(
        absl::StrCat("SELECT ", kColumns, ", secret_sha256 FROM device.api_keys WHERE id = $1"), id);
    if (!rows.empty()) found = std::make_pair(FromRow(rows[0]), rows[0][5].as<std::string>());
    return absl::OkStatus();
  }, {.read_only = true}));
  return found;
}

absl::StatusOr<ConsoleSessionRecord> PostgresApiKeyStore::StartSession(const std::string& id,
                                                                       const std::string& api_key_id,
                                                                       const std::string& secret_sha256,
                                                                       absl::Duration idle) {
  ConsoleSessionRecord started;
  RETURN_IF_ERROR(Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    tx.exec("DELETE FROM device.console_sessions WHERE expire_time < now() - interval '1 day'");
    started = SessionFromRow(tx.exec_params1(
        absl::StrCat("WITH s AS (INSERT INTO device.console_sessions (id, api_key_id, secret_sha256, expire_time) "
                     "VALUES ($1, $2, $3, now() + make_interval(secs => $4)) RETURNING *) "
                     "SELECT ",
                     kSessionColumns, " FROM s JOIN device.api_keys k ON k.id = s.api_key_id"),
        id, api_key_id, secret_sha256, absl::ToDoubleSeconds(idle)));
    return absl::OkStatus();
  }));
  return started;
}

absl::StatusOr<std::optional<std::pair<ConsoleSessionRecord, std::string>>> PostgresApiKeyStore::FindLiveSession(
    const std::string& id) {
  std::optional<std::pair<ConsoleSessionRecord, std::string>> found;
  RETURN_IF_ERROR(Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    pqxx::result rows = tx.exec_params(
        absl::StrCat("SELECT ", kSessionColumns,
                     ", s.secret_sha256 FROM device.console_sessions s JOIN device.api_keys k ON k.id = s.api_key_id "
                     "WHERE s.id = $1 AND s.end_time IS NULL AND s.expire_time > now() AND k.revoke_time IS NULL"),
        id);
    if (!rows.empty()) found = std::make_pair(SessionFromRow(rows[0]), rows[0][5].as<std::string>());
    return absl::OkStatus();
  }, {.read_only = true}));
  return found;
}

absl::StatusOr<ConsoleSessionRecord> PostgresApiKeyStore::TouchSession(const std::string& id, absl::Duration idle,
                                                                       absl::Duration lifetime) {
  std::optional<ConsoleSessionRecord> touched;
  RETURN_IF_ERROR(Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    pqxx::result rows = tx.exec_params(
        absl::StrCat("WITH s AS (UPDATE device.console_sessions SET expire_time = "
                     "least(now() + make_interval(secs => $2), start_time + make_interval(secs => $3)) "
                     "WHERE id = $1 AND end_time IS NULL AND expire_time > now() "
                     "AND start_time + make_interval(secs => $3) > now() RETURNING *) "
                     "SELECT ",
                     kSessionColumns, " FROM s JOIN device.api_keys k ON k.id = s.api_key_id"),
        id, absl::ToDoubleSeconds(idle), absl::ToDoubleSeconds(lifetime));
    if (!rows.empty()) touched = SessionFromRow(rows[0]);
    return absl::OkStatus();
  }));
  if (!touched) return absl::NotFoundError(absl::StrCat("no live console session ", id));
  return *touched;
}

absl::Status PostgresApiKeyStore::EndSession(const std::string& id) {
  return Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    tx.exec_params(
        "UPDATE device.console_sessions SET end_time = now(), expire_time = least(expire_time, now()) "
        "WHERE id = $1 AND end_time IS NULL",
        id);
    return absl::OkStatus();
  });
}

}  // namespace onramp::device
