// The dispatcher's decisions with a store and an endpoint in memory: what
// is signed and how, what is retried when, and when it gives up. The real
// path (PostgreSQL, HTTPS to a receiver) is tests/onboarding:webhook_test.

#include "services/device-activation/webhook_dispatcher.h"

#include <map>
#include <mutex>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "lib/base/digest/digest.h"

namespace onramp::device {
namespace {

using ::testing::HasSubstr;

const profile_crypto::Sealer& Sealer() {
  static const profile_crypto::Sealer* const sealer =
      new profile_crypto::Sealer(*profile_crypto::Sealer::Create(std::string(32, 'w'), "webhook-secrets"));
  return *sealer;
}

// Deliveries in memory, taken as the PostgreSQL store takes them.
class MemoryWebhookStore : public WebhookStore {
 public:
  absl::StatusOr<WebhookRecord> Create(const std::string&, const std::string&, const std::vector<std::string>&,
                                       const std::string&) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<std::pair<std::vector<WebhookRecord>, std::string>> List(const std::string&, int,
                                                                          const std::string&) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<WebhookRecord> Delete(const std::string&, const std::string&) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<std::pair<std::vector<WebhookDeliveryRecord>, std::string>> Deliveries(const std::string&,
                                                                                        const std::string&, int,
                                                                                        const std::string&) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<std::vector<DueDelivery>> TakeDue(int limit, absl::Duration lease) override {
    std::lock_guard lock(mutex);
    std::vector<DueDelivery> due;
    for (auto& [id, item] : items) {
      WebhookDeliveryRecord& d = item.delivery;
      if (static_cast<int>(due.size()) == limit || d.delivered || d.failed || d.next_attempt > now) continue;
      ++d.attempts;
      d.next_attempt = now + lease;
      due.push_back(item);
    }
    return due;
  }
  absl::Status MarkDelivered(int64_t id, int status) override {
    std::lock_guard lock(mutex);
    items[id].delivery.delivered = now;
    items[id].delivery.last_status = status;
    return absl::OkStatus();
  }
  absl::Status MarkAttemptFailed(int64_t id, int status, const std::string& error,
                                 std::optional<absl::Time> next_attempt) override {
    std::lock_guard lock(mutex);
    WebhookDeliveryRecord& d = items[id].delivery;
    d.last_status = status;
    d.last_error = error;
    if (next_attempt) {
      d.next_attempt = *next_attempt;
    } else {
      d.failed = now;
    }
    return absl::OkStatus();
  }

  absl::Status Postpone(int64_t id, absl::Time next_attempt) override {
    std::lock_guard lock(mutex);
    --items[id].delivery.attempts;
    items[id].delivery.next_attempt = next_attempt;
    return absl::OkStatus();
  }
  bool Delivered(int64_t id) {
    std::lock_guard lock(mutex);
    return items[id].delivery.delivered.has_value();
  }

  void Add(int64_t id, const std::string& webhook = "w1", const std::string& url = "https://hooks.acme.example/onramp") {
    DueDelivery& item = items[id];
    item.delivery = {.id = id, .event_id = 100 + id, .type = "phone.acquired", .mac = "000e08aabbcc",
                     .detail = "first profile", .occurred = now, .next_attempt = now};
    item.delivery.webhook_id = webhook;
    item.partner = "acme";
    item.url = url;
    item.sealed_secret = Sealer().Seal("whsec_test");
  }

  absl::Time now = absl::FromUnixSeconds(1800000000);
  std::mutex mutex;  // the dispatcher sends to endpoints at once
  std::map<int64_t, DueDelivery> items;
};

class WebhookDispatcherTest : public ::testing::Test {
 protected:
  WebhookDispatcher Dispatcher(WebhookDispatcher::Post post, int batch = 10) {
    return WebhookDispatcher(store_, Sealer(), {.batch = batch, .retry_base = absl::Seconds(1), .max_retry_delay = absl::Seconds(8),
                                      .give_up_after = absl::Hours(1), .now = [this] { return store_.now; }},
                             registry_, std::move(post));
  }

