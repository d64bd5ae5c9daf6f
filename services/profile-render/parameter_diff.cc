#include "services/profile-render/parameter_diff.h"

#include <map>

namespace onramp::profile {

std::vector<ParameterChange> DiffParameters(const std::vector<LayerParameter>& before,
                                            const std::vector<LayerParameter>& after) {
  std::map<std::string, const LayerParameter*> earlier;
  for (const LayerParameter& p : before) earlier[p.name] = &p;
  std::vector<ParameterChange> changes;
  for (const LayerParameter& p : after) {
    auto found = earlier.find(p.name);
    if (found == earlier.end()) {
      changes.push_back({.name = p.name, .after = &p});
      continue;
    }
    if (found->second->value != p.value) changes.push_back({.name = p.name, .before = found->second, .after = &p});
    earlier.erase(found);
  }
  for (const auto& [name, p] : earlier) changes.push_back({.name = name, .before = p});
  return changes;
}

}  // namespace onramp::profile
