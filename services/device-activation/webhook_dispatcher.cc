#include "services/device-activation/webhook_dispatcher.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <array>
#include <map>
#include <mutex>
#include <thread>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "lib/base/digest/digest.h"
#include "lib/http/client/http_client.h"
#include "lib/http/client/http_url.h"
#include "lib/kit/log/log.h"
#include "lib/kit/partner_json/partner_json.h"
#include "lib/kit/proto/messages.h"
#include "lib/kit/status/status_macros.h"
#include "onramp/device/v1/device.pb.h"

namespace onramp::device {

namespace {

// The endpoint's words, kept short in the delivery log.
constexpr size_t kMaxError = 200;

bool InPrefix(const unsigned char* address, const std::array<unsigned char, 16>& prefix, int bits) {
  for (int bit = 0; bit < bits; ++bit) {
    int byte = bit / 8;
    int mask = 0x80 >> (bit % 8);
    if ((address[byte] & mask) != (prefix[byte] & mask)) return false;
  }
  return true;
}

// The first address `host` resolves to that a partner's endpoint may use;
// PERMISSION_DENIED when it has only inward ones.
absl::StatusOr<std::string> ResolvePublic(const std::string& host, bool allow_private) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int error = getaddrinfo(host.c_str(), nullptr, &hints, &found); error != 0) {
    return absl::UnavailableError(absl::StrCat("cannot resolve ", host, ": ", gai_strerror(error)));
  }
  std::string refused;
  std::string chosen;
  for (addrinfo* at = found; at != nullptr && chosen.empty(); at = at->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    const void* raw = at->ai_family == AF_INET ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(at->ai_addr)->sin_addr)
                                               : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(at->ai_addr)->sin6_addr);
    if (inet_ntop(at->ai_family, raw, text, sizeof text) == nullptr) continue;
    if (allow_private || IsPublicAddress(text)) {
      chosen = text;
    } else {
      refused = text;
    }
  }
  freeaddrinfo(found);
  if (!chosen.empty()) return chosen;
  return absl::PermissionDeniedError(absl::StrCat(host, " is on a private address (", refused, ")"));
}

}  // namespace

bool IsPublicAddress(const std::string& address) {
  unsigned char bytes[16] = {};
  // IPv4 as an IPv4-mapped IPv6 address, so one table serves both.
  std::array<unsigned char, 16> mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (inet_pton(AF_INET, address.c_str(), bytes + 12) == 1) {
    std::memcpy(bytes, mapped.data(), 12);
  } else if (inet_pton(AF_INET6, address.c_str(), bytes) != 1) {
    return false;
  }
  auto v4 = [&](std::initializer_list<unsigned char> head) {
    std::array<unsigned char, 16> prefix = mapped;
    size_t i = 12;
    for (unsigned char b : head) prefix[i++] = b;
    return prefix;
  };
  struct Range {
    std::array<unsigned char, 16> prefix;
    int bits;
  };
  const Range inward[] = {
      {v4({0}), 96 + 8},          {v4({10}), 96 + 8},        {v4({100, 64}), 96 + 10},
      {v4({127}), 96 + 8},        {v4({169, 254}), 96 + 16}, {v4({172, 16}), 96 + 12},
      {v4({192, 168}), 96 + 16},  {v4({224}), 96 + 4},       {v4({240}), 96 + 4},
      {{}, 127},                  // :: and ::1
      {{0xfc}, 7},                // unique local
      {{0xfe, 0x80}, 10},         // link-local
      {{0xff}, 8},                // multicast
  };
  for (const Range& range : inward) {
    if (InPrefix(bytes, range.prefix, range.bits)) return false;
  }
  return true;
}

std::string WebhookSignature(const std::string& secret, int64_t unix_seconds, const std::string& body) {
  return absl::StrCat("t=", unix_seconds, ",v1=", digest::HmacSha256Hex(secret, absl::StrCat(unix_seconds, ".", body)));
}

SignedEvent SignEvent(const DueDelivery& due, const std::string& secret, absl::Time now) {
  v1::WebhookEvent event;
  event.set_id(absl::StrCat("evt_", due.delivery.event_id));
  event.set_type(due.delivery.type);
  proto::SetTimestamp(due.delivery.occurred, event.mutable_time());
  event.set_partner(due.partner);
  if (!due.delivery.mac.empty()) event.mutable_mac()->set_value(due.delivery.mac);
  event.set_detail(due.delivery.detail);
  event.set_subject(due.delivery.subject);
  SignedEvent signed_event;
  signed_event.body = partner_json::Print(event).value_or("{}");
  signed_event.headers = {
      {"Content-Type", "application/json"},
      {"Onramp-Event-Id", event.id()},
      {"Onramp-Signature", WebhookSignature(secret, absl::ToUnixSeconds(now), signed_event.body)},
      {"User-Agent", "Onramp-Webhooks/1"},
  };
  return signed_event;
}

absl::Duration RetryDelay(int attempts, absl::Duration base, absl::Duration max) {
  absl::Duration delay = base;
  for (int i = 1; i < attempts && delay < max; ++i) delay *= 2;
  return std::min(delay, max);
}

