// Webhooks from the partner's side: a partner registers an HTTPS endpoint
// through the REST API, device-agent phones onboard through the real fleet,
// and the endpoint (an independent receiver in Python that checks every
// signature and fails each event's first attempt) gets each phone's
// phone.acquired exactly once, after a retry; the delivery log shows it.

#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "device-agent/phone.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/partner_json/partner_json.h"
#include "lib/kit/store/transaction.h"
#include "lib/testing/shell.h"
#include "pqxx/pqxx"
#include "lib/testing/subprocess.h"
#include "tests/e2e/new_phone.h"
#include "tests/onboarding/gateway_fleet.h"

namespace onramp {
namespace {

using ::onramp::testing::ReadFile;
using ::onramp::testing::RunShell;
using ::testing::HasSubstr;

constexpr const char* kPhones[] = {"000e08aab001", "000e08aab002", "000e08aab003"};

class AgentWebhookTest : public ::onramp::testing::GatewayFleetTest {
 protected:
  void SetUp() override {
    GatewayFleetTest::SetUp();
    if (HasFatalFailure()) return;
    key_ = CreateApiKey("acme");
    log_ = dir_ + "/received.jsonl";
    secret_file_ = dir_ + "/webhook-secret";
    absl::StatusOr<std::unique_ptr<::onramp::testing::Subprocess>> receiver = ::onramp::testing::Subprocess::Start(
        {"/usr/bin/python3", "tests/e2e/webhook_receiver.py", "--cert", dir_ + "/https.pem", "--key",
         dir_ + "/https.key", "--secret-file", secret_file_, "--log", log_});
    ASSERT_TRUE(receiver.ok()) << receiver.status();
    receiver_ = *std::move(receiver);
    absl::StatusOr<std::string> line = receiver_->WaitForLine(
        [](std::string_view text) { return text.starts_with("serving port "); }, absl::Seconds(10));
    ASSERT_TRUE(line.ok()) << line.status() << receiver_->output();
    receiver_port_ = line->substr(std::string("serving port ").size());
  }

  // One partner API call; the body of the answer, and its status in `status`.
  std::string Api(const std::string& method, const std::string& path, const std::string& body = "",
                  int* status = nullptr) {
    std::ofstream(dir_ + "/request") << body;
    std::string output =
        RunShell(absl::StrCat("curl -s --max-time 10 --cacert ", dir_, "/ca.pem -o ", dir_, "/answer -w '%{http_code}' -X ",
                              method, " -H 'Authorization: Bearer ", key_, "' ",
                              body.empty() ? ""
                                           : absl::StrCat("-H 'Content-Type: application/json' --data-binary @", dir_,
                                                          "/request "),
                              "'", tls_base_, path, "'"))
            .output;
    if (status != nullptr) *status = std::atoi(output.c_str());
    return ReadFile(dir_ + "/answer");
  }

  template <typename Message>
  Message Parse(const std::string& json) {
    Message message;
    absl::Status parsed = partner_json::Parse(json, &message);
    EXPECT_TRUE(parsed.ok()) << parsed << "\n" << json;
    return message;
  }

  // The events the receiver accepted, by id: how many times each.
  std::map<std::string, int> Accepted(std::map<std::string, std::vector<std::string>>* by_type = nullptr) {
    std::map<std::string, int> accepted;
    for (absl::string_view line : absl::StrSplit(ReadFile(log_), '\n', absl::SkipEmpty())) {
      device::v1::WebhookEvent event = Parse<device::v1::WebhookEvent>(std::string(line));
      ++accepted[event.id()];
      if (by_type != nullptr) (*by_type)[event.type()].push_back(event.mac().value());
    }
    return accepted;
  }

