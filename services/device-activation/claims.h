#ifndef ONRAMP_SERVICES_DEVICE_ACTIVATION_CLAIMS_H_
#define ONRAMP_SERVICES_DEVICE_ACTIVATION_CLAIMS_H_

// Bulk claims: the request checked (partner, 1 to 10,000 rows, a target or
// a redirect profile, the trust), each row checked on its own (an invalid
// row is reported, not fatal), the valid ones claimed in the store in one
// transaction, and the answer kept for retries with the same idempotency
// key.

#include <string>

#include "absl/status/statusor.h"
#include "onramp/device/v1/device.pb.h"
#include "services/device-activation/store.h"

namespace onramp::device {

absl::Status CheckClaimRequest(const v1::ClaimDevicesRequest& request);

// `result` counted under its outcome.
void AddToCounts(const v1::ClaimResult& result, v1::ClaimCounts* counts);

// Claims rows [first, last) of a checked `request`, under `idempotency_key`.
absl::StatusOr<v1::ClaimDevicesResponse> ClaimRange(DeviceStore& store, const v1::ClaimDevicesRequest& request,
                                                    int first, int last, const std::string& idempotency_key);

}  // namespace onramp::device

#endif  // ONRAMP_SERVICES_DEVICE_ACTIVATION_CLAIMS_H_
