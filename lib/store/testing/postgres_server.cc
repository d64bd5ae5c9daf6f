#include "lib/store/testing/postgres_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace onramp::store::testing {

absl::StatusOr<std::string> PostgresServer::Run(const std::string& command) {
  std::string line = absl::StrCat("tools/pg ", command, " ", dir_, " 2>&1");
  FILE* pipe = popen(line.c_str(), "r");
  if (pipe == nullptr) return absl::InternalError(absl::StrCat("cannot run ", line));
  std::string output;
  char buffer[512];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  int status = pclose(pipe);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return absl::InternalError(absl::StrCat(line, " failed:\n", output));
  }
  return std::string(absl::StripAsciiWhitespace(output));
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
