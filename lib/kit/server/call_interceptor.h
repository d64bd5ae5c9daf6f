#ifndef ONRAMP_LIB_KIT_SERVER_CALL_INTERCEPTOR_H_
#define ONRAMP_LIB_KIT_SERVER_CALL_INTERCEPTOR_H_

// Runs around every gRPC call the kit's server takes: makes sure the call
// has a request id (see request_id.h) and records it in Prometheus:
//   onramp_grpc_server_started_total{method}
//   onramp_grpc_server_handled_total{method,code}
//   onramp_grpc_server_handling_seconds{method}   (histogram)
//   onramp_grpc_server_in_flight                   (gauge)
// `method` is the full path ("/onramp.activation.v1.ActivationCodeService/
// RedeemCode"), or "unknown" for paths the binary does not serve.

#include <memory>

#include "grpcpp/support/server_interceptor.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace onramp::server {

class CallInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CallInterceptorFactory(prometheus::Registry& registry);

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

  struct Metrics {
    prometheus::Family<prometheus::Counter>& started;
    prometheus::Family<prometheus::Counter>& handled;
    prometheus::Family<prometheus::Histogram>& latency;
    prometheus::Gauge& in_flight;
  };

 private:
  Metrics metrics_;
};

}  // namespace onramp::server

#endif  // ONRAMP_LIB_KIT_SERVER_CALL_INTERCEPTOR_H_
