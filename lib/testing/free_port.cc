#include "lib/testing/free_port.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <random>

namespace onramp::testing {

namespace {

// Whether a `socket_type` socket can bind 127.0.0.1:`port` now.
bool Bindable(int socket_type, int port) {
  int fd = socket(AF_INET, socket_type, 0);
  sockaddr_in address{.sin_family = AF_INET, .sin_port = htons(static_cast<uint16_t>(port))};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool free = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return free;
}

// The lowest port the kernel hands out for outgoing connections.
int EphemeralLow() {
  int low = 32768;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> low;
  return low;
}

}  // namespace

int FreeLoopbackPort(int socket_type) {
  // Below the ephemeral range: between this answer and the bind that
  // follows, an outgoing connection (a database pool, a gRPC channel) could
  // otherwise be given the same port.
  const int low = EphemeralLow();
  const int first = low > 20000 ? 20000 : 1024;
  std::mt19937 random(std::random_device{}());
  for (int tries = 0; tries < 200 && first < low; ++tries) {
    int port = std::uniform_int_distribution<int>(first, low - 1)(random);
    if (Bindable(socket_type, port)) return port;
  }
  // No room below it: any port the kernel says is free.
  int fd = socket(AF_INET, socket_type, 0);
  sockaddr_in address{.sin_family = AF_INET, .sin_port = 0};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

int FreeLoopbackPortForUdpAndTcp() {
  for (int tries = 0; tries < 100; ++tries) {
    int port = FreeLoopbackPort(SOCK_DGRAM);
    if (Bindable(SOCK_STREAM, port)) return port;
  }
  return FreeLoopbackPort(SOCK_DGRAM);
}

}  // namespace onramp::testing
