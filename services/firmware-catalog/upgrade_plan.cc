#include "services/firmware-catalog/upgrade_plan.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/kit/status/status_macros.h"
#include "services/firmware-catalog/planner.h"
#include "services/firmware-catalog/rollout.h"

namespace onramp::firmware {

using firmware_version::ParseVersion;
using firmware_version::Version;

absl::StatusOr<UpgradeStep> NextStep(const CatalogStore::PlanInputs& inputs, const identity::MacAddress& mac,
                                     const Version& current, absl::Time now) {
  std::optional<std::string> target = inputs.target;
  if (const std::optional<RolloutRecord>& rollout = inputs.rollout) {
    // As the sweeper will save it, whether or not it has yet.
    RolloutProgress progress =
        ProgressAt(rollout->stages, rollout->failure_threshold_percent, rollout->progress, now);
    if (!Admitted(mac, rollout->stages, progress)) {
      return UpgradeStep{.reason = progress.state == RolloutState::kRunning ? "waiting for its rollout stage"
                                                                            : "its rollout is paused or halted"};
    }
    target = rollout->target_version;
  }
  if (!target) return UpgradeStep{.reason = "no target for this partner and model"};
  std::vector<Version> versions;
  for (const ImageRecord& image : inputs.images) versions.push_back(*ParseVersion(image.version));
  ASSIGN_OR_RETURN(auto path, PlanPath(inputs.edges, versions, current, *ParseVersion(*target)));
  if (!path) return UpgradeStep{.reason = "on the target"};
  const Version& next = (*path)[0].to;
  for (const ImageRecord& image : inputs.images) {
    if (*ParseVersion(image.version) == next) {
      return UpgradeStep{.next = image, .hops_left = static_cast<int>(path->size())};
    }
  }
  return absl::FailedPreconditionError(absl::StrCat("the next hop ", next.ToString(), " has no image"));
}

}  // namespace onramp::firmware
