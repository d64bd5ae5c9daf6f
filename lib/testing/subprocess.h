#ifndef ONRAMP_LIB_TESTING_SUBPROCESS_H_
#define ONRAMP_LIB_TESTING_SUBPROCESS_H_

// A child process whose stderr a test reads line by line, e.g. to learn the
// ports a server bound from its "serving" log line. The child is killed
// (SIGKILL) if the test drops it without waiting.

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace onramp::testing {

class Subprocess {
 public:
  // argv[0] is the program path. Environment: the test's plus `extra_env`
  // ("NAME=value" entries).
  static absl::StatusOr<std::unique_ptr<Subprocess>> Start(
      const std::vector<std::string>& argv, const std::vector<std::string>& extra_env = {});

  ~Subprocess();

  pid_t pid() const { return pid_; }

  // Reads stderr until a line satisfies `match` and returns it; fails with
  // DEADLINE_EXCEEDED after `timeout`, or NOT_FOUND if the child closes stderr.
  absl::StatusOr<std::string> WaitForLine(const std::function<bool(std::string_view)>& match,
                                          absl::Duration timeout);

  absl::Status Signal(int signal_number);

  // Waits for the child to exit and returns its wait status (see
  // WIFEXITED/WEXITSTATUS); DEADLINE_EXCEEDED after `timeout`.
  absl::StatusOr<int> Wait(absl::Duration timeout);

  // Everything read from stderr so far.
  const std::string& output() const { return output_; }

 private:
  Subprocess(pid_t pid, int stderr_fd) : pid_(pid), stderr_fd_(stderr_fd) {}

  enum class ReadResult { kData, kTimeout, kEnd };
  // Appends to output_ what arrives within `timeout`.
  ReadResult ReadSome(absl::Duration timeout);

  pid_t pid_;
  int stderr_fd_;
  bool exited_ = false;
  std::string output_;
  size_t consumed_ = 0;
};

}  // namespace onramp::testing

#endif  // ONRAMP_LIB_TESTING_SUBPROCESS_H_
