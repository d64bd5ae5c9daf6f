#include "lib/store/transaction.h"

#include <memory>
#include <random>

#include "absl/strings/str_cat.h"
#include "lib/store/errors.h"
#include "pqxx/except"
#include "pqxx/transaction"

namespace onramp::store {
namespace {

std::unique_ptr<pqxx::transaction_base> Begin(pqxx::connection& connection,
                                              Isolation isolation) {
  switch (isolation) {
    case Isolation::kSerializable:
      return std::make_unique<pqxx::transaction<pqxx::serializable>>(connection);
    case Isolation::kRepeatableRead:
      return std::make_unique<pqxx::transaction<pqxx::repeatable_read>>(connection);
    case Isolation::kReadCommitted:
      break;
  }
  return std::make_unique<pqxx::transaction<pqxx::read_committed>>(connection);
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

Attempt TryOnce(ConnectionPool& pool, const TransactionBody& body, Isolation isolation) {
  absl::StatusOr<ConnectionPool::Lease> lease = pool.Acquire();
  // A pool that cannot connect is worth another try: the server may be back.
  if (!lease.ok()) return {lease.status(), lease.status().code() == absl::StatusCode::kUnavailable};
  bool committing = false;
  try {
    std::unique_ptr<pqxx::transaction_base> tx = Begin(lease->connection(), isolation);
    absl::Status status = body(*tx);
    if (!status.ok()) {
      tx->abort();
      return {status, false};
    }
    committing = true;
    tx->commit();
    return {absl::OkStatus(), false};
  } catch (const pqxx::in_doubt_error&) {
    lease->Discard();
    return {StatusFromCurrentException(), false};
  } catch (const pqxx::broken_connection&) {
    lease->Discard();
    // Lost before COMMIT went out: nothing was written, a rerun is safe.
    return {StatusFromCurrentException(), !committing};
  } catch (const pqxx::transaction_rollback&) {
    return {StatusFromCurrentException(), true};
  } catch (...) {
    absl::Status status = StatusFromCurrentException();
    if (status.code() == absl::StatusCode::kUnavailable) lease->Discard();
    return {status, status.code() == absl::StatusCode::kAborted};
  }
}

}  // namespace

absl::Status Transact(ConnectionPool& pool, const TransactionBody& body,
                      const TransactOptions& options) {
  absl::Status last;
  for (int attempt = 0; attempt < options.max_attempts; ++attempt) {
    if (attempt > 0) absl::SleepFor(Backoff(options.backoff, attempt - 1));
    Attempt result = TryOnce(pool, body, options.isolation);
    if (!result.retryable) return result.status;
    last = result.status;
  }
  return absl::Status(last.code(), absl::StrCat(last.message(), " (after ",
                                                options.max_attempts, " attempts)"));
}

}  // namespace onramp::store
