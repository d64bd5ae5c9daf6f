#ifndef ONRAMP_LIB_KIT_SERVER_REQUEST_ID_H_
#define ONRAMP_LIB_KIT_SERVER_REQUEST_ID_H_

// One id per phone or partner request, carried across every hop in the
// `x-request-id` gRPC metadata entry (the same header name the gateway
// accepts and returns over HTTP), so its log lines can be joined.
//
// The server kit's interceptor guarantees every incoming call has one: it
// keeps the caller's or adds a fresh one, and echoes it in the response's
// initial metadata.

#include <string>
#include <string_view>

#include "grpcpp/client_context.h"
#include "grpcpp/server_context.h"

namespace onramp::server {

inline constexpr std::string_view kRequestIdKey = "x-request-id";

// 32 lowercase hex digits (128 random bits).
std::string NewRequestId();

// Whether `id` is acceptable from a caller: 1 to 128 characters of
// [A-Za-z0-9._:-]. Anything else is replaced, so log lines stay parseable.
bool IsValidRequestId(std::string_view id);

// The id of the call being served; empty only outside the kit's server.
std::string RequestIdOf(const grpc::ServerContextBase& context);

// Carries the id of the call being served onto an outgoing call.
void PropagateRequestId(const grpc::ServerContextBase& from, grpc::ClientContext* to);

}  // namespace onramp::server

#endif  // ONRAMP_LIB_KIT_SERVER_REQUEST_ID_H_
