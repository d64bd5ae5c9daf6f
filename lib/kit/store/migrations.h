#ifndef ONRAMP_LIB_KIT_STORE_MIGRATIONS_H_
#define ONRAMP_LIB_KIT_STORE_MIGRATIONS_H_

// Each service owns one PostgreSQL schema and ships its migrations inside its
// binary (tools/bazel/sql.bzl embeds `migrations/NNNN_name.sql`). At start,
// Migrate brings the schema up to date:
//   - one transaction under an advisory lock keyed by the schema, so replicas
//     starting together apply each migration once and never see half of one;
//   - applied versions, names and SHA-256 checksums are recorded in
//     <schema>.schema_migrations; re-running is a no-op;
//   - a database newer than the binary (a later version is recorded) or an
//     applied migration whose text changed is refused with
//     FAILED_PRECONDITION, so an old binary never runs on a schema it does not
//     know.
// Each migration runs with search_path set to the schema, so its SQL names
// tables without a schema prefix.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/kit/store/pool.h"

namespace onramp::store {

struct Migration {
  int version;  // 1, 2, 3, ... with no gaps
  std::string name;
  std::string sql;
};

struct MigrationResult {
  int from_version = 0;
  int to_version = 0;
  std::vector<int> applied;
};

absl::StatusOr<MigrationResult> Migrate(ConnectionPool& pool, std::string_view schema,
                                        std::span<const Migration> migrations);

}  // namespace onramp::store

#endif  // ONRAMP_LIB_KIT_STORE_MIGRATIONS_H_
