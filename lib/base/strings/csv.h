#ifndef ONRAMP_LIB_BASE_STRINGS_CSV_H_
#define ONRAMP_LIB_BASE_STRINGS_CSV_H_

// Comma-separated values as RFC 4180 writes them and spreadsheets export
// them: fields split by ',', optionally quoted with '"' (a quote inside is
// doubled; quoted fields may hold commas and line breaks), records ended by
// CRLF or LF. Blank lines are skipped.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace onramp::strings {

struct CsvRecord {
  int line = 0;  // 1-based line where the record starts, for error messages
  std::vector<std::string> fields;
};

// INVALID_ARGUMENT naming the line for an unterminated quote or text after
// a closing quote.
absl::StatusOr<std::vector<CsvRecord>> ParseCsv(std::string_view text);

}  // namespace onramp::strings

#endif  // ONRAMP_LIB_BASE_STRINGS_CSV_H_
