#ifndef ONRAMP_SERVICES_FIRMWARE_CATALOG_UPGRADE_PLAN_H_
#define ONRAMP_SERVICES_FIRMWARE_CATALOG_UPGRADE_PLAN_H_

// What one phone should install next: its partner's target for its model,
// unless a live rollout decides (its target for phones in an open stage, no
// move for the others), reached over the model's upgrade edges one hop at a
// time (planner.h).

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/phone/firmware_version/firmware_version.h"
#include "lib/phone/identity/mac_address.h"
#include "services/firmware-catalog/store.h"

namespace onramp::firmware {

struct UpgradeStep {
  std::optional<ImageRecord> next;  // none: the phone stays where it is
  std::string reason;               // why it stays
  int hops_left = 0;                // with `next`, counting it
};

// FAILED_PRECONDITION when the next hop has no image; NOT_FOUND when the
// target cannot be reached from `current`.
absl::StatusOr<UpgradeStep> NextStep(const CatalogStore::PlanInputs& inputs, const identity::MacAddress& mac,
                                     const firmware_version::Version& current, absl::Time now);

}  // namespace onramp::firmware

#endif  // ONRAMP_SERVICES_FIRMWARE_CATALOG_UPGRADE_PLAN_H_
