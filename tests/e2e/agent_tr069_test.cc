// A device agent in TR-069 mode through the real fleet: its lease names the
// ACS (DHCP option 43, the gateway's /cwmp), so it opens a session with a
// "0 BOOTSTRAP" Inform over mutual TLS with its factory certificate; the
// ACS sets its profile with SetParameterValues and walks it up its
// two-hop firmware plan with Downloads, each told back by a TransferComplete
// after the reboot; then an unchanged phone costs one Inform. A partner's
// tasks (through the REST API) reach it by connection request: its
// listener takes the ACS's Digest credentials, and its next session runs
// a live GetParameterValues, a Reboot and a FactoryReset.

#include <vector>

#include "absl/strings/str_cat.h"
#include "device-agent/connection_request_listener.h"
#include "device-agent/phone.h"
#include "lib/phone/tr069/credentials.h"
#include "lib/testing/scripted_http_server.h"
#include "lib/testing/shell.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/new_phone.h"
#include "tests/onboarding/gateway_fleet.h"

namespace onramp {
namespace {

using ::onramp::testing::kHopMiddle;
using ::onramp::testing::kHopStart;
using ::onramp::testing::kHopTarget;
using ::onramp::testing::kPhoneMac;
using ::onramp::testing::kPhoneModel;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::Not;

class AgentTr069Test : public ::onramp::testing::GatewayFleetTest {
 protected:
  void SetUp() override {
    GatewayFleetTest::SetUp();
    if (HasFatalFailure()) return;
    PlanTwoHopUpgrade(300 * 1024);
    ClaimAndProfile(/*with_secret=*/true);
    absl::StatusOr<std::unique_ptr<agent::ConnectionRequestListener>> listener =
        agent::ConnectionRequestListener::Start(
            "127.0.0.1", 0, "/cr",
            [this] {
              std::lock_guard lock(mutex_);
              return credentials_;
            },
            [this] { ++connection_requests_; });
    ASSERT_TRUE(listener.ok()) << listener.status();
    listener_ = *std::move(listener);
  }

  agent::Phone Load(const std::string& dir) {
    return ::onramp::testing::LoadPhone({.state_dir = dir,
                                         .ca_file = dir_ + "/ca.pem",
                                         .dhcp_options = {{43, tls_base_ + "/cwmp"}},
                                         .connection_request_url = listener_->url()},
                                        &steps_);
  }

  // The listener takes what the phone holds now.
  void Listen(const agent::Phone& phone) {
    std::lock_guard lock(mutex_);
    auto find = [&phone](const char* name) {
      auto found = phone.state().parameters().find(name);
      return found == phone.state().parameters().end() ? std::string() : found->second.value();
    };
    credentials_ = {find("Connection_Request_Username"), find("Connection_Request_Password")};
  }

  // A task through the partner API, with a connection request.
  acs::v1::Task Task(const std::string& key, const std::string& body) {
    ::onramp::testing::ApiAnswer created =
        Api("POST", absl::StrCat("/api/v1/devices/", kPhoneMac, "/tasks"), key, body);
    EXPECT_EQ(created.status, 201) << created.body;
    return Parse<acs::v1::Task>(created);
  }

  acs::v1::Task TaskNow(const std::string& key, const std::string& id) {
    return Parse<acs::v1::Task>(Api("GET", "/api/v1/tasks/" + id, key));
  }

