#include "lib/kit/store/migrations.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/base/digest/digest.h"
#include "lib/kit/log/log.h"
#include "lib/kit/store/errors.h"
#include "lib/kit/store/transaction.h"
#include "pqxx/pqxx"

namespace onramp::store {
namespace {

absl::Status CheckSchemaName(std::string_view schema) {
  bool valid = !schema.empty() && schema.size() <= 63 &&
               absl::ascii_islower(static_cast<unsigned char>(schema[0]));
  for (char c : schema) {
    valid = valid && (absl::ascii_islower(static_cast<unsigned char>(c)) ||
                      absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '_');
  }
  if (!valid) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "schema name \"%s\" must be 1-63 of [a-z0-9_], starting with a letter",
        absl::string_view(schema.data(), schema.size())));
  }
  return absl::OkStatus();
}

absl::Status CheckSequence(std::span<const Migration> migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "migration \"", migrations[i].name, "\" has version ", migrations[i].version,
          "; versions must run 1, 2, 3, ... without gaps (expected ", i + 1, ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<MigrationResult> Migrate(ConnectionPool& pool, std::string_view schema_name,
                                        std::span<const Migration> migrations) {
  if (absl::Status status = CheckSchemaName(schema_name); !status.ok()) return status;
  if (absl::Status status = CheckSequence(migrations); !status.ok()) return status;
  const std::string schema(schema_name);
  const std::string table = schema + ".schema_migrations";
  const int latest = static_cast<int>(migrations.size());

  MigrationResult result;
  absl::Status status = Transact(pool, [&](pqxx::transaction_base& tx) -> absl::Status {
    result = MigrationResult();
    // Serialises concurrent starters; released at commit or rollback.
    tx.exec_params("SELECT pg_advisory_xact_lock(hashtext($1))", "onramp-migrate:" + schema);
    tx.exec("CREATE SCHEMA IF NOT EXISTS " + schema);
    tx.exec("CREATE TABLE IF NOT EXISTS " + table +
            " (version integer PRIMARY KEY, name text NOT NULL, sha256 text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())");
    std::map<int, std::pair<std::string, std::string>> applied;
    for (const auto& row : tx.exec("SELECT version, name, sha256 FROM " + table)) {
      applied[row[0].as<int>()] = {row[1].as<std::string>(), row[2].as<std::string>()};
    }
    if (!applied.empty() && applied.rbegin()->first > latest) {
      return absl::FailedPreconditionError(absl::StrCat(
          "schema ", schema, " is at migration ", applied.rbegin()->first,
          " but this binary knows only up to ", latest,
          "; refusing to start (run a newer release)"));
    }
    result.from_version = applied.empty() ? 0 : applied.rbegin()->first;
    for (const Migration& migration : migrations) {
      std::string checksum = digest::Sha256Hex(migration.sql);
      auto found = applied.find(migration.version);
      if (found != applied.end()) {
        if (found->second.second != checksum) {
          return absl::FailedPreconditionError(absl::StrCat(
              "schema ", schema, ": migration ", migration.version, " (", migration.name,
              ") was changed after it was applied; add a new migration instead"));
        }
        continue;
      }
      tx.exec("SET LOCAL search_path TO " + schema);
      try {
        tx.exec(migration.sql);
      } catch (...) {
        absl::Status failed = StatusFromCurrentException();
        return absl::Status(failed.code(),
                            absl::StrCat("schema ", schema, ": migration ", migration.version,
                                         " (", migration.name, ") failed: ", failed.message()));
      }
      tx.exec_params("INSERT INTO " + table + " (version, name, sha256) VALUES ($1, $2, $3)",
                     migration.version, migration.name, checksum);
      result.applied.push_back(migration.version);
    }
    result.to_version = latest;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!result.applied.empty()) {
    log::Info("schema migrated", {{"schema", schema},
                                  {"from", result.from_version},
                                  {"to", result.to_version}});
  }
  return result;
}

}  // namespace onramp::store