  std::string key_;
  std::string log_;
  std::string secret_file_;
  std::unique_ptr<::onramp::testing::Subprocess> receiver_;
  std::string receiver_port_;
};

TEST_F(AgentWebhookTest, EachPhonesAcquiredEventReachesTheEndpointOnceAfterARetry) {
  int status = 0;
  std::string created = Api("POST", "/api/v1/webhooks",
                            absl::StrCat(R"({"url": "https://127.0.0.1:)", receiver_port_,
                                         R"(/onramp", "events": ["phone.claimed", "phone.acquired"]})"),
                            &status);
  ASSERT_EQ(status, 201) << created;
  device::v1::CreateWebhookResponse webhook = Parse<device::v1::CreateWebhookResponse>(created);
  ASSERT_TRUE(webhook.secret().starts_with("whsec_"));
  std::ofstream(secret_file_) << webhook.secret();
  // The secret is shown once, and the database holds it only sealed.
  EXPECT_THAT(Api("GET", "/api/v1/webhooks"), ::testing::Not(HasSubstr(webhook.secret())));
  std::string stored;
  ASSERT_TRUE(store::Transact(pool(), [&](pqxx::transaction_base& tx) -> absl::Status {
                stored = tx.exec1("SELECT secret FROM device.webhooks")[0].as<std::string>();
                return absl::OkStatus();
              }).ok());
  EXPECT_THAT(stored, ::testing::Not(HasSubstr(webhook.secret().substr(6))));

  std::string rows;
  for (const char* mac : kPhones) absl::StrAppend(&rows, R"({"mac": ")", mac, R"(", "model": "CP-8851-3PCC"},)");
  rows.pop_back();
  Api("POST", "/api/v1/devices:claim",
      absl::StrCat(R"({"devices": [)", rows, R"(], "target": {"profile_rule": ")", base_, R"(/profile/$MA.xml"}})"),
      &status);
  ASSERT_EQ(status, 200);
  Api("PUT", "/api/v1/layers/partner/-",
      R"({"if_version": "0", "parameters": [{"name": "Proxy_1_", "value": "sip.acme.example"}]})", &status);
  ASSERT_EQ(status, 200);

  std::vector<std::string> steps;
  for (const char* mac : kPhones) {
    agent::Phone phone = ::onramp::testing::LoadPhone(
        {.state_dir = ::onramp::testing::NewPhone(absl::StrCat("phone-", mac), mac, dir_),
         .activation_url = tls_base_,
         .ca_file = dir_ + "/ca.pem"},
        &steps);
    ASSERT_TRUE(phone.Provision().ok());
    ASSERT_EQ(phone.state().customization_state(), "acquired") << phone.state().last_detail();
  }
  FlushDeliveries();

