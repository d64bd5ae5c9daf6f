#ifndef ONRAMP_LIB_KIT_PARTNER_JSON_PARTNER_JSON_H_
#define ONRAMP_LIB_KIT_PARTNER_JSON_PARTNER_JSON_H_

// The JSON partners read and write (the REST API, webhook events): the
// protobuf JSON mapping (proto field names),
// with two changes people expect of a REST API:
//  - a MAC address is a plain string, "mac": "000e08aabbcc", in and out
//    (onramp.common.v1.MacAddress is read and written as if it were a
//    google.protobuf.StringValue, which it matches on the wire); the
//    object form {"value": "..."} is still read;
//  - every scalar field is printed, zeros, empty strings, false and
//    ..._UNSPECIFIED included, so a reply always has the same keys.

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace onramp::partner_json {

// Unknown fields are errors (typos do not pass silently); the message says
// what the parser did not accept.
absl::Status Parse(std::string_view json, google::protobuf::Message* message);

absl::StatusOr<std::string> Print(const google::protobuf::Message& message);

}  // namespace onramp::partner_json

#endif  // ONRAMP_LIB_KIT_PARTNER_JSON_PARTNER_JSON_H_
