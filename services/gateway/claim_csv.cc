#include "services/gateway/claim_csv.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "lib/base/strings/csv.h"
#include "lib/base/strings/strings.h"
#include "lib/kit/status/error_detail.h"

namespace onramp::gateway {

using status::InvalidField;

absl::Status DevicesFromCsv(const std::string& body, device::v1::ClaimDevicesRequest* request) {
  absl::StatusOr<std::vector<strings::CsvRecord>> records = strings::ParseCsv(body);
  if (!records.ok()) return InvalidField("body", std::string(records.status().message()));
  if (records->empty()) return InvalidField("body", "the CSV has no header row");
  std::map<std::string, size_t> column;
  const strings::CsvRecord& header = records->front();
  for (size_t i = 0; i < header.fields.size(); ++i) {
    std::string name(strings::FromAbsl(absl::StripAsciiWhitespace(header.fields[i])));
    if (name != "mac" && name != "model" && name != "serial") {
      return InvalidField("body", absl::StrCat("line 1: unknown column \"", name, "\" (mac, model, serial)"));
    }
    column[name] = i;
  }
  if (!column.contains("mac")) return InvalidField("body", "line 1: a mac column is required");
  for (size_t r = 1; r < records->size(); ++r) {
    const strings::CsvRecord& record = (*records)[r];
    if (record.fields.size() != header.fields.size()) {
      return InvalidField("body", absl::StrCat("line ", record.line, ": ", record.fields.size(),
                                               " fields, the header has ", header.fields.size()));
    }
    device::v1::DeviceRow* row = request->add_devices();
    auto cell = [&](const char* name) {
      auto found = column.find(name);
      return found == column.end() ? std::string() : record.fields[found->second];
    };
    row->mutable_mac()->set_value(cell("mac"));
    row->set_model(cell("model"));
    row->set_serial(cell("serial"));
  }
  return absl::OkStatus();
}

}  // namespace onramp::gateway
