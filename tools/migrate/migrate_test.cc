// onramp-migrate against a database of the test's own: every service's
// schema created, a second run a no-op, bad input named.

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/store/testing/test_database.h"
#include "lib/testing/shell.h"

namespace onramp {
namespace {

using ::testing::HasSubstr;

constexpr char kMigrate[] = "tools/migrate/onramp-migrate";

TEST(MigrateTest, CreatesEverySchemaOnceAndThenHasNothingToDo) {
  absl::StatusOr<std::unique_ptr<store::testing::TestDatabase>> database = store::testing::TestDatabase::Create();
  ASSERT_TRUE(database.ok()) << database.status();
  const std::string command = absl::StrCat(kMigrate, " --database_url '", (*database)->url(), "' --schema all");
  ::onramp::testing::ShellResult first = ::onramp::testing::RunShell(command);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  for (const char* schema : {"acs", "activation", "device", "firmware", "profile"}) {
    EXPECT_THAT(first.output, ::testing::ContainsRegex(absl::StrCat("schema ", schema, ": version 0 -> [1-9]")));
  }
  pqxx::connection connection((*database)->url());
  pqxx::work tx(connection);
  EXPECT_GT(tx.exec1("SELECT count(*) FROM device.schema_migrations")[0].as<int>(), 0);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM information_schema.tables WHERE table_name = 'devices' "
                     "AND table_schema = 'device'")[0]
                .as<int>(),
            1);
  tx.commit();

  ::onramp::testing::ShellResult again = ::onramp::testing::RunShell(command);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_THAT(again.output, HasSubstr("(up to date)"));
  EXPECT_THAT(again.output, ::testing::Not(HasSubstr("version 0 ->")));
}

TEST(MigrateTest, OneSchemaOnly) {
  absl::StatusOr<std::unique_ptr<store::testing::TestDatabase>> database = store::testing::TestDatabase::Create();
  ASSERT_TRUE(database.ok()) << database.status();
  ::onramp::testing::ShellResult run = ::onramp::testing::RunShell(
      absl::StrCat(kMigrate, " --database_url '", (*database)->url(), "' --schema firmware"));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("schema firmware"));
  EXPECT_THAT(run.output, ::testing::Not(HasSubstr("schema device")));
}

TEST(MigrateTest, BadInputIsNamed) {
  ::onramp::testing::ShellResult unknown =
      ::onramp::testing::RunShell(absl::StrCat(kMigrate, " --database_url postgresql://nowhere/x --schema billing 2>&1"));
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_THAT(unknown.output, HasSubstr("--schema billing"));
  ::onramp::testing::ShellResult unreachable = ::onramp::testing::RunShell(
      absl::StrCat(kMigrate, " --database_url postgresql://127.0.0.1:1/x --schema all 2>&1"));
  EXPECT_NE(unreachable.exit_code, 0);
  EXPECT_THAT(unreachable.output, HasSubstr("onramp-migrate: "));
}

}  // namespace
}  // namespace onramp
