#ifndef ONRAMP_SERVICES_GATEWAY_REVOKED_CERTIFICATES_H_
#define ONRAMP_SERVICES_GATEWAY_REVOKED_CERTIFICATES_H_

// The registration certificates device-activation has revoked (a phone
// registered again, was revoked, or was released) and that have not yet
// expired, held in memory and refreshed every `poll`: a phone's old
// certificate proves nothing on any replica about a poll after the change.
// Until the first whole read no registration certificate is taken (closed,
// not open, while the list is unknown).

#include <functional>
#include <optional>
#include <shared_mutex>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/kit/server/periodic.h"
#include "onramp/device/v1/device.pb.h"

namespace onramp::gateway {

class RevokedCertificates {
 public:
  // One page of device-activation's ListRevokedCertificates.
  using Fetch = std::function<absl::StatusOr<device::v1::ListRevokedCertificatesResponse>(
      const device::v1::ListRevokedCertificatesRequest&)>;

  // `commit_slack`: how long a revoking transaction may take to commit
  // after its clock read; each read goes back that far (revocations are
  // read twice rather than missed). With poll zero nothing refreshes by
  // itself: call Refresh.
  RevokedCertificates(Fetch fetch, absl::Duration poll, absl::Duration commit_slack = absl::Seconds(10));

  // Whether the certificate with this serial may stand for its phone: the
  // list has been read and does not name it.
  bool Current(const std::string& serial) const;

  // Reads what was revoked since the last read; on failure the list stays
  // as it was (and is retried at the next poll).
  absl::Status Refresh();

  size_t size() const;

 private:
  void Poll();

  const Fetch fetch_;
  const absl::Duration commit_slack_;
  mutable std::shared_mutex mutex_;
  absl::flat_hash_map<std::string, absl::Time> revoked_;  // serial -> the certificate's expiry
  bool loaded_ = false;
  absl::Time since_ = absl::UnixEpoch();  // the poller's alone
  std::optional<server::Periodic> poller_;  // last: stops before what it uses goes
};

}  // namespace onramp::gateway

#endif  // ONRAMP_SERVICES_GATEWAY_REVOKED_CERTIFICATES_H_
