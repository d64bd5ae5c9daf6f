#include "services/device-activation/webhook_store.h"

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/kit/status/status_macros.h"
#include "lib/kit/store/arrays.h"
#include "lib/kit/store/page_token.h"
#include "lib/kit/store/transaction.h"
#include "pqxx/pqxx"

namespace onramp::device {
namespace {

using store::Transact;

constexpr char kWebhookColumns[] =
    "id::text, partner, url, array_to_string(events, ','), (extract(epoch FROM created_at) * 1000000)::bigint";

constexpr char kDeliveryColumns[] =
    "d.id, d.webhook_id::text, d.event_id, d.type, d.mac, d.detail, "
    "(extract(epoch FROM d.occurred_at) * 1000000)::bigint, d.attempts, d.last_status, d.last_error, "
    "(extract(epoch FROM d.next_attempt_at) * 1000000)::bigint, "
    "(extract(epoch FROM d.delivered_at) * 1000000)::bigint, (extract(epoch FROM d.failed_at) * 1000000)::bigint, "
    "d.subject";

WebhookRecord WebhookFromRow(const pqxx::row& row) {
  WebhookRecord webhook{.id = row[0].as<std::string>(),
                        .partner = row[1].as<std::string>(),
                        .url = row[2].as<std::string>(),
                        .created = absl::FromUnixMicros(row[4].as<int64_t>())};
  webhook.events = absl::StrSplit(row[3].c_str(), ',', absl::SkipEmpty());
  return webhook;
}

std::optional<absl::Time> OptionalTime(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return absl::FromUnixMicros(field.as<int64_t>());
}

WebhookDeliveryRecord DeliveryFromRow(const pqxx::row& row) {
  return {.id = row[0].as<int64_t>(),
          .webhook_id = row[1].as<std::string>(),
          .event_id = row[2].as<int64_t>(),
          .type = row[3].as<std::string>(),
          .mac = row[4].as<std::string>(),
          .detail = row[5].as<std::string>(),
          .occurred = absl::FromUnixMicros(row[6].as<int64_t>()),
          .attempts = row[7].as<int>(),
          .last_status = row[8].as<int>(),
          .last_error = row[9].as<std::string>(),
          .next_attempt = absl::FromUnixMicros(row[10].as<int64_t>()),
          .delivered = OptionalTime(row[11]),
          .failed = OptionalTime(row[12]),
          .subject = row[13].as<std::string>()};
}

}  // namespace

absl::StatusOr<WebhookRecord> PostgresWebhookStore::Create(const std::string& partner, const std::string& url,
                                                           const std::vector<std::string>& events,
                                                           const std::string& sealed_secret) {
  WebhookRecord created;
  RETURN_IF_ERROR(Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    created = WebhookFromRow(tx.exec_params1(
        absl::StrCat("INSERT INTO device.webhooks (partner, url, events, secret) VALUES ($1, $2, $3::text[], $4) "
                     "RETURNING ",
                     kWebhookColumns),
        partner, url, store::TextArray(events), absl::Base64Escape(sealed_secret)));
    return absl::OkStatus();
  }));
  return created;
}

absl::StatusOr<std::pair<std::vector<WebhookRecord>, std::string>> PostgresWebhookStore::List(
    const std::string& partner, int page_size, const std::string& page_token) {
  ASSIGN_OR_RETURN(std::string after, store::PositionOf(page_token));
  std::vector<WebhookRecord> webhooks;
  RETURN_IF_ERROR(Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    webhooks.clear();
    // The position is the last webhook given: its id, after which the
    // partner's are listed in creation order.
    for (const pqxx::row& row : tx.exec_params(
             absl::StrCat("SELECT ", kWebhookColumns,
                          " FROM device.webhooks WHERE partner = $1 AND "
                          "($2 = '' OR (created_at, id) > (SELECT created_at, id FROM device.webhooks "
                          "                                WHERE id::text = $2)) "
                          "ORDER BY created_at, id LIMIT $3"),
             partner, after, page_size + 1)) {
      webhooks.push_back(WebhookFromRow(row));
    }
    return absl::OkStatus();
  }, {.read_only = true}));
  std::string next;
  if (webhooks.size() > static_cast<size_t>(page_size)) {
    webhooks.pop_back();
    next = store::PageTokenAfter(webhooks.back().id);
  }
  return std::make_pair(std::move(webhooks), std::move(next));
}

absl::StatusOr<WebhookRecord> PostgresWebhookStore::Delete(const std::string& partner, const std::string& id) {
  std::optional<WebhookRecord> deleted;
  RETURN_IF_ERROR(Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    pqxx::result rows = tx.exec_params(
        absl::StrCat("DELETE FROM device.webhooks WHERE id::text = $1 AND partner = $2 RETURNING ", kWebhookColumns),
        id, partner);
    if (!rows.empty()) deleted = WebhookFromRow(rows[0]);
    return absl::OkStatus();
  }));
  if (!deleted) return absl::NotFoundError(absl::StrCat("no webhook ", id));
  return *deleted;
}

