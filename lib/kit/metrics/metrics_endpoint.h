#ifndef ONRAMP_LIB_KIT_METRICS_METRICS_ENDPOINT_H_
#define ONRAMP_LIB_KIT_METRICS_METRICS_ENDPOINT_H_

// Prometheus metrics served over HTTP at /metrics on a port of their own, so
// scraping never competes with (or is exposed beside) the service's traffic.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "prometheus/exposer.h"
#include "prometheus/registry.h"

namespace onramp::metrics {

class MetricsEndpoint {
 public:
  // Listens on host:port (port 0: a free one) and serves `registry`.
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(
      const std::string& host, int port, std::shared_ptr<prometheus::Registry> registry);

  // The port actually bound.
  int port() const { return port_; }

  ~MetricsEndpoint();

 private:
  MetricsEndpoint(std::unique_ptr<prometheus::Exposer> exposer,
                  std::shared_ptr<prometheus::Registry> registry, std::string host, int port)
      : exposer_(std::move(exposer)),
        registry_(std::move(registry)),
        host_(std::move(host)),
        port_(port) {}

  std::unique_ptr<prometheus::Exposer> exposer_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::string host_;
  int port_;
};

}  // namespace onramp::metrics

#endif  // ONRAMP_LIB_KIT_METRICS_METRICS_ENDPOINT_H_
