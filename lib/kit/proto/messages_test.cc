#include "lib/kit/proto/messages.h"

#include "gtest/gtest.h"

namespace onramp::proto {
namespace {

TEST(MessagesTest, TimestampsKeepMicrosecondsAndNonNegativeNanos) {
  google::protobuf::Timestamp stamp;
  SetTimestamp(absl::FromUnixMicros(1700000000123456), &stamp);
  EXPECT_EQ(stamp.seconds(), 1700000000);
  EXPECT_EQ(stamp.nanos(), 123456000);
  SetTimestamp(absl::FromUnixMicros(-1), &stamp);
  EXPECT_EQ(stamp.seconds(), -1);
  EXPECT_EQ(stamp.nanos(), 999999000);
  EXPECT_EQ(FromTimestamp(stamp), absl::FromUnixMicros(-1));
  SetTimestamp(absl::FromUnixMicros(1700000000123456), &stamp);
  EXPECT_EQ(FromTimestamp(stamp), absl::FromUnixMicros(1700000000123456));
}

TEST(MessagesTest, DurationsKeepMicrosecondsWithOneSign) {
  google::protobuf::Duration duration;
  SetDuration(absl::Milliseconds(1250), &duration);
  EXPECT_EQ(duration.seconds(), 1);
  EXPECT_EQ(duration.nanos(), 250000000);
  EXPECT_EQ(FromDuration(duration), absl::Milliseconds(1250));
  SetDuration(-absl::Milliseconds(1250), &duration);
  EXPECT_EQ(duration.seconds(), -1);
  EXPECT_EQ(duration.nanos(), -250000000);
  EXPECT_EQ(FromDuration(duration), -absl::Milliseconds(1250));
}

TEST(MessagesTest, DeterministicBytesAreStable) {
  google::protobuf::Timestamp stamp;
  stamp.set_seconds(42);
  EXPECT_EQ(DeterministicBytes(stamp), DeterministicBytes(stamp));
  EXPECT_EQ(DeterministicBytes(stamp), stamp.SerializeAsString());
}

}  // namespace
}  // namespace onramp::proto