  std::vector<std::string> steps_;
  std::mutex mutex_;
  agent::ListenerCredentials credentials_;
  std::atomic<int> connection_requests_ = 0;
  std::unique_ptr<agent::ConnectionRequestListener> listener_;
};

TEST_F(AgentTr069Test, APhoneFoundByOption43IsProfiledAndUpgradedInTwoHopsByItsAcs) {
  const std::string dir = ::onramp::testing::NewPhone("tr069-phone", kPhoneMac, dir_, kPhoneModel, kHopStart);
  agent::Phone phone = Load(dir);
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_EQ(phone.state().last_outcome(), "A") << phone.state().last_detail();
  EXPECT_THAT(steps_, IsSupersetOf(std::vector<std::string>{
                          absl::StrCat("TR-069: Inform (0 BOOTSTRAP) to ", tls_base_, "/cwmp"),
                          "TR-069: SetParameterValues -> SetParameterValuesResponse",
                          "TR-069: Download -> DownloadResponse",
                          absl::StrCat("rebooted into ", kHopMiddle),
                          absl::StrCat("TR-069: Inform (1 BOOT, 7 TRANSFER COMPLETE, M Download) to ", tls_base_,
                                       "/cwmp"),
                          "TR-069: TransferComplete (0)",
                          absl::StrCat("rebooted into ", kHopTarget),
                      }));
  EXPECT_EQ(phone.state().firmware(), kHopTarget);
  // The profile arrived by its TR-069 paths, its secret too (mutual TLS).
  EXPECT_EQ(phone.state().parameters().at("Proxy_1_").value(), "sip.acme.example");
  EXPECT_EQ(phone.state().parameters().at("Password_1_").value(), "s3cret-sip-password");
  // Over TR-069 the upgrade is the ACS's Download, not the phone's rule.
  EXPECT_FALSE(phone.state().parameters().contains("Upgrade_Rule"));
  int succeeded = 0;
  for (const std::string& kind : TimelineKinds(kPhoneMac)) succeeded += kind == "upgrade_succeeded";
  EXPECT_EQ(succeeded, 2);
  // Delivered as profile-render counts deliveries, which its partner sees.
  FlushDeliveries();
  EXPECT_THAT(TimelineKinds(kPhoneMac), Contains("profile_delivered"));
  device::v1::Device seen =
      Parse<device::v1::Device>(Api("GET", absl::StrCat("/api/v1/devices/", kPhoneMac), CreateApiKey("acme")));
  EXPECT_EQ(seen.activity().firmware_version(), "sip88xx.12-5-1MPP-100");
  EXPECT_FALSE(seen.activity().profile_etag().empty());
  // Provisioned by its provider's DHCP, the phone never tried remote
  // customization.
  EXPECT_EQ(phone.state().customization_state(), "aborted");

  // Up to date and at its profile's ParameterKey: one Inform, nothing asked.
  steps_.clear();
  agent::Phone again = Load(dir);
  ASSERT_TRUE(again.Provision().ok());
  EXPECT_THAT(steps_, Contains(absl::StrCat("TR-069: Inform (2 PERIODIC) to ", tls_base_, "/cwmp")));
  for (const std::string& step : steps_) EXPECT_THAT(step, Not(HasSubstr("SetParameterValues"))) << step;
  EXPECT_THAT(steps_, Contains("TR-069: session ended by the ACS"));
}

TEST_F(AgentTr069Test, APartnersLiveReadRebootAndFactoryResetReachThePhoneByConnectionRequest) {
  // The whole way: bootstrapped, profiled and upgraded twice, then the tasks.
  const std::string dir = ::onramp::testing::NewPhone("tr069-phone", kPhoneMac, dir_, kPhoneModel, kHopStart);
  agent::Phone phone = Load(dir);
  ASSERT_TRUE(phone.Provision().ok());
  ASSERT_EQ(phone.state().firmware(), kHopTarget);
  // The ACS gave the phone its connection-request credentials with its profile.
  EXPECT_EQ(phone.state().parameters().at("Connection_Request_Username").value(), kPhoneMac);
  Listen(phone);
  const std::string acme = CreateApiKey("acme");

  // A live read: the connection request is taken, the phone's session runs it.
  acs::v1::Task read = Task(acme, R"({"kind": "TASK_KIND_GET_PARAMETER_VALUES",
                                     "names": ["Device.DeviceInfo.", "Device.Services.VoiceService.1.VoiceProfile.1.SIP.ProxyServer"],
                                     "connection_request": true})");
  EXPECT_EQ(read.connection_request(), "accepted");
  EXPECT_EQ(connection_requests_, 1);
  steps_.clear();
  phone.ConnectionRequested();
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_THAT(steps_, Contains(absl::StrCat("TR-069: Inform (6 CONNECTION REQUEST) to ", tls_base_, "/cwmp")));
  EXPECT_THAT(steps_, Contains("TR-069: GetParameterValues -> GetParameterValuesResponse"));
  acs::v1::Task answered = TaskNow(acme, read.id());
  EXPECT_EQ(answered.state(), acs::v1::TASK_STATE_DONE);
  EXPECT_EQ(answered.result().at("Device.DeviceInfo.SoftwareVersion"), "sip88xx.12-5-1MPP-100");
  EXPECT_EQ(answered.result().at("Device.Services.VoiceService.1.VoiceProfile.1.SIP.ProxyServer"), "sip.acme.example");

