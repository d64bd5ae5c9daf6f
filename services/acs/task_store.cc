#include "services/acs/task_store.h"

#include <limits>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "lib/kit/proto/messages.h"
#include "lib/kit/status/status_macros.h"
#include "lib/kit/store/page_token.h"
#include "lib/kit/store/transaction.h"
#include "pqxx/pqxx"

namespace onramp::acs {

namespace {

using store::Transact;

// The state column, for the open-task index.
std::string StateText(v1::TaskState state) {
  switch (state) {
    case v1::TASK_STATE_SENT: return "sent";
    case v1::TASK_STATE_DONE: return "done";
    case v1::TASK_STATE_FAILED: return "failed";
    case v1::TASK_STATE_DOWNLOADING: return "downloading";
    default: return "queued";
  }
}

std::string Encode(const v1::Task& task) { return absl::Base64Escape(task.SerializeAsString()); }

// A row of (task, created micros, seq, connection request) as the Task it holds.
absl::StatusOr<v1::Task> Decode(const pqxx::row& row) {
  std::string bytes;
  v1::Task task;
  if (!absl::Base64Unescape(row[0].as<std::string>(), &bytes) || !task.ParseFromString(bytes)) {
    return absl::DataLossError("a task does not read back");
  }
  proto::SetTimestamp(absl::FromUnixMicros(row[1].as<int64_t>()), task.mutable_create_time());
  task.set_connection_request(row[3].as<std::string>());
  return task;
}

constexpr char kColumns[] = "task, (extract(epoch FROM created_at) * 1000000)::bigint, seq, connection_request";

}  // namespace

absl::StatusOr<v1::Task> PostgresTaskStore::Create(v1::Task task, const std::string& idempotency_key) {
  task.set_state(v1::TASK_STATE_QUEUED);
  std::optional<v1::Task> stored;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    stored.reset();
    pqxx::result inserted = tx.exec_params(
        absl::StrCat("INSERT INTO acs.tasks (id, partner, mac, state, task, idempotency_key) "
                     "VALUES ($1::uuid, $2, $3, 'queued', $4, nullif($5, '')) "
                     "ON CONFLICT (partner, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING "
                     "RETURNING ", kColumns),
        task.id(), task.partner(), task.mac().value(), Encode(task), idempotency_key);
    pqxx::result rows = !inserted.empty()
                            ? inserted
                            : tx.exec_params(absl::StrCat("SELECT ", kColumns, " FROM acs.tasks "
                                                          "WHERE partner = $1 AND idempotency_key = $2"),
                                             task.partner(), idempotency_key);
    if (rows.empty()) return absl::InternalError("a task neither stored nor found");
    ASSIGN_OR_RETURN(stored, Decode(rows[0]));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return *stored;
}

absl::StatusOr<v1::Task> PostgresTaskStore::Get(const std::string& partner, const std::string& id) {
  std::optional<v1::Task> task;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    task.reset();
    pqxx::result rows = tx.exec_params(
        absl::StrCat("SELECT ", kColumns, " FROM acs.tasks WHERE id::text = $1 AND partner = $2"), id, partner);
    if (!rows.empty()) {
      ASSIGN_OR_RETURN(task, Decode(rows[0]));
    }
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  if (!task) return absl::NotFoundError(absl::StrCat("no task ", id));
  return *task;
}

absl::StatusOr<std::pair<std::vector<v1::Task>, std::string>> PostgresTaskStore::List(const std::string& partner,
                                                                                     const std::string& mac,
                                                                                     int page_size,
                                                                                     const std::string& page_token) {
  ASSIGN_OR_RETURN(std::string after, store::PositionOf(page_token));
  int64_t before_seq = std::numeric_limits<int64_t>::max();
  if (!after.empty() && !absl::SimpleAtoi(after, &before_seq)) return store::NotAPageToken();
  std::vector<v1::Task> tasks;
  int64_t last_seq = 0;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    tasks.clear();
    for (const pqxx::row& row : tx.exec_params(
             absl::StrCat("SELECT ", kColumns, " FROM acs.tasks WHERE partner = $1 AND mac = $2 AND seq < $3 "
                          "ORDER BY seq DESC LIMIT $4"),
             partner, mac, before_seq, page_size + 1)) {
      ASSIGN_OR_RETURN(v1::Task task, Decode(row));
      if (static_cast<int>(tasks.size()) < page_size) last_seq = row[2].as<int64_t>();
      tasks.push_back(std::move(task));
    }
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  std::string next;
  if (static_cast<int>(tasks.size()) > page_size) {
    tasks.resize(page_size);
    next = store::PageTokenAfter(absl::StrCat(last_seq));
  }
  return std::make_pair(std::move(tasks), std::move(next));
}

absl::StatusOr<std::vector<v1::Task>> PostgresTaskStore::Open(const std::string& mac) {
  std::vector<v1::Task> tasks;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    tasks.clear();
    // Bounded: a phone's session carries at most this many tasks; the rest
    // wait for the next one.
    for (const pqxx::row& row : tx.exec_params(
             absl::StrCat("SELECT ", kColumns, " FROM acs.tasks WHERE mac = $1 AND state IN ('queued', 'sent') "
                          "ORDER BY seq LIMIT 32"),
             mac)) {
      ASSIGN_OR_RETURN(v1::Task task, Decode(row));
      tasks.push_back(std::move(task));
    }
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  return tasks;
}

absl::StatusOr<std::optional<v1::Task>> PostgresTaskStore::FindDownloading(const std::string& mac,
                                                                           const std::string& id_prefix) {
  // A UUID's characters only: nothing a LIKE pattern would read otherwise.
  if (id_prefix.empty() || id_prefix.find_first_not_of("0123456789abcdef-") != std::string::npos) {
    return std::optional<v1::Task>();
  }
  std::optional<v1::Task> task;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    task.reset();
    pqxx::result rows = tx.exec_params(
        absl::StrCat("SELECT ", kColumns, " FROM acs.tasks WHERE mac = $1 AND state = 'downloading' "
                     "AND id::text LIKE $2 || '%' ORDER BY seq LIMIT 1"),
        mac, id_prefix);
    if (!rows.empty()) {
      ASSIGN_OR_RETURN(task, Decode(rows[0]));
    }
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  return task;
}

absl::Status PostgresTaskStore::Update(const v1::Task& task) {
  return Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    tx.exec_params("UPDATE acs.tasks SET state = $2, task = $3 WHERE id::text = $1", task.id(),
                   StateText(task.state()), Encode(task));
    return absl::OkStatus();
  });
}

