#ifndef ONRAMP_LIB_KIT_BULK_CSV_BULK_CSV_H_
#define ONRAMP_LIB_KIT_BULK_CSV_BULK_CSV_H_

// Bulk requests as partners export them from a spreadsheet: RFC 4180 CSV
// whose header row names the columns, in any order. Claims take mac, model
// and serial; site assignments mac and site. Errors name "body" and the
// line.

#include <string>

#include "absl/status/status.h"
#include "onramp/device/v1/device.pb.h"
#include "onramp/profile/v1/profile.pb.h"

namespace onramp::bulk_csv {

// Appends a device row to `request` for every record after the header
// (mac required).
absl::Status DevicesFromCsv(const std::string& body, device::v1::ClaimDevicesRequest* request);

// Appends an assignment to `request` for every record after the header
// (mac and site required; an empty site takes the phone out of its site).
absl::Status AssignmentsFromCsv(const std::string& body, profile::v1::AssignSitesRequest* request);

}  // namespace onramp::bulk_csv

#endif  // ONRAMP_LIB_KIT_BULK_CSV_BULK_CSV_H_
