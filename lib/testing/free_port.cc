#include "lib/testing/free_port.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace onramp::testing {

int FreeLoopbackPort(int socket_type) {
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
    // Held while asked, so the answer is about this port alone.
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{.sin_family = AF_INET, .sin_port = htons(static_cast<uint16_t>(port))};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool free = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    close(fd);
    if (free) return port;
  }
  return FreeLoopbackPort(SOCK_DGRAM);
}

}  // namespace onramp::testing
