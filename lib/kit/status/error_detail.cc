#include "lib/kit/status/error_detail.h"

#include <string>

#include <algorithm>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"

namespace onramp::status {
namespace {

// The payload's type URL names the proto message the gRPC layer turns it into.
constexpr absl::string_view kFieldPayload =
    "type.googleapis.com/onramp.common.v1.ErrorDetail.field";
constexpr absl::string_view kRetryAfterPayload =
    "type.googleapis.com/onramp.common.v1.ErrorDetail.retry_after";

}  // namespace

absl::Status WithField(absl::Status status, std::string_view field) {
  if (!status.ok()) status.SetPayload(kFieldPayload,
                                    absl::Cord(absl::string_view(field.data(), field.size())));
  return status;
}

std::optional<std::string> FieldOf(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kFieldPayload);
  if (!payload.has_value()) return std::nullopt;
  return std::string(*payload);
}

absl::Status WithRetryAfter(absl::Status status, absl::Duration retry_after) {
  if (!status.ok()) status.SetPayload(kRetryAfterPayload, absl::Cord(absl::FormatDuration(retry_after)));
  return status;
}

std::optional<absl::Duration> RetryAfterOf(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kRetryAfterPayload);
  absl::Duration retry_after;
  if (!payload.has_value() || !absl::ParseDuration(std::string(*payload), &retry_after)) return std::nullopt;
  return retry_after;
}

absl::Status LimitExceeded(std::string_view message, absl::Duration retry_after) {
  int64_t seconds = std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(retry_after, absl::Seconds(1))));
  return WithRetryAfter(
      absl::ResourceExhaustedError(absl::StrCat(std::string(message), "; retry in ", seconds, "s")),
      absl::Seconds(seconds));
}

absl::Status InvalidField(std::string_view field, std::string_view message) {
  return WithField(absl::InvalidArgumentError(std::string(message)), field);
}

}  // namespace onramp::status
