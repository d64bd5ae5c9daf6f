// ProfileRenderService over real gRPC against the real PostgreSQL from
// tools/test.

#include "services/profile-render/service.h"

#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "lib/kit/clients/testing/stub_clients.h"
#include "lib/kit/server/server.h"
#include "lib/kit/store/migrations.h"
#include "lib/kit/store/testing/database_test.h"
#include "lib/kit/store/transaction.h"
#include "lib/phone/profile_crypto/aes128gcm.h"
#include "lib/phone/profile_crypto/device_key.h"
#include "lib/phone/profile_crypto/openssl_enc.h"
#include "onramp/common/v1/common.pb.h"
#include "onramp/profile/v1/profile.grpc.pb.h"
#include "pqxx/pqxx"
#include "services/profile-render/migrations.h"

namespace onramp::profile {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kSecret(32, 'K');

class ProfileServiceTest : public store::testing::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(store::Migrate(pool(), "profile", Migrations()).ok());
    store_ = std::make_unique<PostgresProfileStore>(pool());
    Start();
  }

  // The service (again), told by `devices` who owns a phone, if given.
  void Start(std::unique_ptr<clients::DeviceActivation> devices = nullptr) {
    if (server_) server_->Drain();
    server_.reset();
    service_.reset();
    devices_ = std::move(devices);
    registry_ = std::make_shared<prometheus::Registry>();
    service_ = std::make_unique<ProfileRenderServiceImpl>(
        *store_, *profile_crypto::Sealer::Create(kSecret, "onramp device profile keys v1"),
        *registry_, 100000, absl::Milliseconds(250), devices_.get());
    auto server = server::Server::Start(
        {.host = "127.0.0.1", .metrics_host = "127.0.0.1", .drain_delay = absl::ZeroDuration()},
        {service_.get()}, registry_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = v1::ProfileRenderService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", server_->grpc_port()), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (server_) server_->Drain();
  }

  grpc::Status Put(const std::string& partner, v1::Scope scope, const std::string& key,
                   const std::vector<std::pair<std::string, std::string>>& parameters,
                   int64_t if_version = 0, v1::Layer* out = nullptr, const std::string& site = "",
                   const std::vector<std::string>& secrets = {}) {
    grpc::ClientContext context;
    v1::PutLayerRequest request;
    request.mutable_ref()->set_partner(partner);
    request.mutable_ref()->set_scope(scope);
    request.mutable_ref()->set_key(key);
    request.set_if_version(if_version);
    request.set_site(site);
    for (const auto& [name, value] : parameters) {
      v1::Parameter* p = request.add_parameters();
      p->set_name(name);
      p->set_value(value);
      p->set_ua(v1::USER_ACCESS_NA);
      p->set_secret(std::find(secrets.begin(), secrets.end(), name) != secrets.end());
    }
    v1::Layer ignored;
    return stub_->PutLayer(&context, request, out ? out : &ignored);
  }

  v1::RenderResponse Render(const std::string& mac, const std::string& model = "CP-8851-3PCC",
                            const std::string& if_none_match = "", bool authenticated = true,
                            grpc::Status* status_out = nullptr) {
    grpc::ClientContext context;
    v1::RenderRequest request;
    request.mutable_device()->mutable_mac()->set_value(mac);
    request.mutable_device()->set_model(model);
    request.mutable_device()->set_serial("FCH" + mac.substr(8));
    request.set_if_none_match(if_none_match);
    request.set_authenticated_channel(authenticated);
    v1::RenderResponse response;
    grpc::Status status = stub_->Render(&context, request, &response);
    if (status_out) *status_out = status;
    else EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  static std::string FieldOf(const grpc::Status& status) {
    onramp::common::v1::ErrorDetail detail;
    detail.ParseFromString(status.error_details());
    return detail.field();
  }

  // Three partners' phones on one fleet-wide base.
  void ThreePartners() {
    ASSERT_TRUE(Put("", v1::SCOPE_GLOBAL, "", {{"Resync_Periodic", "3600"}, {"Primary_DNS", "192.0.2.53"}}).ok());
    ASSERT_TRUE(Put("", v1::SCOPE_MODEL, "CP-8851-3PCC", {{"Back_Light_Timer", "30"}}).ok());
    for (const char* partner : {"acme", "globex", "initech"}) {
      ASSERT_TRUE(Put(partner, v1::SCOPE_PARTNER, "", {{"Proxy_1_", absl::StrCat("sip.", partner, ".example")},
                                                       {"Resync_Periodic", "1800"}}).ok());
    }
    ASSERT_TRUE(Put("acme", v1::SCOPE_SITE, "lisbon", {{"Time_Zone", "GMT"}}).ok());
    ASSERT_TRUE(Put("acme", v1::SCOPE_DEVICE, "000e08aabb01", {{"Display_Name_1_", "Front desk"}}, 0,
                    nullptr, "lisbon").ok());
    ASSERT_TRUE(Put("globex", v1::SCOPE_DEVICE, "000e08aabb02", {}).ok());
    ASSERT_TRUE(Put("initech", v1::SCOPE_DEVICE, "000e08aabb03", {{"Resync_Periodic", "600"}}).ok());
  }

  std::unique_ptr<ProfileStore> store_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<clients::DeviceActivation> devices_;  // outlives the service
  std::unique_ptr<ProfileRenderServiceImpl> service_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<v1::ProfileRenderService::Stub> stub_;
};

TEST_F(ProfileServiceTest, EachPartnersPhonesGetTheirOwnMergedProfile) {
  ThreePartners();
  std::string acme = Render("00:0e:08:aa:bb:01").body();
  EXPECT_THAT(acme, HasSubstr("<Proxy_1_ ua=\"na\">sip.acme.example</Proxy_1_>"));
  EXPECT_THAT(acme, HasSubstr("<Time_Zone ua=\"na\">GMT</Time_Zone>"));
  EXPECT_THAT(acme, HasSubstr("<Display_Name_1_ ua=\"na\">Front desk</Display_Name_1_>"));
  EXPECT_THAT(acme, HasSubstr("<Back_Light_Timer ua=\"na\">30</Back_Light_Timer>"));
  EXPECT_THAT(acme, HasSubstr("<Resync_Periodic ua=\"na\">1800</Resync_Periodic>"));
  EXPECT_THAT(acme, HasSubstr("<Primary_DNS ua=\"na\">192.0.2.53</Primary_DNS>"));

  std::string globex = Render("000e08aabb02", "CP-7832-3PCC").body();
  EXPECT_THAT(globex, HasSubstr("sip.globex.example"));
  EXPECT_THAT(globex, Not(HasSubstr("acme")));
  EXPECT_THAT(globex, Not(HasSubstr("Back_Light_Timer")));  // another model
  EXPECT_THAT(globex, Not(HasSubstr("Time_Zone")));         // acme's site

  EXPECT_THAT(Render("000e08aabb03").body(), HasSubstr("<Resync_Periodic ua=\"na\">600</Resync_Periodic>"));

  grpc::Status unknown;
  Render("000e08aabb99", "CP-8851-3PCC", "", true, &unknown);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
}

// device-activation as far as ownership goes: these phones are claimed.
class Owners : public clients::StubDeviceActivation {
 public:
  explicit Owners(std::map<std::string, std::string> owners) : owners_(std::move(owners)) {}
  // While set, every question fails so (device-activation down).
  absl::Status failure;
  absl::StatusOr<device::v1::Owner> GetOwner(const device::v1::OwnerRequest& request, const std::string&) override {
    if (!failure.ok()) return failure;
    auto found = owners_.find(request.mac().value());
    if (found == owners_.end()) return absl::NotFoundError("no partner has claimed this phone");
    device::v1::Owner owner;
    owner.set_partner(found->second);
    return owner;
  }

 private:
  std::map<std::string, std::string> owners_;
};

TEST_F(ProfileServiceTest, AClaimedPhoneWithoutADeviceLayerGetsItsPartnersAndModelsLayers) {
  ThreePartners();
  auto owners = std::make_unique<Owners>(std::map<std::string, std::string>{{"000e08aabb10", "acme"}});
  Owners& ownership = *owners;
  Start(std::move(owners));
  // device-activation down: the phone is told to come back (UNAVAILABLE, a
  // 503 at the gateway, outcome C), not that it has no profile.
  ownership.failure = absl::UnavailableError("device-activation is down");
  grpc::Status down;
  Render("000e08aabb10", "CP-8851-3PCC", "", true, &down);
  EXPECT_EQ(down.error_code(), grpc::StatusCode::UNAVAILABLE);
  ownership.failure = absl::OkStatus();
  std::string profile = Render("000e08aabb10").body();
  EXPECT_THAT(profile, HasSubstr("<Proxy_1_ ua=\"na\">sip.acme.example</Proxy_1_>"));
  EXPECT_THAT(profile, HasSubstr("<Back_Light_Timer ua=\"na\">30</Back_Light_Timer>"));
  EXPECT_THAT(profile, HasSubstr("<Primary_DNS ua=\"na\">192.0.2.53</Primary_DNS>"));
  EXPECT_THAT(profile, Not(HasSubstr("Time_Zone")));  // no site without a device layer
  // Nobody's phone still has no profile; a device layer, once written, is
  // the phone's.
  grpc::Status unclaimed;
  Render("000e08aabb11", "CP-8851-3PCC", "", true, &unclaimed);
  EXPECT_EQ(unclaimed.error_code(), grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(Put("acme", v1::SCOPE_DEVICE, "000e08aabb10", {{"Display_Name_1_", "Lobby"}}, 0, nullptr, "lisbon").ok());
  std::string with_layer = Render("000e08aabb10").body();
  EXPECT_THAT(with_layer, HasSubstr("Lobby"));
  EXPECT_THAT(with_layer, HasSubstr("<Time_Zone ua=\"na\">GMT</Time_Zone>"));
}

TEST_F(ProfileServiceTest, RenderingIsByteIdenticalAndAnswersIfNoneMatch) {
  ThreePartners();
  v1::RenderResponse first = Render("000e08aabb01");
  v1::RenderResponse second = Render("000e08aabb01");
  EXPECT_EQ(first.body(), second.body());
  EXPECT_EQ(first.etag(), second.etag());
  v1::RenderResponse unchanged = Render("000e08aabb01", "CP-8851-3PCC", first.etag());
  EXPECT_TRUE(unchanged.not_modified());
  EXPECT_TRUE(unchanged.body().empty());
  // Any layer write invalidates: the ETag moves.
  ASSERT_TRUE(Put("acme", v1::SCOPE_SITE, "lisbon", {{"Time_Zone", "GMT+1"}}, 1).ok());
  v1::RenderResponse changed = Render("000e08aabb01", "CP-8851-3PCC", first.etag());
  EXPECT_FALSE(changed.not_modified());
  EXPECT_NE(changed.etag(), first.etag());
  EXPECT_THAT(changed.body(), HasSubstr("GMT+1"));
}

TEST_F(ProfileServiceTest, DiffShowsWhatChangedSinceTheLastDelivery) {
  ThreePartners();
  Render("000e08aabb01");
  service_->FlushDeliveries();
  ASSERT_TRUE(Put("acme", v1::SCOPE_PARTNER, "", {{"Proxy_1_", "sip2.acme.example"}}, 1).ok());
  grpc::ClientContext context;
  v1::PreviewRequest request;
  request.set_partner("acme");
  request.mutable_mac()->set_value("000e08aabb01");
  request.set_model("CP-8851-3PCC");
  v1::DiffResponse diff;
  ASSERT_TRUE(stub_->Diff(&context, request, &diff).ok());
  EXPECT_FALSE(diff.delivered_etag().empty());
  std::map<std::string, v1::ParameterChange> changes;
  for (const auto& change : diff.changes()) changes[change.name()] = change;
  ASSERT_EQ(changes.size(), 2u) << diff.DebugString();
  EXPECT_EQ(changes["Proxy_1_"].before(), "sip.acme.example");
  EXPECT_EQ(changes["Proxy_1_"].after(), "sip2.acme.example");
  // The partner layer no longer sets Resync_Periodic: the global value shows.
  EXPECT_EQ(changes["Resync_Periodic"].before(), "1800");
  EXPECT_EQ(changes["Resync_Periodic"].after(), "3600");
}

TEST_F(ProfileServiceTest, ConcurrentStaleWritesAreRefused) {
  v1::Layer created;
  ASSERT_TRUE(Put("acme", v1::SCOPE_PARTNER, "", {{"A", "0"}}, 0, &created).ok());
  EXPECT_EQ(created.version(), 1);
  EXPECT_EQ(Put("acme", v1::SCOPE_PARTNER, "", {{"A", "again"}}, 0).error_code(), grpc::StatusCode::ABORTED);
  std::atomic<int> ok = 0;
  std::atomic<int> aborted = 0;
  std::vector<std::thread> writers;
  for (int i = 0; i < 8; ++i) {
    writers.emplace_back([&, i] {
      grpc::Status status = Put("acme", v1::SCOPE_PARTNER, "", {{"A", std::to_string(i)}}, 1);
      if (status.ok()) ++ok;
      if (status.error_code() == grpc::StatusCode::ABORTED) ++aborted;
    });
  }
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(aborted.load(), 7);
}

TEST_F(ProfileServiceTest, PartnersAreIsolated) {
  ThreePartners();
  grpc::Status taken = Put("globex", v1::SCOPE_DEVICE, "000e08aabb01", {});
  EXPECT_EQ(taken.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  grpc::ClientContext context;
  v1::PreviewRequest request;
  request.set_partner("globex");
  request.mutable_mac()->set_value("000e08aabb01");
  v1::PreviewResponse preview;
  EXPECT_EQ(stub_->Preview(&context, request, &preview).error_code(), grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext list_context;
  v1::ListLayersRequest list;
  list.set_partner("globex");
  v1::ListLayersResponse layers;
  ASSERT_TRUE(stub_->ListLayers(&list_context, list, &layers).ok());
  for (const auto& layer : layers.layers()) EXPECT_EQ(layer.ref().partner(), "globex");
  EXPECT_EQ(layers.layers_size(), 2);  // its partner and device layers
}

TEST_F(ProfileServiceTest, SecretsTravelEncryptedWithTheDevicesOwnKeyOrOverMtls) {
  ASSERT_TRUE(Put("acme", v1::SCOPE_DEVICE, "000e08aabb01",
                  {{"Proxy_1_", "sip.acme.example"}, {"Password_1_", "hunter2"}}).ok());
  v1::RenderResponse plain_channel = Render("000e08aabb01", "CP-8851-3PCC", "", false);
  EXPECT_TRUE(plain_channel.has_secrets());
  EXPECT_EQ(plain_channel.encryption(), v1::ENCRYPTION_AES_256_CBC);
  EXPECT_THAT(plain_channel.body(), Not(HasSubstr("hunter2")));
  // The key was made on first need and sealed at rest; open it as the
  // gateway would to hand it to the phone.
  EXPECT_EQ(plain_channel.key_id(), "k1");
  auto stored = store_->DeviceKey("000e08aabb01");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  std::string sealed;
  ASSERT_TRUE(absl::Base64Unescape((*stored)->sealed, &sealed));
  auto hex = profile_crypto::Sealer::Create(kSecret, "onramp device profile keys v1")->Open(sealed);
  ASSERT_TRUE(hex.ok());
  auto decrypted = profile_crypto::DecryptOpensslEnc(plain_channel.body(), *hex);
  ASSERT_TRUE(decrypted.ok()) << decrypted.status();
  EXPECT_THAT(decrypted->plaintext, HasSubstr("<Password_1_ ua=\"na\">hunter2</Password_1_>"));

  v1::RenderResponse mtls = Render("000e08aabb01");
  EXPECT_EQ(mtls.encryption(), v1::ENCRYPTION_NONE);
  EXPECT_THAT(mtls.body(), HasSubstr("hunter2"));

  grpc::ClientContext context;
  v1::PreviewRequest request;
  request.set_partner("acme");
  request.mutable_mac()->set_value("000e08aabb01");
  v1::PreviewResponse preview;
  ASSERT_TRUE(stub_->Preview(&context, request, &preview).ok());
  EXPECT_THAT(preview.xml(), HasSubstr("<Password_1_ ua=\"na\">********</Password_1_>"));
  grpc::ClientContext reveal_context;
  request.set_reveal_secrets(true);
  ASSERT_TRUE(stub_->Preview(&reveal_context, request, &preview).ok());
  EXPECT_THAT(preview.xml(), HasSubstr("hunter2"));
}

// Opens the sealed key `key_id` of a phone, as the gateway would to hand it over.
std::string KeyPassphrase(ProfileStore& store, const std::string& mac, const std::string& key_id) {
  auto stored = store.DeviceKey(mac, key_id);
  EXPECT_TRUE(stored.ok() && stored->has_value());
  std::string sealed;
  EXPECT_TRUE(absl::Base64Unescape((*stored)->sealed, &sealed));
  return *profile_crypto::Sealer::Create(kSecret, "onramp device profile keys v1")->Open(sealed);
}

TEST_F(ProfileServiceTest, APostResyncsBodyIsKeptAsAReport) {
  ASSERT_TRUE(Put("acme", v1::SCOPE_DEVICE, "000e08aabb01", {{"Proxy_1_", "sip.acme.example"}}).ok());
  grpc::ClientContext context;
  v1::RenderRequest request;
  request.mutable_device()->mutable_mac()->set_value("000e08aabb01");
  request.mutable_device()->set_model("CP-8851-3PCC");
  request.set_method("POST");
  request.set_post_body("<flat-profile><Uptime>3600</Uptime><Line_1_Status>Registered</Line_1_Status></flat-profile>");
  request.set_source_address("203.0.113.7");
  v1::RenderResponse response;
  ASSERT_TRUE(stub_->Render(&context, request, &response).ok());
  EXPECT_THAT(response.body(), HasSubstr("sip.acme.example"));
  std::string kept;
  ASSERT_TRUE(store::Transact(pool(), [&](pqxx::transaction_base& tx) {
                pqxx::row row = tx.exec1("SELECT parameters || ' ' || source FROM profile.reports WHERE mac = '000e08aabb01'");
                kept = row[0].as<std::string>();
                return absl::OkStatus();
              }).ok());
  EXPECT_EQ(kept, "2 203.0.113.7");
}

TEST_F(ProfileServiceTest, ARotatedKeyIsTheOwnersToMake) {
  ASSERT_TRUE(Put("acme", v1::SCOPE_DEVICE, "000e08aabb01", {{"Password_1_", "hunter2"}}).ok());
  v1::RenderResponse before = Render("000e08aabb01", "CP-8851-3PCC", "", false);
  ASSERT_EQ(before.key_id(), "k1");
  grpc::ClientContext context;
  v1::DeviceKeyRequest request;
  request.set_partner("acme");
  request.mutable_mac()->set_value("000e08aabb01");
  v1::DeviceKey rotated;
  ASSERT_TRUE(stub_->RotateDeviceKey(&context, request, &rotated).ok());
  EXPECT_EQ(rotated.key_id(), "k2");
  // A phone handed no key yet: its profile goes under the newest.
  v1::RenderResponse fresh = Render("000e08aabb01", "CP-8851-3PCC", "", false);
  EXPECT_EQ(fresh.key_id(), "k2");
  EXPECT_TRUE(profile_crypto::DecryptOpensslEnc(fresh.body(), KeyPassphrase(*store_, "000e08aabb01", "k2")).ok());
  grpc::ClientContext other_context;
  request.set_partner("globex");
  EXPECT_EQ(stub_->RotateDeviceKey(&other_context, request, &rotated).error_code(), grpc::StatusCode::NOT_FOUND);
}

v1::DeliveredKey Deliver(v1::ProfileRenderService::Stub& stub, const std::string& partner, const std::string& mac,
                         grpc::Status* status = nullptr) {
  grpc::ClientContext context;
  v1::DeviceKeyRequest request;
  request.set_partner(partner);
  request.mutable_mac()->set_value(mac);
  v1::DeliveredKey key;
  grpc::Status result = stub.DeliverDeviceKey(&context, request, &key);
  if (status != nullptr) {
    *status = result;
  } else {
    EXPECT_TRUE(result.ok()) << result.error_message();
  }
  return key;
}

TEST_F(ProfileServiceTest, APhoneHandedAKeyGetsEveryProfileEncryptedWithIt) {
  ASSERT_TRUE(Put("acme", v1::SCOPE_DEVICE, "000e08aabb01", {{"Display_Name_1_", "Front desk"}}).ok());
  // No secret, no key held: plain XML.
  EXPECT_EQ(Render("000e08aabb01", "CP-8851-3PCC", "", false).encryption(), v1::ENCRYPTION_NONE);
  v1::DeliveredKey key = Deliver(*stub_, "acme", "000e08aabb01");
  EXPECT_EQ(key.key_id(), "k1");
  EXPECT_EQ(key.encryption(), v1::ENCRYPTION_AES_256_CBC);
  // Its rule now says --key: every profile, over mTLS too, opens with the key.
  for (bool authenticated : {false, true}) {
    v1::RenderResponse rendered = Render("000e08aabb01", "CP-8851-3PCC", "", authenticated);
    EXPECT_EQ(rendered.encryption(), v1::ENCRYPTION_AES_256_CBC);
    auto opened = profile_crypto::DecryptOpensslEnc(rendered.body(), key.secret());
    ASSERT_TRUE(opened.ok()) << opened.status();
    EXPECT_THAT(opened->plaintext, HasSubstr("Front desk"));
  }
  // Handed again (a factory-reset phone onboarding anew): the same key.
  EXPECT_EQ(Deliver(*stub_, "acme", "000e08aabb01").secret(), key.secret());
  // A rotated key reaches the phone only when handed over; until then the
  // phone's profiles stay under the key it holds.
  grpc::ClientContext rotate_context;
  v1::DeviceKeyRequest rotate;
  rotate.set_partner("acme");
  rotate.mutable_mac()->set_value("000e08aabb01");
  v1::DeviceKey rotated;
  ASSERT_TRUE(stub_->RotateDeviceKey(&rotate_context, rotate, &rotated).ok());
  EXPECT_EQ(Render("000e08aabb01", "CP-8851-3PCC", "", false).key_id(), "k1");
  v1::DeliveredKey second = Deliver(*stub_, "acme", "000e08aabb01");
  EXPECT_EQ(second.key_id(), "k2");
  v1::RenderResponse now = Render("000e08aabb01", "CP-8851-3PCC", "", false);
  EXPECT_EQ(now.key_id(), "k2");
  EXPECT_TRUE(profile_crypto::DecryptOpensslEnc(now.body(), second.secret()).ok());
}

// acme's device layer for 000e08aabb01 with one parameter, its profiles
// encrypted with aes128gcm.
v1::Layer PutAes128GcmLayer(v1::ProfileRenderService::Stub& stub, const std::string& name, const std::string& value,
                            bool always_encrypt) {
  grpc::ClientContext context;
  v1::PutLayerRequest request;
  request.mutable_ref()->set_partner("acme");
  request.mutable_ref()->set_scope(v1::SCOPE_DEVICE);
  request.mutable_ref()->set_key("000e08aabb01");
  request.set_encryption(v1::ENCRYPTION_AES128GCM);
  request.set_always_encrypt(always_encrypt);
  v1::Parameter* p = request.add_parameters();
  p->set_name(name);
  p->set_value(value);
  v1::Layer layer;
  grpc::Status status = stub.PutLayer(&context, request, &layer);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return layer;
}

TEST_F(ProfileServiceTest, AnAes128gcmKeyIsHandedAsTheIkmText) {
  PutAes128GcmLayer(*stub_, "Password_1_", "hunter2", false);
  v1::DeliveredKey key = Deliver(*stub_, "acme", "000e08aabb01");
  EXPECT_EQ(key.encryption(), v1::ENCRYPTION_AES128GCM);
  v1::RenderResponse rendered = Render("000e08aabb01", "CP-8851-3PCC", "", false);
  EXPECT_EQ(rendered.content_encoding(), "aes128gcm");
  auto decoded = profile_crypto::DecodeAes128Gcm(rendered.body(), key.secret());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_THAT(*decoded, HasSubstr("hunter2"));
}

TEST_F(ProfileServiceTest, ForgettingAPhoneLeavesNothingOfItsOwnerBehind) {
  ASSERT_TRUE(Put("acme", v1::SCOPE_DEVICE, "000e08aabb01", {{"Password_1_", "acme-secret"}}).ok());
  v1::DeliveredKey acmes = Deliver(*stub_, "acme", "000e08aabb01");
  Render("000e08aabb01");  // a delivery on record
  service_->FlushDeliveries();
  // Another partner cannot be handed the key while acme's layer stands.
  grpc::Status refused;
  Deliver(*stub_, "globex", "000e08aabb01", &refused);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  grpc::ClientContext context;
  v1::DeviceKeyRequest forget;
  forget.set_partner("acme");
  forget.mutable_mac()->set_value("000e08aabb01");
  v1::ForgetDeviceResponse ignored;
  ASSERT_TRUE(stub_->ForgetDevice(&context, forget, &ignored).ok());
  grpc::ClientContext again;
  ASSERT_TRUE(stub_->ForgetDevice(&again, forget, &ignored).ok());  // idempotent
  EXPECT_FALSE(store_->DeviceKey("000e08aabb01").value().has_value());  // crypto-shredded
  grpc::Status gone;
  Render("000e08aabb01", "CP-8851-3PCC", "", true, &gone);
  EXPECT_EQ(gone.error_code(), grpc::StatusCode::NOT_FOUND);
  // globex takes over: its layer is accepted, its key is new.
  ASSERT_TRUE(Put("globex", v1::SCOPE_DEVICE, "000e08aabb01", {{"Proxy_1_", "sip.globex.example"}}).ok());
  v1::DeliveredKey globexs = Deliver(*stub_, "globex", "000e08aabb01");
  EXPECT_NE(globexs.secret(), acmes.secret());
  grpc::ClientContext diff_context;
  v1::PreviewRequest diff_request;
  diff_request.set_partner("globex");
  diff_request.mutable_mac()->set_value("000e08aabb01");
  diff_request.set_reveal_secrets(true);
  v1::DiffResponse diff;
  ASSERT_TRUE(stub_->Diff(&diff_context, diff_request, &diff).ok());
  EXPECT_TRUE(diff.delivered_etag().empty());
  EXPECT_THAT(diff.ShortDebugString(), Not(HasSubstr("acme-secret")));
}

TEST_F(ProfileServiceTest, SecretsAreWriteOnlyAndAMaskedSecretWrittenBackKeepsItsValue) {
  v1::Layer stored;
  ASSERT_TRUE(Put("acme", v1::SCOPE_DEVICE, "000e08aabb01",
                  {{"Password_1_", "hunter2"}, {"Admin_Token", "t0k3n"}, {"Proxy_1_", "sip.acme.example"}}, 0,
                  &stored, "", {"Admin_Token"})
                  .ok());
  EXPECT_THAT(stored.ShortDebugString(), Not(HasSubstr("hunter2")));
  EXPECT_THAT(stored.ShortDebugString(), Not(HasSubstr("t0k3n")));
  EXPECT_THAT(stored.ShortDebugString(), HasSubstr("sip.acme.example"));
  grpc::ClientContext get_context;
  v1::Layer read;
  ASSERT_TRUE(stub_->GetLayer(&get_context, stored.ref(), &read).ok());
  EXPECT_EQ(read.parameters(0).value(), "********");
  // What a partner's client does: read, change one value, write it all back.
  v1::Layer written;
  ASSERT_TRUE(Put("acme", v1::SCOPE_DEVICE, "000e08aabb01",
                  {{"Password_1_", "********"}, {"Admin_Token", "********"}, {"Proxy_1_", "sip2.acme.example"}},
                  stored.version(), &written, "", {"Admin_Token"})
                  .ok());
  std::string body = Render("000e08aabb01").body();  // over mTLS: in the clear
  EXPECT_THAT(body, HasSubstr("hunter2"));
  EXPECT_THAT(body, HasSubstr("t0k3n"));
  EXPECT_THAT(body, HasSubstr("sip2.acme.example"));
  // A mask where there is no value to keep is an error, not a password.
  grpc::Status refused = Put("acme", v1::SCOPE_DEVICE, "000e08aabb01", {{"Password_2_", "********"}},
                             written.version());
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldOf(refused), "parameters[0].value");
}

TEST_F(ProfileServiceTest, AnHttpAuthChangeAppliesToTheNextRequestOnEveryReplica) {
  ASSERT_TRUE(Put("acme", v1::SCOPE_DEVICE, "000e08aabb01", {{"Proxy_1_", "sip.acme.example"}}).ok());
  Deliver(*stub_, "acme", "000e08aabb01");  // a phone holding its key: its context stays cached
  // A second replica over the same database, its renders cached.
  auto registry = std::make_shared<prometheus::Registry>();
  ProfileRenderServiceImpl other(*store_, *profile_crypto::Sealer::Create(kSecret, "onramp device profile keys v1"),
                                 *registry);
  std::unique_ptr<server::Server> other_server = *server::Server::Start(
      {.host = "127.0.0.1", .metrics_host = "127.0.0.1", .drain_delay = absl::ZeroDuration()}, {&other}, registry);
  auto other_stub = v1::ProfileRenderService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", other_server->grpc_port()), grpc::InsecureChannelCredentials()));
  auto render_on_other = [&] {
    grpc::ClientContext context;
    v1::RenderRequest request;
    request.mutable_device()->mutable_mac()->set_value("000e08aabb01");
    request.mutable_device()->set_model("CP-8851-3PCC");
    request.set_method("GET");
    request.set_request_uri("/profile/000e08aabb01.xml");
    v1::RenderResponse response;
    EXPECT_TRUE(other_stub->Render(&context, request, &response).ok());
    return response;
  };
  EXPECT_EQ(render_on_other().challenges_size(), 0);
  grpc::ClientContext context;
  v1::PutHttpAuthRequest auth;
  auth.set_partner("acme");
  auth.set_realm("acme phones");
  auth.set_username("phone");
  auth.set_password("correct horse");
  v1::HttpAuth stored;
  ASSERT_TRUE(stub_->PutHttpAuth(&context, auth, &stored).ok());
  EXPECT_GT(render_on_other().challenges_size(), 0);  // at once, on the other replica
  grpc::ClientContext delete_context;
  v1::DeleteHttpAuthRequest removal;
  removal.set_partner("acme");
  v1::DeleteHttpAuthResponse removed;
  ASSERT_TRUE(stub_->DeleteHttpAuth(&delete_context, removal, &removed).ok());
  EXPECT_EQ(render_on_other().challenges_size(), 0);
  other_server->Drain();
}

TEST_F(ProfileServiceTest, DevicesChooseAes128GcmAndAlwaysEncrypt) {
  v1::Layer layer = PutAes128GcmLayer(*stub_, "Proxy_1_", "sip.acme.example", true);
  EXPECT_EQ(layer.encryption(), v1::ENCRYPTION_AES128GCM);
  v1::RenderResponse rendered = Render("000e08aabb01");
  EXPECT_EQ(rendered.encryption(), v1::ENCRYPTION_AES128GCM);
  EXPECT_EQ(rendered.content_encoding(), "aes128gcm");
  profile_crypto::DeviceKey key =
      *profile_crypto::DeviceKey::FromHex(KeyPassphrase(*store_, "000e08aabb01", ""));
  auto decoded = profile_crypto::DecodeAes128Gcm(rendered.body(), key.Ikm());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_THAT(*decoded, HasSubstr("sip.acme.example"));
}

TEST_F(ProfileServiceTest, TemplatesAreValidatedAndApplied) {
  ThreePartners();
  auto put_template = [&](const std::string& text) {
    grpc::ClientContext context;
    v1::PutTemplateRequest request;
    request.set_partner("acme");
    request.set_text(text);
    v1::Template response;
    return stub_->PutTemplate(&context, request, &response);
  };
  grpc::Status bad = put_template("<Station_Name>{{#x}}</Station_Name>");
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldOf(bad), "template");
  ASSERT_TRUE(put_template("<Station_Name>{{partner}}-{{site}}-{{serial}}</Station_Name>").ok());
  EXPECT_THAT(Render("000e08aabb01").body(), HasSubstr("<Station_Name>acme-lisbon-FCHbb01</Station_Name>"));
}

TEST_F(ProfileServiceTest, ModelParameterListsLeaveOutWhatTheModelLacks) {
  ThreePartners();
  EXPECT_THAT(Render("000e08aabb01").body(), HasSubstr("Time_Zone"));
  grpc::ClientContext context;
  v1::ModelParameters request;
  request.set_model("CP-8851-3PCC");
  for (const char* name : {"Proxy_1_", "Resync_Periodic", "Display_Name_1_", "Primary_DNS",
                           "Back_Light_Timer"}) {
    request.add_names(name);
  }
  v1::ModelParameters response;
  ASSERT_TRUE(stub_->PutModelParameters(&context, request, &response).ok());
  std::string body = Render("000e08aabb01").body();
  EXPECT_THAT(body, Not(HasSubstr("Time_Zone")));
  EXPECT_THAT(body, HasSubstr("Proxy_1_"));
  // Other models are untouched.
  EXPECT_THAT(Render("000e08aabb01", "CP-7832-3PCC").body(), HasSubstr("Time_Zone"));
  grpc::ClientContext bad_context;
  request.add_names("not a name");
  grpc::Status bad = stub_->PutModelParameters(&bad_context, request, &response);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldOf(bad), "names[5]");
}

TEST_F(ProfileServiceTest, ReportsAreKeptAndParsed) {
  grpc::ClientContext context;
  v1::ReportRequest request;
  request.mutable_mac()->set_value("000e08aabb01");
  request.set_body("<flat-profile><A>1</A><B>2</B></flat-profile>");
  v1::ReportResponse response;
  ASSERT_TRUE(stub_->Report(&context, request, &response).ok());
  EXPECT_EQ(response.parameters(), 2);
  EXPECT_EQ(response.partner(), "");  // no partner configures this phone yet

  // Once a partner has a layer for the phone, reports name that partner
  // (the gateway counts upgrade outcomes against its rollouts).
  ASSERT_TRUE(Put("acme", v1::SCOPE_DEVICE, "000e08aabb01", {{"Proxy_1_", "sip.acme.example"}}).ok());
  grpc::ClientContext again;
  ASSERT_TRUE(stub_->Report(&again, request, &response).ok());
  EXPECT_EQ(response.partner(), "acme");
}

TEST_F(ProfileServiceTest, BadLayersNameTheLayerParameterAndReason) {
  struct Case {
    std::string partner;
    v1::Scope scope;
    std::string key;
    std::vector<std::pair<std::string, std::string>> parameters;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"acme", v1::SCOPE_UNSPECIFIED, "", {}, "ref.scope"},
      {"acme", v1::SCOPE_GLOBAL, "", {}, "ref.partner"},
      {"", v1::SCOPE_PARTNER, "", {}, "ref.partner"},
      {"acme", v1::SCOPE_DEVICE, "00:11", {}, "ref.key"},
      {"acme", v1::SCOPE_SITE, "", {}, "ref.key"},
      {"acme", v1::SCOPE_PARTNER, "", {{"Ok", "1"}, {"bad name", "x"}}, "parameters[1].name"},
      {"acme", v1::SCOPE_PARTNER, "", {{"Display_Name_1_", "tab\there"}}, "parameters[0].value"},
      {"acme", v1::SCOPE_PARTNER, "", {{"A", "1"}, {"A", "2"}}, "parameters[1].name"},
  };
  for (const Case& c : cases) {
    grpc::Status status = Put(c.partner, c.scope, c.key, c.parameters);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_EQ(FieldOf(status), c.field) << status.error_message();
  }
}

}  // namespace
}  // namespace onramp::profile
