#ifndef ONRAMP_SERVICES_DEVICE_ACTIVATION_WEBHOOK_STORE_H_
#define ONRAMP_SERVICES_DEVICE_ACTIVATION_WEBHOOK_STORE_H_

// Partners' webhooks and the events queued for them, in PostgreSQL (tables
// device.webhooks and device.webhook_deliveries): the only place that
// speaks SQL for them. Events are queued by a trigger on device.events
// (migration 0005), in the transaction that records them.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/kit/store/pool.h"

namespace onramp::device {

struct WebhookRecord {
  std::string id;  // uuid
  std::string partner;
  std::string url;
  std::vector<std::string> events;
  absl::Time created;
};

struct WebhookDeliveryRecord {
  int64_t id = 0;
  std::string webhook_id;
  int64_t event_id = 0;
  std::string type;
  std::string mac;
  std::string detail;
  absl::Time occurred;
  int attempts = 0;
  int last_status = 0;
  std::string last_error;
  absl::Time next_attempt;
  std::optional<absl::Time> delivered;
  std::optional<absl::Time> failed;
  std::string subject;  // a partner event's (a rollout's id); phones' have the MAC
};

// A delivery to send now, with where and how to sign it.
struct DueDelivery {
  WebhookDeliveryRecord delivery;
  std::string partner;
  std::string url;
  std::string sealed_secret;  // as stored: sealed
};

class WebhookStore {
 public:
  virtual ~WebhookStore() = default;

  // `sealed_secret`: the HMAC key, sealed by the caller.
  virtual absl::StatusOr<WebhookRecord> Create(const std::string& partner, const std::string& url,
                                               const std::vector<std::string>& events,
                                               const std::string& sealed_secret) = 0;
  // The partner's webhooks, oldest first, and the next page's token.
  virtual absl::StatusOr<std::pair<std::vector<WebhookRecord>, std::string>> List(const std::string& partner,
                                                                                  int page_size,
                                                                                  const std::string& page_token) = 0;
  // NOT_FOUND unless the partner's.
  virtual absl::StatusOr<WebhookRecord> Delete(const std::string& partner, const std::string& id) = 0;
  // The webhook's deliveries, newest first; NOT_FOUND unless the partner's.
  virtual absl::StatusOr<std::pair<std::vector<WebhookDeliveryRecord>, std::string>> Deliveries(
      const std::string& partner, const std::string& webhook_id, int page_size, const std::string& page_token) = 0;

  // Up to `limit` deliveries due now, oldest first, each taken for `lease`
  // (its attempt counted, its next attempt moved past the lease) so that
  // no other replica sends it meanwhile.
  virtual absl::StatusOr<std::vector<DueDelivery>> TakeDue(int limit, absl::Duration lease) = 0;
  // The endpoint answered 2xx.
  virtual absl::Status MarkDelivered(int64_t id, int status) = 0;
  // It did not: try again at `next_attempt`, or give up (nullopt).
  virtual absl::Status MarkAttemptFailed(int64_t id, int status, const std::string& error,
                                         std::optional<absl::Time> next_attempt) = 0;
  // Taken but not sent (its endpoint just failed): due at `next_attempt`,
  // its attempt not counted.
  virtual absl::Status Postpone(int64_t id, absl::Time next_attempt) = 0;
};

class PostgresWebhookStore final : public WebhookStore {
 public:
  explicit PostgresWebhookStore(store::ConnectionPool& pool) : pool_(pool) {}

  absl::StatusOr<WebhookRecord> Create(const std::string& partner, const std::string& url,
                                       const std::vector<std::string>& events, const std::string& sealed_secret) override;
  absl::StatusOr<std::pair<std::vector<WebhookRecord>, std::string>> List(const std::string& partner, int page_size,
                                                                          const std::string& page_token) override;
  absl::StatusOr<WebhookRecord> Delete(const std::string& partner, const std::string& id) override;
  absl::StatusOr<std::pair<std::vector<WebhookDeliveryRecord>, std::string>> Deliveries(
      const std::string& partner, const std::string& webhook_id, int page_size,
      const std::string& page_token) override;
  absl::StatusOr<std::vector<DueDelivery>> TakeDue(int limit, absl::Duration lease) override;
  absl::Status MarkDelivered(int64_t id, int status) override;
  absl::Status MarkAttemptFailed(int64_t id, int status, const std::string& error,
                                 std::optional<absl::Time> next_attempt) override;
  absl::Status Postpone(int64_t id, absl::Time next_attempt) override;

 private:
  store::ConnectionPool& pool_;
};

}  // namespace onramp::device

#endif  // ONRAMP_SERVICES_DEVICE_ACTIVATION_WEBHOOK_STORE_H_
