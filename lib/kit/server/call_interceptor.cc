#include "lib/kit/server/call_interceptor.h"

#include <chrono>
#include <string>

#include "google/protobuf/descriptor.h"
#include "lib/kit/log/log.h"
#include "lib/kit/metrics/latency_buckets.h"
#include "lib/kit/server/request_id.h"

namespace onramp::server {
namespace {

using grpc::experimental::InterceptionHookPoints;

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN";
  }
}

class CallInterceptor : public grpc::experimental::Interceptor {
 public:
  CallInterceptor(const CallInterceptorFactory::Metrics& metrics, std::string method)
      : metrics_(metrics), method_(std::move(method)), start_(std::chrono::steady_clock::now()) {
    metrics_.started.Add({{"method", method_}}).Increment();
    metrics_.in_flight.Increment();
  }

  ~CallInterceptor() override {
    // A call that ends without sending a status was cancelled or broken.
    if (!recorded_) Record(grpc::StatusCode::CANCELLED);
    metrics_.in_flight.Decrement();
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      EnsureRequestId(methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      if (!request_id_.empty()) {
        methods->GetSendInitialMetadata()->emplace(std::string(kRequestIdKey), request_id_);
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      Record(methods->GetSendStatus().error_code());
    }
    methods->Proceed();
  }

 private:
  void EnsureRequestId(std::multimap<grpc::string_ref, grpc::string_ref>* metadata) {
    const grpc::string_ref key(kRequestIdKey.data(), kRequestIdKey.size());
    auto found = metadata->find(key);
    if (found != metadata->end() &&
        IsValidRequestId(std::string_view(found->second.data(), found->second.size()))) {
      request_id_.assign(found->second.data(), found->second.size());
      return;
    }
    if (found != metadata->end()) metadata->erase(found);
    // The map holds references: the id lives in this interceptor, which
    // lives as long as the call.
    request_id_ = NewRequestId();
    metadata->emplace(key, grpc::string_ref(request_id_));
  }

  void Record(grpc::StatusCode code) {
    recorded_ = true;
    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
    metrics_.handled.Add({{"method", method_}, {"code", CodeName(code)}}).Increment();
    metrics_.latency.Add({{"method", method_}}, metrics::LatencyBuckets()).Observe(elapsed.count());
    // One line per call, joined across services by the request id; server
    // faults always, the rest at debug level.
    bool fault = code == grpc::StatusCode::INTERNAL || code == grpc::StatusCode::UNKNOWN ||
                 code == grpc::StatusCode::DATA_LOSS;
    auto write = fault ? &log::Warn : &log::Debug;
    write("rpc", {{"request_id", request_id_},
                  {"method", method_},
                  {"code", CodeName(code)},
                  {"micros", static_cast<int64_t>(elapsed.count() * 1e6)}});
  }

  const CallInterceptorFactory::Metrics& metrics_;
  std::string method_;
  std::chrono::steady_clock::time_point start_;
  std::string request_id_;
  bool recorded_ = false;
};

// The method's path as a metric label, or "unknown" for a method this binary
// does not serve: label values come from callers, and arbitrary paths would
// make series without bound.
std::string MethodLabel(const char* method) {
  if (method == nullptr) return "unknown";
  std::string_view path(method);
  if (path.starts_with("/grpc.health.v1.Health/")) return std::string(path);
  size_t slash = path.rfind('/');
  if (!path.starts_with("/") || slash == 0 || slash == std::string_view::npos) return "unknown";
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          std::string(path.substr(1, slash - 1)));
  if (service == nullptr || service->FindMethodByName(std::string(path.substr(slash + 1))) == nullptr) {
    return "unknown";
  }
  return std::string(path);
}

}  // namespace

CallInterceptorFactory::CallInterceptorFactory(prometheus::Registry& registry)
    : metrics_{
          .started = prometheus::BuildCounter()
                         .Name("onramp_grpc_server_started_total")
                         .Help("gRPC calls started, by method.")
                         .Register(registry),
          .handled = prometheus::BuildCounter()
                         .Name("onramp_grpc_server_handled_total")
                         .Help("gRPC calls completed, by method and status code.")
                         .Register(registry),
          .latency = prometheus::BuildHistogram()
                         .Name("onramp_grpc_server_handling_seconds")
                         .Help("Time from receiving a gRPC call to sending its status.")
                         .Register(registry),
          .in_flight = prometheus::BuildGauge()
                           .Name("onramp_grpc_server_in_flight")
                           .Help("gRPC calls being handled now.")
                           .Register(registry)
                           .Add({}),
      } {}

grpc::experimental::Interceptor* CallInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new CallInterceptor(metrics_, MethodLabel(info->method()));
}

}  // namespace onramp::server