  // A reboot: asked, answered, and the phone's next Inform says so.
  acs::v1::Task reboot = Task(acme, R"({"kind": "TASK_KIND_REBOOT", "connection_request": true})");
  EXPECT_EQ(reboot.connection_request(), "accepted");
  steps_.clear();
  phone.ConnectionRequested();
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_THAT(steps_, IsSupersetOf(std::vector<std::string>{
                          "TR-069: Reboot -> RebootResponse",
                          "TR-069: rebooting as the ACS asked",
                          absl::StrCat("TR-069: Inform (1 BOOT, M Reboot) to ", tls_base_, "/cwmp"),
                      }));
  EXPECT_EQ(TaskNow(acme, reboot.id()).state(), acs::v1::TASK_STATE_DONE);

  // A factory reset: the phone forgets its profile, bootstraps again and is
  // brought back to it.
  acs::v1::Task reset = Task(acme, R"({"kind": "TASK_KIND_FACTORY_RESET", "connection_request": true})");
  EXPECT_EQ(reset.connection_request(), "accepted");
  steps_.clear();
  phone.ConnectionRequested();
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_THAT(steps_, IsSupersetOf(std::vector<std::string>{
                          "TR-069: FactoryReset -> FactoryResetResponse",
                          "TR-069: factory reset as the ACS asked",
                          absl::StrCat("TR-069: Inform (0 BOOTSTRAP, 1 BOOT) to ", tls_base_, "/cwmp"),
                          "TR-069: SetParameterValues -> SetParameterValuesResponse",
                      }));
  EXPECT_EQ(TaskNow(acme, reset.id()).state(), acs::v1::TASK_STATE_DONE);
  EXPECT_EQ(phone.state().parameters().at("Proxy_1_").value(), "sip.acme.example");
  EXPECT_EQ(connection_requests_, 3);
  int done = 0;
  for (const std::string& kind : TimelineKinds(kPhoneMac)) done += kind == "task_done";
  EXPECT_EQ(done, 3);

