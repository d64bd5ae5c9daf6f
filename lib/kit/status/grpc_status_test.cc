#include "lib/kit/status/grpc_status.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/error_detail.h"
#include "lib/kit/status/status_matchers.h"
#include "onramp/common/v1/common.pb.h"

namespace onramp::status {
namespace {

using ::testing::Eq;
using ::testing::Optional;

TEST(GrpcStatusTest, EveryCanonicalCodeMapsOneToOne) {
  const std::vector<std::pair<absl::StatusCode, grpc::StatusCode>> table = {
      {absl::StatusCode::kCancelled, grpc::StatusCode::CANCELLED},
      {absl::StatusCode::kUnknown, grpc::StatusCode::UNKNOWN},
      {absl::StatusCode::kInvalidArgument, grpc::StatusCode::INVALID_ARGUMENT},
      {absl::StatusCode::kDeadlineExceeded, grpc::StatusCode::DEADLINE_EXCEEDED},
      {absl::StatusCode::kNotFound, grpc::StatusCode::NOT_FOUND},
      {absl::StatusCode::kAlreadyExists, grpc::StatusCode::ALREADY_EXISTS},
      {absl::StatusCode::kPermissionDenied, grpc::StatusCode::PERMISSION_DENIED},
      {absl::StatusCode::kResourceExhausted, grpc::StatusCode::RESOURCE_EXHAUSTED},
      {absl::StatusCode::kFailedPrecondition, grpc::StatusCode::FAILED_PRECONDITION},
      {absl::StatusCode::kAborted, grpc::StatusCode::ABORTED},
      {absl::StatusCode::kOutOfRange, grpc::StatusCode::OUT_OF_RANGE},
      {absl::StatusCode::kUnimplemented, grpc::StatusCode::UNIMPLEMENTED},
      {absl::StatusCode::kInternal, grpc::StatusCode::INTERNAL},
      {absl::StatusCode::kUnavailable, grpc::StatusCode::UNAVAILABLE},
      {absl::StatusCode::kDataLoss, grpc::StatusCode::DATA_LOSS},
      {absl::StatusCode::kUnauthenticated, grpc::StatusCode::UNAUTHENTICATED},
  };
  for (const auto& [absl_code, grpc_code] : table) {
    grpc::Status converted = ToGrpcStatus(absl::Status(absl_code, "why"));
    EXPECT_EQ(converted.error_code(), grpc_code) << absl::StatusCodeToString(absl_code);
    EXPECT_EQ(converted.error_message(), "why");
    EXPECT_THAT(FromGrpcStatus(converted), StatusIs(absl_code, Eq("why")));
  }
}

TEST(GrpcStatusTest, OkStaysOk) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_THAT(FromGrpcStatus(grpc::Status::OK), IsOk());
}

TEST(GrpcStatusTest, FieldTravelsAsErrorDetail) {
  grpc::Status converted = ToGrpcStatus(InvalidField("count", "count 0 is not in 1..1000"));
  onramp::common::v1::ErrorDetail detail;
  ASSERT_TRUE(detail.ParseFromString(converted.error_details()));
  EXPECT_EQ(detail.field(), "count");
  EXPECT_EQ(detail.message(), "count 0 is not in 1..1000");

  absl::Status back = FromGrpcStatus(converted);
  EXPECT_THAT(back, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(FieldOf(back), Optional(Eq("count")));
}

TEST(GrpcStatusTest, RetryAfterTravelsAsErrorDetail) {
  grpc::Status converted = ToGrpcStatus(LimitExceeded("too many unknown phones from this source", absl::Seconds(3100)));
  onramp::common::v1::ErrorDetail detail;
  ASSERT_TRUE(detail.ParseFromString(converted.error_details()));
  EXPECT_EQ(detail.retry_after().seconds(), 3100);
  EXPECT_EQ(detail.field(), "");

  absl::Status back = FromGrpcStatus(converted);
  EXPECT_THAT(back, StatusIs(absl::StatusCode::kResourceExhausted,
                             Eq("too many unknown phones from this source; retry in 3100s")));
  EXPECT_THAT(RetryAfterOf(back), Optional(Eq(absl::Seconds(3100))));
  EXPECT_EQ(FieldOf(back), std::nullopt);
}

TEST(GrpcStatusTest, GarbageDetailsAreIgnored) {
  absl::Status back = FromGrpcStatus(
      grpc::Status(grpc::StatusCode::INTERNAL, "boom", "\xff\xff\xff not a proto"));
  EXPECT_THAT(back, StatusIs(absl::StatusCode::kInternal, Eq("boom")));
  EXPECT_EQ(FieldOf(back), std::nullopt);
}

}  // namespace
}  // namespace onramp::status
