#include "lib/kit/store/testing/postgres_server.h"

#include <stdlib.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "lib/testing/shell.h"

namespace onramp::store::testing {

absl::StatusOr<std::string> PostgresServer::Run(const std::string& command) {
  std::string line = absl::StrCat("tools/pg ", command, " ", dir_);
  onramp::testing::ShellResult ran = onramp::testing::RunShell(line);
  if (ran.exit_code != 0) return absl::InternalError(absl::StrCat(line, " failed:\n", ran.output));
  return std::string(absl::StripAsciiWhitespace(ran.output));
}

absl::StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::Start() {
  // Under /tmp, not the test's own folder: the postgres user must be able to
  // reach it.
  // mkdtemp replaces the trailing six 'X's.
  std::string directory = "/tmp/onramp-pg-" + std::string(6, 'X');
  if (mkdtemp(directory.data()) == nullptr) return absl::InternalError("mkdtemp failed");
  std::unique_ptr<PostgresServer> server(new PostgresServer(directory));
  absl::StatusOr<std::string> url = server->Run("start");
  if (!url.ok()) return url.status();
  // The URL is the last line printed.
  server->url_ = url->substr(url->rfind('\n') + 1);
  return server;
}

PostgresServer::~PostgresServer() {
  (void)Run("stop");
  (void)system(absl::StrCat("rm -rf ", dir_).c_str());
}

absl::Status PostgresServer::Stop() { return Run("stop").status(); }

absl::Status PostgresServer::StartAgain() { return Run("start").status(); }

}  // namespace onramp::store::testing
