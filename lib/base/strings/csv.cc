#include "lib/base/strings/csv.h"

#include "absl/strings/str_cat.h"

namespace onramp::strings {

absl::StatusOr<std::vector<CsvRecord>> ParseCsv(std::string_view text) {
  std::vector<CsvRecord> records;
  CsvRecord record{.line = 1};
  std::string field;
  int line = 1;
  bool record_has_content = false;
  size_t i = 0;
  auto end_field = [&] {
    record.fields.push_back(std::move(field));
    field.clear();
  };
  auto end_record = [&] {
    end_field();
    if (record_has_content) records.push_back(std::move(record));
    record = CsvRecord{.line = line};
    record_has_content = false;
  };
  while (i < text.size()) {
    char c = text[i];
    if (c == '"' && field.empty()) {
      // A quoted field: up to the closing quote, "" standing for one.
      int opened_on = line;
      record_has_content = true;
      for (++i;; ++i) {
        if (i >= text.size()) return absl::InvalidArgumentError(absl::StrCat("line ", opened_on, ": unterminated quote"));
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            ++i;
            continue;
          }
          ++i;
          break;
        }
        if (text[i] == '\n') ++line;
        field += text[i];
      }
      if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
        return absl::InvalidArgumentError(absl::StrCat("line ", line, ": text after a closing quote"));
      }
      continue;
    }
    if (c == ',') {
      record_has_content = true;
      end_field();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      // CRLF: handled at the LF.
    } else if (c == '\n') {
      ++line;
      end_record();
    } else {
      record_has_content = true;
      field += c;
    }
    ++i;
  }
  end_record();
  return records;
}

}  // namespace onramp::strings
