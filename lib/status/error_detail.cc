#include "lib/status/error_detail.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/string_view.h"
#include "absl/types/optional.h"

namespace onramp::status {
namespace {

// The payload's type URL names the proto message the gRPC layer turns it into.
constexpr absl::string_view kFieldPayload =
    "type.googleapis.com/onramp.common.v1.ErrorDetail.field";

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

absl::Status InvalidField(std::string_view field, std::string_view message) {
  return WithField(absl::InvalidArgumentError(std::string(message)), field);
}

}  // namespace onramp::status
