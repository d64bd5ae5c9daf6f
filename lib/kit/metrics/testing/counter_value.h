#ifndef ONRAMP_LIB_KIT_METRICS_TESTING_COUNTER_VALUE_H_
#define ONRAMP_LIB_KIT_METRICS_TESTING_COUNTER_VALUE_H_

// What a registry's metrics endpoint would show for one counter, for tests
// of the metrics a service keeps.

#include <map>
#include <optional>
#include <string>

#include "prometheus/registry.h"

namespace onramp::metrics::testing {

// The counter of `family` whose labels include `labels`; nullopt when none.
std::optional<double> CounterValue(prometheus::Registry& registry, const std::string& family,
                                   const std::map<std::string, std::string>& labels = {});

}  // namespace onramp::metrics::testing

#endif  // ONRAMP_LIB_KIT_METRICS_TESTING_COUNTER_VALUE_H_
