#ifndef ONRAMP_LIB_KIT_RATE_LIMIT_FAILURE_WINDOWS_H_
#define ONRAMP_LIB_KIT_RATE_LIMIT_FAILURE_WINDOWS_H_

// Limits on failed guesses (activation codes, short codes, MAC lookups)
// that hold for the whole fleet: failures are counted in a PostgreSQL table
// per (scope, subject) and fixed window, so adding replicas does not
// multiply the limit. Windows align to the epoch in the database's clock.
//
// The table, created by each service's own migration:
//   CREATE TABLE <schema>.<table> (
//     scope text NOT NULL, subject text NOT NULL, window_start timestamptz NOT NULL,
//     failures integer NOT NULL, PRIMARY KEY (scope, subject, window_start));
//
// Every function runs inside the caller's transaction.

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "pqxx/transaction_base"

namespace onramp::rate_limit {

class FailureWindows {
 public:
  // `table` is schema-qualified, e.g. "activation.redeem_failures"; it is
  // trusted text from the service, never from a request.
  FailureWindows(std::string table, absl::Duration window)
      : table_(std::move(table)), window_(window) {}

  struct Check {
    std::string scope;    // "source", "mac", ...
    std::string subject;  // empty: not checked
    int limit;
  };
  struct Exceeded {
    std::string scope;
    absl::Duration retry_after;  // until the window ends, at least 1 s
  };

  // The first check whose subject has reached its limit in this window.
  // Subjects must be printable ASCII.
  std::optional<Exceeded> FirstExceeded(pqxx::transaction_base& tx,
                                        const std::vector<Check>& checks) const;

  void CountFailure(pqxx::transaction_base& tx, const std::string& scope,
                    const std::string& subject) const;

  // Drops windows that ended; returns how many rows went.
  int DeleteEnded(pqxx::transaction_base& tx) const;

  absl::Duration window() const { return window_; }

  // SQL for the current window's start, reading the window length in
  // seconds from `seconds_parameter` (e.g. "$6"), for callers that fold the
  // check into a statement of their own.
  static std::string WindowStartSql(const std::string& seconds_parameter);

 private:
  std::string table_;
  absl::Duration window_;
};

}  // namespace onramp::rate_limit

#endif  // ONRAMP_LIB_KIT_RATE_LIMIT_FAILURE_WINDOWS_H_