absl::StatusOr<std::pair<std::vector<WebhookDeliveryRecord>, std::string>> PostgresWebhookStore::Deliveries(
    const std::string& partner, const std::string& webhook_id, int page_size, const std::string& page_token) {
  ASSIGN_OR_RETURN(std::string after, store::PositionOf(page_token));
  int64_t before_id = std::numeric_limits<int64_t>::max();
  if (!after.empty() && !absl::SimpleAtoi(after, &before_id)) return store::NotAPageToken();
  std::vector<WebhookDeliveryRecord> deliveries;
  bool found = false;
  RETURN_IF_ERROR(Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    deliveries.clear();
    found = !tx.exec_params("SELECT 1 FROM device.webhooks WHERE id::text = $1 AND partner = $2", webhook_id,
                            partner)
                 .empty();
    if (!found) return absl::OkStatus();
    for (const pqxx::row& row :
         tx.exec_params(absl::StrCat("SELECT ", kDeliveryColumns,
                                     " FROM device.webhook_deliveries d WHERE d.webhook_id::text = $1 AND d.id < $2 "
                                     "ORDER BY d.id DESC LIMIT $3"),
                        webhook_id, before_id, page_size + 1)) {
      deliveries.push_back(DeliveryFromRow(row));
    }
    return absl::OkStatus();
  }, {.read_only = true}));
  if (!found) return absl::NotFoundError(absl::StrCat("no webhook ", webhook_id));
  std::string next;
  if (deliveries.size() > static_cast<size_t>(page_size)) {
    deliveries.pop_back();
    next = store::PageTokenAfter(std::to_string(deliveries.back().id));
  }
  return std::make_pair(std::move(deliveries), std::move(next));
}

absl::StatusOr<std::vector<DueDelivery>> PostgresWebhookStore::TakeDue(int limit, absl::Duration lease) {
  std::vector<DueDelivery> due;
  RETURN_IF_ERROR(Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    due.clear();
    // SKIP LOCKED: replicas sweeping at once take different deliveries.
    for (const pqxx::row& row : tx.exec_params(
             absl::StrCat("WITH taken AS ("
                          "  UPDATE device.webhook_deliveries SET attempts = attempts + 1, "
                          "    next_attempt_at = now() + make_interval(secs => $2) "
                          "  WHERE id IN (SELECT id FROM device.webhook_deliveries "
                          "               WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now() "
                          "               ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) "
                          "  RETURNING *) "
                          "SELECT ",
                          kDeliveryColumns,
                          ", w.partner, w.url, w.secret FROM taken d JOIN device.webhooks w ON w.id = d.webhook_id "
                          "ORDER BY d.next_attempt_at, d.id"),
             limit, absl::ToDoubleSeconds(lease))) {
      std::string sealed;
      absl::Base64Unescape(row[16].as<std::string>(), &sealed);
      due.push_back({DeliveryFromRow(row), row[14].as<std::string>(), row[15].as<std::string>(), std::move(sealed)});
    }
    return absl::OkStatus();
  }));
  return due;
}

absl::Status PostgresWebhookStore::MarkDelivered(int64_t id, int status) {
  return Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    tx.exec_params("UPDATE device.webhook_deliveries SET delivered_at = now(), last_status = $2, last_error = '' "
                   "WHERE id = $1",
                   id, status);
    return absl::OkStatus();
  });
}

absl::Status PostgresWebhookStore::MarkAttemptFailed(int64_t id, int status, const std::string& error,
                                                     std::optional<absl::Time> next_attempt) {
  return Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    if (next_attempt) {
      tx.exec_params("UPDATE device.webhook_deliveries SET last_status = $2, last_error = $3, "
                     "next_attempt_at = to_timestamp($4::bigint / 1000000.0) WHERE id = $1",
                     id, status, error, absl::ToUnixMicros(*next_attempt));
    } else {
      tx.exec_params("UPDATE device.webhook_deliveries SET last_status = $2, last_error = $3, failed_at = now() "
                     "WHERE id = $1",
                     id, status, error);
    }
    return absl::OkStatus();
  });
}

absl::Status PostgresWebhookStore::Postpone(int64_t id, absl::Time next_attempt) {
  return Transact(pool_, [&](pqxx::transaction_base& tx) -> absl::Status {
    tx.exec_params("UPDATE device.webhook_deliveries SET attempts = greatest(attempts - 1, 0), "
                   "next_attempt_at = to_timestamp($2::bigint / 1000000.0) WHERE id = $1",
                   id, absl::ToUnixMicros(next_attempt));
    return absl::OkStatus();
  });
}

}  // namespace onramp::device