absl::Status PostgresTaskStore::SetConnectionRequest(const std::string& id, const std::string& outcome) {
  return Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    tx.exec_params("UPDATE acs.tasks SET connection_request = $2 WHERE id::text = $1", id, outcome);
    return absl::OkStatus();
  });
}

absl::Status PostgresTaskStore::PutPhone(const std::string& mac, const PhoneAddress& address) {
  return Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    tx.exec_params(
        "INSERT INTO acs.phones (mac, connection_request_url, source_address) VALUES ($1, $2, $3) "
        "ON CONFLICT (mac) DO UPDATE SET connection_request_url = excluded.connection_request_url, "
        "source_address = excluded.source_address, updated_at = now() "
        // Every Inform tells it; only a change is written.
        "WHERE (acs.phones.connection_request_url, acs.phones.source_address) IS DISTINCT FROM "
        "(excluded.connection_request_url, excluded.source_address)",
        mac, address.connection_request_url, address.source_address);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<PhoneAddress>> PostgresTaskStore::GetPhone(const std::string& mac) {
  std::optional<PhoneAddress> address;
  absl::Status status = Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    address.reset();
    pqxx::result rows =
        tx.exec_params("SELECT connection_request_url, source_address FROM acs.phones WHERE mac = $1", mac);
    if (!rows.empty()) address = PhoneAddress{rows[0][0].as<std::string>(), rows[0][1].as<std::string>()};
    return absl::OkStatus();
  }, {.read_only = true});
  if (!status.ok()) return status;
  return address;
}

}  // namespace onramp::acs
