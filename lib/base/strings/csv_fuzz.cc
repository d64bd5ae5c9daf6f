// Fuzzes the RFC 4180 CSV reader. Properties: nothing crashes; records
// start on increasing lines, none before line 1, each with a field.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lib/base/strings/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<std::vector<onramp::strings::CsvRecord>> records = onramp::strings::ParseCsv(text);
  if (!records.ok()) return 0;
  int last = 0;
  for (const onramp::strings::CsvRecord& record : *records) {
    if (record.line <= last || record.fields.empty()) std::abort();
    last = record.line;
  }
  return 0;
}
