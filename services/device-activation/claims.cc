#include "services/device-activation/claims.h"

#include <set>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/base/digest/digest.h"
#include "lib/kit/proto/messages.h"
#include "lib/kit/status/error_detail.h"
#include "lib/kit/status/status_macros.h"
#include "lib/kit/validation/fields.h"
#include "services/device-activation/device_proto.h"

namespace onramp::device {
namespace {

using status::InvalidField;
using validation::Presence;

constexpr int kMaxClaimRows = 10000;

// Rows checked one by one; results for every row, INVALID ones included.
struct CheckedClaim {
  ClaimBatch batch;                      // valid rows
  std::vector<v1::ClaimResult> results;  // one per request row, outcome set for invalid ones
  std::vector<int> valid_rows;           // request index of each batch row
};

absl::StatusOr<CheckedClaim> CheckClaim(const v1::ClaimDevicesRequest& request, int first,
                                        int last) {
  CheckedClaim checked;
  checked.batch.partner = request.partner();
  checked.batch.trust = FromProto(request.trust());
  if (request.has_target()) {
    checked.batch.target = EncodeTarget(request.target());
  } else {
    checked.batch.redirect_profile_id = request.redirect_profile_id();
  }
  std::set<std::string> seen;
  for (int i = first; i < last; ++i) {
    const v1::DeviceRow& row = request.devices(i);
    v1::ClaimResult result;
    result.set_row(i);
    std::string prefix = absl::StrCat("devices[", i, "]");
    absl::StatusOr<std::string> mac = validation::Mac(prefix + ".mac", row.mac().value());
    absl::Status problem = mac.status();
    if (problem.ok()) problem = validation::Name(prefix + ".serial", row.serial(), 64, Presence::kOptional);
    if (problem.ok()) problem = validation::Name(prefix + ".model", row.model(), 64, Presence::kOptional);
    if (problem.ok() && !seen.insert(*mac).second) {
      problem = InvalidField(prefix + ".mac", "mac repeats an earlier row");
    }
    result.set_mac(mac.ok() ? *mac : row.mac().value());
    if (!problem.ok()) {
      result.set_outcome(v1::CLAIM_OUTCOME_INVALID);
      result.set_field(status::FieldOf(problem).value_or(prefix));
      result.set_reason(std::string(problem.message()));
    } else {
      checked.batch.rows.push_back({*mac, row.serial(), row.model()});
      checked.valid_rows.push_back(static_cast<int>(checked.results.size()));
    }
    checked.results.push_back(std::move(result));
  }
  return checked;
}

}  // namespace

void AddToCounts(const v1::ClaimResult& result, v1::ClaimCounts* counts) {
  switch (result.outcome()) {
    case v1::CLAIM_OUTCOME_CLAIMED: counts->set_claimed(counts->claimed() + 1); break;
    case v1::CLAIM_OUTCOME_ALREADY_YOURS: counts->set_already_yours(counts->already_yours() + 1); break;
    case v1::CLAIM_OUTCOME_CONFLICT: counts->set_conflicts(counts->conflicts() + 1); break;
    case v1::CLAIM_OUTCOME_INVALID: counts->set_invalid(counts->invalid() + 1); break;
    default: break;
  }
}

absl::Status CheckClaimRequest(const v1::ClaimDevicesRequest& request) {
  RETURN_IF_ERROR(validation::Name("partner", request.partner(), 64));
  if (request.devices_size() == 0 || request.devices_size() > kMaxClaimRows) {
    return InvalidField("devices", "devices must hold 1 to 10,000 rows");
  }
  if (!v1::DeviceTrust_IsValid(request.trust())) return InvalidField("trust", "trust is not a DeviceTrust");
  if (request.has_target()) {
    RETURN_IF_ERROR(CheckTarget("target", request.target()));
  } else if (!request.redirect_profile_id().empty()) {
    RETURN_IF_ERROR(validation::Uuid("redirect_profile_id", request.redirect_profile_id()));
  } else {
    return InvalidField("target", "a target or a redirect_profile_id is required");
  }
  return validation::Text("idempotency_key", request.idempotency_key(), 128);
}

absl::StatusOr<v1::ClaimDevicesResponse> ClaimRange(DeviceStore& store,
                                                    const v1::ClaimDevicesRequest& request,
                                                    int first, int last,
                                                    const std::string& idempotency_key) {
  ASSIGN_OR_RETURN(CheckedClaim checked, CheckClaim(request, first, last));
  checked.batch.idempotency_key = idempotency_key;
  checked.batch.request_sha256 = digest::Sha256Hex(proto::DeterministicBytes(request));
  auto render = [&](const std::vector<ClaimOutcome>& outcomes) {
    v1::ClaimDevicesResponse response;
    for (size_t i = 0; i < outcomes.size(); ++i) {
      v1::ClaimResult& result = checked.results[checked.valid_rows[i]];
      result.set_outcome(outcomes[i] == ClaimOutcome::kClaimed        ? v1::CLAIM_OUTCOME_CLAIMED
                         : outcomes[i] == ClaimOutcome::kAlreadyYours ? v1::CLAIM_OUTCOME_ALREADY_YOURS
                                                                      : v1::CLAIM_OUTCOME_CONFLICT);
    }
    for (const v1::ClaimResult& result : checked.results) {
      *response.add_results() = result;
      AddToCounts(result, response.mutable_counts());
    }
    // Kept as text: the response waits in a text column for retries.
    return absl::Base64Escape(response.SerializeAsString());
  };
  ASSIGN_OR_RETURN(std::string stored, store.Claim(checked.batch, render));
  std::string bytes;
  v1::ClaimDevicesResponse response;
  if (!absl::Base64Unescape(stored, &bytes) || !response.ParseFromString(bytes)) {
    return absl::DataLossError("stored claim response is corrupt");
  }
  return response;
}

}  // namespace onramp::device