WebhookDispatcher::WebhookDispatcher(WebhookStore& store, const profile_crypto::Sealer& sealer,
                                     WebhookDispatcherOptions options, prometheus::Registry& registry, Post post)
    : store_(store),
      sealer_(sealer),
      options_(std::move(options)),
      post_(std::move(post)),
      attempts_(prometheus::BuildCounter()
                    .Name("onramp_webhook_attempts_total")
                    .Help("Webhook delivery attempts by outcome: delivered, retry (answered otherwise or not at "
                          "all), failed (given up).")
                    .Register(registry)) {
  if (!post_) post_ = [this](const std::string& url, const SignedEvent& event) { return HttpsPost(url, event); };
}

absl::StatusOr<int> WebhookDispatcher::HttpsPost(const std::string& url, const SignedEvent& event) const {
  std::optional<http_client::HttpLocation> location = http_client::ParseHttpUrl(url);
  if (!location || !location->tls) return absl::InvalidArgumentError("not an https URL");
  ASSIGN_OR_RETURN(std::string address, ResolvePublic(location->host, options_.allow_private_addresses));
  http_client::HttpRequest request{.tls = true,
                                   .host = location->host,
                                   .port = location->port,
                                   .connect_address = address,
                                   .method = "POST",
                                   .target = location->target,
                                   .headers = event.headers,
                                   .body = event.body,
                                   .ca_file = options_.ca_file,
                                   .timeout = options_.timeout,
                                   .max_body_bytes = 64 << 10};
  http_client::HttpClient client;
  ASSIGN_OR_RETURN(http_client::HttpResponse response, client.Fetch(request));
  return response.status;
}

absl::StatusOr<int> WebhookDispatcher::SendToOneEndpoint(const std::vector<const DueDelivery*>& deliveries) {
  int delivered = 0;
  for (size_t i = 0; i < deliveries.size(); ++i) {
    const DueDelivery& item = *deliveries[i];
    absl::Time now = options_.now();
    absl::StatusOr<std::string> secret = sealer_.Open(item.sealed_secret);
    // A secret that does not open (another key-encryption key) signs nothing.
    absl::StatusOr<int> status =
        secret.ok() ? post_(item.url, SignEvent(item, *secret, now))
                    : absl::StatusOr<int>(absl::FailedPreconditionError("the webhook's secret does not open"));
    if (status.ok() && *status >= 200 && *status < 300) {
      RETURN_IF_ERROR(store_.MarkDelivered(item.delivery.id, *status));
      attempts_.Add({{"outcome", "delivered"}}).Increment();
      ++delivered;
      continue;
    }
    std::string error = status.ok() ? absl::StrCat("HTTP ", *status) : std::string(status.status().message());
    if (error.size() > kMaxError) error.resize(kMaxError);
    std::optional<absl::Time> next;
    if (now - item.delivery.occurred < options_.give_up_after) {
      next = now + RetryDelay(item.delivery.attempts, options_.retry_base, options_.max_retry_delay);
    }
    RETURN_IF_ERROR(store_.MarkAttemptFailed(item.delivery.id, status.ok() ? *status : 0, error, next));
    attempts_.Add({{"outcome", next ? "retry" : "failed"}}).Increment();
    if (!next) {
      log::Warn("webhook event given up", {{"partner", item.partner}, {"event", absl::StrCat(item.delivery.event_id)},
                                            {"error", error}});
    }
    // An endpoint that answers, even with an error, answers quickly: its
    // other events are still tried. One that did not answer (unreachable,
    // or silent until the timeout) has its other events wait for its next
    // try rather than each wait out the same silence now.
    if (status.ok()) continue;
    absl::Time retry = next.value_or(now + options_.retry_base);
    for (size_t rest = i + 1; rest < deliveries.size(); ++rest) {
      RETURN_IF_ERROR(store_.Postpone(deliveries[rest]->delivery.id, retry));
    }
    break;
  }
  return delivered;
}

absl::StatusOr<int> WebhookDispatcher::RunOnce() {
  int delivered = 0;
  while (true) {
    ASSIGN_OR_RETURN(std::vector<DueDelivery> due, store_.TakeDue(options_.batch, options_.lease));
    // Each endpoint's events in the order they were taken (oldest first).
    std::map<std::string, std::vector<const DueDelivery*>> by_endpoint;
    for (const DueDelivery& item : due) by_endpoint[item.delivery.webhook_id].push_back(&item);
    std::vector<const std::vector<const DueDelivery*>*> groups;
    for (const auto& [webhook, deliveries] : by_endpoint) groups.push_back(&deliveries);
    std::mutex mutex;  // guards next, delivered, failure
    size_t next = 0;
    absl::Status failure;
    auto work = [&] {
      while (true) {
        const std::vector<const DueDelivery*>* group;
        {
          std::lock_guard lock(mutex);
          if (next == groups.size() || !failure.ok()) return;
          group = groups[next++];
        }
        absl::StatusOr<int> sent = SendToOneEndpoint(*group);
        std::lock_guard lock(mutex);
        if (sent.ok()) {
          delivered += *sent;
        } else if (failure.ok()) {
          failure = sent.status();
        }
      }
    };
    std::vector<std::thread> workers;
    size_t threads = std::min(groups.size(), static_cast<size_t>(std::max(1, options_.parallel_endpoints)));
    for (size_t t = 1; t < threads; ++t) workers.emplace_back(work);
    work();
    for (std::thread& worker : workers) worker.join();
    RETURN_IF_ERROR(failure);
    if (static_cast<int>(due.size()) < options_.batch) return delivered;
  }
}

}  // namespace onramp::device
