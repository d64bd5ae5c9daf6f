#include "device-agent/phone_io.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "device-agent/state.h"

namespace onramp::agent {

absl::Status DirectoryFlash::SaveState(const v1::PhoneState& state) { return agent::SaveState(dir_, state); }

absl::StatusOr<std::string> DirectoryFlash::Read(const std::string& name) const {
  std::ifstream in(Path(name), std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("no ", name, " in ", dir_));
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

absl::Status DirectoryFlash::Write(const std::string& name, std::string_view bytes, bool secret) {
  {
    std::ofstream out(Path(name), std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) return absl::UnavailableError(absl::StrCat("cannot write ", Path(name)));
  }
  if (secret) {
    std::error_code error;
    std::filesystem::permissions(Path(name), std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                                 error);
    if (error) return absl::UnavailableError(absl::StrCat("cannot protect ", Path(name), ": ", error.message()));
  }
  return absl::OkStatus();
}

absl::Status DirectoryFlash::Append(const std::string& name, std::string_view bytes) {
  std::ofstream out(Path(name), std::ios::binary | std::ios::app);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out.flush()) return absl::UnavailableError(absl::StrCat("cannot write ", Path(name)));
  return absl::OkStatus();
}

uint64_t DirectoryFlash::Size(const std::string& name) const {
  std::error_code error;
  uintmax_t size = std::filesystem::file_size(Path(name), error);
  return error ? 0 : size;
}

void DirectoryFlash::Remove(const std::string& name) {
  std::error_code ignored;
  std::filesystem::remove(Path(name), ignored);
}

absl::StatusOr<HttpResponse> HostNetwork::Fetch(const HttpRequest& request) {
  if (tls_sessions_ == nullptr || !request.tls || request.tls_sessions != nullptr) return client_.Fetch(request);
  HttpRequest resuming = request;
  resuming.tls_sessions = tls_sessions_;
  return client_.Fetch(resuming);
}

absl::Status HostNetwork::SendDatagram(const std::string& host, int port, std::string_view bytes) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || found == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot resolve ", host));
  }
  int fd = socket(found->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ssize_t sent = fd < 0 ? -1 : sendto(fd, bytes.data(), bytes.size(), 0, found->ai_addr, found->ai_addrlen);
  if (fd >= 0) close(fd);
  freeaddrinfo(found);
  if (sent < 0) return absl::UnavailableError(absl::StrCat("cannot send to ", host, ":", port));
  return absl::OkStatus();
}

}  // namespace onramp::agent
