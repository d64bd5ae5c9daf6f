#ifndef ONRAMP_LIB_HTTP_STATUS_HTTP_STATUS_H_
#define ONRAMP_LIB_HTTP_STATUS_HTTP_STATUS_H_

// Service status -> HTTP status, once, in two tables.
//
// Phones act on the status (seed document, "HTTP status codes on resync and
// upgrade"): 404 means "no such profile" and sends them to
// Resync_Error_Retry_Delay as outcome B; other 4xx and all 5xx are outcome C.
// So a phone sees 404 only for NOT_FOUND, 5xx only for real server faults,
// and 503 (with Retry-After) when the fleet is busy.
//
// Partners get the REST mapping, with the JSON error body
// {"error":{"code":"INVALID_ARGUMENT","message":"...","field":"..."}}.

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace onramp::http_status {

int ForPhone(absl::StatusCode code);
int ForPartner(absl::StatusCode code);

// The Retry-After value for a 429 or 503 from `status`: the wait the
// service attached (lib/kit/status WithRetryAfter), in whole seconds, at least
// 1; else `fallback` (a busy or unreachable backend says nothing).
std::string RetryAfterSeconds(const absl::Status& status, absl::Duration fallback = absl::Seconds(5));
// A wait as Retry-After's whole seconds, rounded up, at least 1.
std::string RetryAfterSeconds(absl::Duration wait);

// {"error":{"code":...,"message":...,"field":...}} ("field" only when the
// status names one, see lib/kit/status/error_detail.h).
std::string ErrorBody(const absl::Status& status);

}  // namespace onramp::http_status

#endif  // ONRAMP_LIB_HTTP_STATUS_HTTP_STATUS_H_
