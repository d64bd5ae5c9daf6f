// A phone's story across two services: claimed and looked up in
// device-activation, profiles delivered and reports taken by profile-render,
// which adds them to the same timeline through device-activation's API.

#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "lib/kit/clients/device_activation_client.h"
#include "lib/kit/server/server.h"
#include "lib/kit/store/migrations.h"
#include "lib/kit/store/testing/database_test.h"
#include "lib/testing/shell.h"
#include "onramp/device/v1/device.grpc.pb.h"
#include "onramp/profile/v1/profile.grpc.pb.h"
#include "services/device-activation/migrations.h"
#include "services/device-activation/service.h"
#include "services/profile-render/migrations.h"
#include "services/profile-render/service.h"

namespace onramp {
namespace {

using ::onramp::testing::ReadFile;

using ::testing::ElementsAre;

class TimelineTest : public store::testing::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    std::string dir = ::testing::TempDir() + "/ca";
    ASSERT_EQ(std::system(("rm -rf " + dir + " && mkdir -p " + dir +
                           " && lib/testing/make_test_certs.sh " + dir).c_str()),
              0);
    ca_ = *pki::CertificateAuthority::Load(ReadFile(dir + "/ca.pem"), ReadFile(dir + "/ca.key"));
    ASSERT_TRUE(store::Migrate(pool(), "device", device::Migrations()).ok());
    ASSERT_TRUE(store::Migrate(pool(), "profile", profile::Migrations()).ok());
    registry_ = std::make_shared<prometheus::Registry>();
    server::ServerOptions options{.host = "127.0.0.1", .metrics_host = "127.0.0.1",
                                  .drain_delay = absl::ZeroDuration()};

    device_store_ = std::make_unique<device::PostgresDeviceStore>(pool(), device::Limits{});
    device_service_ = std::make_unique<device::DeviceActivationServiceImpl>(
        *device_store_, *ca_, device::ServiceOptions{}, *registry_);
    device_server_ = *server::Server::Start(options, {device_service_.get()}, registry_);
    std::string device_address = absl::StrCat("127.0.0.1:", device_server_->grpc_port());

    timeline_client_ = std::make_unique<clients::DeviceActivationClient>(device_address);
    profile_store_ = std::make_unique<profile::PostgresProfileStore>(pool());
    auto other_registry = std::make_shared<prometheus::Registry>();
    profile_service_ = std::make_unique<profile::ProfileRenderServiceImpl>(
        *profile_store_, *profile_crypto::Sealer::Create(std::string(32, 'k'), "keys"),
        *other_registry, 1000, absl::Milliseconds(250), timeline_client_.get());
    profile_server_ = *server::Server::Start(options, {profile_service_.get()}, other_registry);

    devices_ = device::v1::DeviceActivationService::NewStub(
        grpc::CreateChannel(device_address, grpc::InsecureChannelCredentials()));
    profiles_ = profile::v1::ProfileRenderService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", profile_server_->grpc_port()), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (profile_server_) profile_server_->Drain();
    if (device_server_) device_server_->Drain();
  }

  void Claim() {
    grpc::ClientContext context;
    device::v1::ClaimDevicesRequest claim;
    claim.set_partner("acme");
    claim.set_idempotency_key("k");
    claim.mutable_target()->set_profile_rule("https://prov.example.com/$MA.xml");
    claim.add_devices()->mutable_mac()->set_value("000e08aabbcc");
    device::v1::ClaimDevicesResponse claimed;
    ASSERT_TRUE(devices_->ClaimDevices(&context, claim, &claimed).ok());
  }

  void Render() {
    grpc::ClientContext context;
    profile::v1::RenderRequest request;
    request.mutable_device()->mutable_mac()->set_value("000e08aabbcc");
    request.mutable_device()->set_model("CP-8851-3PCC");
    request.set_authenticated_channel(true);
    profile::v1::RenderResponse response;
    ASSERT_TRUE(profiles_->Render(&context, request, &response).ok());
  }

