#include "lib/kit/store/prepared.h"

#include "gtest/gtest.h"
#include "lib/kit/store/testing/database_test.h"
#include "lib/kit/store/transaction.h"

namespace onramp::store {
namespace {

using PreparedTest = testing::DatabaseTest;

TEST_F(PreparedTest, AStatementIsPreparedOncePerConnectionAndRunsWithItsArguments) {
  for (int i = 0; i < 3; ++i) {
    absl::Status status = Transact(pool(), [&](pqxx::transaction_base& tx) -> absl::Status {
      pqxx::result rows = ExecPrepared(tx, "add_one", "SELECT $1::int + 1", i);
      EXPECT_EQ(rows[0][0].as<int>(), i + 1);
      // The server holds it as a prepared statement of this connection.
      pqxx::result held = tx.exec("SELECT count(*) FROM pg_prepared_statements WHERE name = 'add_one'");
      EXPECT_EQ(held[0][0].as<int>(), 1);
      return absl::OkStatus();
    }, {.read_only = true});
    ASSERT_TRUE(status.ok()) << status;
  }
}

}  // namespace
}  // namespace onramp::store
