#ifndef ONRAMP_LIB_KIT_CLIENTS_UNARY_CALL_H_
#define ONRAMP_LIB_KIT_CLIENTS_UNARY_CALL_H_

// One unary gRPC call as every client makes it: through its Backend
// (deadline, bounded in-flight calls, retries), with the caller's request
// id as metadata (joining the logs of both sides), and the outcome as
// absl::StatusOr.

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "lib/kit/clients/backend.h"
#include "lib/kit/server/request_id.h"
#include "lib/kit/status/grpc_status.h"

namespace onramp::clients {

template <typename Stub, typename Request, typename Response>
absl::StatusOr<Response> UnaryCall(Backend& backend, std::string_view method_name, Repeat repeat, Stub& stub,
                                   grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                                Response*),
                                   const Request& request, const std::string& request_id) {
  Response response;
  absl::Status status = backend.Call(method_name, repeat, [&](absl::Time deadline) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(deadline));
    if (!request_id.empty()) context.AddMetadata(std::string(server::kRequestIdKey), request_id);
    response.Clear();
    return status::FromGrpcStatus((stub.*method)(&context, request, &response));
  });
  if (!status.ok()) return status;
  return response;
}

}  // namespace onramp::clients

#endif  // ONRAMP_LIB_KIT_CLIENTS_UNARY_CALL_H_
