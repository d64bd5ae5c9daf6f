#include "lib/testing/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

extern char** environ;

namespace onramp::testing {

absl::StatusOr<std::unique_ptr<Subprocess>> Subprocess::Start(
    const std::vector<std::string>& argv, const std::vector<std::string>& extra_env) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);

  // The child must not inherit signals a test (or server kit) blocked.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);

  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::vector<char*> env;
  for (char** entry = environ; *entry != nullptr; ++entry) env.push_back(*entry);
  for (const std::string& entry : extra_env) env.push_back(const_cast<char*>(entry.c_str()));
  env.push_back(nullptr);

  pid_t pid = 0;
  int error = posix_spawn(&pid, argv.at(0).c_str(), &actions, &attributes, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(pipe_fds[1]);
  if (error != 0) {
    close(pipe_fds[0]);
    return absl::InternalError(absl::StrCat("spawn ", argv[0], ": ", std::strerror(error)));
  }
  return std::unique_ptr<Subprocess>(new Subprocess(pid, pipe_fds[0]));
}

Subprocess::~Subprocess() {
  if (!exited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  close(stderr_fd_);
}

Subprocess::ReadResult Subprocess::ReadSome(absl::Duration timeout) {
  pollfd fd = {.fd = stderr_fd_, .events = POLLIN, .revents = 0};
  int ready = poll(&fd, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout)));
  if (ready <= 0) return ReadResult::kTimeout;
  char buffer[4096];
  ssize_t n = read(stderr_fd_, buffer, sizeof buffer);
  if (n <= 0) return ReadResult::kEnd;
  output_.append(buffer, static_cast<size_t>(n));
  return ReadResult::kData;
}

absl::StatusOr<std::string> Subprocess::WaitForLine(
    const std::function<bool(std::string_view)>& match, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (true) {
    size_t newline;
    while ((newline = output_.find('\n', consumed_)) != std::string::npos) {
      std::string line = output_.substr(consumed_, newline - consumed_);
      consumed_ = newline + 1;
      if (match(line)) return line;
    }
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(
          absl::StrCat("no matching line from pid ", pid_, " within ",
                       absl::FormatDuration(timeout), "; it wrote:\n", output_));
    }
    if (ReadSome(left) == ReadResult::kEnd) {
      return absl::NotFoundError(
          absl::StrCat("pid ", pid_, " closed stderr without a matching line; it wrote:\n",
                       output_));
    }
  }
}

absl::Status Subprocess::Signal(int signal_number) {
  if (kill(pid_, signal_number) != 0) {
    return absl::InternalError(absl::StrCat("kill ", pid_, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> Subprocess::Wait(absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (true) {
    int status = 0;
    pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      exited_ = true;
      // Collect the last lines; the write end is closed, so this ends at EOF
      // (or at once if a grandchild still holds it and is silent).
      while (ReadSome(absl::Milliseconds(100)) == ReadResult::kData) {
      }
      return status;
    }
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("pid ", pid_, " still running after ", absl::FormatDuration(timeout)));
    }
    // Keep draining stderr so a chatty child never blocks on a full pipe;
    // this also paces the loop.
    ReadSome(absl::Milliseconds(20));
  }
}

}  // namespace onramp::testing
