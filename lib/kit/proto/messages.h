#ifndef ONRAMP_LIB_KIT_PROTO_MESSAGES_H_
#define ONRAMP_LIB_KIT_PROTO_MESSAGES_H_

#include <string>

#include "absl/time/time.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"

namespace onramp::proto {

// `time` at microsecond precision, as the services store times.
void SetTimestamp(absl::Time time, google::protobuf::Timestamp* out);

// The time a Timestamp names.
absl::Time FromTimestamp(const google::protobuf::Timestamp& timestamp);

// `duration` at microsecond precision; FromDuration reads it back.
void SetDuration(absl::Duration duration, google::protobuf::Duration* out);
absl::Duration FromDuration(const google::protobuf::Duration& duration);

// The message's bytes with map entries in a fixed order, so equal messages
// always give equal bytes (for fingerprints of requests).
std::string DeterministicBytes(const google::protobuf::Message& message);

}  // namespace onramp::proto

#endif  // ONRAMP_LIB_KIT_PROTO_MESSAGES_H_
