#include "lib/metrics/metrics_endpoint.h"

#include <exception>
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
      new MetricsEndpoint(std::move(exposer), std::move(registry), ports.front()));
}

}  // namespace onramp::metrics
