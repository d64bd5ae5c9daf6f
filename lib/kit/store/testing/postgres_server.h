#ifndef ONRAMP_LIB_KIT_STORE_TESTING_POSTGRES_SERVER_H_
#define ONRAMP_LIB_KIT_STORE_TESTING_POSTGRES_SERVER_H_

// A private PostgreSQL server for a test that needs to stop or restart it,
// run through tools/pg (the test needs `data = ["//tools:pg"]` and, as root,
// tag "no-sandbox" so the server can run as the postgres user).

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace onramp::store::testing {

class PostgresServer {
 public:
  static absl::StatusOr<std::unique_ptr<PostgresServer>> Start();
  ~PostgresServer();

  absl::Status Stop();
  // After Stop: starts again on the same port with the same data.
  absl::Status StartAgain();

  const std::string& url() const { return url_; }

 private:
  explicit PostgresServer(std::string dir) : dir_(std::move(dir)) {}

  absl::StatusOr<std::string> Run(const std::string& command);

  std::string dir_;
  std::string url_;
};

}  // namespace onramp::store::testing

#endif  // ONRAMP_LIB_KIT_STORE_TESTING_POSTGRES_SERVER_H_
