#include "services/device-activation/webhooks.h"

#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/base/random/random.h"
#include "lib/http/client/http_url.h"
#include "lib/kit/proto/messages.h"
#include "lib/kit/status/error_detail.h"
#include "lib/kit/status/grpc_status.h"
#include "lib/kit/status/status_macros.h"
#include "lib/kit/validation/fields.h"

namespace onramp::device {

namespace {

using status::InvalidField;
using status::ToGrpcStatus;

const std::vector<std::string>& EventTypes() {
  static const std::vector<std::string>* const types = new std::vector<std::string>{
      "phone.claimed",  "phone.redirected",        "phone.registered",
      "phone.acquired", "phone.upgrade_succeeded", "phone.upgrade_failed", "rollout.halted"};
  return *types;
}

void ToProto(const WebhookRecord& webhook, v1::Webhook* out) {
  out->set_id(webhook.id);
  out->set_partner(webhook.partner);
  out->set_url(webhook.url);
  for (const std::string& event : webhook.events) out->add_events(event);
  proto::SetTimestamp(webhook.created, out->mutable_create_time());
}

void ToProto(const WebhookDeliveryRecord& delivery, const std::string& partner, v1::WebhookDelivery* out) {
  v1::WebhookEvent& event = *out->mutable_event();
  event.set_id(absl::StrCat("evt_", delivery.event_id));
  event.set_type(delivery.type);
  proto::SetTimestamp(delivery.occurred, event.mutable_time());
  event.set_partner(partner);
  if (!delivery.mac.empty()) event.mutable_mac()->set_value(delivery.mac);
  event.set_detail(delivery.detail);
  event.set_subject(delivery.subject);
  out->set_state(delivery.delivered ? v1::WEBHOOK_DELIVERY_STATE_DELIVERED
                 : delivery.failed  ? v1::WEBHOOK_DELIVERY_STATE_FAILED
                                    : v1::WEBHOOK_DELIVERY_STATE_PENDING);
  out->set_attempts(delivery.attempts);
  out->set_last_status(delivery.last_status);
  out->set_last_error(delivery.last_error);
  if (!delivery.delivered && !delivery.failed) {
    proto::SetTimestamp(delivery.next_attempt, out->mutable_next_attempt_time());
  }
  if (delivery.delivered) proto::SetTimestamp(*delivery.delivered, out->mutable_delivered_time());
}

}  // namespace

grpc::Status WebhookServiceImpl::CreateWebhook(grpc::ServerContext*, const v1::CreateWebhookRequest* request,
                                               v1::CreateWebhookResponse* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    if (request->url().size() > 2048) return InvalidField("url", "url is at most 2048 characters");
    std::optional<http_client::HttpLocation> location = http_client::ParseHttpUrl(request->url());
    if (!location || !location->tls) return InvalidField("url", "url must be an https URL with a host");
    std::set<std::string> events;
    for (int i = 0; i < request->events_size(); ++i) {
      const std::string& event = request->events(i);
      if (std::find(EventTypes().begin(), EventTypes().end(), event) == EventTypes().end()) {
        return InvalidField(absl::StrCat("events[", i, "]"),
                            absl::StrCat("events are ", absl::StrJoin(EventTypes(), ", ")));
      }
      events.insert(event);
    }
    std::vector<std::string> wanted =
        events.empty() ? EventTypes() : std::vector<std::string>(events.begin(), events.end());
    ASSIGN_OR_RETURN(auto existing, store_.List(request->partner(), kMaxPerPartner, ""));
    if (existing.first.size() >= static_cast<size_t>(kMaxPerPartner)) {
      return absl::ResourceExhaustedError(absl::StrCat("a partner has at most ", kMaxPerPartner, " webhooks"));
    }
    ASSIGN_OR_RETURN(std::string bytes, random::Bytes(32));
    std::string secret = absl::StrCat("whsec_", absl::BytesToHexString(bytes));
    ASSIGN_OR_RETURN(WebhookRecord webhook,
                     store_.Create(request->partner(), request->url(), wanted, sealer_.Seal(secret)));
    ToProto(webhook, response->mutable_webhook());
    response->set_secret(secret);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status WebhookServiceImpl::ListWebhooks(grpc::ServerContext*, const v1::ListWebhooksRequest* request,
                                              v1::ListWebhooksResponse* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    ASSIGN_OR_RETURN(int page_size, validation::PageSize(request->page().page_size()));
    auto listed = store_.List(request->partner(), page_size, request->page().page_token());
    if (!listed.ok()) return validation::PageTokenError(listed.status());
    for (const WebhookRecord& webhook : listed->first) ToProto(webhook, response->add_webhooks());
    response->mutable_page()->set_next_page_token(listed->second);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status WebhookServiceImpl::DeleteWebhook(grpc::ServerContext*, const v1::WebhookRef* request,
                                               v1::Webhook* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    RETURN_IF_ERROR(validation::Uuid("id", request->id()));
    ASSIGN_OR_RETURN(WebhookRecord webhook, store_.Delete(request->partner(), request->id()));
    ToProto(webhook, response);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

grpc::Status WebhookServiceImpl::ListWebhookDeliveries(grpc::ServerContext*,
                                                       const v1::ListWebhookDeliveriesRequest* request,
                                                       v1::ListWebhookDeliveriesResponse* response) {
  auto run = [&]() -> absl::Status {
    RETURN_IF_ERROR(validation::Name("partner", request->partner(), 64));
    RETURN_IF_ERROR(validation::Uuid("webhook_id", request->webhook_id()));
    ASSIGN_OR_RETURN(int page_size, validation::PageSize(request->page().page_size()));
    auto listed = store_.Deliveries(request->partner(), request->webhook_id(), page_size, request->page().page_token());
    if (!listed.ok()) return validation::PageTokenError(listed.status());
    for (const WebhookDeliveryRecord& delivery : listed->first) {
      ToProto(delivery, request->partner(), response->add_deliveries());
    }
    response->mutable_page()->set_next_page_token(listed->second);
    return absl::OkStatus();
  };
  return ToGrpcStatus(run());
}

}  // namespace onramp::device