  MemoryWebhookStore store_;
  prometheus::Registry registry_;
};

TEST_F(WebhookDispatcherTest, AnEventIsSignedOverItsTimeAndBody) {
  store_.Add(1);
  SignedEvent sent;
  WebhookDispatcher dispatcher = Dispatcher([&](const std::string& url, const SignedEvent& event) {
    EXPECT_EQ(url, "https://hooks.acme.example/onramp");
    sent = event;
    return 204;
  });
  ASSERT_EQ(*dispatcher.RunOnce(), 1);
  EXPECT_THAT(sent.body, HasSubstr(R"("id":"evt_101")"));
  EXPECT_THAT(sent.body, HasSubstr(R"("type":"phone.acquired")"));
  EXPECT_THAT(sent.body, HasSubstr(R"("mac":"000e08aabbcc")"));
  EXPECT_EQ(sent.headers["Onramp-Event-Id"], "evt_101");
  // What a receiver computes: HMAC-SHA256 over "<t>.<body>" with the secret.
  EXPECT_EQ(sent.headers["Onramp-Signature"],
            "t=1800000000,v1=" + digest::HmacSha256Hex("whsec_test", "1800000000." + sent.body));
  EXPECT_TRUE(store_.items[1].delivery.delivered.has_value());
}

TEST_F(WebhookDispatcherTest, FailuresAreRetriedWithDoublingWaitsUntilGivenUp) {
  store_.Add(1);
  int calls = 0;
  WebhookDispatcher dispatcher = Dispatcher([&](const std::string&, const SignedEvent&) -> absl::StatusOr<int> {
    ++calls;
    if (calls == 1) return absl::UnavailableError("connection refused");
    return 500;
  });
  std::vector<absl::Duration> waits;
  for (int round = 0; round < 6; ++round) {
    absl::Time before = store_.now;
    ASSERT_EQ(*dispatcher.RunOnce(), 0);
    waits.push_back(store_.items[1].delivery.next_attempt - before);
    store_.now = store_.items[1].delivery.next_attempt;
  }
  EXPECT_THAT(waits, ::testing::ElementsAre(absl::Seconds(1), absl::Seconds(2), absl::Seconds(4), absl::Seconds(8),
                                            absl::Seconds(8), absl::Seconds(8)));
  EXPECT_EQ(store_.items[1].delivery.last_status, 500);
  EXPECT_EQ(store_.items[1].delivery.last_error, "HTTP 500");
  // An hour after the event, it is given up on.
  store_.now = store_.items[1].delivery.occurred + absl::Hours(1);
  ASSERT_EQ(*dispatcher.RunOnce(), 0);
  EXPECT_TRUE(store_.items[1].delivery.failed.has_value());
  int before = calls;
  store_.now += absl::Hours(1);
  ASSERT_EQ(*dispatcher.RunOnce(), 0);
  EXPECT_EQ(calls, before);
}

TEST_F(WebhookDispatcherTest, EverythingDueIsSentBatchByBatch) {
  for (int64_t id = 1; id <= 5; ++id) store_.Add(id);
  int calls = 0;
  WebhookDispatcher dispatcher = Dispatcher(
      [&](const std::string&, const SignedEvent&) {
        ++calls;
        return 200;
      },
      /*batch=*/2);
  EXPECT_EQ(*dispatcher.RunOnce(), 5);
  EXPECT_EQ(calls, 5);
}

TEST_F(WebhookDispatcherTest, AHangingEndpointHoldsUpOnlyItsOwnEvents) {
  store_.Add(1, "slow", "https://slow.example/hook");
  store_.Add(2, "fast", "https://fast.example/hook");
  store_.Add(3, "fast", "https://fast.example/hook");
  absl::Notification release;
  WebhookDispatcher dispatcher = Dispatcher([&](const std::string& url, const SignedEvent&) -> absl::StatusOr<int> {
    if (url == "https://slow.example/hook") release.WaitForNotification();  // as if waiting out its timeout
    return 200;
  });
  std::thread round([&] { ASSERT_EQ(*dispatcher.RunOnce(), 3); });
  // The fast endpoint gets both its events while the slow one hangs.
  absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (!(store_.Delivered(2) && store_.Delivered(3)) && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(5));
  EXPECT_TRUE(store_.Delivered(2));
  EXPECT_TRUE(store_.Delivered(3));
  EXPECT_FALSE(store_.Delivered(1));
  release.Notify();
  round.join();
  EXPECT_TRUE(store_.Delivered(1));
}

TEST_F(WebhookDispatcherTest, AnEndpointAnsweringErrorsStillGetsEachEventTried) {
  for (int64_t id = 1; id <= 3; ++id) store_.Add(id);
  int calls = 0;
  WebhookDispatcher dispatcher = Dispatcher([&](const std::string&, const SignedEvent&) {
    ++calls;
    return 503;
  });
  ASSERT_EQ(*dispatcher.RunOnce(), 0);
  EXPECT_EQ(calls, 3);
}

TEST_F(WebhookDispatcherTest, AfterNoAnswerAnEndpointsOtherEventsWaitForItsRetry) {
  for (int64_t id = 1; id <= 3; ++id) store_.Add(id);
  std::vector<int64_t> sent;
  WebhookDispatcher dispatcher = Dispatcher([&](const std::string&, const SignedEvent& event) -> absl::StatusOr<int> {
    sent.push_back(std::stoll(event.headers.at("Onramp-Event-Id").substr(4)));
    return absl::DeadlineExceededError("no answer within 5 s");
  });
  ASSERT_EQ(*dispatcher.RunOnce(), 0);
  EXPECT_THAT(sent, ::testing::ElementsAre(101));  // one try, not three timeouts in a row
  EXPECT_EQ(store_.items[2].delivery.attempts, 0);  // taken, not counted as tried
  EXPECT_EQ(store_.items[2].delivery.next_attempt, store_.items[1].delivery.next_attempt);
}

TEST(WebhookAddressTest, OnlyPublicAddressesAreEndpoints) {
  for (const char* inward : {"127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
                             "100.64.0.1", "0.0.0.0", "::1", "::", "fd00::1", "fe80::1", "::ffff:10.0.0.1",
                             "not an address"}) {
    EXPECT_FALSE(IsPublicAddress(inward)) << inward;
  }
  for (const char* outward : {"8.8.8.8", "172.32.0.1", "192.0.2.10", "2001:db8::1", "::ffff:8.8.8.8"}) {
    EXPECT_TRUE(IsPublicAddress(outward)) << outward;
  }
}

}  // namespace
}  // namespace onramp::device
