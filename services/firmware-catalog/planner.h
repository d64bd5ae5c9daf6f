#ifndef ONRAMP_SERVICES_FIRMWARE_CATALOG_PLANNER_H_
#define ONRAMP_SERVICES_FIRMWARE_CATALOG_PLANNER_H_

// Multi-stage upgrade planning over one model's upgrade edges. An edge says
// that phones running any version in [from_min, from_max] can install
// `to` directly (e.g. 10.x must pass 11.0 before 11.3). Nodes are the
// versions of the model's registered images plus the phone's own.
//
// The plan is the shortest path in hops from the phone's version to the
// target. Ties (several shortest paths) go to the path whose next hop is
// the highest version, so phones take the biggest safe step first; if that
// still ties, the lowest edge id (the oldest edge) wins.

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/phone/firmware_version/firmware_version.h"

namespace onramp::firmware {

struct UpgradeEdge {
  int64_t id = 0;
  firmware_version::Version from_min;
  firmware_version::Version from_max;
  firmware_version::Version to;
};

struct Hop {
  firmware_version::Version to;
  int64_t edge_id = 0;
};

// nullopt when `current` is already `target`; the path's hops otherwise.
// NOT_FOUND when the target cannot be reached from `current`.
absl::StatusOr<std::optional<std::vector<Hop>>> PlanPath(const std::vector<UpgradeEdge>& edges,
                                                         const std::vector<firmware_version::Version>& versions,
                                                         const firmware_version::Version& current,
                                                         const firmware_version::Version& target);

// FAILED_PRECONDITION naming the loop if adding `edge` to `edges` lets some
// version reach itself again.
absl::Status CheckNoCycle(const std::vector<UpgradeEdge>& edges,
                          const std::vector<firmware_version::Version>& versions, const UpgradeEdge& edge);

}  // namespace onramp::firmware

#endif  // ONRAMP_SERVICES_FIRMWARE_CATALOG_PLANNER_H_
