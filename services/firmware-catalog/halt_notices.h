#ifndef ONRAMP_SERVICES_FIRMWARE_CATALOG_HALT_NOTICES_H_
#define ONRAMP_SERVICES_FIRMWARE_CATALOG_HALT_NOTICES_H_

// Tells partners' webhooks that a rollout halted: each halt saved and not
// yet told goes to device-activation (RecordPartnerEvent, which owns
// webhooks) as a rollout.halted event with an id of its own, so a notice
// sent again (its answer was lost, device-activation was down) is one
// event. Run after every sweep.

#include "absl/status/status.h"
#include "lib/kit/clients/device_activation.h"
#include "services/firmware-catalog/store.h"

namespace onramp::firmware {

class HaltNotices {
 public:
  HaltNotices(CatalogStore& store, clients::DeviceActivation& devices) : store_(store), devices_(devices) {}

  // Sends what is untold; the first failure ends the round (the next one
  // tries again).
  absl::Status SendUntold();

 private:
  CatalogStore& store_;
  clients::DeviceActivation& devices_;
};

}  // namespace onramp::firmware

#endif  // ONRAMP_SERVICES_FIRMWARE_CATALOG_HALT_NOTICES_H_