  // Another partner reaches none of it.
  const std::string globex = CreateApiKey("globex");
  EXPECT_EQ(Api("POST", absl::StrCat("/api/v1/devices/", kPhoneMac, "/tasks"), globex,
                R"({"kind": "TASK_KIND_FACTORY_RESET", "connection_request": true})")
                .status,
            404);
  EXPECT_EQ(Api("GET", "/api/v1/tasks/" + read.id(), globex).status, 404);
  EXPECT_EQ(connection_requests_, 3);
}

TEST_F(AgentTr069Test, APartnerAddsALineWatchesAParameterAndHearsWhenTheUserChangesIt) {
  const std::string dir = ::onramp::testing::NewPhone("tr069-phone", kPhoneMac, dir_, kPhoneModel, kHopTarget);
  agent::Phone phone = Load(dir);
  ASSERT_TRUE(phone.Provision().ok());
  Listen(phone);
  const std::string acme = CreateApiKey("acme");
  const std::string lines = "Device.Services.VoiceService.1.VoiceProfile.1.Line.";
  const std::string proxy = "Device.Services.VoiceService.1.VoiceProfile.1.SIP.ProxyServer";
  // Queued together, run in one session in order.
  acs::v1::Task add = Task(acme, absl::StrCat(R"({"kind": "TASK_KIND_ADD_OBJECT", "names": [")", lines, R"("]})"));
  acs::v1::Task name = Task(acme, absl::StrCat(R"({"kind": "TASK_KIND_SET_PARAMETER_VALUES", "values": {")", lines,
                                               R"(2.CallingFeatures.CallerIDName": "Second line"}})"));
  acs::v1::Task tree = Task(acme, absl::StrCat(R"({"kind": "TASK_KIND_GET_PARAMETER_NAMES", "names": [")", lines,
                                               R"("], "next_level": true})"));
  acs::v1::Task watch = Task(acme, absl::StrCat(R"({"kind": "TASK_KIND_SET_PARAMETER_ATTRIBUTES", "values": {")",
                                                proxy, R"(": "2"}})"));
  acs::v1::Task read = Task(acme, absl::StrCat(R"({"kind": "TASK_KIND_GET_PARAMETER_ATTRIBUTES", "names": [")", proxy,
                                               R"("]})"));
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_EQ(TaskNow(acme, add.id()).result().at("instance_number"), "2");
  EXPECT_EQ(TaskNow(acme, name.id()).state(), acs::v1::TASK_STATE_DONE);
  EXPECT_EQ(phone.state().parameters().at("Display_Name_2_").value(), "Second line");
  acs::v1::Task listed = TaskNow(acme, tree.id());
  EXPECT_TRUE(listed.result().contains(lines + "1."));
  EXPECT_TRUE(listed.result().contains(lines + "2."));
  EXPECT_EQ(TaskNow(acme, watch.id()).state(), acs::v1::TASK_STATE_DONE);
  EXPECT_EQ(TaskNow(acme, read.id()).result().at(proxy), "2");

  // The phone's user changes the watched parameter on its web page: its
  // next Inform says so, its partner sees what, and the ACS sets the
  // profile's value again.
  ASSERT_TRUE(phone.Set("Proxy_1_", "sip.by-hand.example").ok());
  steps_.clear();
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_THAT(steps_, Contains(absl::StrCat("TR-069: Inform (4 VALUE CHANGE) to ", tls_base_, "/cwmp")));
  EXPECT_THAT(steps_, Contains("TR-069: SetParameterValues -> SetParameterValuesResponse"));
  EXPECT_EQ(phone.state().parameters().at("Proxy_1_").value(), "sip.acme.example");
  EXPECT_THAT(TimelineKinds(kPhoneMac), Contains("value_changed"));

  // The line goes, with its parameters.
  acs::v1::Task remove = Task(acme, absl::StrCat(R"({"kind": "TASK_KIND_DELETE_OBJECT", "names": [")", lines,
                                                 R"(2."], "connection_request": true})"));
  EXPECT_EQ(remove.connection_request(), "accepted");
  phone.ConnectionRequested();
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_EQ(TaskNow(acme, remove.id()).state(), acs::v1::TASK_STATE_DONE);
  EXPECT_FALSE(phone.state().parameters().contains("Display_Name_2_"));
  // A task the phone cannot do fails with its fault.
  acs::v1::Task bad = Task(acme, R"({"kind": "TASK_KIND_DELETE_OBJECT", "names": ["Device.DeviceInfo."]})");
  ASSERT_TRUE(phone.Provision().ok());
  acs::v1::Task failed = TaskNow(acme, bad.id());
  EXPECT_EQ(failed.state(), acs::v1::TASK_STATE_FAILED);
  EXPECT_EQ(failed.fault_code(), 9005);
}

