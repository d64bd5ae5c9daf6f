// onramp-migrate: brings the services' PostgreSQL schemas up to date and
// exits. Kubernetes runs it as one Job per service before a release, so the
// Job needs the database URL and nothing else (no service secrets).
//
//   onramp-migrate --database_url URL --schema activation|device|profile|firmware|all
//
// Each service also migrates when it starts (lib/kit/store/migrations.h: one
// transaction under an advisory lock, a no-op when up to date), so the Job
// is the release step, not a requirement for a service to run.

#include <iostream>
#include <map>
#include <span>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/kit/config/flags.h"
#include "lib/kit/store/migrations.h"
#include "lib/kit/store/pool.h"
#include "services/acs/migrations.h"
#include "services/activation-code/migrations.h"
#include "services/device-activation/migrations.h"
#include "services/firmware-catalog/migrations.h"
#include "services/profile-render/migrations.h"

namespace onramp {
namespace {

using MigrationList = std::span<const store::Migration> (*)();

// Each service's schema and its migrations.
const std::map<std::string, MigrationList>& Schemas() {
  static const auto* schemas = new std::map<std::string, MigrationList>{
      {"acs", &acs::Migrations},
      {"activation", &activation::Migrations},
      {"device", &device::Migrations},
      {"firmware", &firmware::Migrations},
      {"profile", &profile::Migrations},
  };
  return *schemas;
}

int Main(int argc, char** argv) {
  std::string database_url;
  std::string schema;
  std::vector<std::string> names;
  for (const auto& [name, migrations] : Schemas()) names.push_back(name);
  config::Flags flags("onramp-migrate", "Applies the services' schema migrations to PostgreSQL and exits.");
  flags.RequiredString("database_url", &database_url, "PostgreSQL URL.");
  flags.RequiredString("schema", &schema, absl::StrCat("Which service's schema: ", absl::StrJoin(names, ", "), ", or all."));
  flags.Check([&schema]() -> absl::Status {
    if (schema == "all" || Schemas().contains(schema)) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat("--schema ", schema, " is none of the services' schemas"));
  });
  flags.ParseOrExit(argc, argv);

  absl::StatusOr<std::unique_ptr<store::ConnectionPool>> pool =
      store::ConnectionPool::Create({.url = database_url, .size = 1});
  if (!pool.ok()) {
    std::cerr << "onramp-migrate: " << pool.status().message() << "\n";
    return 1;
  }
  for (const auto& [name, migrations] : Schemas()) {
    if (schema != "all" && schema != name) continue;
    absl::StatusOr<store::MigrationResult> migrated = store::Migrate(**pool, name, migrations());
    if (!migrated.ok()) {
      std::cerr << "onramp-migrate: schema " << name << ": " << migrated.status().message() << "\n";
      return 1;
    }
    std::cout << "schema " << name << ": version " << migrated->from_version << " -> " << migrated->to_version
              << (migrated->applied.empty() ? " (up to date)" : "") << "\n";
  }
  return 0;
}

}  // namespace
}  // namespace onramp

int main(int argc, char** argv) { return onramp::Main(argc, argv); }
