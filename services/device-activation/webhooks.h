#ifndef ONRAMP_SERVICES_DEVICE_ACTIVATION_WEBHOOKS_H_
#define ONRAMP_SERVICES_DEVICE_ACTIVATION_WEBHOOKS_H_

// Partners' webhooks (WebhookService in device.proto): an HTTPS URL and
// the event types it wants, a secret made with 32 random bytes and shown
// once, and the log of what was delivered. Sending is the dispatcher's
// (webhook_dispatcher.h).

#include "onramp/device/v1/device.grpc.pb.h"
#include "lib/phone/profile_crypto/sealer.h"
#include "services/device-activation/webhook_store.h"

namespace onramp::device {

class WebhookServiceImpl final : public v1::WebhookService::Service {
 public:
  static constexpr int kMaxPerPartner = 10;

  // `sealer` keeps the webhooks' secrets sealed at rest: reading the
  // database alone does not give what signs a partner's events.
  WebhookServiceImpl(WebhookStore& store, const profile_crypto::Sealer& sealer) : store_(store), sealer_(sealer) {}

  grpc::Status CreateWebhook(grpc::ServerContext*, const v1::CreateWebhookRequest* request,
                             v1::CreateWebhookResponse* response) override;
  grpc::Status ListWebhooks(grpc::ServerContext*, const v1::ListWebhooksRequest* request,
                            v1::ListWebhooksResponse* response) override;
  grpc::Status DeleteWebhook(grpc::ServerContext*, const v1::WebhookRef* request, v1::Webhook* response) override;
  grpc::Status ListWebhookDeliveries(grpc::ServerContext*, const v1::ListWebhookDeliveriesRequest* request,
                                     v1::ListWebhookDeliveriesResponse* response) override;

 private:
  WebhookStore& store_;
  const profile_crypto::Sealer& sealer_;
};

}  // namespace onramp::device

#endif  // ONRAMP_SERVICES_DEVICE_ACTIVATION_WEBHOOKS_H_
