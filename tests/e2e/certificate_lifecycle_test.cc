// A registration certificate proves its phone only while it is the phone's
// current one. Two gateway replicas, each reading revocations on its own at
// the production interval (1 s), stop taking an old certificate within 5 s
// of a revocation, a new registration, or a release; and a released phone's
// next owner starts clean: the first owner's values, keys and history never
// reach it.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "device-agent/phone.h"
#include "device-agent/state.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/shell.h"
#include "tests/e2e/new_phone.h"
#include "tests/onboarding/gateway_fleet.h"

namespace onramp {
namespace {

using ::onramp::testing::kPhoneAgent;
using ::onramp::testing::kPhoneMac;
using ::testing::HasSubstr;
using ::testing::Not;

// A gateway replica of its own: its own routes and revocation list, the
// same services.
struct Replica {
  std::unique_ptr<gateway::RevokedCertificates> revoked;
  std::unique_ptr<gateway::PhoneRoutes> routes;
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  std::unique_ptr<gateway::HttpServer> server;
};

class CertificateLifecycleTest : public ::onramp::testing::GatewayFleetTest {
 protected:
  void SetUp() override {
    GatewayFleetTest::SetUp();
    if (HasFatalFailure()) return;
    for (Replica& replica : replicas_) {
      replica.revoked = gateway::RevocationsOf(*devices_client_, absl::Seconds(1));
      replica.routes = std::make_unique<gateway::PhoneRoutes>(*codes_client_, *devices_client_, *profiles_client_,
                                                              *firmware_client_, *replica.revoked);
      replica.server =
          *gateway::HttpServer::Start({.host = "127.0.0.1", .tls = tls_.get()},
                                      gateway::Instrumented(*replica.routes, *replica.registry).dispatch);
    }
  }

  void TearDown() override {
    for (Replica& replica : replicas_) {
      replica.server.reset();
      replica.revoked.reset();
    }
    GatewayFleetTest::TearDown();
  }

  // The phone telling the cloud its state through replica `i` with the
  // certificate in <dir_>/phone.pem: 200 while the certificate proves it.
  int TellState(int i) {
    std::string answer = CurlTls(absl::StrCat("--cert ", dir_, "/phone.pem --key ", dir_, "/phone.key ", kPhoneAgent,
                                              " -d state=acquired https://127.0.0.1:", replicas_[i].server->port(),
                                              "/state"));
    if (answer.starts_with("HTTP/1.1 200")) return 200;
    if (answer.starts_with("HTTP/1.1 403")) return 403;
    return 0;
  }

  // Every replica takes the current certificate (each has read the list once).
  void ExpectTakenEverywhere() {
    for (int i = 0; i < 2; ++i) {
      absl::Time give_up = absl::Now() + absl::Seconds(5);
      while (TellState(i) != 200 && absl::Now() < give_up) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      EXPECT_EQ(TellState(i), 200) << "replica " << i;
    }
  }

