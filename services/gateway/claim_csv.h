#ifndef ONRAMP_SERVICES_GATEWAY_CLAIM_CSV_H_
#define ONRAMP_SERVICES_GATEWAY_CLAIM_CSV_H_

// A bulk claim as partners export it from a spreadsheet: RFC 4180 CSV whose
// header row names the columns mac, model and serial, in any order (mac
// required). Errors name "body" and the line.

#include <string>

#include "absl/status/status.h"
#include "onramp/device/v1/device.pb.h"

namespace onramp::gateway {

// Appends a device row to `request` for every record after the header.
absl::Status DevicesFromCsv(const std::string& body, device::v1::ClaimDevicesRequest* request);

}  // namespace onramp::gateway

#endif  // ONRAMP_SERVICES_GATEWAY_CLAIM_CSV_H_
