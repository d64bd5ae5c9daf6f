#include "lib/kit/metrics/metrics_endpoint.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"

namespace onramp::metrics {

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(
    const std::string& host, int port, std::shared_ptr<prometheus::Registry> registry) {
  std::string address = absl::StrCat(host.find(':') == std::string::npos ? host : "[" + host + "]",
                                     ":", port);
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    // Two threads: a scrape every few seconds needs no more.
    exposer = std::make_unique<prometheus::Exposer>(address, 2);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", address, ": ", e.what()));
  }
  exposer->RegisterCollectable(registry);
  std::vector<int> ports = exposer->GetListeningPorts();
  if (ports.empty()) {
    return absl::InternalError(absl::StrCat("metrics endpoint on ", address, " has no port"));
  }
  return std::unique_ptr<MetricsEndpoint>(
      new MetricsEndpoint(std::move(exposer), std::move(registry), host, ports.front()));
}

MetricsEndpoint::~MetricsEndpoint() {
  // CivetWeb's listener notices a stop request only when its poll() returns,
  // which without traffic takes up to two seconds. Knocking on the port while
  // the exposer stops makes shutdown immediate.
  std::atomic<bool> stopped = false;
  std::thread knocker([&] {
    std::string host = host_ == "0.0.0.0" || host_.empty() ? "127.0.0.1" : host_;
    if (host == "::") host = "::1";
    while (!stopped.load()) {
      addrinfo hints{};
      hints.ai_socktype = SOCK_STREAM;
      addrinfo* address = nullptr;
      if (getaddrinfo(host.c_str(), std::to_string(port_).c_str(), &hints, &address) == 0) {
        int fd = socket(address->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0) {
          (void)connect(fd, address->ai_addr, address->ai_addrlen);
          close(fd);
        }
        freeaddrinfo(address);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  exposer_.reset();
  stopped = true;
  knocker.join();
}

}  // namespace onramp::metrics