// A partner's configuration and CA files: each a Download the phone does
// after its session, whose TransferComplete (not an upgrade report) ends
// the task; a file that is not there fails it with 9010.
TEST_F(AgentTr069Test, APartnersConfigurationAndCaFilesAreDownloadedAndTheirTasksEndByTransferComplete) {
  const std::string dir = ::onramp::testing::NewPhone("tr069-phone", kPhoneMac, dir_, kPhoneModel, kHopTarget);
  agent::Phone phone = Load(dir);
  ASSERT_TRUE(phone.Provision().ok());
  ::onramp::testing::ScriptedHttpServer files;
  files.On("GET", "/site.xml",
           {.status = 200, .body = "<flat-profile><Time_Zone>GMT+01:00</Time_Zone></flat-profile>"});
  files.On("GET", "/ca.pem", {.status = 200, .body = ::onramp::testing::ReadFile(dir_ + "/factory-ca.pem")});
  const std::string acme = CreateApiKey("acme");
  auto download = [&](const std::string& file_type, const std::string& path) {
    return Task(acme, absl::StrCat(R"({"kind": "TASK_KIND_DOWNLOAD", "file_type": ")", file_type, R"(", "url": ")",
                                   files.base(), path, R"("})"));
  };
  acs::v1::Task configuration = download("3 Vendor Configuration File", "/site.xml");
  acs::v1::Task ca = download("X 000E08 Custom CA File", "/ca.pem");
  acs::v1::Task missing = download("3 Vendor Configuration File", "/gone.xml");
  steps_.clear();
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_EQ(TaskNow(acme, configuration.id()).state(), acs::v1::TASK_STATE_DONE);
  EXPECT_EQ(phone.state().parameters().at("Time_Zone").value(), "GMT+01:00");
  EXPECT_EQ(TaskNow(acme, ca.id()).state(), acs::v1::TASK_STATE_DONE);
  EXPECT_THAT(steps_, Contains("custom CA installed: Onramp Test Manufacturing CA"));
  EXPECT_EQ(::onramp::testing::ReadFile(dir + "/custom-ca.pem"), ::onramp::testing::ReadFile(dir_ + "/factory-ca.pem"));
  acs::v1::Task failed = TaskNow(acme, missing.id());
  EXPECT_EQ(failed.state(), acs::v1::TASK_STATE_FAILED);
  EXPECT_EQ(failed.fault_code(), 9010);
  EXPECT_THAT(failed.fault_string(), HasSubstr("404"));
  // None of it was taken for an upgrade.
  for (const std::string& kind : TimelineKinds(kPhoneMac)) EXPECT_NE(kind, "upgrade_failed");
  // A firmware image is not a partner's to push this way.
  EXPECT_EQ(Api("POST", absl::StrCat("/api/v1/devices/", kPhoneMac, "/tasks"), acme,
                R"({"kind": "TASK_KIND_DOWNLOAD", "file_type": "1 Firmware Upgrade Image", "url": "https://x/y"})")
                .status,
            400);
}

TEST_F(AgentTr069Test, AConnectionRequestWithoutThePhonesCredentialsIsRefused) {
  const std::string dir = ::onramp::testing::NewPhone("tr069-phone", kPhoneMac, dir_, kPhoneModel, kHopTarget);
  agent::Phone phone = Load(dir);
  ASSERT_TRUE(phone.Provision().ok());
  // The listener holds other credentials than the ACS gave: nothing happens.
  {
    std::lock_guard lock(mutex_);
    credentials_ = {kPhoneMac, "not-what-the-acs-gave"};
  }
  acs::v1::Task read = Task(CreateApiKey("acme"), R"({"kind": "TASK_KIND_GET_PARAMETER_VALUES",
                                                     "names": ["Device.DeviceInfo."], "connection_request": true})");
  EXPECT_EQ(read.connection_request(), "HTTP 401");
  EXPECT_EQ(connection_requests_, 0);
  // The task waits for the phone's next session all the same.
  EXPECT_EQ(read.state(), acs::v1::TASK_STATE_QUEUED);
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_EQ(TaskNow(CreateApiKey("acme"), read.id()).state(), acs::v1::TASK_STATE_DONE);
}

