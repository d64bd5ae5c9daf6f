#ifndef ONRAMP_LIB_KIT_STATUS_GRPC_STATUS_H_
#define ONRAMP_LIB_KIT_STATUS_GRPC_STATUS_H_

// The one place where absl::Status and grpc::Status meet. Codes map 1:1 (both
// use the canonical codes); the field named by WithField travels as the
// status details, a serialised onramp.common.v1.ErrorDetail.

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace onramp::status {

grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace onramp::status

#endif  // ONRAMP_LIB_KIT_STATUS_GRPC_STATUS_H_
