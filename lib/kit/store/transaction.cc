#include "lib/kit/store/transaction.h"

#include <memory>
#include <random>

#include "absl/strings/str_cat.h"
#include "lib/kit/store/errors.h"
#include "pqxx/except"
#include "pqxx/nontransaction"
#include "pqxx/transaction"

namespace onramp::store {
namespace {

template <pqxx::readwrite_policy kWrites>
std::unique_ptr<pqxx::transaction_base> BeginWith(pqxx::connection& connection,
                                                  Isolation isolation) {
  switch (isolation) {
    case Isolation::kSerializable:
      return std::make_unique<pqxx::transaction<pqxx::serializable, kWrites>>(connection);
    case Isolation::kRepeatableRead:
      return std::make_unique<pqxx::transaction<pqxx::repeatable_read, kWrites>>(connection);
    case Isolation::kReadCommitted:
      break;
  }
  return std::make_unique<pqxx::transaction<pqxx::read_committed, kWrites>>(connection);
}

std::unique_ptr<pqxx::transaction_base> Begin(pqxx::connection& connection,
                                              const TransactOptions& options) {
  if (!options.read_only) return BeginWith<pqxx::read_write>(connection, options.isolation);
  // Reads at READ COMMITTED take a snapshot per statement inside a block as
  // outside one: without BEGIN and COMMIT they cost two round trips less.
  if (options.isolation == Isolation::kReadCommitted) return std::make_unique<pqxx::nontransaction>(connection);
  return BeginWith<pqxx::read_only>(connection, options.isolation);
}

absl::Duration Backoff(absl::Duration base, int attempt) {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  int64_t max_us = absl::ToInt64Microseconds(base) << std::min(attempt, 10);
  std::uniform_int_distribution<int64_t> jitter(0, std::max<int64_t>(max_us, 1));
  return absl::Microseconds(jitter(generator));
}

// One try: the outcome, and whether trying again may succeed.
struct Attempt {
  absl::Status status;
  bool retryable = false;
};

Attempt TryOnce(ConnectionPool& pool, const TransactionBody& body,
                const TransactOptions& options) {
  absl::StatusOr<ConnectionPool::Lease> lease = pool.Acquire();
  // A pool that cannot connect is worth another try: the server may be back.
  if (!lease.ok()) return {lease.status(), lease.status().code() == absl::StatusCode::kUnavailable};
  bool committing = false;
  // A connection lost before COMMIT went out wrote nothing; one lost at
  // COMMIT may have written, unless the transaction could not write at all.
  auto lost = [&] {
    lease->Discard();
    return Attempt{StatusFromCurrentException(), !committing || options.read_only};
  };
  try {
    std::unique_ptr<pqxx::transaction_base> tx = Begin(lease->connection(), options);
    absl::Status status = body(*tx);
    if (!status.ok()) {
      tx->abort();
      return {status, false};
    }
    committing = true;
    tx->commit();
    return {absl::OkStatus(), false};
  } catch (const pqxx::in_doubt_error&) {
    return lost();
  } catch (const pqxx::broken_connection&) {
    return lost();
  } catch (const pqxx::transaction_rollback&) {
    return {StatusFromCurrentException(), true};
  } catch (...) {
    absl::Status status = StatusFromCurrentException();
    // The server going away (57P01 and friends) is a lost connection too.
    if (status.code() == absl::StatusCode::kUnavailable) return lost();
    return {status, status.code() == absl::StatusCode::kAborted};
  }
}

}  // namespace

absl::Status Transact(ConnectionPool& pool, const TransactionBody& body,
                      const TransactOptions& options) {
  absl::Status last;
  for (int attempt = 0; attempt < options.max_attempts; ++attempt) {
    if (attempt > 0) absl::SleepFor(Backoff(options.backoff, attempt - 1));
    Attempt result = TryOnce(pool, body, options);
    if (!result.retryable) return result.status;
    last = result.status;
  }
  return absl::Status(last.code(), absl::StrCat(last.message(), " (after ",
                                                options.max_attempts, " attempts)"));
}

}  // namespace onramp::store