// An old phone (no certificate, and kept from registering for one) its
// partner claimed with MAC-only trust: onboarded over HTTP(S), its profile
// turns TR-069 on and brings its own ACS credentials (encrypted with its
// key, as its profile's other secrets are); its sessions then answer the
// ACS's Digest challenge with them.
TEST_F(AgentTr069Test, AnOldPhoneReachesTheAcsWithTheCredentialsItsProfileBrought) {
  const std::string mac = "000e08aabbc7";
  grpc::ClientContext claim_context;
  device::v1::ClaimDevicesRequest claim;
  claim.set_partner("acme");
  claim.set_trust(device::v1::DEVICE_TRUST_MAC_ONLY);
  claim.set_idempotency_key("old-acs-phone");
  claim.mutable_target()->set_profile_rule(base_ + "/profile/$MA.xml");
  device::v1::Parameter* no_registration = claim.mutable_target()->add_parameters();
  no_registration->set_name("Cloud_Registration_Enable");
  no_registration->set_value("No");
  device::v1::DeviceRow* row = claim.add_devices();
  row->mutable_mac()->set_value(mac);
  row->set_model(kPhoneModel);
  device::v1::ClaimDevicesResponse claimed;
  grpc::Status status = devices_->ClaimDevices(&claim_context, claim, &claimed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  PutPhoneLayer(/*with_secret=*/false, profile::v1::ENCRYPTION_UNSPECIFIED, mac);
  grpc::ClientContext layer_context;
  profile::v1::PutLayerRequest partner;
  partner.mutable_ref()->set_partner("acme");
  partner.mutable_ref()->set_scope(profile::v1::SCOPE_PARTNER);
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"Enable_TR-069", "Yes"}, {"ACS_URL", tls_base_ + "/cwmp"}}) {
    profile::v1::Parameter* parameter = partner.add_parameters();
    parameter->set_name(name);
    parameter->set_value(value);
  }
  profile::v1::Layer stored;
  ASSERT_TRUE(profiles_->PutLayer(&layer_context, partner, &stored).ok());

  const std::string dir = ::onramp::testing::NewPhone("old-acs-phone", mac, "", kPhoneModel, kHopTarget);
  agent::Phone phone =
      ::onramp::testing::LoadPhone({.state_dir = dir, .activation_url = tls_base_, .ca_file = dir_ + "/ca.pem"}, &steps_);
  ASSERT_TRUE(phone.Provision().ok());  // onboarded by its profile, which turns TR-069 on
  ASSERT_FALSE(phone.state().registered());
  const tr069::Credentials own = tr069::AcsCredentials(::onramp::testing::kTr069CredentialsSecret, mac);
  EXPECT_EQ(phone.state().parameters().at("ACS_Username").value(), mac);
  EXPECT_EQ(phone.state().parameters().at("ACS_Password").value(), own.password);
  // Nobody else reads it: the profile over plain HTTP is ciphertext.
  EXPECT_THAT(::onramp::testing::Curl(absl::StrCat(::onramp::testing::kPhoneAgent, " ", base_, "/profile/", mac, ".xml")),
              Not(HasSubstr(own.password)));

  steps_.clear();
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_EQ(phone.state().last_outcome(), "A") << phone.state().last_detail();
  EXPECT_THAT(steps_, IsSupersetOf(std::vector<std::string>{
                          "TR-069: the ACS asked for credentials (401)",
                          absl::StrCat("TR-069: Inform (0 BOOTSTRAP) to ", tls_base_, "/cwmp"),
                          "TR-069: session ended by the ACS",
                      }));
}

TEST_F(AgentTr069Test, APhoneWithoutACertificateGetsNothingFromTheAcs) {
  const std::string dir = ::onramp::testing::NewPhone("old-tr069-phone", kPhoneMac, "", kPhoneModel, kHopStart);
  agent::Phone phone = Load(dir);
  ASSERT_TRUE(phone.Provision().ok());
  EXPECT_EQ(phone.state().last_outcome(), "C");
  EXPECT_THAT(steps_, Contains("TR-069: Inform: the ACS answered HTTP 401"));
  EXPECT_FALSE(phone.state().parameters().contains("Proxy_1_"));
  EXPECT_EQ(phone.state().firmware(), kHopStart);
}

}  // namespace
}  // namespace onramp
