#include "lib/kit/rate_limit/failure_windows.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/kit/store/arrays.h"
#include "pqxx/pqxx"

namespace onramp::rate_limit {
std::string FailureWindows::WindowStartSql(const std::string& seconds_parameter) {
  return absl::StrCat("to_timestamp(floor(extract(epoch FROM now())::float8 / ", seconds_parameter,
                      "::float8) * ", seconds_parameter, "::float8)");
}

std::optional<FailureWindows::Exceeded> FailureWindows::FirstExceeded(
    pqxx::transaction_base& tx, const std::vector<Check>& checks) const {
  const std::string window_start = WindowStartSql("$1");
  std::vector<std::string> scopes, subjects, limits;
  for (const Check& check : checks) {
    if (check.subject.empty()) continue;
    scopes.push_back(check.scope);
    subjects.push_back(check.subject);
    limits.push_back(absl::StrCat(check.limit));
  }
  if (scopes.empty()) return std::nullopt;
  pqxx::result rows = tx.exec_params(
      absl::StrCat("SELECT f.scope, extract(epoch FROM ", window_start,
                   " + make_interval(secs => $1::float8) - now()) "
                   "FROM unnest($2::text[], $3::text[], $4::int[]) WITH ORDINALITY "
                   "AS c(scope, subject, lim, position) JOIN ",
                   table_, " f ON f.scope = c.scope AND f.subject = c.subject AND f.window_start = ",
                   window_start, " WHERE f.failures >= c.lim ORDER BY c.position LIMIT 1"),
      absl::ToDoubleSeconds(window_), store::TextArray(scopes), store::TextArray(subjects),
      absl::StrCat("{", absl::StrJoin(limits, ","), "}"));
  if (rows.empty()) return std::nullopt;
  return Exceeded{.scope = rows[0][0].as<std::string>(),
                  .retry_after = absl::Seconds(std::max(1.0, rows[0][1].as<double>()))};
}

void FailureWindows::CountFailure(pqxx::transaction_base& tx, const std::string& scope,
                                  const std::string& subject) const {
  if (subject.empty()) return;
  const std::string window_start = WindowStartSql("$1");
  tx.exec_params(
      absl::StrCat("INSERT INTO ", table_, " AS f (scope, subject, window_start, failures) ",
                   "VALUES ($2, $3, ", window_start, ", 1) ",
                   "ON CONFLICT (scope, subject, window_start) DO UPDATE SET failures = f.failures + 1"),
      absl::ToDoubleSeconds(window_), scope, subject);
}

int FailureWindows::DeleteEnded(pqxx::transaction_base& tx) const {
  return static_cast<int>(
      tx.exec_params(absl::StrCat("DELETE FROM ", table_,
                                  " WHERE window_start < now() - make_interval(secs => $1::float8)"),
                     absl::ToDoubleSeconds(window_))
          .affected_rows());
}

}  // namespace onramp::rate_limit
