#ifndef ONRAMP_LIB_KIT_STORE_TRANSACTION_H_
#define ONRAMP_LIB_KIT_STORE_TRANSACTION_H_

// Runs a function inside one PostgreSQL transaction, on a pooled connection,
// with the retries every caller would otherwise write:
//
//   absl::Status status = Transact(pool, [&](pqxx::transaction_base& tx) {
//     tx.exec_params("UPDATE codes SET used_at = now() WHERE id = $1", id);
//     return absl::OkStatus();
//   }, {.isolation = Isolation::kSerializable});
//
// The body's OK commits; its error rolls back and is returned as is. A
// serialization failure or deadlock reruns the body (up to max_attempts, with
// jittered backoff), and so does a connection lost before COMMIT was sent, on
// a fresh connection. A read_only transaction is also rerun when the
// connection is lost at COMMIT: it wrote nothing, so an unknown outcome does
// not matter. So the body must do nothing but database work (or work that is
// safe to repeat). Every libpqxx exception becomes an absl::Status
// (errors.h); none escapes.

#include <functional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lib/kit/store/pool.h"
#include "pqxx/transaction_base"

namespace onramp::store {

enum class Isolation { kReadCommitted, kRepeatableRead, kSerializable };

struct TransactOptions {
  Isolation isolation = Isolation::kReadCommitted;
  // The body only reads, so a connection lost at any point, COMMIT
  // included, is retried. At READ COMMITTED its statements run without a
  // transaction block (the same snapshot per statement, two round trips
  // less); at a stronger isolation in a READ ONLY one, which the server
  // enforces (a write is FAILED_PRECONDITION).
  bool read_only = false;
  int max_attempts = 5;
  // Upper bound of the first retry's random backoff; doubles per attempt.
  absl::Duration backoff = absl::Milliseconds(10);
};

using TransactionBody = std::function<absl::Status(pqxx::transaction_base&)>;

absl::Status Transact(ConnectionPool& pool, const TransactionBody& body,
                      const TransactOptions& options = {});

}  // namespace onramp::store

#endif  // ONRAMP_LIB_KIT_STORE_TRANSACTION_H_
