#include "lib/http/status/http_status.h"

#include "gtest/gtest.h"
#include "lib/kit/status/error_detail.h"

namespace onramp::http_status {
namespace {

using C = absl::StatusCode;

TEST(HttpStatusTest, PhonesSee404OnlyForMissingProfilesAnd5xxOnlyForFaults) {
  const std::pair<C, int> table[] = {
      {C::kOk, 200},           {C::kNotFound, 404},          {C::kInvalidArgument, 400},
      {C::kFailedPrecondition, 400}, {C::kAlreadyExists, 400}, {C::kAborted, 400},
      {C::kOutOfRange, 400},   {C::kUnauthenticated, 401},   {C::kPermissionDenied, 403},
      {C::kResourceExhausted, 429}, {C::kUnavailable, 503},  {C::kDeadlineExceeded, 503},
      {C::kUnimplemented, 501}, {C::kInternal, 500},         {C::kDataLoss, 500},
      {C::kUnknown, 500},      {C::kCancelled, 500},
  };
  for (const auto& [code, http] : table) {
    EXPECT_EQ(ForPhone(code), http) << absl::StatusCodeToString(code);
    if (code != C::kNotFound) {
      EXPECT_NE(ForPhone(code), 404);
    }
  }
}

TEST(HttpStatusTest, PartnersGetTheRestMapping) {
  const std::pair<C, int> table[] = {
      {C::kOk, 200},          {C::kInvalidArgument, 400},  {C::kOutOfRange, 400},
      {C::kUnauthenticated, 401}, {C::kPermissionDenied, 403}, {C::kNotFound, 404},
      {C::kAlreadyExists, 409}, {C::kAborted, 409},        {C::kFailedPrecondition, 412},
      {C::kResourceExhausted, 429}, {C::kCancelled, 499},  {C::kUnimplemented, 501},
      {C::kUnavailable, 503}, {C::kDeadlineExceeded, 504}, {C::kInternal, 500},
      {C::kDataLoss, 500},    {C::kUnknown, 500},
  };
  for (const auto& [code, http] : table) EXPECT_EQ(ForPartner(code), http) << absl::StatusCodeToString(code);
}

TEST(HttpStatusTest, ErrorBodiesNameTheField) {
  EXPECT_EQ(ErrorBody(status::InvalidField("devices[3].mac", "mac \"00:11\" is not 12 hex digits")),
            R"({"error":{"code":"INVALID_ARGUMENT","message":"mac \"00:11\" is not 12 hex digits","field":"devices[3].mac"}})");
  EXPECT_EQ(ErrorBody(absl::NotFoundError("no such code")),
            R"({"error":{"code":"NOT_FOUND","message":"no such code"}})");
}

TEST(HttpStatusTest, RetryAfterIsTheServicesOwnWaitInWholeSeconds) {
  EXPECT_EQ(RetryAfterSeconds(status::LimitExceeded("too many", absl::Seconds(3100))), "3100");
  EXPECT_EQ(RetryAfterSeconds(status::WithRetryAfter(absl::UnavailableError("busy"), absl::Milliseconds(200))),
            "1");
  EXPECT_EQ(RetryAfterSeconds(absl::UnavailableError("unreachable")), "5");
  EXPECT_EQ(RetryAfterSeconds(absl::UnavailableError("unreachable"), absl::Seconds(30)), "30");
}

}  // namespace
}  // namespace onramp::http_status
