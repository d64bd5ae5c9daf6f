#ifndef ONRAMP_LIB_KIT_STORE_TESTING_TEST_DATABASE_H_
#define ONRAMP_LIB_KIT_STORE_TESTING_TEST_DATABASE_H_

// A database of a test's own on the PostgreSQL server named by
// ONRAMP_TEST_DATABASE_URL (tools/test starts one and passes it), dropped
// when the test ends. Tests never share tables, so they run in parallel.

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace onramp::store::testing {

class TestDatabase {
 public:
  // FAILED_PRECONDITION naming the variable when it is unset.
  static absl::StatusOr<std::unique_ptr<TestDatabase>> Create();
  ~TestDatabase();

  // Connection URL of the new database.
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

 private:
  TestDatabase(std::string admin_url, std::string name, std::string url)
      : admin_url_(std::move(admin_url)), name_(std::move(name)), url_(std::move(url)) {}

  std::string admin_url_;
  std::string name_;
  std::string url_;
};

// `url` (a postgresql:// URI) with its database replaced by `name`.
std::string WithDatabaseName(std::string_view url, std::string_view name);

}  // namespace onramp::store::testing

#endif  // ONRAMP_LIB_KIT_STORE_TESTING_TEST_DATABASE_H_
