#include "lib/kit/store/pool.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/status_matchers.h"
#include "lib/kit/store/testing/postgres_server.h"
#include "lib/kit/store/transaction.h"
#include "pqxx/pqxx"

namespace onramp::store {
namespace {

using ::onramp::status::IsOk;
using ::onramp::status::StatusIs;
using ::testing::HasSubstr;

absl::StatusOr<int> BackendPid(ConnectionPool& pool) {
  int pid = 0;
  absl::Status status = Transact(pool, [&](pqxx::transaction_base& tx) {
    pid = tx.exec("SELECT pg_backend_pid()")[0][0].as<int>();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return pid;
}

class PoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testing::PostgresServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }

  std::unique_ptr<testing::PostgresServer> server_;
};

TEST_F(PoolTest, WrongUrlFailsAtCreateWithUnavailable) {
  EXPECT_THAT(ConnectionPool::Create({.url = "postgresql://postgres@127.0.0.1:1/postgres"}),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(PoolTest, ReusesConnections) {
  auto pool = ConnectionPool::Create({.url = server_->url(), .size = 2});
  ASSERT_TRUE(pool.ok()) << pool.status();
  absl::StatusOr<int> first = BackendPid(**pool);
  absl::StatusOr<int> second = BackendPid(**pool);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(*first, *second);
  EXPECT_EQ((*pool)->stats().opened_total, 1);
}

TEST_F(PoolTest, BoundedPoolTimesOutWithResourceExhausted) {
  auto pool = ConnectionPool::Create(
      {.url = server_->url(), .size = 1, .acquire_timeout = absl::Milliseconds(100)});
  ASSERT_TRUE(pool.ok()) << pool.status();
  absl::StatusOr<ConnectionPool::Lease> held = (*pool)->Acquire();
  ASSERT_TRUE(held.ok());
  EXPECT_THAT((*pool)->Acquire(), StatusIs(absl::StatusCode::kResourceExhausted,
                                           HasSubstr("all 1 connections busy")));
}

TEST_F(PoolTest, RecoversAfterTheServerRestarts) {
  auto pool = ConnectionPool::Create({.url = server_->url(), .size = 2});
  ASSERT_TRUE(pool.ok()) << pool.status();
  absl::StatusOr<int> before = BackendPid(**pool);
  ASSERT_TRUE(before.ok()) << before.status();

  ASSERT_THAT(server_->Stop(), IsOk());
  // While it is down, calls fail fast with UNAVAILABLE instead of hanging.
  EXPECT_THAT(BackendPid(**pool), StatusIs(absl::StatusCode::kUnavailable));

  ASSERT_THAT(server_->StartAgain(), IsOk());
  // The idle connection died with the old server; the pool must notice and
  // hand out a fresh one without the caller seeing an error.
  absl::StatusOr<int> after = BackendPid(**pool);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_NE(*after, *before);
  EXPECT_GE((*pool)->stats().discarded_total, 1);
}

TEST_F(PoolTest, IdleConnectionsKilledByARestartAreReplacedUnseen) {
  auto pool = ConnectionPool::Create({.url = server_->url(), .size = 2});
  ASSERT_TRUE(pool.ok()) << pool.status();
  absl::StatusOr<int> before = BackendPid(**pool);
  ASSERT_TRUE(before.ok()) << before.status();

  ASSERT_THAT(server_->Stop(), IsOk());
  ASSERT_THAT(server_->StartAgain(), IsOk());

  absl::StatusOr<int> after = BackendPid(**pool);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_NE(*after, *before);
}

}  // namespace
}  // namespace onramp::store
