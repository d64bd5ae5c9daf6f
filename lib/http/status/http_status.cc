#include "lib/http/status/http_status.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "lib/base/strings/json.h"
#include "lib/base/strings/strings.h"
#include "lib/kit/status/error_detail.h"

namespace onramp::http_status {

int ForPhone(absl::StatusCode code) {
  using C = absl::StatusCode;
  switch (code) {
    case C::kOk: return 200;
    case C::kNotFound: return 404;  // outcome B: retry after Resync_Error_Retry_Delay
    case C::kInvalidArgument:
    case C::kFailedPrecondition:
    case C::kOutOfRange:
    case C::kAlreadyExists:
    case C::kAborted: return 400;
    case C::kUnauthenticated: return 401;
    case C::kPermissionDenied: return 403;
    case C::kResourceExhausted: return 429;
    case C::kUnavailable:
    case C::kDeadlineExceeded: return 503;
    case C::kUnimplemented: return 501;
    default: return 500;  // Internal, Unknown, DataLoss, Cancelled
  }
}

int ForPartner(absl::StatusCode code) {
  using C = absl::StatusCode;
  switch (code) {
    case C::kOk: return 200;
    case C::kInvalidArgument:
    case C::kOutOfRange: return 400;
    case C::kUnauthenticated: return 401;
    case C::kPermissionDenied: return 403;
    case C::kNotFound: return 404;
    case C::kAlreadyExists:
    case C::kAborted: return 409;
    case C::kFailedPrecondition: return 412;
    case C::kResourceExhausted: return 429;
    case C::kCancelled: return 499;
    case C::kUnimplemented: return 501;
    case C::kUnavailable: return 503;
    case C::kDeadlineExceeded: return 504;
    default: return 500;
  }
}

std::string RetryAfterSeconds(const absl::Status& status, absl::Duration fallback) {
  return RetryAfterSeconds(status::RetryAfterOf(status).value_or(fallback));
}

std::string RetryAfterSeconds(absl::Duration wait) {
  return absl::StrCat(std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(wait, absl::Seconds(1)))));
}

std::string ErrorBody(const absl::Status& status) {
  std::string body = absl::StrCat(
      "{\"error\":{\"code\":", strings::JsonString(absl::StatusCodeToString(status.code())),
      ",\"message\":", strings::JsonString(strings::FromAbsl(status.message())));
  if (std::optional<std::string> field = status::FieldOf(status)) {
    absl::StrAppend(&body, ",\"field\":", strings::JsonString(*field));
  }
  absl::StrAppend(&body, "}}");
  return body;
}

}  // namespace onramp::http_status
