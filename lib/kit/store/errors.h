#ifndef ONRAMP_LIB_KIT_STORE_ERRORS_H_
#define ONRAMP_LIB_KIT_STORE_ERRORS_H_

// libpqxx reports failures by throwing; the store layer is where they stop.
// Each becomes an absl::Status whose code says what a caller can do about it:
//   UNAVAILABLE        connection lost or server shutting down: retry later
//   ABORTED            serialization failure or deadlock: retry the transaction
//   ALREADY_EXISTS     unique violation
//   FAILED_PRECONDITION other integrity violations, wrong transaction state
//   INVALID_ARGUMENT   bad data (22xxx), NOT NULL or CHECK violations
//   DEADLINE_EXCEEDED  statement timeout
//   RESOURCE_EXHAUSTED too many connections, disk full, out of memory
//   PERMISSION_DENIED  insufficient privilege
//   UNKNOWN            the commit's outcome is unknown
//   INTERNAL           our SQL is wrong, or anything else

#include <exception>
#include <string_view>

#include "absl/status/status.h"

namespace onramp::store {

// The status code for a PostgreSQL SQLSTATE (e.g. "23505").
absl::StatusCode CodeForSqlState(std::string_view sqlstate);

// Translates the exception being handled; call only inside a catch block.
absl::Status StatusFromCurrentException();

}  // namespace onramp::store

#endif  // ONRAMP_LIB_KIT_STORE_ERRORS_H_
