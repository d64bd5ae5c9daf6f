#ifndef ONRAMP_LIB_KIT_STORE_TESTING_DATABASE_TEST_H_
#define ONRAMP_LIB_KIT_STORE_TESTING_DATABASE_TEST_H_

// A gtest fixture for store tests: each test gets a fresh database
// (TestDatabase) and a pool on it.
//
//   class CodeStoreTest : public onramp::store::testing::DatabaseTest {};
//   TEST_F(CodeStoreTest, ...) { ... pool() ... }

#include <memory>

#include "gtest/gtest.h"
#include "lib/kit/store/pool.h"
#include "lib/kit/store/testing/test_database.h"

namespace onramp::store::testing {

class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<TestDatabase>> database = TestDatabase::Create();
    ASSERT_TRUE(database.ok()) << database.status();
    database_ = std::move(*database);
    absl::StatusOr<std::unique_ptr<ConnectionPool>> pool =
        ConnectionPool::Create({.url = database_->url(), .size = 4});
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = std::move(*pool);
  }

  ConnectionPool& pool() { return *pool_; }
  const TestDatabase& database() const { return *database_; }

 private:
  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<ConnectionPool> pool_;
};

}  // namespace onramp::store::testing

#endif  // ONRAMP_LIB_KIT_STORE_TESTING_DATABASE_TEST_H_
