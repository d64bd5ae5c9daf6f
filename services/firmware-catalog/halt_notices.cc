#include "services/firmware-catalog/halt_notices.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "lib/kit/status/status_macros.h"

namespace onramp::firmware {

absl::Status HaltNotices::SendUntold() {
  ASSIGN_OR_RETURN(std::vector<CatalogStore::HaltNotice> halts, store_.UnnoticedHalts());
  for (const CatalogStore::HaltNotice& halt : halts) {
    const RolloutRecord& rollout = halt.rollout;
    device::v1::RecordPartnerEventRequest event;
    event.set_partner(rollout.partner);
    event.set_type("rollout.halted");
    event.set_subject(rollout.id);
    event.set_detail(absl::StrCat(rollout.model, " to ", rollout.target_version, ": ", rollout.progress.failures,
                                  " of ", rollout.progress.failures + rollout.progress.successes,
                                  " reported upgrades failed at stage ", rollout.progress.current_stage + 1,
                                  " (threshold ", rollout.failure_threshold_percent, "%)"));
    // Event ids are 1-64 of [A-Za-z0-9._-]: the rollout's id without dashes.
    std::string id = rollout.id;
    id.erase(std::remove(id.begin(), id.end(), '-'), id.end());
    event.set_event_id(absl::StrCat("halt.", id, ".", absl::ToUnixMicros(halt.halted)));
    RETURN_IF_ERROR(devices_.RecordPartnerEvent(event, "").status());
    RETURN_IF_ERROR(store_.MarkHaltNoticed(rollout.id, halt.halted));
  }
  return absl::OkStatus();
}

}  // namespace onramp::firmware
