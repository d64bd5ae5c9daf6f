#include "lib/kit/store/errors.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "pqxx/except"

namespace onramp::store {
namespace {

// The server's message without its "ERROR:  " prefix, on one line.
std::string Describe(const char* what) {
  std::string text = what;
  if (text.starts_with("ERROR:")) text.erase(0, text.find_first_not_of(' ', 6));
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return absl::StrCat("database: ", text);
}

}  // namespace

absl::StatusCode CodeForSqlState(std::string_view sqlstate) {
  using Code = absl::StatusCode;
  if (sqlstate == "23505") return Code::kAlreadyExists;
  if (sqlstate == "23502" || sqlstate == "23514") return Code::kInvalidArgument;
  if (sqlstate == "57014") return Code::kDeadlineExceeded;
  if (sqlstate == "42501") return Code::kPermissionDenied;
  if (sqlstate == "55P03") return Code::kAborted;
  if (sqlstate.starts_with("57P")) return Code::kUnavailable;
  std::string_view sqlclass = sqlstate.substr(0, 2);
  if (sqlclass == "08") return Code::kUnavailable;
  if (sqlclass == "22") return Code::kInvalidArgument;
  if (sqlclass == "23") return Code::kFailedPrecondition;
  if (sqlclass == "25") return Code::kFailedPrecondition;
  if (sqlclass == "40") return Code::kAborted;
  if (sqlclass == "53") return Code::kResourceExhausted;
  if (sqlclass == "P0") return Code::kFailedPrecondition;
  return Code::kInternal;
}

absl::Status StatusFromCurrentException() {
  try {
    throw;
  } catch (const pqxx::in_doubt_error& e) {
    return absl::UnknownError(absl::StrCat("database: commit outcome unknown: ", e.what()));
  } catch (const pqxx::too_many_connections& e) {
    return absl::ResourceExhaustedError(Describe(e.what()));
  } catch (const pqxx::broken_connection& e) {
    return absl::UnavailableError(Describe(e.what()));
  } catch (const pqxx::statement_completion_unknown& e) {
    return absl::UnknownError(Describe(e.what()));
  } catch (const pqxx::transaction_rollback& e) {
    // Serialization failures and deadlocks (libpqxx 6 does not keep their
    // SQLSTATE on these).
    return absl::AbortedError(Describe(e.what()));
  } catch (const pqxx::sql_error& e) {
    return absl::Status(CodeForSqlState(e.sqlstate()), Describe(e.what()));
  } catch (const std::exception& e) {
    return absl::InternalError(Describe(e.what()));
  } catch (...) {
    return absl::InternalError("database: unknown exception");
  }
}

}  // namespace onramp::store