  void PutDeviceLayer(const std::string& name, int64_t if_version) {
    grpc::ClientContext context;
    profile::v1::PutLayerRequest request;
    request.mutable_ref()->set_partner("acme");
    request.mutable_ref()->set_scope(profile::v1::SCOPE_DEVICE);
    request.mutable_ref()->set_key("000e08aabbcc");
    request.set_if_version(if_version);
    profile::v1::Parameter* p = request.add_parameters();
    p->set_name("Display_Name_1_");
    p->set_value(name);
    profile::v1::Layer layer;
    ASSERT_TRUE(profiles_->PutLayer(&context, request, &layer).ok());
  }

  std::unique_ptr<pki::CertificateAuthority> ca_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<device::DeviceStore> device_store_;
  std::unique_ptr<device::DeviceActivationServiceImpl> device_service_;
  std::unique_ptr<server::Server> device_server_;
  std::unique_ptr<clients::DeviceActivationClient> timeline_client_;
  std::unique_ptr<profile::ProfileStore> profile_store_;
  std::unique_ptr<profile::ProfileRenderServiceImpl> profile_service_;
  std::unique_ptr<server::Server> profile_server_;
  std::unique_ptr<device::v1::DeviceActivationService::Stub> devices_;
  std::unique_ptr<profile::v1::ProfileRenderService::Stub> profiles_;
};

TEST_F(TimelineTest, DeliveriesAndReportsJoinTheClaimInOneTimeline) {
  Claim();
  PutDeviceLayer("Front desk", 0);
  Render();
  Render();  // unchanged: no second event
  PutDeviceLayer("Reception", 1);
  Render();  // a new ETag: an event
  {
    grpc::ClientContext context;
    profile::v1::ReportRequest report;
    report.mutable_mac()->set_value("000e08aabbcc");
    report.set_body("<flat-profile><Status>ok</Status></flat-profile>");
    report.set_source_address("203.0.113.7");
    profile::v1::ReportResponse response;
    ASSERT_TRUE(profiles_->Report(&context, report, &response).ok());
  }
  profile_service_->FlushDeliveries();

  grpc::ClientContext context;
  device::v1::DeviceRequest request;
  request.set_partner("acme");
  request.mutable_mac()->set_value("000e08aabbcc");
  device::v1::Timeline timeline;
  ASSERT_TRUE(devices_->GetTimeline(&context, request, &timeline).ok());
  std::vector<std::string> kinds;
  for (const auto& event : timeline.events()) kinds.push_back(event.kind());
  // The report is recorded as it arrives, deliveries when the recorder
  // flushes: their order against the report depends on that timing.
  EXPECT_THAT(kinds, ::testing::UnorderedElementsAre("claimed", "profile_delivered",
                                                     "profile_delivered", "report"));
  EXPECT_EQ(kinds.front(), "claimed");
}

TEST_F(TimelineTest, DeliveriesSurviveADeviceActivationOutage) {
  Claim();
  PutDeviceLayer("Front desk", 0);
  // device-activation goes down; the phone fetches its profile meanwhile.
  const int port = device_server_->grpc_port();
  device_server_->Drain();
  device_server_.reset();
  Render();
  profile_service_->FlushDeliveries();  // the events cannot go
  profile_service_->FlushDeliveries();
  // It comes back, on the same address: the next flush delivers them, once.
  server::ServerOptions options{.host = "127.0.0.1", .grpc_port = port, .metrics_host = "127.0.0.1",
                                .drain_delay = absl::ZeroDuration()};
  device_server_ = *server::Server::Start(options, {device_service_.get()}, std::make_shared<prometheus::Registry>());
  auto kinds = [&] {
    grpc::ClientContext context;
    device::v1::DeviceRequest request;
    request.set_partner("acme");
    request.mutable_mac()->set_value("000e08aabbcc");
    device::v1::Timeline timeline;
    EXPECT_TRUE(devices_->GetTimeline(&context, request, &timeline).ok());
    std::vector<std::string> found;
    for (const auto& event : timeline.events()) found.push_back(event.kind());
    return found;
  };
  // The channel to it reconnects within a second (lib/kit/clients).
  absl::Time give_up = absl::Now() + absl::Seconds(10);
  do {
    profile_service_->FlushDeliveries();
  } while (kinds().size() < 2 && absl::Now() < give_up);
  profile_service_->FlushDeliveries();  // nothing is left to send twice
  EXPECT_THAT(kinds(), ElementsAre("claimed", "profile_delivered"));
}

}  // namespace
}  // namespace onramp
