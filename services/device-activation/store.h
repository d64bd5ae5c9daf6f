#ifndef ONRAMP_SERVICES_DEVICE_ACTIVATION_STORE_H_
#define ONRAMP_SERVICES_DEVICE_ACTIVATION_STORE_H_

// The only place that speaks SQL for device activation (schema "device").
// Redirect targets are opaque strings here (the service serialises them).

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/kit/rate_limit/failure_windows.h"
#include "lib/kit/store/pool.h"
#include "lib/phone/customization/customization.h"

namespace onramp::device {

using customization::CustomizationState;
using customization::StateFromName;
using customization::StateName;
using customization::TransitionAllowed;

// What makes a phone's redirect answer carry its secrets (onboarding.h).
enum class Trust { kFactoryCertificate, kMacOnly };

// The onboarding funnel of a partner's phones; each count includes those
// that went further.
struct DeviceFunnel {
  int64_t claimed = 0;
  int64_t redirected = 0;  // Custom Pending, Acquired, or registered
  int64_t registered = 0;
  int64_t acquired = 0;
};

struct DeviceRecord {
  std::string mac;
  std::string partner;
  std::string serial;
  std::string model;
  std::string target;  // own target, or the profile's when claimed with one
  std::string redirect_profile_id;
  absl::Time claimed;
  bool registered = false;
  std::string certificate_serial;
  std::optional<CustomizationState> state;
  Trust trust = Trust::kFactoryCertificate;
};

struct ClaimRow {
  std::string mac;
  std::string serial;
  std::string model;
};

enum class ClaimOutcome { kClaimed, kAlreadyYours, kConflict };

struct ClaimBatch {
  std::string partner;
  std::vector<ClaimRow> rows;  // valid rows only, distinct MACs
  std::string target;          // or:
  std::string redirect_profile_id;
  std::string idempotency_key;  // empty: none
  std::string request_sha256;
  Trust trust = Trust::kFactoryCertificate;
};

struct ProfileRecord {
  std::string id;
  std::string partner;
  std::string name;
  bool short_code = false;
  std::string target;
};

struct Limits {
  int misses_per_source = 60;
  absl::Duration window = absl::Hours(1);
};

struct LookupOutcome {
  enum class Kind { kFound, kNotClaimed, kWrongModel, kRateLimited };
  Kind kind = Kind::kNotClaimed;
  std::string partner;
  std::string target;
  absl::Duration retry_after;
  // Found, and the phone may have its secrets: the credential was stored.
  bool with_secrets = false;
};

// Decides, from the claim's trust, whether the phone may have its secrets.
using SecretsAllowed = std::function<bool(Trust)>;

struct AdmitOutcome {
  enum class Kind { kClaimedNow, kAlreadyTheirs, kOtherPartners };
  Kind kind = Kind::kClaimedNow;
  bool with_secrets = false;  // the credential was stored
};

struct RevokedCertificate {
  std::string serial;
  std::string mac;
  absl::Time revoked;
  absl::Time not_after;
};

struct Event {
  absl::Time at;
  std::string kind;
  std::string detail;
  std::string source;
};

// An event to append to a phone's timeline.
// A phone's syslog line.
struct LogRecord {
  std::string mac;
  absl::Time received;
  std::optional<absl::Time> sent;
  int facility = 1;
  int severity = 6;
  std::string hostname;
  std::string app_name;
  std::string text;
  std::string source;
};

// How many syslog lines are kept per phone (the newest).
inline constexpr int kLogRing = 500;

// A partner's event that is no one phone's (rollout.halted).
struct PartnerEventRecord {
  std::string partner;
  std::string type;
  std::string subject;
  std::string detail;
  std::string event_id;
};

struct EventRecord {
  std::string mac;
  Event event;           // `at` is the time it is recorded
  std::string event_id;  // the sender's; empty: none (recorded every time)
};

class DeviceStore {
 public:
  virtual ~DeviceStore() = default;

  // Claims `batch.rows` in one transaction. `render` turns the per-row
  // outcomes (same order as rows) into the response stored under the
  // idempotency key; a repeated key returns the stored response instead
  // (FAILED_PRECONDITION if the key was used for another request).
  // NOT_FOUND when redirect_profile_id is not the partner's.
  virtual absl::StatusOr<std::string> Claim(
      const ClaimBatch& batch,
      const std::function<std::string(const std::vector<ClaimOutcome>&)>& render) = 0;

