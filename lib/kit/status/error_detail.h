#ifndef ONRAMP_LIB_KIT_STATUS_ERROR_DETAIL_H_
#define ONRAMP_LIB_KIT_STATUS_ERROR_DETAIL_H_

// Errors that name the request field a caller got wrong. The field rides on
// the absl::Status as a payload, survives the trip through gRPC (see
// grpc_status.h) and reaches partners as {"error":{..., "field": ...}}.

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace onramp::status {

// Returns `status` with `field` (a dotted request path such as
// "devices[3].mac") attached. An OK status is returned unchanged.
absl::Status WithField(absl::Status status, std::string_view field);

// The field attached by WithField, if any.
std::optional<std::string> FieldOf(const absl::Status& status);

// Returns `status` saying when to come back (a limit's window, a busy
// backend): it travels like the field and becomes the phone's or
// partner's Retry-After. An OK status is returned unchanged.
absl::Status WithRetryAfter(absl::Status status, absl::Duration retry_after);

// The wait attached by WithRetryAfter, if any.
std::optional<absl::Duration> RetryAfterOf(const absl::Status& status);

// RESOURCE_EXHAUSTED "<message>; retry in Ns" with that wait attached.
absl::Status LimitExceeded(std::string_view message, absl::Duration retry_after);

// INVALID_ARGUMENT naming `field`, e.g.
// InvalidField("mac", "mac \"00:11\" is not 12 hex digits").
absl::Status InvalidField(std::string_view field, std::string_view message);

}  // namespace onramp::status

#endif  // ONRAMP_LIB_KIT_STATUS_ERROR_DETAIL_H_
