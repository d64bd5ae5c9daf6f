#ifndef ONRAMP_SERVICES_DEVICE_ACTIVATION_WEBHOOK_DISPATCHER_H_
#define ONRAMP_SERVICES_DEVICE_ACTIVATION_WEBHOOK_DISPATCHER_H_

// Sends partners' queued webhook events: takes what is due (any replica;
// each delivery is leased to one), POSTs each signed, and records the
// answer. 2xx delivers; anything else (no answer included) is tried again
// after a wait that doubles from `retry_base` up to `max_retry_delay`,
// until the event is `give_up_after` old.
//
// Endpoints are HTTPS only, and by default never on a private, loopback or
// link-local address (checked on the address connected to, so a name that
// resolves inward is refused too): a partner's URL must not reach into the
// operator's network.

#include <functional>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "lib/phone/profile_crypto/sealer.h"
#include "services/device-activation/webhook_store.h"

namespace onramp::device {

struct WebhookDispatcherOptions {
  int batch = 50;
  // Endpoints sent to at once: one endpoint that hangs until the timeout
  // holds up only its own events. An endpoint's events go in order, and
  // after one gets no answer its others wait for its retry.
  int parallel_endpoints = 16;
  absl::Duration lease = absl::Seconds(60);  // longer than one batch's sends
  absl::Duration timeout = absl::Seconds(5);
  absl::Duration retry_base = absl::Seconds(1);
  absl::Duration max_retry_delay = absl::Hours(1);
  absl::Duration give_up_after = absl::Hours(24);
  bool allow_private_addresses = false;
  // The CA endpoints' certificates must chain to; empty: the system's.
  std::string ca_file;
  std::function<absl::Time()> now = absl::Now;
};

// A delivery as it goes on the wire.
struct SignedEvent {
  std::string body;  // a v1::WebhookEvent in JSON
  std::map<std::string, std::string> headers;
};

// "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>".
std::string WebhookSignature(const std::string& secret, int64_t unix_seconds, const std::string& body);

// `secret`: the webhook's HMAC key, opened.
SignedEvent SignEvent(const DueDelivery& due, const std::string& secret, absl::Time now);

// The wait before attempt `attempts` + 1.
absl::Duration RetryDelay(int attempts, absl::Duration base, absl::Duration max);

// Whether an endpoint may be on `address` (an IPv4 or IPv6 literal).
bool IsPublicAddress(const std::string& address);

class WebhookDispatcher {
 public:
  // Sends one delivery to `url`; the endpoint's HTTP status, or why there
  // was none.
  using Post = std::function<absl::StatusOr<int>(const std::string& url, const SignedEvent& event)>;

  // `sealer` opens the webhooks' secrets; `post` defaults to HTTPS with
  // lib/http/client, as the class comment says.
  WebhookDispatcher(WebhookStore& store, const profile_crypto::Sealer& sealer, WebhookDispatcherOptions options,
                    prometheus::Registry& registry, Post post = nullptr);

  // Sends everything due now, a batch at a time; the number delivered.
  absl::StatusOr<int> RunOnce();

 private:
  absl::StatusOr<int> HttpsPost(const std::string& url, const SignedEvent& event) const;
  // One endpoint's share of a batch, in order; the number delivered.
  absl::StatusOr<int> SendToOneEndpoint(const std::vector<const DueDelivery*>& deliveries);

  WebhookStore& store_;
  const profile_crypto::Sealer& sealer_;
  const WebhookDispatcherOptions options_;
  Post post_;
  prometheus::Family<prometheus::Counter>& attempts_;
};

}  // namespace onramp::device

#endif  // ONRAMP_SERVICES_DEVICE_ACTIVATION_WEBHOOK_DISPATCHER_H_
