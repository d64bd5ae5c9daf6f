#include "lib/kit/metrics/testing/counter_value.h"

#include <algorithm>

namespace onramp::metrics::testing {

std::optional<double> CounterValue(prometheus::Registry& registry, const std::string& family,
                                   const std::map<std::string, std::string>& labels) {
  for (const prometheus::MetricFamily& collected : registry.Collect()) {
    if (collected.name != family) continue;
    for (const prometheus::ClientMetric& metric : collected.metric) {
      bool matches = std::all_of(labels.begin(), labels.end(), [&metric](const auto& wanted) {
        return std::any_of(metric.label.begin(), metric.label.end(), [&wanted](const auto& label) {
          return label.name == wanted.first && label.value == wanted.second;
        });
      });
      if (matches) return metric.counter.value;
    }
  }
  return std::nullopt;
}

}  // namespace onramp::metrics::testing