  virtual absl::StatusOr<DeviceRecord> Release(const std::string& partner, const std::string& mac) = 0;
  virtual absl::StatusOr<DeviceRecord> Get(const std::string& partner, const std::string& mac) = 0;
  // The partner that claimed `mac`; NOT_FOUND when none has.
  virtual absl::StatusOr<std::string> Owner(const std::string& mac) = 0;
  // MAC -> partner for the claimed ones among `macs`.
  virtual absl::StatusOr<std::map<std::string, std::string>> Owners(const std::vector<std::string>& macs) = 0;
  // The partner's phones by MAC, of `model` and in `state` when given,
  // whose MAC ($MA form) starts with `mac_prefix`, among `macs` unless empty.
  virtual absl::StatusOr<std::pair<std::vector<DeviceRecord>, std::string>> List(
      const std::string& partner, const std::string& model, std::optional<CustomizationState> state,
      const std::string& mac_prefix, const std::vector<std::string>& macs, int page_size,
      const std::string& page_token) = 0;
  // How far the partner's phones have come (v1::DeviceSummary's counts).
  virtual absl::StatusOr<DeviceFunnel> Summarize(const std::string& partner) = 0;

  // Found, and `allowed(trust)`: stores the hash of `credential` (valid
  // 24 h) for Register, moves the phone to Custom Pending and logs the
  // redirect. Found otherwise: a read only. Misses count against `source`.
  virtual absl::StatusOr<LookupOutcome> Lookup(const std::string& mac, const std::string& model,
                                               const std::string& source, const SecretsAllowed& allowed,
                                               const std::string& credential_sha256,
                                               const std::string& proof) = 0;

  // A phone that redeemed `partner`'s activation code: claimed for the
  // partner (with `target`, an encoded RedirectTarget) unless someone has
  // claimed it; when it is the partner's and `allowed(trust)`, the
  // credential's hash is stored as Lookup does.
  virtual absl::StatusOr<AdmitOutcome> Admit(const ClaimRow& device, const std::string& partner,
                                             const std::string& target, const SecretsAllowed& allowed,
                                             const std::string& credential_sha256,
                                             const std::string& source) = 0;

  // ALREADY_EXISTS when the name (or short code) is taken.
  virtual absl::StatusOr<ProfileRecord> CreateProfile(const ProfileRecord& profile) = 0;
  // NOT_FOUND unless `partner` has profile `id`.
  virtual absl::StatusOr<ProfileRecord> GetProfile(const std::string& partner, const std::string& id) = 0;
  // By name; the page token is opaque.
  virtual absl::StatusOr<std::pair<std::vector<ProfileRecord>, std::string>> ListProfiles(
      const std::string& partner, int page_size, const std::string& page_token) = 0;
  // FAILED_PRECONDITION while phones are claimed with it.
  virtual absl::StatusOr<ProfileRecord> DeleteProfile(const std::string& partner, const std::string& id) = 0;
  // nullopt + retry_after when rate limited; NOT_FOUND on a miss.
  virtual absl::StatusOr<ProfileRecord> ResolveShortCode(const std::string& digits, const std::string& source,
                                                         absl::Duration* retry_after) = 0;

  // FAILED_PRECONDITION for a transition the phone cannot make.
  virtual absl::StatusOr<std::pair<CustomizationState, absl::Time>> ReportState(
      const std::string& mac, CustomizationState state, const std::string& detail,
      const std::string& source) = 0;

  struct Registration {
    std::string partner;
  };
  // Checks and consumes the one-time credential, then runs `issue` (which
  // returns the certificate serial and expiry) inside the same transaction.
  // PERMISSION_DENIED for an unknown, used or expired credential.
  virtual absl::Status Register(
      const std::string& mac, const std::string& credential_sha256,
      const std::function<absl::StatusOr<std::pair<std::string, absl::Time>>()>& issue) = 0;
  virtual absl::StatusOr<DeviceRecord> Revoke(const std::string& partner, const std::string& mac) = 0;
  // Certificates revoked at or after `since` and not yet expired, oldest
  // revocation first, at most `page_size` after the (opaque) page token;
  // with the next token ("" at the end) and the database's clock.
  struct RevokedPage {
    std::vector<RevokedCertificate> certificates;
    std::string next_page_token;
    absl::Time as_of;
  };
  virtual absl::StatusOr<RevokedPage> RevokedSince(absl::Time since, int page_size,
                                                   const std::string& page_token) = 0;

