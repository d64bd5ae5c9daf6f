#ifndef ONRAMP_SERVICES_GATEWAY_EDGE_DELIVERIES_H_
#define ONRAMP_SERVICES_GATEWAY_EDGE_DELIVERIES_H_

// The resyncs the gateway answered from its copies (edge_cache.h), told to
// profile-render — which decides what counts as delivered — in batches off
// the request path (ConfirmDeliveries), every `interval`. The same phone
// fetching the same answer several times within one interval is told once
// (its last contact is then at most an interval old). What profile-render
// did not take goes again with the next batch, up to `max_kept` waiting;
// beyond that the oldest are dropped, counted and logged.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "lib/kit/clients/profile_render.h"
#include "lib/kit/server/periodic.h"
#include "onramp/profile/v1/profile.pb.h"

namespace onramp::gateway {

class EdgeDeliveries {
 public:
  static constexpr int kPerCall = 1000;

  EdgeDeliveries(clients::ProfileRender& profiles, absl::Duration interval = absl::Milliseconds(200),
                 size_t max_kept = 100000);
  ~EdgeDeliveries();  // tells what is waiting, once

  void Add(const profile::v1::RenderRequest& request, const std::string& etag);
  // Tells what is waiting now; one flush at a time.
  void Flush();
  int64_t dropped() const;

 private:
  clients::ProfileRender& profiles_;
  const size_t max_kept_;
  std::mutex flush_mutex_;
  mutable std::mutex mutex_;
  // By phone, what it sent and the ETag: the same fetch told once.
  std::map<std::string, profile::v1::EdgeDelivery> waiting_;
  int64_t dropped_ = 0;
  std::optional<server::Periodic> flusher_;  // last: stops first
};

}  // namespace onramp::gateway

#endif  // ONRAMP_SERVICES_GATEWAY_EDGE_DELIVERIES_H_
