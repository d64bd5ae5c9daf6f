#include "services/gateway/edge_deliveries.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/kit/log/log.h"
#include "services/gateway/edge_cache.h"

namespace onramp::gateway {

EdgeDeliveries::EdgeDeliveries(clients::ProfileRender& profiles, absl::Duration interval, size_t max_kept)
    : profiles_(profiles), max_kept_(max_kept) {
  flusher_.emplace(interval, [this] { Flush(); });
}

EdgeDeliveries::~EdgeDeliveries() {
  flusher_.reset();
  Flush();
}

void EdgeDeliveries::Add(const profile::v1::RenderRequest& request, const std::string& etag) {
  std::string key =
      absl::StrCat(request.device().mac().value(), "|", EdgeCache::VariantOf(request), "|", etag);
  std::lock_guard lock(mutex_);
  auto [at, added] = waiting_.try_emplace(std::move(key));
  if (!added) return;
  *at->second.mutable_request() = request;
  at->second.set_etag(etag);
  if (waiting_.size() > max_kept_) {
    // Which go matters less than that memory stays bounded through an
    // outage of profile-render.
    waiting_.erase(waiting_.begin());
    ++dropped_;
  }
}

void EdgeDeliveries::Flush() {
  std::lock_guard flushing(flush_mutex_);
  std::map<std::string, profile::v1::EdgeDelivery> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(waiting_);
  }
  auto it = batch.begin();
  while (it != batch.end()) {
    profile::v1::ConfirmDeliveriesRequest request;
    auto first = it;
    for (int n = 0; n < kPerCall && it != batch.end(); ++n, ++it) *request.add_deliveries() = it->second;
    if (absl::StatusOr<profile::v1::ConfirmDeliveriesResponse> told = profiles_.ConfirmDeliveries(request, "");
        !told.ok()) {
      log::Warn("deliveries answered from copies not told; kept for the next batch",
                {{"count", static_cast<int64_t>(batch.size())}, {"error", std::string(told.status().message())}});
      std::lock_guard lock(mutex_);
      // Newer fetches of the same phone win over the kept ones.
      waiting_.insert(first, batch.end());
      int64_t dropped = 0;
      while (waiting_.size() > max_kept_) {
        waiting_.erase(waiting_.begin());
        ++dropped;
      }
      if (dropped > 0) {
        dropped_ += dropped;
        log::Error("deliveries answered from copies dropped: too many waiting", {{"count", dropped}});
      }
      return;
    }
  }
}

int64_t EdgeDeliveries::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

}  // namespace onramp::gateway
