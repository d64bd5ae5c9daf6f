// DeviceActivationService over real gRPC against the real PostgreSQL that
// tools/test starts, with a throwaway CA made by openssl.

#include "lib/testing/shell.h"
#include "services/device-activation/service.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "lib/kit/metrics/testing/counter_value.h"
#include "lib/kit/server/server.h"
#include "lib/kit/store/migrations.h"
#include "lib/kit/store/testing/database_test.h"
#include "onramp/common/v1/common.pb.h"
#include "onramp/device/v1/device.grpc.pb.h"
#include "services/device-activation/migrations.h"

namespace onramp::device {
namespace {

using ::onramp::testing::ReadFile;

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string RunCommand(const std::string& command) {
  ::onramp::testing::ShellResult ran = ::onramp::testing::RunShell(command);
  EXPECT_EQ(ran.exit_code, 0) << command << ": " << ran.output;
  return ran.output;
}

std::string Mac(int i) { return absl::StrFormat("02%010x", i); }

class DeviceServiceTest : public store::testing::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    dir_ = ::testing::TempDir() + "/ca";
    RunCommand("rm -rf " + dir_ + " && mkdir -p " + dir_ + " && lib/testing/make_test_certs.sh " + dir_);
    auto ca = pki::CertificateAuthority::Load(ReadFile(dir_ + "/ca.pem"), ReadFile(dir_ + "/ca.key"));
    ASSERT_TRUE(ca.ok()) << ca.status();
    ca_ = std::move(*ca);
    ASSERT_TRUE(store::Migrate(pool(), "device", Migrations()).ok());
    store_ = std::make_unique<PostgresDeviceStore>(pool(), Limits{.misses_per_source = 20});
    registry_ = std::make_shared<prometheus::Registry>();
    service_ = std::make_unique<DeviceActivationServiceImpl>(*store_, *ca_, ServiceOptions{},
                                                             *registry_);
    auto server = server::Server::Start(
        {.host = "127.0.0.1", .metrics_host = "127.0.0.1", .drain_delay = absl::ZeroDuration()},
        {service_.get()}, registry_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = v1::DeviceActivationService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->grpc_port()), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (server_) server_->Drain();
  }

  v1::ClaimDevicesRequest ClaimRequest(const std::string& partner, int first, int count,
                                       const std::string& key) {
    v1::ClaimDevicesRequest request;
    request.set_partner(partner);
    request.set_idempotency_key(key);
    request.mutable_target()->set_profile_rule("https://" + partner + ".example.com/$MA.xml");
    v1::Parameter* parameter = request.mutable_target()->add_parameters();
    parameter->set_name("Resync_Periodic");
    parameter->set_value("3600");
    for (int i = first; i < first + count; ++i) {
      v1::DeviceRow* row = request.add_devices();
      row->mutable_mac()->set_value(Mac(i));
      row->set_serial(absl::StrCat("FCH", i));
      row->set_model("CP-8851-3PCC");
    }
    return request;
  }

