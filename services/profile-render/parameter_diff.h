#ifndef ONRAMP_SERVICES_PROFILE_RENDER_PARAMETER_DIFF_H_
#define ONRAMP_SERVICES_PROFILE_RENDER_PARAMETER_DIFF_H_

// What changed between the parameters a phone was last given and what it
// would get now: added, removed, and changed values, by name.

#include <string>
#include <vector>

#include "services/profile-render/render.h"

namespace onramp::profile {

struct ParameterChange {
  std::string name;
  const LayerParameter* before = nullptr;  // null: added
  const LayerParameter* after = nullptr;   // null: removed
};

// In the order of `after`, then the removed ones by name. Pointers into the
// arguments.
std::vector<ParameterChange> DiffParameters(const std::vector<LayerParameter>& before,
                                            const std::vector<LayerParameter>& after);

}  // namespace onramp::profile

#endif  // ONRAMP_SERVICES_PROFILE_RENDER_PARAMETER_DIFF_H_
