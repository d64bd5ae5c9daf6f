#include "lib/kit/store/errors.h"

#include <atomic>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/status_matchers.h"
#include "lib/kit/store/pool.h"
#include "lib/kit/store/testing/database_test.h"
#include "lib/kit/store/transaction.h"
#include "pqxx/pqxx"

namespace onramp::store {
namespace {

using ::onramp::status::IsOk;
using ::onramp::status::StatusIs;
using ::testing::HasSubstr;
using Code = absl::StatusCode;

TEST(CodeForSqlStateTest, MapsEachClassToWhatACallerCanDo) {
  const std::vector<std::pair<std::string, Code>> table = {
      {"23505", Code::kAlreadyExists},       // unique_violation
      {"23503", Code::kFailedPrecondition},  // foreign_key_violation
      {"23502", Code::kInvalidArgument},     // not_null_violation
      {"23514", Code::kInvalidArgument},     // check_violation
      {"22P02", Code::kInvalidArgument},     // invalid_text_representation
      {"22012", Code::kInvalidArgument},     // division_by_zero
      {"40001", Code::kAborted},             // serialization_failure
      {"40P01", Code::kAborted},             // deadlock_detected
      {"55P03", Code::kAborted},             // lock_not_available
      {"57014", Code::kDeadlineExceeded},    // query_canceled (statement_timeout)
      {"57P01", Code::kUnavailable},         // admin_shutdown
      {"08006", Code::kUnavailable},         // connection_failure
      {"53300", Code::kResourceExhausted},   // too_many_connections
      {"53100", Code::kResourceExhausted},   // disk_full
      {"42501", Code::kPermissionDenied},    // insufficient_privilege
      {"42P01", Code::kInternal},            // undefined_table: our bug
      {"42601", Code::kInternal},            // syntax_error: our bug
      {"25006", Code::kFailedPrecondition},  // read_only_sql_transaction
      {"P0001", Code::kFailedPrecondition},  // raise_exception
      {"XX000", Code::kInternal},            // internal_error
  };
  for (const auto& [sqlstate, code] : table) {
    EXPECT_EQ(CodeForSqlState(sqlstate), code) << sqlstate;
  }
}

class ErrorsOnServerTest : public testing::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_THAT(Run("CREATE TABLE t (id int PRIMARY KEY, n int NOT NULL CHECK (n >= 0))"),
                IsOk());
    ASSERT_THAT(Run("INSERT INTO t VALUES (1, 0)"), IsOk());
  }


  absl::Status Run(const std::string& sql) {
    return Transact(pool(), [&](pqxx::transaction_base& tx) {
      tx.exec(sql);
      return absl::OkStatus();
    });
  }

};

TEST_F(ErrorsOnServerTest, RealServerErrorsBecomeStatuses) {
  EXPECT_THAT(Run("INSERT INTO t VALUES (1, 5)"),
              StatusIs(Code::kAlreadyExists, HasSubstr("duplicate key")));
  EXPECT_THAT(Run("INSERT INTO t VALUES (2, -1)"), StatusIs(Code::kInvalidArgument));
  EXPECT_THAT(Run("INSERT INTO t VALUES (3, NULL)"), StatusIs(Code::kInvalidArgument));
  EXPECT_THAT(Run("SELECT 'x'::int"), StatusIs(Code::kInvalidArgument));
  EXPECT_THAT(Run("SELEC 1"), StatusIs(Code::kInternal, HasSubstr("syntax error")));
  EXPECT_THAT(Run("SET LOCAL statement_timeout = '50ms'; SELECT pg_sleep(5)"),
              StatusIs(Code::kDeadlineExceeded));
}

TEST_F(ErrorsOnServerTest, FailedBodyRollsBackAndReturnsItsError) {
  absl::Status status = Transact(pool(), [](pqxx::transaction_base& tx) {
    tx.exec("INSERT INTO t VALUES (7, 7)");
    return absl::FailedPreconditionError("changed my mind");
  });
  EXPECT_THAT(status, StatusIs(Code::kFailedPrecondition, "changed my mind"));
  int count = -1;
  ASSERT_THAT(Transact(pool(), [&](pqxx::transaction_base& tx) {
                count = tx.exec("SELECT count(*) FROM t WHERE id = 7")[0][0].as<int>();
                return absl::OkStatus();
              }),
              IsOk());
  EXPECT_EQ(count, 0);
}

