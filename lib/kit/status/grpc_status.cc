#include "lib/kit/status/grpc_status.h"

#include <optional>
#include <string>

#include "lib/kit/status/error_detail.h"
#include "onramp/common/v1/common.pb.h"

namespace onramp::status {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  auto code = static_cast<grpc::StatusCode>(status.code());
  std::string message(status.message());
  std::optional<std::string> field = FieldOf(status);
  std::optional<absl::Duration> retry_after = RetryAfterOf(status);
  if (!field.has_value() && !retry_after.has_value()) return grpc::Status(code, message);
  onramp::common::v1::ErrorDetail detail;
  if (field.has_value()) detail.set_field(*field);
  detail.set_message(message);
  if (retry_after.has_value()) {
    detail.mutable_retry_after()->set_seconds(absl::ToInt64Seconds(*retry_after));
    detail.mutable_retry_after()->set_nanos(
        static_cast<int32_t>(absl::ToInt64Nanoseconds(*retry_after - absl::Seconds(absl::ToInt64Seconds(*retry_after)))));
  }
  return grpc::Status(code, message, detail.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status result(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
  onramp::common::v1::ErrorDetail detail;
  if (status.error_details().empty() || !detail.ParseFromString(status.error_details())) return result;
  if (!detail.field().empty()) result = WithField(std::move(result), detail.field());
  if (detail.has_retry_after()) {
    result = WithRetryAfter(std::move(result), absl::Seconds(detail.retry_after().seconds()) +
                                                   absl::Nanoseconds(detail.retry_after().nanos()));
  }
  return result;
}

}  // namespace onramp::status
