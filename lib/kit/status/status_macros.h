#ifndef ONRAMP_LIB_KIT_STATUS_STATUS_MACROS_H_
#define ONRAMP_LIB_KIT_STATUS_STATUS_MACROS_H_

// Early-return helpers for absl::Status and absl::StatusOr<T>. Abseil
// 20220623 (Debian bookworm) ships neither.

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Returns the status of `expr` from the enclosing function unless it is OK.
#define RETURN_IF_ERROR(expr)                                \
  do {                                                       \
    if (absl::Status onramp_status_ = (expr); !onramp_status_.ok()) { \
      return onramp_status_;                                 \
    }                                                        \
  } while (false)

#define ONRAMP_STATUS_CONCAT_INNER_(a, b) a##b
#define ONRAMP_STATUS_CONCAT_(a, b) ONRAMP_STATUS_CONCAT_INNER_(a, b)

// `ASSIGN_OR_RETURN(auto x, F());` declares (or assigns) x from the value of
// the StatusOr returned by F(), or returns its error status.
#define ASSIGN_OR_RETURN(lhs, expr)                                         \
  ONRAMP_ASSIGN_OR_RETURN_IMPL_(                                            \
      ONRAMP_STATUS_CONCAT_(onramp_statusor_, __LINE__), lhs, expr)

#define ONRAMP_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) {                                    \
    return std::move(statusor).status();                   \
  }                                                        \
  lhs = *std::move(statusor)

#endif  // ONRAMP_LIB_KIT_STATUS_STATUS_MACROS_H_
