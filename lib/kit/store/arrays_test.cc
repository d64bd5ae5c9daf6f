#include "lib/kit/store/arrays.h"

#include "gtest/gtest.h"
#include "lib/kit/store/testing/database_test.h"
#include "lib/kit/store/transaction.h"
#include "pqxx/pqxx"

namespace onramp::store {
namespace {

class TextArrayTest : public testing::DatabaseTest {};

TEST_F(TextArrayTest, PostgreSQLReadsBackEveryElementExactly) {
  const std::vector<std::string> items = {"plain", "with \"quotes\"", "back\\slash", "comma,x",
                                          "{braces}", "", "NULL", " spaced "};
  std::vector<std::string> back;
  ASSERT_TRUE(Transact(pool(), [&](pqxx::transaction_base& tx) {
                for (const auto& row : tx.exec_params(
                         "SELECT x FROM unnest($1::text[]) WITH ORDINALITY AS t(x, n) ORDER BY n",
                         TextArray(items))) {
                  back.push_back(row[0].is_null() ? "<null>" : row[0].as<std::string>());
                }
                return absl::OkStatus();
              }).ok());
  EXPECT_EQ(back, items);
}

}  // namespace
}  // namespace onramp::store