TEST_F(ErrorsOnServerTest, SerializationFailuresAreRetriedUntilTheyCommit) {
  // Each transaction reads the counter and writes it plus one. Under
  // SERIALIZABLE, concurrent ones conflict; retries must make every
  // increment land exactly once.
  constexpr int kThreads = 4;
  constexpr int kIncrements = 10;
  std::atomic<int> attempts = 0;
  std::vector<std::thread> threads;
  std::vector<absl::Status> results(kThreads * kIncrements);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kIncrements; ++i) {
        results[t * kIncrements + i] = Transact(
            pool(),
            [&](pqxx::transaction_base& tx) {
              ++attempts;
              int n = tx.exec("SELECT n FROM t WHERE id = 1")[0][0].as<int>();
              tx.exec_params("UPDATE t SET n = $1 WHERE id = 1", n + 1);
              return absl::OkStatus();
            },
            {.isolation = Isolation::kSerializable, .max_attempts = 100});
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const absl::Status& status : results) EXPECT_THAT(status, IsOk());
  int n = -1;
  ASSERT_THAT(Transact(pool(), [&](pqxx::transaction_base& tx) {
                n = tx.exec("SELECT n FROM t WHERE id = 1")[0][0].as<int>();
                return absl::OkStatus();
              }),
              IsOk());
  EXPECT_EQ(n, kThreads * kIncrements);
  EXPECT_GE(attempts.load(), kThreads * kIncrements);
}

TEST_F(ErrorsOnServerTest, RetriesGiveUpWithAbortedAfterMaxAttempts) {
  int attempts = 0;
  absl::Status status = Transact(
      pool(),
      [&](pqxx::transaction_base& tx) -> absl::Status {
        ++attempts;
        // Fails the way a lost serialization race does.
        tx.exec("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = 'serialization_failure'; END $$");
        return absl::OkStatus();
      },
      {.max_attempts = 3, .backoff = absl::Milliseconds(1)});
  EXPECT_THAT(status, StatusIs(Code::kAborted, HasSubstr("after 3 attempts")));
  EXPECT_EQ(attempts, 3);
}

// Ends the backend serving `tx` from another connection, as a PostgreSQL
// restart would, and waits until it is gone: the next statement, COMMIT
// included, finds the connection lost.
void TerminateBackendOf(pqxx::transaction_base& tx, const std::string& url) {
  int pid = tx.exec("SELECT pg_backend_pid()")[0][0].as<int>();
  pqxx::connection side(url);
  pqxx::nontransaction admin(side);
  admin.exec_params("SELECT pg_terminate_backend($1)", pid);
  while (admin.exec_params("SELECT 1 FROM pg_stat_activity WHERE pid = $1", pid).size() > 0) {
  }
}

TEST_F(ErrorsOnServerTest, AReadLosingItsConnectionAtCommitIsRetried) {
  int attempts = 0;
  int n = -1;
  absl::Status status = Transact(
      pool(),
      [&](pqxx::transaction_base& tx) {
        n = tx.exec("SELECT n FROM t WHERE id = 1")[0][0].as<int>();
        if (++attempts == 1) TerminateBackendOf(tx, database().url());
        return absl::OkStatus();
      },
      {.isolation = Isolation::kRepeatableRead, .read_only = true, .backoff = absl::Milliseconds(1)});
  EXPECT_THAT(status, IsOk());
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(n, 0);
}

TEST_F(ErrorsOnServerTest, AReadLosingItsConnectionMidwayIsRetried) {
  int attempts = 0;
  int n = -1;
  absl::Status status = Transact(
      pool(),
      [&](pqxx::transaction_base& tx) {
        if (++attempts == 1) TerminateBackendOf(tx, database().url());
        n = tx.exec("SELECT n FROM t WHERE id = 1")[0][0].as<int>();
        return absl::OkStatus();
      },
      {.read_only = true, .backoff = absl::Milliseconds(1)});
  EXPECT_THAT(status, IsOk());
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(n, 0);
}

TEST_F(ErrorsOnServerTest, AWriteLosingItsConnectionAtCommitIsNotRetried) {
  // The COMMIT may have landed: running the body again could apply it twice.
  int attempts = 0;
  absl::Status status = Transact(
      pool(),
      [&](pqxx::transaction_base& tx) {
        tx.exec("UPDATE t SET n = n + 1 WHERE id = 1");
        if (++attempts == 1) TerminateBackendOf(tx, database().url());
        return absl::OkStatus();
      },
      {.backoff = absl::Milliseconds(1)});
  EXPECT_THAT(status, StatusIs(Code::kUnknown));
  EXPECT_EQ(attempts, 1);
}

TEST_F(ErrorsOnServerTest, AReadOnlySnapshotCannotWrite) {
  absl::Status status = Transact(
      pool(),
      [](pqxx::transaction_base& tx) {
        tx.exec("UPDATE t SET n = 9 WHERE id = 1");
        return absl::OkStatus();
      },
      {.isolation = Isolation::kRepeatableRead, .read_only = true});
  EXPECT_THAT(status, StatusIs(Code::kFailedPrecondition, HasSubstr("read-only")));
}

}  // namespace
}  // namespace onramp::store
