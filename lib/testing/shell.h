#ifndef ONRAMP_LIB_TESTING_SHELL_H_
#define ONRAMP_LIB_TESTING_SHELL_H_

// Tests' access to the host: running a command through /bin/sh (openssl,
// curl, atftp, tools/pg) and reading the files such commands write.

#include <string>

namespace onramp::testing {

struct ShellResult {
  int exit_code;       // -1 if the command did not exit normally
  std::string output;  // stdout and stderr together
};

ShellResult RunShell(const std::string& command);

// The file's bytes; empty if it cannot be read.
std::string ReadFile(const std::string& path);

}  // namespace onramp::testing

#endif  // ONRAMP_LIB_TESTING_SHELL_H_
