// A boot storm in miniature: 1,000 simulated phones, claimed by MAC, power
// on at once and must all end Acquired with their profile applied.

#include "absl/strings/str_cat.h"
#include "device-agent/factory.h"
#include "device-agent/simulator.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/rate_limit/token_buckets.h"
#include "services/gateway/wiring.h"
#include "tests/onboarding/gateway_fleet.h"

namespace onramp {
namespace {

constexpr int kPhones = 1000;

class BootStormTest : public ::onramp::testing::GatewayFleetTest {};

TEST_F(BootStormTest, AThousandPhonesAllEndAcquiredAndRegistered) {
  // Over HTTPS, as phones come: each phone, born with its factory
  // certificate, asks who owns it, is handed its one-time credential and
  // profile key, registers, and fetches its profile over mutual TLS with the
  // certificate it got; its SIP password opens only with its key.
  grpc::ClientContext context;
  device::v1::ClaimDevicesRequest claim;
  claim.set_partner("acme");
  claim.set_idempotency_key("storm");
  claim.mutable_target()->set_profile_rule(tls_base_ + "/profile/$MA.xml");
  for (int i = 0; i < kPhones; ++i) {
    device::v1::DeviceRow* row = claim.add_devices();
    row->mutable_mac()->set_value(*agent::SimulatedMac("02:00:00", i));
    row->set_model(::onramp::testing::kPhoneModel);
  }
  device::v1::ClaimDevicesResponse claimed;
  ASSERT_TRUE(devices_->ClaimDevices(&context, claim, &claimed).ok());
  ASSERT_EQ(claimed.counts().claimed(), kPhones);
  for (int i = 0; i < kPhones; ++i) {
    grpc::ClientContext layer_context;
    profile::v1::PutLayerRequest layer;
    layer.mutable_ref()->set_partner("acme");
    layer.mutable_ref()->set_scope(profile::v1::SCOPE_DEVICE);
    layer.mutable_ref()->set_key(*agent::SimulatedMac("02:00:00", i));
    profile::v1::Parameter* name = layer.add_parameters();
    name->set_name("Display_Name_1_");
    name->set_value(absl::StrCat("Desk ", i));
    profile::v1::Parameter* password = layer.add_parameters();
    password->set_name("Password_1_");
    password->set_value(absl::StrCat("sip-secret-", i));
    password->set_secret(true);
    profile::v1::Layer stored;
    ASSERT_TRUE(profiles_->PutLayer(&layer_context, layer, &stored).ok());
  }

  absl::StatusOr<agent::Factory> factory = agent::Factory::Load(dir_ + "/factory-ca.pem", dir_ + "/factory-ca.key");
  ASSERT_TRUE(factory.ok()) << factory.status();
  absl::StatusOr<agent::SimulationReport> report = agent::Simulate(
      {.phones = kPhones,
       .mac_prefix = "02:00:00",
       .activation_url = tls_base_,
       .ca_file = dir_ + "/ca.pem",
       .factory = &*factory,
       .concurrency = 64,
       .time_scale = 100});
  ASSERT_TRUE(report.ok()) << report.status();
  // Each phone waited a random part of Resync_Random_Delay (2 units of 20 s,
  // 0.4 s at this scale) after power-on: among 1,000 draws some wait over
  // 0.3 s, so the storm cannot end sooner.
  EXPECT_GT(report->seconds, 0.3);
  EXPECT_EQ(report->passes, kPhones);
  EXPECT_EQ(report->by_state["acquired"], kPhones);
  EXPECT_EQ(report->registered, kPhones);
  EXPECT_EQ(report->by_outcome["A"], kPhones);  // every profile opened with the phone's own key
  FlushDeliveries();
  grpc::ClientContext list_context;
  device::v1::ListDevicesRequest acquired;
  acquired.set_partner("acme");
  acquired.set_state(device::v1::CUSTOMIZATION_STATE_ACQUIRED);
  acquired.mutable_page()->set_page_size(1000);
  device::v1::ListDevicesResponse listed;
  ASSERT_TRUE(devices_->ListDevices(&list_context, acquired, &listed).ok());
  EXPECT_EQ(listed.devices_size(), kPhones);  // the fleet saw each phone itself get its profile
  EXPECT_GT(report->p50_ms, 0);
}

TEST_F(BootStormTest, AStormOfTr069PhonesBootstrapsWithTheAcsAndGetsTheirProfiles) {
  // Their provider's DHCP names the ACS; each proves itself with its factory
  // certificate and is set its profile by SetParameterValues.
  constexpr int kTr069Phones = 300;
  grpc::ClientContext context;
  device::v1::ClaimDevicesRequest claim;
  claim.set_partner("acme");
  claim.set_idempotency_key("tr069-storm");
  claim.mutable_target()->set_profile_rule("gds://");
  for (int i = 0; i < kTr069Phones; ++i) {
    claim.add_devices()->mutable_mac()->set_value(*agent::SimulatedMac("02:00:02", i));
    grpc::ClientContext layer_context;
    profile::v1::PutLayerRequest layer;
    layer.mutable_ref()->set_partner("acme");
    layer.mutable_ref()->set_scope(profile::v1::SCOPE_DEVICE);
    layer.mutable_ref()->set_key(*agent::SimulatedMac("02:00:02", i));
    profile::v1::Parameter* name = layer.add_parameters();
    name->set_name("Display_Name_1_");
    name->set_value(absl::StrCat("Desk ", i));
    profile::v1::Layer stored;
    ASSERT_TRUE(profiles_->PutLayer(&layer_context, layer, &stored).ok());
  }
  device::v1::ClaimDevicesResponse claimed;
  ASSERT_TRUE(devices_->ClaimDevices(&context, claim, &claimed).ok());
  absl::StatusOr<agent::Factory> factory = agent::Factory::Load(dir_ + "/factory-ca.pem", dir_ + "/factory-ca.key");
  ASSERT_TRUE(factory.ok()) << factory.status();
  absl::StatusOr<agent::SimulationReport> report = agent::Simulate({.phones = kTr069Phones,
                                                                   .mac_prefix = "02:00:02",
                                                                   .activation_url = tls_base_,
                                                                   .acs_url = tls_base_ + "/cwmp",
                                                                   .ca_file = dir_ + "/ca.pem",
                                                                   .factory = &*factory,
                                                                   .concurrency = 64,
                                                                   .time_scale = 100});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->passes, kTr069Phones);
  EXPECT_EQ(report->by_outcome["A"], kTr069Phones);
  EXPECT_EQ(report->by_state["aborted"], kTr069Phones);  // provisioned by their provider, not the redirect
  // Each phone holds its own profile, as profile-render counts deliveries.
  FlushDeliveries();
  for (int i = 0; i < kTr069Phones; i += 37) {
    grpc::ClientContext activity_context;
    profile::v1::DeviceKeyRequest request;
    request.set_partner("acme");
    request.mutable_mac()->set_value(*agent::SimulatedMac("02:00:02", i));
    common::v1::DeviceActivity activity;
    ASSERT_TRUE(profiles_->GetDeviceActivity(&activity_context, request, &activity).ok());
    EXPECT_FALSE(activity.profile_etag().empty()) << i;
  }
}

TEST_F(BootStormTest, InSteadyModePhonesGoOnResyncingOnTheirTimers) {
  constexpr int kSteadyPhones = 20;
  grpc::ClientContext context;
  device::v1::ClaimDevicesRequest claim;
  claim.set_partner("acme");
  claim.set_idempotency_key("steady");
  claim.mutable_target()->set_profile_rule(base_ + "/profile/$MA.xml");
  device::v1::Parameter* periodic = claim.mutable_target()->add_parameters();
  periodic->set_name("Resync_Periodic");
  periodic->set_value("600");
  for (int i = 0; i < kSteadyPhones; ++i) {
    claim.add_devices()->mutable_mac()->set_value(*agent::SimulatedMac("02:00:01", i));
    grpc::ClientContext layer_context;
    profile::v1::PutLayerRequest layer;
    layer.mutable_ref()->set_partner("acme");
    layer.mutable_ref()->set_scope(profile::v1::SCOPE_DEVICE);
    layer.mutable_ref()->set_key(*agent::SimulatedMac("02:00:01", i));
    layer.add_parameters()->set_name("Display_Name_1_");
    profile::v1::Layer stored;
    ASSERT_TRUE(profiles_->PutLayer(&layer_context, layer, &stored).ok());
  }
  device::v1::ClaimDevicesResponse claimed;
  ASSERT_TRUE(devices_->ClaimDevices(&context, claim, &claimed).ok());

  // Ten minutes of phone time pass in a tenth of a second: over 1.5 s each
  // phone resyncs about fifteen times.
  absl::StatusOr<agent::SimulationReport> report =
      agent::Simulate({.phones = kSteadyPhones, .mac_prefix = "02:00:01", .activation_url = base_, .concurrency = 32,
                       .steady_for = absl::Milliseconds(1500), .time_scale = 6000});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_GT(report->passes, 5 * kSteadyPhones);
  EXPECT_EQ(report->by_state["acquired"], kSteadyPhones);
  EXPECT_EQ(report->by_outcome["A"], kSteadyPhones);
}

TEST_F(BootStormTest, BehindAPerAddressLimitEachSimulatedPhoneIsItsOwnAddress) {
  constexpr int kLimitedPhones = 200;
  grpc::ClientContext context;
  device::v1::ClaimDevicesRequest claim;
  claim.set_partner("acme");
  claim.set_idempotency_key("limited");
  claim.mutable_target()->set_profile_rule(base_ + "/profile/$MA.xml");
  for (int i = 0; i < kLimitedPhones; ++i) {
    device::v1::DeviceRow* row = claim.add_devices();
    row->mutable_mac()->set_value(*agent::SimulatedMac("02:00:02", i));
    row->set_model(::onramp::testing::kPhoneModel);
  }
  device::v1::ClaimDevicesResponse claimed;
  ASSERT_TRUE(devices_->ClaimDevices(&context, claim, &claimed).ok());
  // A gateway that lets each address a few requests (a phone's pass is two).
  rate_limit::TokenBuckets per_source({.rate_per_second = 1, .burst = 4});
  auto registry = std::make_shared<prometheus::Registry>();
  std::unique_ptr<gateway::HttpServer> limited =
      *gateway::HttpServer::Start({.host = "127.0.0.1"}, gateway::Instrumented(*routes_, *registry, &per_source).dispatch);
  const std::string limited_base = absl::StrCat("http://127.0.0.1:", limited->port());
  auto storm = [&](const std::string& source_network) {
    return agent::Simulate({.phones = kLimitedPhones,
                            .mac_prefix = "02:00:02",
                            .activation_url = limited_base,
                            .source_network = source_network,
                            .concurrency = 32,
                            .time_scale = 100});
  };
  // Each from its own loopback address: the limit meets one phone at a time.
  absl::StatusOr<agent::SimulationReport> spread = storm("127.1.0.0/16");
  ASSERT_TRUE(spread.ok()) << spread.status();
  EXPECT_EQ(spread->by_state["acquired"], kLimitedPhones);
  // All from one address, the same phones meet 429s: most stay Pending.
  absl::StatusOr<agent::SimulationReport> one_address = storm("");
  ASSERT_TRUE(one_address.ok()) << one_address.status();
  EXPECT_GT(one_address->by_state["pending"], kLimitedPhones / 2);
  EXPECT_EQ(agent::SimulatedSourceAddress("127.1.0.0/16", 0).value_or(""), "127.1.0.1");
  EXPECT_EQ(agent::SimulatedSourceAddress("127.1.0.0/30", 2).value_or(""), "127.1.0.1");  // two hosts: wraps
  EXPECT_FALSE(agent::SimulatedSourceAddress("127.1.0.0/31", 0).ok());
}

}  // namespace
}  // namespace onramp
