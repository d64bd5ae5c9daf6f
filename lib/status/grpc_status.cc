#include "lib/status/grpc_status.h"

#include <optional>
#include <string>

#include "lib/status/error_detail.h"
#include "onramp/common/v1/common.pb.h"

namespace onramp::status {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  auto code = static_cast<grpc::StatusCode>(status.code());
  std::string message(status.message());
  std::optional<std::string> field = FieldOf(status);
  if (!field.has_value()) return grpc::Status(code, message);
  onramp::common::v1::ErrorDetail detail;
  detail.set_field(*field);
  detail.set_message(message);
  return grpc::Status(code, message, detail.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status result(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
  onramp::common::v1::ErrorDetail detail;
  if (!status.error_details().empty() &&
      detail.ParseFromString(status.error_details()) && !detail.field().empty()) {
    result = WithField(std::move(result), detail.field());
  }
  return result;
}

}  // namespace onramp::status
