#ifndef ONRAMP_LIB_KIT_METRICS_LATENCY_BUCKETS_H_
#define ONRAMP_LIB_KIT_METRICS_LATENCY_BUCKETS_H_

#include "prometheus/histogram.h"

namespace onramp::metrics {

// Upper bounds in seconds, 0.5 ms to 10 s, shared by every request-latency
// histogram so dashboards can compare them: a cached render takes well under
// a millisecond, a bulk claim of 10,000 devices several seconds.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets();

}  // namespace onramp::metrics

#endif  // ONRAMP_LIB_KIT_METRICS_LATENCY_BUCKETS_H_
