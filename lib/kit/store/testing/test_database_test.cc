#include "lib/kit/store/testing/test_database.h"

#include "gtest/gtest.h"

namespace onramp::store::testing {
namespace {

TEST(WithDatabaseNameTest, ReplacesOnlyTheDatabase) {
  EXPECT_EQ(WithDatabaseName("postgresql://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgresql://postgres@127.0.0.1:5432/t1");
  EXPECT_EQ(WithDatabaseName("postgresql://u@h:1/db?sslmode=disable", "t1"),
            "postgresql://u@h:1/t1?sslmode=disable");
  EXPECT_EQ(WithDatabaseName("postgresql://u@h:1", "t1"), "postgresql://u@h:1/t1");
  EXPECT_EQ(WithDatabaseName("postgresql://u@h:1?connect_timeout=2", "t1"),
            "postgresql://u@h:1/t1?connect_timeout=2");
}

}  // namespace
}  // namespace onramp::store::testing