  // Six events (three claims, three acquisitions), each failed once by the
  // endpoint and sent again a moment later.
  absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (Accepted().size() < 6 && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  std::map<std::string, std::vector<std::string>> by_type;
  std::map<std::string, int> accepted = Accepted(&by_type);
  ASSERT_EQ(accepted.size(), 6u) << ReadFile(log_) << receiver_->output();
  for (const auto& [id, times] : accepted) EXPECT_EQ(times, 1) << id << " was delivered again after a 200";
  EXPECT_THAT(by_type["phone.acquired"], ::testing::UnorderedElementsAre(kPhones[0], kPhones[1], kPhones[2]));
  EXPECT_THAT(by_type["phone.claimed"], ::testing::UnorderedElementsAre(kPhones[0], kPhones[1], kPhones[2]));

  // The delivery log says so: delivered, on the second attempt, 200.
  device::v1::ListWebhookDeliveriesResponse log = Parse<device::v1::ListWebhookDeliveriesResponse>(
      Api("GET", absl::StrCat("/api/v1/webhooks/", webhook.webhook().id(), "/deliveries")));
  ASSERT_EQ(log.deliveries_size(), 6);
  for (const device::v1::WebhookDelivery& delivery : log.deliveries()) {
    EXPECT_EQ(delivery.state(), device::v1::WEBHOOK_DELIVERY_STATE_DELIVERED) << delivery.event().id();
    EXPECT_EQ(delivery.attempts(), 2);
    EXPECT_EQ(delivery.last_status(), 200);
  }

  // Events the webhook did not ask for are not sent: registrations happened.
  EXPECT_TRUE(by_type["phone.registered"].empty());
}

TEST_F(AgentWebhookTest, ARolloutHaltedByFailuresIsToldToTheEndpointOnce) {
  int status = 0;
  std::string created = Api("POST", "/api/v1/webhooks",
                            absl::StrCat(R"({"url": "https://127.0.0.1:)", receiver_port_,
                                         R"(/onramp", "events": ["rollout.halted"]})"),
                            &status);
  ASSERT_EQ(status, 201) << created;
  std::ofstream(secret_file_) << Parse<device::v1::CreateWebhookResponse>(created).secret();
  UploadImage("sip88xx.12-0-2MPP0001-10.loads", "new image");
  std::string started = Api("POST", "/api/v1/rollouts",
                            R"({"model": "CP-8851-3PCC", "target_version": "12-0-2MPP0001-10",
                                "stages": [{"percent": 100, "min_soak": "3600s"}], "failure_threshold_percent": 10})",
                            &status);
  ASSERT_EQ(status, 201) << started;
  std::string rollout_id = Parse<firmware::v1::Rollout>(started).id();

  // Five phones' own reports of a failed upgrade (more than 10%): halted.
  for (int i = 0; i < 5; ++i) {
    grpc::ClientContext context;
    firmware::v1::ReportUpgradeRequest report;
    report.mutable_mac()->set_value(absl::StrCat("000e08aac00", i));
    report.set_partner("acme");
    report.set_model("CP-8851-3PCC");
    report.set_from_version("12-0-1MPP0001-245");
    report.set_to_version("12-0-2MPP0001-10");
    report.set_outcome(firmware::v1::UPGRADE_OUTCOME_FAILURE);
    report.set_authenticated(true);
    firmware::v1::ReportUpgradeResponse reported;
    ASSERT_TRUE(firmware_->ReportUpgrade(&context, report, &reported).ok());
  }
  EXPECT_THAT(Api("GET", absl::StrCat("/api/v1/rollouts/", rollout_id)), HasSubstr("ROLLOUT_STATE_HALTED"));

  absl::Time give_up = absl::Now() + absl::Seconds(20);
  std::map<std::string, std::vector<std::string>> by_type;
  while (absl::Now() < give_up) {
    by_type.clear();
    Accepted(&by_type);
    if (!by_type["rollout.halted"].empty()) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  std::map<std::string, int> accepted = Accepted();
  ASSERT_EQ(accepted.size(), 1u) << ReadFile(log_);
  EXPECT_EQ(accepted.begin()->second, 1);
  device::v1::WebhookEvent halted = Parse<device::v1::WebhookEvent>(ReadFile(log_));
  EXPECT_EQ(halted.type(), "rollout.halted");
  EXPECT_EQ(halted.subject(), rollout_id);
  EXPECT_THAT(halted.detail(), HasSubstr("5 of 5 reported upgrades failed"));
}

TEST_F(AgentWebhookTest, OnlyHttpsEndpointsAndKnownEventsAreTaken) {
  int status = 0;
  std::string plain = Api("POST", "/api/v1/webhooks", R"({"url": "http://hooks.example.com/x"})", &status);
  EXPECT_EQ(status, 400);
  EXPECT_THAT(plain, HasSubstr(R"("field":"url")"));
  std::string unknown =
      Api("POST", "/api/v1/webhooks", R"({"url": "https://hooks.example.com/x", "events": ["phone.exploded"]})",
          &status);
  EXPECT_EQ(status, 400);
  EXPECT_THAT(unknown, HasSubstr(R"("field":"events[0]")"));
}

}  // namespace
}  // namespace onramp
