#include "lib/kit/store/testing/test_database.h"

#include <cstdlib>
#include <random>

#include "absl/strings/str_cat.h"
#include "pqxx/nontransaction"
#include "pqxx/pqxx"

namespace onramp::store::testing {

std::string WithDatabaseName(std::string_view url, std::string_view name) {
  size_t scheme = url.find("://");
  size_t authority = scheme == std::string_view::npos ? 0 : scheme + 3;
  size_t path = url.find('/', authority);
  size_t query = url.find('?', authority);
  std::string_view head = url.substr(0, std::min(path, query));
  std::string_view tail = query == std::string_view::npos ? "" : url.substr(query);
  return absl::StrCat(absl::string_view(head.data(), head.size()), "/",
                      absl::string_view(name.data(), name.size()),
                      absl::string_view(tail.data(), tail.size()));
}

absl::StatusOr<std::unique_ptr<TestDatabase>> TestDatabase::Create() {
  const char* admin_url = std::getenv("ONRAMP_TEST_DATABASE_URL");
  if (admin_url == nullptr || *admin_url == '\0') {
    return absl::FailedPreconditionError(
        "ONRAMP_TEST_DATABASE_URL is not set: run tests with tools/test, which starts "
        "PostgreSQL, or pass --test_env=ONRAMP_TEST_DATABASE_URL=postgresql://...");
  }
  std::random_device random;
  std::string name = absl::StrCat("test_", std::uniform_int_distribution<uint64_t>()(random));
  try {
    pqxx::connection admin(admin_url);
    pqxx::nontransaction tx(admin);
    tx.exec("CREATE DATABASE " + name);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("cannot create test database: ", e.what()));
  }
  std::string url = WithDatabaseName(admin_url, name);
  return std::unique_ptr<TestDatabase>(new TestDatabase(admin_url, name, url));
}

TestDatabase::~TestDatabase() {
  try {
    pqxx::connection admin(admin_url_);
    pqxx::nontransaction tx(admin);
    tx.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception&) {
    // The server goes away with the test run anyway.
  }
}

}  // namespace onramp::store::testing
