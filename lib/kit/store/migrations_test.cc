#include "lib/kit/store/migrations.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/status_matchers.h"
#include "lib/kit/store/pool.h"
#include "lib/kit/store/test_migrations.h"
#include "lib/kit/store/testing/database_test.h"
#include "lib/kit/store/transaction.h"
#include "pqxx/pqxx"

namespace onramp::store {
namespace {

using ::onramp::status::IsOk;
using ::onramp::status::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class MigrationsTest : public testing::DatabaseTest {
 protected:
  absl::StatusOr<std::string> Query(const std::string& sql) {
    std::string value;
    absl::Status status = Transact(pool(), [&](pqxx::transaction_base& tx) {
      value = tx.exec(sql)[0][0].c_str();
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    return value;
  }
};

TEST_F(MigrationsTest, EmbeddedFilesArriveInVersionOrder) {
  std::span<const Migration> migrations = testdata::Migrations();
  ASSERT_EQ(migrations.size(), 2u);
  EXPECT_EQ(migrations[0].version, 1);
  EXPECT_EQ(migrations[0].name, "create_widgets");
  EXPECT_THAT(migrations[0].sql, HasSubstr("CREATE TABLE widgets"));
  EXPECT_EQ(migrations[1].version, 2);
  EXPECT_EQ(migrations[1].name, "add_widget_color");
}

TEST_F(MigrationsTest, AppliesInOrderIntoTheSchemaThenReapplyIsANoOp) {
  absl::StatusOr<MigrationResult> first = Migrate(pool(), "widgets_svc", testdata::Migrations());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->from_version, 0);
  EXPECT_EQ(first->to_version, 2);
  EXPECT_THAT(first->applied, ElementsAre(1, 2));
  EXPECT_EQ(*Query("SELECT color FROM widgets_svc.widgets WHERE name = 'first'"), "grey");

  absl::StatusOr<MigrationResult> again = Migrate(pool(), "widgets_svc", testdata::Migrations());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->from_version, 2);
  EXPECT_THAT(again->applied, IsEmpty());
  // The data migration in 0002 ran once, not twice.
  EXPECT_EQ(*Query("SELECT count(*) FROM widgets_svc.widgets"), "1");
}

TEST_F(MigrationsTest, OnlyNewMigrationsRunOnUpgrade) {
  std::span<const Migration> all = testdata::Migrations();
  ASSERT_TRUE(Migrate(pool(), "widgets_svc", all.first(1)).ok());
  absl::StatusOr<MigrationResult> upgrade = Migrate(pool(), "widgets_svc", all);
  ASSERT_TRUE(upgrade.ok()) << upgrade.status();
  EXPECT_EQ(upgrade->from_version, 1);
  EXPECT_THAT(upgrade->applied, ElementsAre(2));
}

TEST_F(MigrationsTest, RefusesADatabaseNewerThanTheBinary) {
  std::span<const Migration> all = testdata::Migrations();
  ASSERT_TRUE(Migrate(pool(), "widgets_svc", all).ok());
  EXPECT_THAT(Migrate(pool(), "widgets_svc", all.first(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("is at migration 2 but this binary knows only up to 1")));
}

TEST_F(MigrationsTest, RefusesAnAppliedMigrationWhoseTextChanged) {
  ASSERT_TRUE(Migrate(pool(), "widgets_svc", testdata::Migrations()).ok());
  std::vector<Migration> edited(testdata::Migrations().begin(), testdata::Migrations().end());
  edited[0].sql += "\n-- edited";
  EXPECT_THAT(Migrate(pool(), "widgets_svc", edited),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("migration 1 (create_widgets) was changed")));
}

TEST_F(MigrationsTest, AFailingMigrationLeavesNothingBehind) {
  std::vector<Migration> broken(testdata::Migrations().begin(), testdata::Migrations().end());
  broken.push_back({3, "broken", "ALTER TABLE widgets ADD COLUMN size int; SELEC 1;"});
  EXPECT_THAT(Migrate(pool(), "widgets_svc", broken),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("migration 3 (broken) failed")));
  // Not even migrations 1 and 2, applied earlier in the same transaction.
  EXPECT_EQ(*Query("SELECT count(*) FROM information_schema.schemata "
                   "WHERE schema_name = 'widgets_svc'"),
            "0");
}

TEST_F(MigrationsTest, ConcurrentStartersApplyEachMigrationOnce) {
  std::vector<std::thread> starters;
  std::vector<absl::StatusOr<MigrationResult>> results(4);
  for (int i = 0; i < 4; ++i) {
    starters.emplace_back(
        [&, i] { results[i] = Migrate(pool(), "widgets_svc", testdata::Migrations()); });
  }
  for (auto& starter : starters) starter.join();
  int applied = 0;
  for (const auto& result : results) {
    ASSERT_TRUE(result.ok()) << result.status();
    applied += static_cast<int>(result->applied.size());
  }
  EXPECT_EQ(applied, 2);
  EXPECT_EQ(*Query("SELECT count(*) FROM widgets_svc.widgets"), "1");
}

TEST_F(MigrationsTest, RejectsBadSchemaNamesAndGaps) {
  EXPECT_THAT(Migrate(pool(), "Bad-Name", testdata::Migrations()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("schema name")));
  std::vector<Migration> gap = {{1, "a", "SELECT 1"}, {3, "c", "SELECT 1"}};
  EXPECT_THAT(Migrate(pool(), "widgets_svc", gap),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("without gaps")));
}

}  // namespace
}  // namespace onramp::store