  // How long after `since` the last replica stopped taking the certificate
  // (polled every 50 ms, for up to 10 s).
  absl::Duration RefusedEverywhereAfter(absl::Time since) {
    absl::Time give_up = absl::Now() + absl::Seconds(10);
    bool refused[2] = {false, false};
    while (!(refused[0] && refused[1]) && absl::Now() < give_up) {
      for (int i = 0; i < 2; ++i) refused[i] = refused[i] || TellState(i) == 403;
      if (!(refused[0] && refused[1])) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_TRUE(refused[0] && refused[1]);
    return absl::Now() - since;
  }

  grpc::Status Release(const std::string& partner) {
    grpc::ClientContext context;
    device::v1::DeviceRequest request;
    request.set_partner(partner);
    request.mutable_mac()->set_value(kPhoneMac);
    device::v1::Device released;
    return devices_->ReleaseDevice(&context, request, &released);
  }

  Replica replicas_[2];
};

TEST_F(CertificateLifecycleTest, ARevokedCertificateIsRefusedOnEveryReplicaWithinFiveSeconds) {
  ClaimAndProfile(/*with_secret=*/true);
  RegisterPhone();
  ExpectTakenEverywhere();
  grpc::ClientContext context;
  device::v1::DeviceRequest request;
  request.set_partner("acme");
  request.mutable_mac()->set_value(kPhoneMac);
  device::v1::Device revoked;
  ASSERT_TRUE(devices_->RevokeDevice(&context, request, &revoked).ok());
  absl::Duration took = RefusedEverywhereAfter(absl::Now());
  std::printf("revocation refused on both replicas after %s\n", absl::FormatDuration(took).c_str());
  EXPECT_LE(took, absl::Seconds(5));
}

TEST_F(CertificateLifecycleTest, RegisteringAgainRetiresTheOldCertificate) {
  ClaimAndProfile(/*with_secret=*/true);
  RegisterPhone();
  ExpectTakenEverywhere();
  const std::string old_cert = ::onramp::testing::ReadFile(dir_ + "/phone.pem");
  const std::string old_key = ::onramp::testing::ReadFile(dir_ + "/phone.key");
  RegisterPhone();  // the phone was factory reset and registered anew
  absl::Time registered = absl::Now();
  ExpectTakenEverywhere();  // the new one
  std::ofstream(dir_ + "/phone.pem") << old_cert;
  std::ofstream(dir_ + "/phone.key") << old_key;
  absl::Duration took = RefusedEverywhereAfter(registered);
  std::printf("replaced certificate refused on both replicas after %s\n", absl::FormatDuration(took).c_str());
  EXPECT_LE(took, absl::Seconds(5));
}

TEST_F(CertificateLifecycleTest, AReleasedPhonesCertificateIsRefusedAndItsNextOwnerStartsClean) {
  ClaimAndProfile(/*with_secret=*/true, base_ + "/profile/$MA.xml");
  // The phone onboards as acme's and holds acme's key and password.
  std::vector<std::string> steps;
  const std::string flash = ::onramp::testing::NewPhone("changes-hands", kPhoneMac, dir_);
  auto provision = [&] {
    agent::Phone phone = ::onramp::testing::LoadPhone(
        {.state_dir = flash, .activation_url = tls_base_, .ca_file = dir_ + "/ca.pem"}, &steps);
    EXPECT_TRUE(phone.Provision().ok());
    return phone;
  };
  agent::Phone as_acmes = provision();
  ASSERT_EQ(as_acmes.state().parameters().at("Password_1_").value(), "s3cret-sip-password");
  const std::string acmes_key = as_acmes.state().parameters().at("GPP_SA").value();
  std::ofstream(dir_ + "/phone.pem") << ::onramp::testing::ReadFile(flash + "/device.pem");
  std::ofstream(dir_ + "/phone.key") << ::onramp::testing::ReadFile(flash + "/device.key");
  ExpectTakenEverywhere();

  // acme releases it: its hold ends whole.
  ASSERT_TRUE(Release("acme").ok());
  absl::Duration took = RefusedEverywhereAfter(absl::Now());
  std::printf("released phone's certificate refused on both replicas after %s\n", absl::FormatDuration(took).c_str());
  EXPECT_LE(took, absl::Seconds(5));

  // globex claims it and writes its own device layer (no 409 from acme's).
  grpc::ClientContext claim_context;
  device::v1::ClaimDevicesRequest claim;
  claim.set_partner("globex");
  claim.set_idempotency_key("globex-claim");
  claim.mutable_target()->set_profile_rule(base_ + "/profile/$MA.xml");
  claim.add_devices()->mutable_mac()->set_value(kPhoneMac);
  device::v1::ClaimDevicesResponse claimed;
  ASSERT_TRUE(devices_->ClaimDevices(&claim_context, claim, &claimed).ok());
  ASSERT_EQ(claimed.counts().claimed(), 1);
  grpc::ClientContext layer_context;
  profile::v1::PutLayerRequest layer;
  layer.mutable_ref()->set_partner("globex");
  layer.mutable_ref()->set_scope(profile::v1::SCOPE_DEVICE);
  layer.mutable_ref()->set_key(kPhoneMac);
  profile::v1::Parameter* proxy = layer.add_parameters();
  proxy->set_name("Proxy_1_");
  proxy->set_value("sip.globex.example");
  profile::v1::Layer stored;
  grpc::Status put = profiles_->PutLayer(&layer_context, layer, &stored);
  ASSERT_TRUE(put.ok()) << put.error_message();
  // Nothing of acme's remains for globex to see.
  grpc::ClientContext diff_context;
  profile::v1::PreviewRequest diff_request;
  diff_request.set_partner("globex");
  diff_request.mutable_mac()->set_value(kPhoneMac);
  diff_request.set_reveal_secrets(true);
  profile::v1::DiffResponse diff;
  ASSERT_TRUE(profiles_->Diff(&diff_context, diff_request, &diff).ok());
  EXPECT_TRUE(diff.delivered_etag().empty());
  EXPECT_THAT(diff.ShortDebugString(), Not(HasSubstr("sip.acme.example")));

  // Before it is reset, the phone still has acme's rule and key: globex's
  // profile is not encrypted with that key, so it opens nothing: to the
  // phone a corrupt profile (B).
  agent::Phone stale = provision();
  EXPECT_EQ(stale.state().last_outcome(), "B");
  EXPECT_EQ(stale.state().parameters().at("Proxy_1_").value(), "sip.acme.example");  // what it had
  // Factory reset (as a phone changing hands is): it onboards as globex's.
  ASSERT_TRUE(agent::SaveState(flash, agent::FactoryReset(stale.state())).ok());
  std::filesystem::remove(flash + "/device.pem");
  std::filesystem::remove(flash + "/device.key");
  agent::Phone as_globexs = provision();
  EXPECT_EQ(as_globexs.state().last_outcome(), "A") << as_globexs.state().last_detail();
  EXPECT_EQ(as_globexs.state().parameters().at("Proxy_1_").value(), "sip.globex.example");
  EXPECT_FALSE(as_globexs.state().parameters().contains("Password_1_"));
  EXPECT_NE(as_globexs.state().parameters().at("GPP_SA").value(), acmes_key);
  // And acme, which let it go, sees nothing of it any more.
  grpc::ClientContext timeline_context;
  device::v1::DeviceRequest timeline_request;
  timeline_request.set_partner("acme");
  timeline_request.mutable_mac()->set_value(kPhoneMac);
  device::v1::Timeline timeline;
  EXPECT_EQ(devices_->GetTimeline(&timeline_context, timeline_request, &timeline).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace onramp
