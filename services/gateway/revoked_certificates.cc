#include "services/gateway/revoked_certificates.h"

#include <vector>

#include "lib/kit/log/log.h"
#include "lib/kit/proto/messages.h"

namespace onramp::gateway {

RevokedCertificates::RevokedCertificates(Fetch fetch, absl::Duration poll, absl::Duration commit_slack)
    : fetch_(std::move(fetch)), commit_slack_(commit_slack) {
  if (poll > absl::ZeroDuration()) {
    poller_.emplace(poll, [this] { Poll(); }, server::Periodic::FirstRun::kAtOnce);
  }
}

bool RevokedCertificates::Current(const std::string& serial) const {
  std::shared_lock lock(mutex_);
  return loaded_ && !revoked_.contains(serial);
}

size_t RevokedCertificates::size() const {
  std::shared_lock lock(mutex_);
  return revoked_.size();
}

absl::Status RevokedCertificates::Refresh() {
  device::v1::ListRevokedCertificatesRequest request;
  proto::SetTimestamp(since_, request.mutable_since());
  std::vector<std::pair<std::string, absl::Time>> read;
  absl::Time as_of;
  do {
    absl::StatusOr<device::v1::ListRevokedCertificatesResponse> page = fetch_(request);
    if (!page.ok()) return page.status();
    if (request.page().page_token().empty()) as_of = proto::FromTimestamp(page->as_of());
    for (const device::v1::RevokedCertificate& certificate : page->certificates()) {
      read.emplace_back(certificate.serial(), proto::FromTimestamp(certificate.expire_time()));
    }
    request.mutable_page()->set_page_token(page->page().next_page_token());
  } while (!request.page().page_token().empty());
  since_ = as_of - commit_slack_;
  absl::Time now = absl::Now();
  std::unique_lock lock(mutex_);
  for (auto& [serial, expires] : read) revoked_[serial] = expires;
  // An expired certificate fails the handshake anyway.
  absl::erase_if(revoked_, [now](const auto& entry) { return entry.second < now; });
  loaded_ = true;
  return absl::OkStatus();
}

void RevokedCertificates::Poll() {
  if (absl::Status refreshed = Refresh(); !refreshed.ok()) {
    log::Warn("cannot read revoked certificates; the last list stays", {{"error", refreshed.ToString()}});
  }
}

}  // namespace onramp::gateway
