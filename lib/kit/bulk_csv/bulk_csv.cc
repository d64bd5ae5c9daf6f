#include "lib/kit/bulk_csv/bulk_csv.h"

#include <functional>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/base/strings/csv.h"
#include "lib/base/strings/strings.h"
#include "lib/kit/status/error_detail.h"

namespace onramp::bulk_csv {

namespace {

using status::InvalidField;

// One record after the header: its cell in a named column ("" for a
// column the header does not have).
using Cell = std::function<std::string(const char* column)>;

absl::Status ReadTable(const std::string& body, const std::set<std::string>& columns,
                       const std::set<std::string>& required, const std::function<void(const Cell&)>& each) {
  absl::StatusOr<std::vector<strings::CsvRecord>> records = strings::ParseCsv(body);
  if (!records.ok()) return InvalidField("body", std::string(records.status().message()));
  if (records->empty()) return InvalidField("body", "the CSV has no header row");
  std::map<std::string, size_t> column;
  const strings::CsvRecord& header = records->front();
  for (size_t i = 0; i < header.fields.size(); ++i) {
    std::string name(strings::FromAbsl(absl::StripAsciiWhitespace(header.fields[i])));
    if (!columns.contains(name)) {
      return InvalidField("body", absl::StrCat("line 1: unknown column \"", name, "\" (",
                                               absl::StrJoin(columns, ", "), ")"));
    }
    column[name] = i;
  }
  for (const std::string& name : required) {
    if (!column.contains(name)) return InvalidField("body", absl::StrCat("line 1: a ", name, " column is required"));
  }
  for (size_t r = 1; r < records->size(); ++r) {
    const strings::CsvRecord& record = (*records)[r];
    if (record.fields.size() != header.fields.size()) {
      return InvalidField("body", absl::StrCat("line ", record.line, ": ", record.fields.size(),
                                               " fields, the header has ", header.fields.size()));
    }
    each([&](const char* name) {
      auto found = column.find(name);
      return found == column.end() ? std::string() : record.fields[found->second];
    });
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status DevicesFromCsv(const std::string& body, device::v1::ClaimDevicesRequest* request) {
  return ReadTable(body, {"mac", "model", "serial"}, {"mac"}, [request](const Cell& cell) {
    device::v1::DeviceRow* row = request->add_devices();
    row->mutable_mac()->set_value(cell("mac"));
    row->set_model(cell("model"));
    row->set_serial(cell("serial"));
  });
}

absl::Status AssignmentsFromCsv(const std::string& body, profile::v1::AssignSitesRequest* request) {
  return ReadTable(body, {"mac", "site"}, {"mac", "site"}, [request](const Cell& cell) {
    profile::v1::SiteAssignment* row = request->add_assignments();
    row->mutable_mac()->set_value(cell("mac"));
    row->set_site(cell("site"));
  });
}

}  // namespace onramp::bulk_csv