  // Appends events to phones' timelines, in one transaction; one whose
  // event_id is on record already is skipped. A
  // customization::kProfileDeliveredEvent makes a Custom Pending phone
  // Acquired; returns how many these events made so.
  virtual absl::StatusOr<int> RecordEvents(const std::vector<EventRecord>& events) = 0;
  // Once per event_id.
  virtual absl::Status RecordPartnerEvent(const PartnerEventRecord& event) = 0;
  // Keeps the lines of claimed phones (the others are dropped), each
  // phone's newest kLogRing; how many were kept.
  virtual absl::StatusOr<int> RecordLogs(const std::vector<LogRecord>& lines) = 0;
  // The partner's phone's lines since its claim, oldest first, and the next
  // page's token; NOT_FOUND unless the partner's.
  virtual absl::StatusOr<std::pair<std::vector<LogRecord>, std::string>> Logs(const std::string& partner,
                                                                              const std::string& mac, int page_size,
                                                                              const std::string& page_token) = 0;
  // The partner's device's events since it was claimed.
  virtual absl::StatusOr<std::vector<Event>> Timeline(const std::string& partner, const std::string& mac) = 0;

  // Drops ended limiter windows and expired credentials.
  virtual absl::Status Sweep() = 0;
};

class PostgresDeviceStore final : public DeviceStore {
 public:
  PostgresDeviceStore(store::ConnectionPool& pool, Limits limits)
      : pool_(pool), limits_(limits), misses_("device.lookup_failures", limits.window) {}

  absl::StatusOr<std::string> Claim(
      const ClaimBatch& batch,
      const std::function<std::string(const std::vector<ClaimOutcome>&)>& render) override;
  absl::StatusOr<DeviceRecord> Release(const std::string& partner, const std::string& mac) override;
  absl::StatusOr<DeviceRecord> Get(const std::string& partner, const std::string& mac) override;
  absl::StatusOr<std::string> Owner(const std::string& mac) override;
  absl::StatusOr<std::map<std::string, std::string>> Owners(const std::vector<std::string>& macs) override;
  absl::StatusOr<DeviceFunnel> Summarize(const std::string& partner) override;
  absl::StatusOr<std::pair<std::vector<DeviceRecord>, std::string>> List(
      const std::string& partner, const std::string& model, std::optional<CustomizationState> state,
      const std::string& mac_prefix, const std::vector<std::string>& macs, int page_size,
      const std::string& page_token) override;
  absl::StatusOr<LookupOutcome> Lookup(const std::string& mac, const std::string& model,
                                       const std::string& source, const SecretsAllowed& allowed,
                                       const std::string& credential_sha256,
                                       const std::string& proof) override;
  absl::StatusOr<AdmitOutcome> Admit(const ClaimRow& device, const std::string& partner,
                                     const std::string& target, const SecretsAllowed& allowed,
                                     const std::string& credential_sha256,
                                     const std::string& source) override;
  absl::StatusOr<ProfileRecord> CreateProfile(const ProfileRecord& profile) override;
  absl::StatusOr<ProfileRecord> GetProfile(const std::string& partner, const std::string& id) override;
  absl::StatusOr<std::pair<std::vector<ProfileRecord>, std::string>> ListProfiles(
      const std::string& partner, int page_size, const std::string& page_token) override;
  absl::StatusOr<ProfileRecord> DeleteProfile(const std::string& partner, const std::string& id) override;
  absl::StatusOr<ProfileRecord> ResolveShortCode(const std::string& digits, const std::string& source,
                                                 absl::Duration* retry_after) override;
  absl::StatusOr<std::pair<CustomizationState, absl::Time>> ReportState(const std::string& mac,
                                                                        CustomizationState state,
                                                                        const std::string& detail,
                                                                        const std::string& source) override;
  absl::Status Register(
      const std::string& mac, const std::string& credential_sha256,
      const std::function<absl::StatusOr<std::pair<std::string, absl::Time>>()>& issue) override;
  absl::StatusOr<DeviceRecord> Revoke(const std::string& partner, const std::string& mac) override;
  absl::StatusOr<RevokedPage> RevokedSince(absl::Time since, int page_size,
                                           const std::string& page_token) override;
  absl::StatusOr<int> RecordEvents(const std::vector<EventRecord>& events) override;
  absl::Status RecordPartnerEvent(const PartnerEventRecord& event) override;
  absl::StatusOr<int> RecordLogs(const std::vector<LogRecord>& lines) override;
  absl::StatusOr<std::pair<std::vector<LogRecord>, std::string>> Logs(const std::string& partner,
                                                                      const std::string& mac, int page_size,
                                                                      const std::string& page_token) override;
  absl::StatusOr<std::vector<Event>> Timeline(const std::string& partner, const std::string& mac) override;
  absl::Status Sweep() override;

 private:
  store::ConnectionPool& pool_;
  const Limits limits_;
  const rate_limit::FailureWindows misses_;
};

}  // namespace onramp::device

#endif  // ONRAMP_SERVICES_DEVICE_ACTIVATION_STORE_H_