  v1::ClaimDevicesResponse Claim(const v1::ClaimDevicesRequest& request) {
    grpc::ClientContext context;
    v1::ClaimDevicesResponse response;
    grpc::Status status = stub_->ClaimDevices(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  static common::v1::Evidence Proven(common::v1::Proof proof = common::v1::PROOF_FACTORY_CERTIFICATE,
                                     common::v1::Channel channel = common::v1::CHANNEL_HTTPS) {
    common::v1::Evidence evidence;
    evidence.set_channel(channel);
    evidence.set_proof(proof);
    return evidence;
  }

  // As the gateway asks; by default for a phone that showed its factory
  // certificate over HTTPS.
  grpc::Status Lookup(const std::string& mac, const std::string& model, v1::LookupResponse* response,
                      const std::string& source = "192.0.2.1", const common::v1::Evidence& evidence = Proven()) {
    grpc::ClientContext context;
    v1::LookupRequest request;
    request.mutable_device()->mutable_mac()->set_value(mac);
    request.mutable_device()->set_model(model);
    request.set_source_address(source);
    *request.mutable_evidence() = evidence;
    return stub_->Lookup(&context, request, response);
  }

  // The phone's own word, by default over mutual TLS with its certificate.
  grpc::Status Report(const std::string& mac, v1::CustomizationState state,
                      const common::v1::Evidence& evidence = Proven(common::v1::PROOF_REGISTRATION_CERTIFICATE)) {
    grpc::ClientContext context;
    v1::ReportStateRequest request;
    request.mutable_mac()->set_value(mac);
    request.set_state(state);
    *request.mutable_evidence() = evidence;
    v1::DeviceState response;
    return stub_->ReportState(&context, request, &response);
  }

  std::vector<std::string> TimelineKinds(const std::string& partner, const std::string& mac) {
    grpc::ClientContext context;
    v1::DeviceRequest request;
    request.set_partner(partner);
    request.mutable_mac()->set_value(mac);
    v1::Timeline timeline;
    EXPECT_TRUE(stub_->GetTimeline(&context, request, &timeline).ok());
    std::vector<std::string> kinds;
    for (const auto& event : timeline.events()) kinds.push_back(event.kind());
    return kinds;
  }

  v1::CustomizationState StateOf(const std::string& partner, const std::string& mac) {
    v1::Device device;
    EXPECT_TRUE(Get(partner, mac, &device).ok());
    return device.state();
  }

  grpc::Status Register(const std::string& mac, const std::string& credential, v1::RegisterResponse* response) {
    RunCommand("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + dir_ +
               "/phone.key -out " + dir_ + "/phone.csr -subj /CN=whatever 2>&1");
    grpc::ClientContext context;
    v1::RegisterRequest request;
    request.mutable_mac()->set_value(mac);
    request.set_registration_credential(credential);
    request.set_csr_pem(ReadFile(dir_ + "/phone.csr"));
    return stub_->Register(&context, request, response);
  }

  std::vector<std::string> RevokedSerials() {
    grpc::ClientContext context;
    v1::ListRevokedCertificatesRequest request;
    v1::ListRevokedCertificatesResponse response;
    EXPECT_TRUE(stub_->ListRevokedCertificates(&context, request, &response).ok());
    std::vector<std::string> serials;
    for (const auto& certificate : response.certificates()) serials.push_back(certificate.serial());
    return serials;
  }

  grpc::Status Get(const std::string& partner, const std::string& mac, v1::Device* device) {
    grpc::ClientContext context;
    v1::DeviceRequest request;
    request.set_partner(partner);
    request.mutable_mac()->set_value(mac);
    return stub_->GetDevice(&context, request, device);
  }

  static std::string FieldOf(const grpc::Status& status) {
    onramp::common::v1::ErrorDetail detail;
    detail.ParseFromString(status.error_details());
    return detail.field();
  }

  // onramp_device_acquisitions_total, as the metrics endpoint would show it.
  std::optional<double> Acquisitions() {
    return metrics::testing::CounterValue(*registry_, "onramp_device_acquisitions_total");
  }

  std::string dir_;
  std::unique_ptr<pki::CertificateAuthority> ca_;
  std::unique_ptr<DeviceStore> store_;
  std::shared_ptr<prometheus::Registry> registry_;

  std::unique_ptr<DeviceActivationServiceImpl> service_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<v1::DeviceActivationService::Stub> stub_;
};

TEST_F(DeviceServiceTest, BulkClaimOfTenThousandReportsEveryRow) {
  Claim(ClaimRequest("globex", 0, 100, "g1"));   // rows 0..99 belong to another partner
  Claim(ClaimRequest("acme", 100, 50, "a0"));    // rows 100..149 are already acme's
  v1::ClaimDevicesRequest request = ClaimRequest("acme", 0, 10000, "a1");
  request.mutable_devices(5000)->mutable_mac()->set_value("00:11");
  request.mutable_devices(6000)->set_model("bad model");
  request.mutable_devices(7000)->mutable_mac()->set_value(Mac(7001));  // a repeat of row 7001
  v1::ClaimDevicesResponse response = Claim(request);
  ASSERT_EQ(response.results_size(), 10000);
  EXPECT_EQ(response.counts().conflicts(), 100);
  EXPECT_EQ(response.counts().already_yours(), 50);
  EXPECT_EQ(response.counts().invalid(), 3);
  EXPECT_EQ(response.counts().claimed(), 10000 - 100 - 50 - 3);
  EXPECT_EQ(response.results(42).outcome(), v1::CLAIM_OUTCOME_CONFLICT);
  EXPECT_EQ(response.results(120).outcome(), v1::CLAIM_OUTCOME_ALREADY_YOURS);
  EXPECT_EQ(response.results(5000).outcome(), v1::CLAIM_OUTCOME_INVALID);
  EXPECT_EQ(response.results(5000).field(), "devices[5000].mac");
  EXPECT_EQ(response.results(6000).field(), "devices[6000].model");
  // Rows come in order, so the later of two equal MACs is the repeat.
  EXPECT_EQ(response.results(7000).outcome(), v1::CLAIM_OUTCOME_CLAIMED);
  EXPECT_EQ(response.results(7001).outcome(), v1::CLAIM_OUTCOME_INVALID);
  EXPECT_THAT(response.results(7001).reason(), HasSubstr("repeats an earlier row"));
  // Never stolen: globex still owns its phones.
  v1::Device device;
  EXPECT_TRUE(Get("globex", Mac(42), &device).ok());
  EXPECT_EQ(Get("acme", Mac(42), &device).error_code(), grpc::StatusCode::NOT_FOUND);

  // A retry with the same key gets the same answer, not "already yours".
  v1::ClaimDevicesResponse retry = Claim(request);
  EXPECT_EQ(retry.counts().claimed(), response.counts().claimed());
  EXPECT_EQ(retry.SerializeAsString(), response.SerializeAsString());
}

TEST_F(DeviceServiceTest, LargeImportsReportProgressPerChunk) {
  grpc::ClientContext context;
  auto reader = stub_->ClaimDevicesWithProgress(&context, ClaimRequest("acme", 0, 2500, "big"));
  std::vector<int> done;
  v1::ClaimProgress progress;
  int results = 0;
  while (reader->Read(&progress)) {
    done.push_back(progress.rows_done());
    results += progress.results_size();
    EXPECT_EQ(progress.rows_total(), 2500);
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_THAT(done, ElementsAre(1000, 2000, 2500));
  EXPECT_EQ(results, 2500);
  EXPECT_EQ(progress.counts().claimed(), 2500);
}

TEST_F(DeviceServiceTest, LookupFindsTheProviderOrRefuses) {
  Claim(ClaimRequest("acme", 0, 1, "a1"));
  v1::LookupResponse found;
  grpc::Status status = Lookup("02:00:00:00:00:00", "CP-8851-3PCC", &found);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(found.partner(), "acme");
  EXPECT_EQ(found.target().profile_rule(), "https://acme.example.com/$MA.xml");
  ASSERT_EQ(found.target().parameters_size(), 1);
  EXPECT_EQ(found.target().parameters(0).name(), "Resync_Periodic");
  EXPECT_FALSE(found.registration_credential().empty());

  v1::LookupResponse ignored;
  EXPECT_EQ(Lookup(Mac(1), "CP-8851-3PCC", &ignored).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Lookup(Mac(0), "CP-7832-3PCC", &ignored).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(DeviceServiceTest, TheOwnerOfAPhoneIsThePartnerThatClaimedIt) {
  Claim(ClaimRequest("acme", 0, 1, "a1"));
  auto owner = [this](const std::string& mac, v1::Owner* out) {
    grpc::ClientContext context;
    v1::OwnerRequest request;
    request.mutable_mac()->set_value(mac);
    return stub_->GetOwner(&context, request, out);
  };
  v1::Owner found;
  ASSERT_TRUE(owner("02:00:00:00:00:00", &found).ok());
  EXPECT_EQ(found.partner(), "acme");
  v1::Owner ignored;
  EXPECT_EQ(owner(Mac(1), &ignored).error_code(), grpc::StatusCode::NOT_FOUND);
  grpc::Status bad = owner("not-a-mac", &ignored);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldOf(bad), "mac");
  grpc::ClientContext context;
  v1::DeviceRequest release;
  release.set_partner("acme");
  release.mutable_mac()->set_value(Mac(0));
  v1::Device released;
  ASSERT_TRUE(stub_->ReleaseDevice(&context, release, &released).ok());
  EXPECT_EQ(owner(Mac(0), &ignored).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(DeviceServiceTest, WithoutProofALookupGetsTheRuleOnlyAndChangesNothing) {
  Claim(ClaimRequest("acme", 0, 1, "a1"));
  const std::string mac = Mac(0);
  using common::v1::CHANNEL_HTTP;
  using common::v1::CHANNEL_HTTPS;
  using common::v1::CHANNEL_TFTP;
  for (const common::v1::Evidence& evidence :
       {Proven(common::v1::PROOF_UNSPECIFIED, CHANNEL_HTTP), Proven(common::v1::PROOF_UNSPECIFIED, CHANNEL_HTTPS),
        Proven(common::v1::PROOF_UNSPECIFIED, CHANNEL_TFTP),
        Proven(common::v1::PROOF_FACTORY_CERTIFICATE, CHANNEL_HTTP)}) {
    v1::LookupResponse found;
    grpc::Status status = Lookup(mac, "CP-8851-3PCC", &found, "198.51.100.66", evidence);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(found.target().profile_rule(), "https://acme.example.com/$MA.xml") << evidence.ShortDebugString();
    EXPECT_TRUE(found.registration_credential().empty()) << evidence.ShortDebugString();
  }
  // Nothing moved, nothing to register with, nothing on the timeline.
  EXPECT_EQ(StateOf("acme", mac), v1::CUSTOMIZATION_STATE_OPEN);
  EXPECT_THAT(TimelineKinds("acme", mac), ElementsAre("claimed"));
  v1::RegisterResponse registered;
  EXPECT_EQ(Register(mac, "guessed", &registered).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // The phone itself, with its factory certificate: credential and state.
  v1::LookupResponse proven;
  ASSERT_TRUE(Lookup(mac, "CP-8851-3PCC", &proven).ok());
  EXPECT_FALSE(proven.registration_credential().empty());
  EXPECT_EQ(StateOf("acme", mac), v1::CUSTOMIZATION_STATE_CUSTOM_PENDING);
  EXPECT_THAT(TimelineKinds("acme", mac), ElementsAre("claimed", "lookup"));
}

TEST_F(DeviceServiceTest, MacOnlyTrustIsThePartnersExplicitChoiceAndNeedsHttps) {
  v1::ClaimDevicesRequest request = ClaimRequest("acme", 0, 1, "old-phones");
  request.set_trust(v1::DEVICE_TRUST_MAC_ONLY);
  Claim(request);
  v1::Device device;
  ASSERT_TRUE(Get("acme", Mac(0), &device).ok());
  EXPECT_EQ(device.trust(), v1::DEVICE_TRUST_MAC_ONLY);
  v1::LookupResponse found;
  ASSERT_TRUE(Lookup(Mac(0), "CP-8851-3PCC", &found, "192.0.2.1",
                     Proven(common::v1::PROOF_UNSPECIFIED, common::v1::CHANNEL_HTTP))
                  .ok());
  EXPECT_TRUE(found.registration_credential().empty());  // never in the clear
  ASSERT_TRUE(Lookup(Mac(0), "CP-8851-3PCC", &found, "192.0.2.1",
                     Proven(common::v1::PROOF_UNSPECIFIED, common::v1::CHANNEL_HTTPS))
                  .ok());
  EXPECT_FALSE(found.registration_credential().empty());
  // Claims without a choice trust only factory certificates.
  Claim(ClaimRequest("acme", 1, 1, "new-phones"));
  ASSERT_TRUE(Get("acme", Mac(1), &device).ok());
  EXPECT_EQ(device.trust(), v1::DEVICE_TRUST_FACTORY_CERTIFICATE);
}

TEST_F(DeviceServiceTest, AnActivationCodeTakesInAnUnclaimedPhoneButNeverAnothersPartners) {
  auto admit = [&](const std::string& mac, const std::string& partner, bool names_phone,
                   const common::v1::Evidence& evidence, v1::LookupResponse* response) {
    grpc::ClientContext context;
    v1::AdmitRequest request;
    request.mutable_device()->mutable_mac()->set_value(mac);
    request.mutable_device()->set_model("CP-8851-3PCC");
    request.set_partner(partner);
    request.set_profile_rule("https://" + partner + ".example.com/code/$MA.xml");
    request.set_code_names_phone(names_phone);
    *request.mutable_evidence() = evidence;
    request.set_source_address("192.0.2.7");
    return stub_->Admit(&context, request, response);
  };
  // Unclaimed, a code not bound to the MAC, no certificate: the phone
  // becomes the partner's, but a typed MAC proves nothing.
  v1::LookupResponse answer;
  ASSERT_TRUE(admit(Mac(0), "acme", false, Proven(common::v1::PROOF_UNSPECIFIED), &answer).ok());
  EXPECT_EQ(answer.target().profile_rule(), "https://acme.example.com/code/$MA.xml");
  EXPECT_TRUE(answer.registration_credential().empty());
  v1::Device device;
  ASSERT_TRUE(Get("acme", Mac(0), &device).ok());
  // A code bound to the phone's MAC, or its factory certificate, stands for the phone.
  ASSERT_TRUE(admit(Mac(0), "acme", true, Proven(common::v1::PROOF_UNSPECIFIED), &answer).ok());
  EXPECT_FALSE(answer.registration_credential().empty());
  ASSERT_TRUE(admit(Mac(0), "acme", false, Proven(), &answer).ok());
  EXPECT_FALSE(answer.registration_credential().empty());
  // Never over plain HTTP.
  ASSERT_TRUE(admit(Mac(0), "acme", true, Proven(common::v1::PROOF_UNSPECIFIED, common::v1::CHANNEL_HTTP), &answer)
                  .ok());
  EXPECT_TRUE(answer.registration_credential().empty());
  // Another partner's code does not take the phone from acme.
  ASSERT_TRUE(admit(Mac(0), "globex", true, Proven(), &answer).ok());
  EXPECT_TRUE(answer.registration_credential().empty());
  ASSERT_TRUE(Get("acme", Mac(0), &device).ok());
  EXPECT_EQ(Get("globex", Mac(0), &device).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(TimelineKinds("acme", Mac(0)),
              ElementsAre("claimed", "activation", "activation", "activation", "activation", "activation"));
}

TEST_F(DeviceServiceTest, RedirectParametersMayHoldNoSecret) {
  v1::ClaimDevicesRequest request = ClaimRequest("acme", 0, 1, "k");
  v1::Parameter* password = request.mutable_target()->add_parameters();
  password->set_name("Password_1_");
  password->set_value("s3cret");
  grpc::ClientContext context;
  v1::ClaimDevicesResponse response;
  grpc::Status status = stub_->ClaimDevices(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldOf(status), "target.parameters[1].name");
}

TEST_F(DeviceServiceTest, EveryCertificateButThePhonesCurrentOneIsListedRevoked) {
  Claim(ClaimRequest("acme", 0, 1, "a1"));
  const std::string mac = Mac(0);
  v1::LookupResponse lookup;
  ASSERT_TRUE(Lookup(mac, "CP-8851-3PCC", &lookup).ok());
  v1::RegisterResponse first;
  ASSERT_TRUE(Register(mac, lookup.registration_credential(), &first).ok());
  EXPECT_THAT(RevokedSerials(), ElementsAre());
  // Registering again (a factory-reset phone) replaces the certificate.
  ASSERT_TRUE(Lookup(mac, "CP-8851-3PCC", &lookup).ok());
  v1::RegisterResponse second;
  ASSERT_TRUE(Register(mac, lookup.registration_credential(), &second).ok());
  EXPECT_THAT(RevokedSerials(), ElementsAre(first.serial()));
  // A release ends the current one too.
  grpc::ClientContext context;
  v1::DeviceRequest release;
  release.set_partner("acme");
  release.mutable_mac()->set_value(mac);
  v1::Device released;
  ASSERT_TRUE(stub_->ReleaseDevice(&context, release, &released).ok());
  EXPECT_THAT(RevokedSerials(), ElementsAre(first.serial(), second.serial()));
  // Read from a later time, only what was revoked since.
  grpc::ClientContext later_context;
  v1::ListRevokedCertificatesRequest later;
  later.mutable_since()->set_seconds(absl::ToUnixSeconds(absl::Now() + absl::Hours(1)));
  v1::ListRevokedCertificatesResponse none;
  ASSERT_TRUE(stub_->ListRevokedCertificates(&later_context, later, &none).ok());
  EXPECT_EQ(none.certificates_size(), 0);
  EXPECT_GT(none.as_of().seconds(), 0);
}

TEST_F(DeviceServiceTest, AStateComesOnlyFromThePhoneItself) {
  Claim(ClaimRequest("acme", 0, 1, "a1"));
  for (const common::v1::Evidence& evidence : {Proven(common::v1::PROOF_UNSPECIFIED),
                                               Proven(common::v1::PROOF_REGISTRATION_CERTIFICATE, common::v1::CHANNEL_HTTP)}) {
    EXPECT_EQ(Report(Mac(0), v1::CUSTOMIZATION_STATE_ACQUIRED, evidence).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_EQ(StateOf("acme", Mac(0)), v1::CUSTOMIZATION_STATE_OPEN);
}

TEST_F(DeviceServiceTest, MissesAreRateLimitedPerSource) {
  v1::LookupResponse ignored;
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(Lookup(Mac(1000 + i), "CP-8851-3PCC", &ignored, "198.51.100.9").error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  EXPECT_EQ(Lookup(Mac(2000), "CP-8851-3PCC", &ignored, "198.51.100.9").error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  // Short-code guesses from the same source count against the same budget.
  grpc::ClientContext context;
  v1::ResolveShortCodeRequest resolve;
  resolve.set_digits("555");
  resolve.set_source_address("198.51.100.9");
  v1::ResolveShortCodeResponse response;
  EXPECT_EQ(stub_->ResolveShortCode(&context, resolve, &response).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  // Other sources are unaffected.
  EXPECT_EQ(Lookup(Mac(2000), "CP-8851-3PCC", &ignored, "198.51.100.10").error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(DeviceServiceTest, ShortCodesAreThreeToSixteenDigitsAndUnique) {
  auto create = [&](const std::string& partner, const std::string& name) {
    grpc::ClientContext context;
    v1::CreateRedirectProfileRequest request;
    request.set_partner(partner);
    request.set_name(name);
    request.mutable_target()->set_profile_rule("https://" + partner + ".example.com/cda.xml");
    v1::RedirectProfile profile;
    return std::make_pair(stub_->CreateRedirectProfile(&context, request, &profile), profile);
  };
  auto [created, profile] = create("acme", "123");
  ASSERT_TRUE(created.ok()) << created.error_message();
  EXPECT_TRUE(profile.short_code());
  EXPECT_EQ(create("globex", "123").first.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(create("acme", "12").first.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(create("acme", "12345678901234567").first.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(create("acme", "1234567890123456").first.ok());
  auto named = create("acme", "office-phones");
  EXPECT_TRUE(named.first.ok());
  EXPECT_FALSE(named.second.short_code());
  EXPECT_TRUE(create("globex", "office-phones").first.ok());  // names are per partner

  auto resolve = [&](const std::string& digits) {
    grpc::ClientContext context;
    v1::ResolveShortCodeRequest request;
    request.set_digits(digits);
    request.set_source_address("192.0.2.5");
    v1::ResolveShortCodeResponse response;
    grpc::Status status = stub_->ResolveShortCode(&context, request, &response);
    return std::make_pair(status, response);
  };
  auto [found, resolved] = resolve("123");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(resolved.profile().target().profile_rule(), "https://acme.example.com/cda.xml");
  EXPECT_EQ(resolve("999").first.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(resolve("#123").first.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldOf(resolve("12").first), "digits");
}

TEST_F(DeviceServiceTest, CustomizationStateFollowsThePhonesMachine) {
  Claim(ClaimRequest("acme", 0, 1, "a1"));
  const std::string mac = Mac(0);
  EXPECT_TRUE(Report(mac, v1::CUSTOMIZATION_STATE_PENDING).ok());
  EXPECT_TRUE(Report(mac, v1::CUSTOMIZATION_STATE_CUSTOM_PENDING).ok());
  EXPECT_TRUE(Report(mac, v1::CUSTOMIZATION_STATE_ACQUIRED).ok());
  grpc::Status backwards = Report(mac, v1::CUSTOMIZATION_STATE_PENDING);
  EXPECT_EQ(backwards.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(backwards.error_message(), HasSubstr("from acquired to pending"));
  v1::Device device;
  ASSERT_TRUE(Get("acme", mac, &device).ok());
  EXPECT_EQ(device.state(), v1::CUSTOMIZATION_STATE_ACQUIRED);
  // A factory reset starts again from Open.
  EXPECT_TRUE(Report(mac, v1::CUSTOMIZATION_STATE_OPEN).ok());
  EXPECT_TRUE(Report(mac, v1::CUSTOMIZATION_STATE_PENDING).ok());
  EXPECT_TRUE(Report(mac, v1::CUSTOMIZATION_STATE_UNAVAILABLE).ok());
  // Unclaimed phones report too (they are the ones that end up Unavailable).
  EXPECT_TRUE(Report(Mac(77), v1::CUSTOMIZATION_STATE_PENDING, Proven(common::v1::PROOF_FACTORY_CERTIFICATE)).ok());
}

TEST_F(DeviceServiceTest, RegistrationIssuesACertificateTheCaVerifies) {
  Claim(ClaimRequest("acme", 0, 1, "a1"));
  const std::string mac = Mac(0);
  v1::LookupResponse lookup;
  ASSERT_TRUE(Lookup(mac, "CP-8851-3PCC", &lookup).ok());
  v1::RegisterResponse response;
  grpc::Status status = Register(mac, lookup.registration_credential(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();

  std::ofstream(dir_ + "/phone.pem") << response.certificate_pem();
  std::ofstream(dir_ + "/issuer.pem") << response.ca_certificate_pem();
  EXPECT_THAT(RunCommand("openssl verify -purpose sslclient -CAfile " + dir_ + "/issuer.pem " + dir_ +
                  "/phone.pem"),
              HasSubstr(": OK"));
  EXPECT_THAT(RunCommand("openssl x509 -noout -subject -in " + dir_ + "/phone.pem"),
              HasSubstr("CN = " + mac));
  EXPECT_EQ(response.ca_certificate_pem().find("PRIVATE KEY"), std::string::npos);

  v1::Device device;
  ASSERT_TRUE(Get("acme", mac, &device).ok());
  EXPECT_TRUE(device.registered());
  EXPECT_EQ(device.certificate_serial(), response.serial());

  v1::RegisterResponse again;
  EXPECT_EQ(Register(mac, lookup.registration_credential(), &again).error_code(), grpc::StatusCode::PERMISSION_DENIED);

  grpc::ClientContext revoke_context;
  v1::DeviceRequest revoke;
  revoke.set_partner("acme");
  revoke.mutable_mac()->set_value(mac);
  v1::Device revoked;
  ASSERT_TRUE(stub_->RevokeDevice(&revoke_context, revoke, &revoked).ok());
  EXPECT_FALSE(revoked.registered());
}

TEST_F(DeviceServiceTest, BadCsrLeavesTheCredentialUsable) {
  Claim(ClaimRequest("acme", 0, 1, "a1"));
  v1::LookupResponse lookup;
  ASSERT_TRUE(Lookup(Mac(0), "CP-8851-3PCC", &lookup).ok());
  grpc::ClientContext context;
  v1::RegisterRequest request;
  request.mutable_mac()->set_value(Mac(0));
  request.set_registration_credential(lookup.registration_credential());
  request.set_csr_pem("-----BEGIN CERTIFICATE REQUEST-----\nnope\n-----END CERTIFICATE REQUEST-----\n");
  v1::RegisterResponse response;
  grpc::Status status = stub_->Register(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldOf(status), "csr_pem");
  v1::Device device;
  ASSERT_TRUE(Get("acme", Mac(0), &device).ok());
  EXPECT_FALSE(device.registered());
}

TEST_F(DeviceServiceTest, TheFleetFollowsAPhonesStateFromWhatItDoes) {
  Claim(ClaimRequest("acme", 0, 1, "a1"));
  const std::string mac = Mac(0);
  auto state = [&] {
    v1::Device device;
    EXPECT_TRUE(Get("acme", mac, &device).ok());
    return device.state();
  };
  v1::LookupResponse lookup;
  ASSERT_TRUE(Lookup(mac, "CP-8851-3PCC", &lookup).ok());
  EXPECT_EQ(state(), v1::CUSTOMIZATION_STATE_CUSTOM_PENDING);  // it asked and was answered
  auto record = [&](const std::string& kind) {
    grpc::ClientContext context;
    v1::RecordEventRequest event;
    event.mutable_mac()->set_value(mac);
    event.set_kind(kind);
    event.set_source("profile-render");
    v1::RecordEventResponse ignored;
    ASSERT_TRUE(stub_->RecordEvent(&context, event, &ignored).ok());
  };
  record("report");
  EXPECT_EQ(state(), v1::CUSTOMIZATION_STATE_CUSTOM_PENDING);
  record("profile_delivered");
  EXPECT_EQ(state(), v1::CUSTOMIZATION_STATE_ACQUIRED);  // its first profile
  record("profile_delivered");  // a later one changes nothing
  EXPECT_EQ(Acquisitions(), 1);
  // A factory-reset phone asks again.
  ASSERT_TRUE(Lookup(mac, "CP-8851-3PCC", &lookup).ok());
  EXPECT_EQ(state(), v1::CUSTOMIZATION_STATE_CUSTOM_PENDING);
}

TEST_F(DeviceServiceTest, EventsInABatchLandTogetherOrNotAtAll) {
  Claim(ClaimRequest("acme", 0, 3, "a1"));
  v1::LookupResponse lookup;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Lookup(Mac(i), "CP-8851-3PCC", &lookup).ok());  // Custom Pending
  auto kinds = [&](const std::string& mac) { return TimelineKinds("acme", mac); };
  auto send = [&](const v1::RecordEventsRequest& batch) {
    grpc::ClientContext context;
    v1::RecordEventsResponse ignored;
    return stub_->RecordEvents(&context, batch, &ignored);
  };
  v1::RecordEventsRequest batch;
  for (int i = 0; i < 3; ++i) {
    v1::RecordEventRequest* event = batch.add_events();
    event->mutable_mac()->set_value(Mac(i));
    event->set_kind(i < 2 ? "profile_delivered" : "report");
    event->set_source("profile-render");
  }
  // One malformed event refuses the batch, naming it; nothing is written.
  batch.mutable_events(1)->mutable_mac()->set_value("not-a-mac");
  grpc::Status refused = send(batch);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldOf(refused), "events[1].mac");
  EXPECT_THAT(kinds(Mac(0)), ElementsAre("claimed", "lookup"));

  batch.mutable_events(1)->mutable_mac()->set_value(Mac(1));
  ASSERT_TRUE(send(batch).ok());
  EXPECT_THAT(kinds(Mac(0)), ElementsAre("claimed", "lookup", "profile_delivered", "acquired"));
  EXPECT_THAT(kinds(Mac(2)), ElementsAre("claimed", "lookup", "report"));
  EXPECT_EQ(Acquisitions(), 2);  // the two first profiles
  v1::Device device;
  ASSERT_TRUE(Get("acme", Mac(1), &device).ok());
  EXPECT_EQ(device.state(), v1::CUSTOMIZATION_STATE_ACQUIRED);
  ASSERT_TRUE(Get("acme", Mac(2), &device).ok());
  EXPECT_EQ(device.state(), v1::CUSTOMIZATION_STATE_CUSTOM_PENDING);

  v1::RecordEventsRequest too_many;
  for (int i = 0; i < 1001; ++i) *too_many.add_events() = batch.events(0);
  grpc::Status oversized = send(too_many);
  EXPECT_EQ(oversized.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldOf(oversized), "events");
}

TEST_F(DeviceServiceTest, AnEventSentAgainWithItsIdIsRecordedOnce) {
  Claim(ClaimRequest("acme", 0, 1, "a1"));
  v1::LookupResponse lookup;
  ASSERT_TRUE(Lookup(Mac(0), "CP-8851-3PCC", &lookup).ok());  // Custom Pending
  v1::RecordEventsRequest batch;
  v1::RecordEventRequest* event = batch.add_events();
  event->mutable_mac()->set_value(Mac(0));
  event->set_kind("profile_delivered");
  event->set_source("profile-render");
  event->set_event_id("pr-1a2b-7");
  for (int attempt = 0; attempt < 3; ++attempt) {  // its answer was lost twice
    grpc::ClientContext context;
    v1::RecordEventsResponse ignored;
    ASSERT_TRUE(stub_->RecordEvents(&context, batch, &ignored).ok());
  }
  EXPECT_THAT(TimelineKinds("acme", Mac(0)), ElementsAre("claimed", "lookup", "profile_delivered", "acquired"));
  EXPECT_EQ(Acquisitions(), 1);
  event->set_event_id("not an id!");
  grpc::ClientContext context;
  v1::RecordEventsResponse ignored;
  grpc::Status refused = stub_->RecordEvents(&context, batch, &ignored);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldOf(refused), "events[0].event_id");
}

TEST_F(DeviceServiceTest, TimelineTellsTheStoryInOrder) {
  Claim(ClaimRequest("acme", 0, 1, "a1"));
  const std::string mac = Mac(0);
  ASSERT_TRUE(Report(mac, v1::CUSTOMIZATION_STATE_PENDING).ok());
  v1::LookupResponse lookup;
  ASSERT_TRUE(Lookup(mac, "CP-8851-3PCC", &lookup, "203.0.113.4").ok());
  {
    grpc::ClientContext context;
    v1::RecordEventRequest event;
    event.mutable_mac()->set_value(mac);
    event.set_kind("profile_fetched");
    event.set_detail("GET /profile/000000000000.xml 200");
    event.set_source("gateway");
    v1::RecordEventResponse ignored;
    ASSERT_TRUE(stub_->RecordEvent(&context, event, &ignored).ok());
  }
  grpc::ClientContext context;
  v1::DeviceRequest request;
  request.set_partner("acme");
  request.mutable_mac()->set_value(mac);
  v1::Timeline timeline;
  ASSERT_TRUE(stub_->GetTimeline(&context, request, &timeline).ok());
  std::vector<std::string> kinds;
  for (const auto& event : timeline.events()) kinds.push_back(event.kind());
  EXPECT_THAT(kinds, ElementsAre("claimed", "state", "lookup", "profile_fetched"));
  EXPECT_EQ(timeline.events(2).source(), "203.0.113.4");
  EXPECT_EQ(timeline.events(1).detail(), "open -> pending");

  grpc::ClientContext other;
  request.set_partner("globex");
  EXPECT_EQ(stub_->GetTimeline(&other, request, &timeline).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(DeviceServiceTest, PartnersTouchOnlyTheirOwnDevices) {
  Claim(ClaimRequest("acme", 0, 3, "a1"));
  Claim(ClaimRequest("globex", 3, 2, "g1"));
  v1::Device device;
  EXPECT_EQ(Get("globex", Mac(0), &device).error_code(), grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext release_context;
  v1::DeviceRequest release;
  release.set_partner("globex");
  release.mutable_mac()->set_value(Mac(0));
  EXPECT_EQ(stub_->ReleaseDevice(&release_context, release, &device).error_code(),
            grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext list_context;
  v1::ListDevicesRequest list;
  list.set_partner("acme");
  list.mutable_page()->set_page_size(2);
  v1::ListDevicesResponse page;
  ASSERT_TRUE(stub_->ListDevices(&list_context, list, &page).ok());
  EXPECT_EQ(page.devices_size(), 2);
  EXPECT_FALSE(page.page().next_page_token().empty());
  grpc::ClientContext next_context;
  list.mutable_page()->set_page_token(page.page().next_page_token());
  ASSERT_TRUE(stub_->ListDevices(&next_context, list, &page).ok());
  ASSERT_EQ(page.devices_size(), 1);
  EXPECT_EQ(page.devices(0).mac().value(), Mac(2));
  EXPECT_TRUE(page.page().next_page_token().empty());
}

TEST_F(DeviceServiceTest, ListDevicesFindsPhonesByTheStartOfTheirMac) {
  Claim(ClaimRequest("acme", 0, 40, "a1"));
  Claim(ClaimRequest("globex", 0x100, 20, "g1"));
  // Mac(0x10) .. Mac(0x1f) start with 02000000001; asked in pages of 5, in
  // upper case as people type them.
  std::vector<std::string> found;
  std::string token;
  do {
    grpc::ClientContext context;
    v1::ListDevicesRequest list;
    list.set_partner("acme");
    list.set_mac_prefix("02000000001");
    list.mutable_page()->set_page_size(5);
    list.mutable_page()->set_page_token(token);
    v1::ListDevicesResponse page;
    ASSERT_TRUE(stub_->ListDevices(&context, list, &page).ok());
    for (const v1::Device& device : page.devices()) found.push_back(device.mac().value());
    token = page.page().next_page_token();
  } while (!token.empty());
  std::vector<std::string> expected;
  for (int i = 0x10; i <= 0x1f; ++i) expected.push_back(Mac(i));
  EXPECT_EQ(found, expected);

  grpc::ClientContext upper_context;
  v1::ListDevicesRequest upper;
  upper.set_partner("acme");
  upper.set_mac_prefix("020000000027");
  v1::ListDevicesResponse one;
  ASSERT_TRUE(stub_->ListDevices(&upper_context, upper, &one).ok());
  ASSERT_EQ(one.devices_size(), 1);
  EXPECT_EQ(one.devices(0).mac().value(), Mac(0x27));
  // Another partner's phones never match.
  grpc::ClientContext other_context;
  upper.set_mac_prefix("0200000001");
  ASSERT_TRUE(stub_->ListDevices(&other_context, upper, &one).ok());
  EXPECT_EQ(one.devices_size(), 0);

  // Only the phones asked about (a site's, say), still only the partner's.
  grpc::ClientContext some_context;
  v1::ListDevicesRequest some;
  some.set_partner("acme");
  for (int i : {5, 3, 0x100}) some.add_macs()->set_value(Mac(i));
  ASSERT_TRUE(stub_->ListDevices(&some_context, some, &one).ok());
  ASSERT_EQ(one.devices_size(), 2);
  EXPECT_EQ(one.devices(0).mac().value(), Mac(3));
  EXPECT_EQ(one.devices(1).mac().value(), Mac(5));
  grpc::ClientContext bad_macs_context;
  some.add_macs()->set_value("nonsense");
  grpc::Status bad_macs = stub_->ListDevices(&bad_macs_context, some, &one);
  EXPECT_EQ(bad_macs.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad_macs.error_message(), HasSubstr("\"nonsense\" is not 12 hex digits"));

  grpc::ClientContext bad_context;
  upper.set_mac_prefix("02:00");
  grpc::Status bad = stub_->ListDevices(&bad_context, upper, &one);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad.error_message(), HasSubstr("mac_prefix"));
}

TEST_F(DeviceServiceTest, TheFunnelCountsHowFarEachPartnersPhonesCame) {
  Claim(ClaimRequest("acme", 0, 5, "a1"));
  Claim(ClaimRequest("globex", 5, 2, "g1"));
  v1::LookupResponse redirected;
  ASSERT_TRUE(Lookup(Mac(0), "CP-8851-3PCC", &redirected).ok());  // proven: Custom Pending
  ASSERT_TRUE(Lookup(Mac(1), "CP-8851-3PCC", &redirected).ok());
  EXPECT_TRUE(Report(Mac(1), v1::CUSTOMIZATION_STATE_ACQUIRED).ok());
  ASSERT_TRUE(Lookup(Mac(5), "CP-8851-3PCC", &redirected).ok());  // globex's

  grpc::ClientContext context;
  v1::SummarizeDevicesRequest request;
  request.set_partner("acme");
  v1::DeviceSummary summary;
  ASSERT_TRUE(stub_->SummarizeDevices(&context, request, &summary).ok());
  EXPECT_EQ(summary.claimed(), 5);
  EXPECT_EQ(summary.redirected(), 2);
  EXPECT_EQ(summary.registered(), 0);
  EXPECT_EQ(summary.acquired(), 1);
}

TEST_F(DeviceServiceTest, BadInputNamesTheField) {
  v1::LookupResponse ignored;
  grpc::Status status = Lookup("00-11", "CP-8851-3PCC", &ignored);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldOf(status), "device.mac");
  EXPECT_EQ(FieldOf(Lookup(Mac(1), "", &ignored)), "device.model");
  EXPECT_EQ(FieldOf(Lookup(Mac(1), "CP-8851-3PCC", &ignored, "")), "source_address");

  v1::ClaimDevicesRequest no_target = ClaimRequest("acme", 0, 1, "k");
  no_target.clear_target();
  grpc::ClientContext context;
  v1::ClaimDevicesResponse response;
  status = stub_->ClaimDevices(&context, no_target, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldOf(status), "target");

  v1::ClaimDevicesRequest bad_rule = ClaimRequest("acme", 0, 1, "k");
  bad_rule.mutable_target()->set_profile_rule("ftp://x/y");
  grpc::ClientContext rule_context;
  EXPECT_EQ(FieldOf(stub_->ClaimDevices(&rule_context, bad_rule, &response)), "target.profile_rule");

  v1::ClaimDevicesRequest bad_parameter = ClaimRequest("acme", 0, 1, "k");
  bad_parameter.mutable_target()->mutable_parameters(0)->set_name("1bad");
  grpc::ClientContext parameter_context;
  EXPECT_EQ(FieldOf(stub_->ClaimDevices(&parameter_context, bad_parameter, &response)),
            "target.parameters[0].name");
  EXPECT_EQ(Report(Mac(1), v1::CUSTOMIZATION_STATE_UNSPECIFIED).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace onramp::device
