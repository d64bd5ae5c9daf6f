#include "device-agent/tftp_client.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <variant>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lib/phone/tftp/packet.h"

namespace onramp::agent {
namespace {

class Socket {
 public:
  Socket() : fd_(socket(AF_INET, SOCK_DGRAM, 0)) {}
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  int fd() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

absl::StatusOr<std::string> TftpGet(const TftpRead& read) {
  addrinfo hints{.ai_family = AF_INET, .ai_socktype = SOCK_DGRAM};
  addrinfo* found = nullptr;
  if (getaddrinfo(read.host.c_str(), std::to_string(read.port).c_str(), &hints, &found) != 0 || found == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot resolve ", read.host));
  }
  sockaddr_in server = *reinterpret_cast<sockaddr_in*>(found->ai_addr);
  freeaddrinfo(found);
  Socket socket;
  if (socket.fd() < 0) return absl::UnavailableError("no UDP socket");
  timeval timeout = absl::ToTimeval(read.timeout);
  setsockopt(socket.fd(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);

  auto send_to = [&](const sockaddr_in& to, const std::string& datagram) {
    sendto(socket.fd(), datagram.data(), datagram.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  };
  std::string last_sent = tftp::BuildRequest({.opcode = tftp::Opcode::kRrq,
                                              .file_name = read.file,
                                              .mode = "octet",
                                              .options = {{"blksize", std::to_string(read.block_size)}, {"tsize", "0"}}});
  sockaddr_in peer = server;  // the server's transfer port, once it answers
  bool have_peer = false;
  send_to(server, last_sent);
  std::string file;
  int block_size = 512;
  uint16_t expected = 1;
  int silent = 0;
  char buffer[65536];
  for (;;) {
    sockaddr_in from{};
    socklen_t length = sizeof from;
    ssize_t n = recvfrom(socket.fd(), buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &length);
    if (n < 0) {
      if (++silent > read.retries) return absl::UnavailableError(absl::StrCat("TFTP server ", read.host, " stopped answering"));
      send_to(have_peer ? peer : server, last_sent);
      continue;
    }
    if (have_peer && (from.sin_port != peer.sin_port || from.sin_addr.s_addr != peer.sin_addr.s_addr)) {
      continue;  // a stray from another transfer id
    }
    absl::StatusOr<tftp::Packet> packet = tftp::Parse(std::string_view(buffer, static_cast<size_t>(n)));
    if (!packet.ok()) continue;
    if (!have_peer) {
      peer = from;
      have_peer = true;
    }
    silent = 0;
    if (const auto* error = std::get_if<tftp::Error>(&*packet)) {
      if (error->code == tftp::ErrorCode::kFileNotFound) return absl::NotFoundError(error->message);
      return absl::PermissionDeniedError(absl::StrCat("TFTP error ", static_cast<int>(error->code), ": ", error->message));
    }
    if (const auto* oack = std::get_if<tftp::OptionAck>(&*packet)) {
      if (auto size = oack->options.find("blksize"); size != oack->options.end()) {
        if (!absl::SimpleAtoi(size->second, &block_size)) block_size = 512;
      }
      last_sent = tftp::BuildAck(0);
      send_to(peer, last_sent);
      continue;
    }
    if (const auto* data = std::get_if<tftp::Data>(&*packet)) {
      if (data->block == expected) {
        if (file.size() + data->payload.size() > read.max_bytes) {
          send_to(peer, tftp::BuildError(tftp::ErrorCode::kDiskFull, "file too large"));
          return absl::ResourceExhaustedError(absl::StrCat(read.file, " is over ", read.max_bytes, " bytes"));
        }
        file.append(data->payload);
        last_sent = tftp::BuildAck(data->block);
        send_to(peer, last_sent);
        ++expected;
        if (data->payload.size() < static_cast<size_t>(block_size)) return file;
      } else {
        send_to(peer, last_sent);  // a duplicate: our last ACK was lost
      }
    }
  }
}

}  // namespace onramp::agent
