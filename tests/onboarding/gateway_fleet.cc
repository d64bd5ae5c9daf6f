#include "tests/onboarding/gateway_fleet.h"

#include <sys/socket.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "lib/base/digest/digest.h"
#include "lib/kit/store/migrations.h"
#include "lib/testing/free_port.h"
#include "lib/testing/shell.h"
#include "services/acs/migrations.h"
#include "services/activation-code/migrations.h"
#include "services/device-activation/migrations.h"
#include "services/firmware-catalog/migrations.h"
#include "services/gateway/wiring.h"
#include "services/profile-render/migrations.h"

namespace onramp::testing {

std::string Curl(const std::string& arguments) {
  return RunShell("curl -s -i --max-time 10 " + arguments).output;
}

void GatewayFleetTest::SetUp() {
  DatabaseTest::SetUp();
  if (HasFatalFailure()) return;
  dir_ = ::testing::TempDir() + "/fleet";
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_ + "/images");
  ASSERT_EQ(RunShell("lib/testing/make_test_certs.sh " + dir_).exit_code, 0);
  WriteServerCertificate("localhost");
  ca_ = *pki::CertificateAuthority::Load(ReadFile(dir_ + "/ca.pem"), ReadFile(dir_ + "/ca.key"));
  ASSERT_TRUE(store::Migrate(pool(), "device", device::Migrations()).ok());
  ASSERT_TRUE(store::Migrate(pool(), "profile", profile::Migrations()).ok());
  ASSERT_TRUE(store::Migrate(pool(), "activation", activation::Migrations()).ok());
  ASSERT_TRUE(store::Migrate(pool(), "firmware", firmware::Migrations()).ok());
  server::ServerOptions options{.host = "127.0.0.1", .metrics_host = "127.0.0.1",
                                .drain_delay = absl::ZeroDuration()};

  // The gateway's listeners first, so their addresses can go into the
  // services' options (firmware download URLs); requests reach the routes
  // made below.
  absl::StatusOr<std::unique_ptr<gateway::TlsContext>> tls =
      gateway::TlsContext::Load({.cert_file = dir_ + "/https.pem",
                                 .key_file = dir_ + "/https.key",
                                 .client_ca_file = dir_ + "/ca.pem",
                                 .factory_ca_file = dir_ + "/factory-ca.pem"});
  ASSERT_TRUE(tls.ok()) << tls.status();
  tls_ = *std::move(tls);
  gateway::Handler handler = [this](const gateway::Request& request, const gateway::Peer& peer) {
    return handlers_.handler(request, peer);
  };
  gateway::Dispatcher dispatch = [this](const gateway::Request& request, const gateway::Peer& peer) {
    return handlers_.dispatch(request, peer);
  };
  gateway::UploadRoute uploads = [this](const gateway::Request& head, const gateway::Peer& peer) {
    return handlers_.uploads(head, peer);
  };
  gateway::RefusalObserver refused = [this](gateway::Response& reply, const gateway::Peer& peer) {
    handlers_.refused(reply, peer);
  };
  gateway_ = *gateway::HttpServer::Start(
      {.host = "127.0.0.1", .handler_threads = 4, .max_header_bytes = 4096, .on_refused = refused}, dispatch,
      uploads);
  tls_gateway_ = *gateway::HttpServer::Start(
      {.host = "127.0.0.1",
       .handler_threads = 4,
       .tls = tls_.get(),
       .on_handshake = [this](std::string_view, bool resumed) { resumed_handshakes_ += resumed ? 1 : 0; }},
      dispatch, uploads);
  tftp_ = *gateway::TftpServer::Start({.host = "127.0.0.1", .threads = 2}, gateway::TftpFiles(handler));
  base_ = absl::StrCat("http://127.0.0.1:", gateway_->port());
  tls_base_ = absl::StrCat("https://127.0.0.1:", tls_gateway_->port());

  auto firmware_registry = std::make_shared<prometheus::Registry>();
  firmware_store_ = std::make_unique<firmware::PostgresCatalogStore>(pool());
  firmware_service_ = std::make_unique<firmware::FirmwareCatalogServiceImpl>(
      *firmware_store_,
      firmware::ServiceOptions{.image_dir = dir_ + "/images", .download_base_url = base_ + "/firmware/"},
      *firmware_registry);
  firmware_server_ = *server::Server::Start(options, {firmware_service_.get()}, firmware_registry);
  std::string firmware_address = absl::StrCat("127.0.0.1:", firmware_server_->grpc_port());
  firmware_client_ = std::make_unique<clients::FirmwareCatalogClient>(firmware_address);

  // device-activation and profile-render call each other (keys and
  // releases one way, timeline events the other): device-activation's
  // port is picked first so profile-render can be told it.
  std::string device_address = absl::StrCat("127.0.0.1:", FreeLoopbackPort(SOCK_STREAM));
  devices_client_ = std::make_unique<clients::DeviceActivationClient>(device_address);

  profile_registry_ = std::make_shared<prometheus::Registry>();
  profile_store_ = std::make_unique<profile::PostgresProfileStore>(pool());
  profile_service_ = std::make_unique<profile::ProfileRenderServiceImpl>(
      *profile_store_, *profile_crypto::Sealer::Create(std::string(32, 'k'), "keys"), *profile_registry_, 100000,
      absl::Milliseconds(250), devices_client_.get(), firmware_client_.get(), kTr069CredentialsSecret);
  profile_options_ = options;
  profile_server_ = *server::Server::Start(profile_options_, {profile_service_.get()}, profile_registry_);
  profile_server_->OnDrain([this] { profile_service_->EndWatches(); });
  profile_options_.grpc_port = profile_server_->grpc_port();
  std::string profile_address = absl::StrCat("127.0.0.1:", profile_server_->grpc_port());
  profiles_client_ = std::make_unique<clients::ProfileRenderClient>(profile_address);

  auto device_registry = std::make_shared<prometheus::Registry>();
  device_store_ = std::make_unique<device::PostgresDeviceStore>(pool(), device::Limits{});
  device_service_ = std::make_unique<device::DeviceActivationServiceImpl>(
      *device_store_, *ca_, device::ServiceOptions{}, *device_registry, profiles_client_.get());
  api_key_store_ = std::make_unique<device::PostgresApiKeyStore>(pool());
  api_key_service_ = std::make_unique<device::ApiKeyServiceImpl>(*api_key_store_);
  server::ServerOptions device_options = options;
  device_options.grpc_port = std::stoi(device_address.substr(device_address.rfind(':') + 1));
  webhook_store_ = std::make_unique<device::PostgresWebhookStore>(pool());
  webhook_sealer_ = std::make_unique<profile_crypto::Sealer>(
      *profile_crypto::Sealer::Create(std::string(32, 'w'), "webhook-secrets"));
  webhook_service_ = std::make_unique<device::WebhookServiceImpl>(*webhook_store_, *webhook_sealer_);
  device_server_ = *server::Server::Start(
      device_options, {device_service_.get(), api_key_service_.get(), webhook_service_.get()}, device_registry);
  // Webhook endpoints here are on loopback, with the fleet's CA; failed
  // deliveries come back within a fraction of a second.
  webhook_dispatcher_ = std::make_unique<device::WebhookDispatcher>(
      *webhook_store_, *webhook_sealer_,
      device::WebhookDispatcherOptions{.retry_base = absl::Milliseconds(100),
                                       .max_retry_delay = absl::Milliseconds(400),
                                       .allow_private_addresses = true,
                                       .ca_file = dir_ + "/ca.pem"},
      *device_registry);
  webhook_sender_ = std::make_unique<server::Periodic>(absl::Milliseconds(50), [this] {
    if (absl::StatusOr<int> sent = webhook_dispatcher_->RunOnce(); !sent.ok()) ADD_FAILURE() << sent.status();
  });
  syslog_registry_ = std::make_shared<prometheus::Registry>();
  syslog_ = *gateway::SyslogIntake::Start(
      {.host = "127.0.0.1", .flush_interval = absl::Milliseconds(50)}, *devices_client_, *syslog_registry_);
  halt_notices_ = std::make_unique<firmware::HaltNotices>(*firmware_store_, *devices_client_);
  halt_notifier_ = std::make_unique<server::Periodic>(absl::Milliseconds(50), [this] {
    if (absl::Status told = halt_notices_->SendUntold(); !told.ok()) ADD_FAILURE() << told;
  });

  auto code_registry = std::make_shared<prometheus::Registry>();
  code_store_ = std::make_unique<activation::PostgresCodeStore>(pool());
  code_service_ = std::make_unique<activation::ActivationCodeServiceImpl>(
      *code_store_, *activation::CodeHasher::Create(std::string(32, 'h')),
      *activation::BatchSealer::Create(std::string(32, 'h')), activation::ServiceOptions{}, *code_registry);
  code_server_ = *server::Server::Start(options, {code_service_.get()}, code_registry);

  std::string code_address = absl::StrCat("127.0.0.1:", code_server_->grpc_port());
  codes_client_ = std::make_unique<clients::ActivationCodeClient>(code_address);
  // The TR-069 ACS, behind the gateway's /cwmp.
  EXPECT_TRUE(store::Migrate(pool(), "acs", acs::Migrations()).ok());
  acs_client_ = std::make_unique<clients::AcsClient>(StartAcs(profile_address, device_address));
  revoked_ = gateway::RevocationsOf(*devices_client_, kRevocationPoll);
  edge_ = std::make_unique<gateway::EdgeCache>(10000);
  edge_deliveries_ = std::make_unique<gateway::EdgeDeliveries>(*profiles_client_, absl::Milliseconds(50));
  render_watch_ = std::make_unique<gateway::RenderWatch>(profile_address, *edge_);
  routes_ = std::make_unique<gateway::PhoneRoutes>(*codes_client_, *devices_client_, *profiles_client_,
                                                   *firmware_client_, *revoked_, acs_client_.get(), edge_.get(),
                                                   edge_deliveries_.get());
  gateway_registry_ = std::make_shared<prometheus::Registry>();
  // No key cache and no partner rate limit: tests see revocations at once.
  partner_api_ = std::make_unique<gateway::PartnerApi>(
      *codes_client_, *devices_client_, *profiles_client_, *firmware_client_,
      gateway::PartnerAuthOptions{.key_cache = absl::ZeroDuration(), .partner_rate = 0}, acs_client_.get());
  console_ = std::make_unique<gateway::Console>(*devices_client_, partner_api_->auth(), *gateway_registry_);
  handlers_ = gateway::Instrumented(*routes_, *gateway_registry_, nullptr, partner_api_.get(), console_.get());

  codes_ = activation::v1::ActivationCodeService::NewStub(
      grpc::CreateChannel(code_address, grpc::InsecureChannelCredentials()));
  devices_ = device::v1::DeviceActivationService::NewStub(
      grpc::CreateChannel(device_address, grpc::InsecureChannelCredentials()));
  profiles_ = profile::v1::ProfileRenderService::NewStub(
      grpc::CreateChannel(profile_address, grpc::InsecureChannelCredentials()));
  firmware_ = firmware::v1::FirmwareCatalogService::NewStub(
      grpc::CreateChannel(firmware_address, grpc::InsecureChannelCredentials()));
  api_keys_ = device::v1::ApiKeyService::NewStub(grpc::CreateChannel(device_address, grpc::InsecureChannelCredentials()));
}

double GatewayFleetTest::ProfilesFromCopies() {
  double total = 0;
  for (const prometheus::MetricFamily& family : gateway_registry_->Collect()) {
    if (family.name != "onramp_gateway_profiles_from_copies_total") continue;
    for (const prometheus::ClientMetric& metric : family.metric) total += metric.counter.value;
  }
  return total;
}

void GatewayFleetTest::RequireHttpAuth() {
  grpc::ClientContext context;
  profile::v1::PutHttpAuthRequest auth;
  auth.set_partner("acme");
  auth.set_realm("acme phones");
  auth.set_username("phone");
  auth.set_password("correct horse");
  profile::v1::HttpAuth stored;
  grpc::Status status = profiles_->PutHttpAuth(&context, auth, &stored);
  ASSERT_TRUE(status.ok()) << status.error_message();
}

std::string GatewayFleetTest::StartAcs(const std::string&, const std::string&) {
  acs_sessions_ = std::make_unique<acs::PostgresSessionStore>(pool());
  acs_tasks_ = std::make_unique<acs::PostgresTaskStore>(pool());
  acs_service_ = std::make_unique<acs::AcsServiceImpl>(*acs_sessions_, *acs_tasks_, *profiles_client_, *devices_client_,
                                                       acs_requester_,
                                                       acs::ServiceOptions{kTr069CredentialsSecret});
  server::ServerOptions options{.host = "127.0.0.1", .metrics_host = "127.0.0.1",
                                .drain_delay = absl::ZeroDuration()};
  acs_server_ = *server::Server::Start(options, {acs_service_.get()}, std::make_shared<prometheus::Registry>());
  return absl::StrCat("127.0.0.1:", acs_server_->grpc_port());
}

std::vector<std::string> GatewayFleetTest::TimelineKinds(const std::string& mac) {
  grpc::ClientContext context;
  device::v1::DeviceRequest request;
  request.set_partner("acme");
  request.mutable_mac()->set_value(mac);
  device::v1::Timeline timeline;
  grpc::Status status = devices_->GetTimeline(&context, request, &timeline);
  EXPECT_TRUE(status.ok()) << status.error_message();
  std::vector<std::string> kinds;
  for (const device::v1::Event& event : timeline.events()) kinds.push_back(event.kind());
  return kinds;
}

void GatewayFleetTest::UploadImage(const std::string& name, const std::string& bytes) {
  grpc::ClientContext context;
  firmware::v1::Image image;
  auto writer = firmware_->RegisterImage(&context, &image);
  firmware::v1::ImageUpload upload;
  upload.mutable_metadata()->set_file_name(name);
  upload.mutable_metadata()->add_models(kPhoneModel);
  upload.mutable_metadata()->set_size(static_cast<int64_t>(bytes.size()));
  upload.mutable_metadata()->set_sha256(digest::Sha256Hex(bytes));
  ASSERT_TRUE(writer->Write(upload));
  for (size_t at = 0; at < bytes.size(); at += 100000) {
    firmware::v1::ImageUpload chunk;
    chunk.set_chunk(bytes.substr(at, 100000));
    ASSERT_TRUE(writer->Write(chunk));
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  ASSERT_TRUE(status.ok()) << status.error_message();
}

ApiAnswer GatewayFleetTest::Api(const std::string& method, const std::string& path, const std::string& key,
                                const std::string& body, const std::string& extra, const std::string& content_type,
                                const std::string& base) {
  std::ofstream(dir_ + "/request") << body;
  std::string command = absl::StrCat(
      "curl -s --max-time 10 --cacert ", dir_, "/ca.pem -X ", method, " -D ", dir_, "/headers -o ", dir_,
      "/body -w '%{http_code}' ", key.empty() ? "" : absl::StrCat("-H 'Authorization: Bearer ", key, "' "),
      body.empty() ? "" : absl::StrCat("-H 'Content-Type: ", content_type, "' --data-binary @", dir_, "/request "),
      extra, " '", base.empty() ? tls_base_ : base, path, "'");
  ShellResult result = RunShell(command);
  ApiAnswer answer;
  answer.status = std::atoi(result.output.c_str());
  answer.headers = ReadFile(dir_ + "/headers");
  answer.body = ReadFile(dir_ + "/body");
  return answer;
}

std::map<std::string, std::string> GatewayFleetTest::PlanTwoHopUpgrade(size_t size) {
  std::map<std::string, std::string> images;
  for (const char* name : {kHopMiddle, kHopTarget}) {
    std::string bytes(size, '\0');
    std::mt19937 random(static_cast<unsigned>(std::string(name).size()));
    for (char& c : bytes) c = static_cast<char>(random());
    UploadImage(name, bytes);
    images[name] = std::move(bytes);
  }
  AddUpgradeEdge("11-0-0MPP-1", "11-2-9MSR9-999", "11-3-1MPP-100");
  AddUpgradeEdge("11-3-0MPP-1", "11-9-9MSR9-999", "12-5-1MPP-100");
  grpc::ClientContext context;
  firmware::v1::Target target;
  target.set_partner("acme");
  target.set_model(kPhoneModel);
  target.set_version("12-5-1MPP-100");
  firmware::v1::Target stored;
  grpc::Status status = firmware_->SetTarget(&context, target, &stored);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return images;
}

void GatewayFleetTest::AddUpgradeEdge(const std::string& from_min, const std::string& from_max,
                                      const std::string& to) {
  grpc::ClientContext context;
  firmware::v1::UpgradeEdge edge;
  edge.set_model(kPhoneModel);
  edge.set_from_min(from_min);
  edge.set_from_max(from_max);
  edge.set_to(to);
  firmware::v1::UpgradeEdge stored;
  grpc::Status status = firmware_->SetUpgradeEdge(&context, edge, &stored);
  ASSERT_TRUE(status.ok()) << status.error_message();
}

std::string GatewayFleetTest::CreateApiKey(const std::string& partner) {
  grpc::ClientContext context;
  device::v1::CreateApiKeyRequest request;
  request.set_partner(partner);
  request.set_name("tests");
  device::v1::CreateApiKeyResponse response;
  grpc::Status status = api_keys_->CreateApiKey(&context, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response.secret();
}

std::string GatewayFleetTest::CurlTls(const std::string& arguments) {
  return Curl(absl::StrCat("--cacert ", dir_, "/ca.pem ", arguments));
}

std::string GatewayFleetTest::CurlAsFactoryPhone(const std::string& arguments) {
  return CurlTls(absl::StrCat("--cert ", dir_, "/factory.pem --key ", dir_, "/factory.key ", arguments));
}

void GatewayFleetTest::TearDown() {
  syslog_.reset();
  halt_notifier_.reset();
  webhook_sender_.reset();
  tftp_.reset();
  tls_gateway_.reset();
  gateway_.reset();
  revoked_.reset();
  render_watch_.reset();
  edge_deliveries_.reset();  // tells profile-render what it answered from copies
  // What profile-render still holds for the timeline goes while
  // device-activation is there to take it.
  if (profile_service_) profile_service_->FlushDeliveries();
  for (auto* server : {&acs_server_, &firmware_server_, &profile_server_, &device_server_, &code_server_}) {
    if (*server) (*server)->Drain();
  }
}

void GatewayFleetTest::StopProfileRender() {
  profile_server_->Drain();
  profile_server_.reset();
  // The gateway hears its watch end a moment later; until then it may still
  // answer from copies, which a test of the outage must not see.
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (edge_->watching() && absl::Now() < deadline) {
  }
  EXPECT_FALSE(edge_->watching());
}

void GatewayFleetTest::StartProfileRender() {
  absl::StatusOr<std::unique_ptr<server::Server>> started =
      server::Server::Start(profile_options_, {profile_service_.get()}, profile_registry_);
  ASSERT_TRUE(started.ok()) << started.status();
  profile_server_ = *std::move(started);
  profile_server_->OnDrain([this] { profile_service_->EndWatches(); });
}

void GatewayFleetTest::WriteServerCertificate(const std::string& common_name) {
  ShellResult made = RunShell(absl::StrCat(
      "cd ", dir_, " && openssl req -new -newkey rsa:2048 -nodes -keyout https.key -out https.csr -subj /CN=",
      common_name, " 2>&1 && printf 'subjectAltName=DNS:localhost,DNS:gw.onramp.test,IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n'",
      " > https.ext && openssl x509 -req -in https.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2",
      " -extfile https.ext -out https.pem 2>&1"));
  ASSERT_EQ(made.exit_code, 0) << made.output;
}

void GatewayFleetTest::ClaimAndProfile(bool with_secret, const std::string& profile_rule,
                                       profile::v1::Encryption encryption) {
  ClaimPhone(profile_rule);
  if (HasFatalFailure()) return;
  PutPhoneLayer(with_secret, encryption);
}

device::v1::CustomizationState GatewayFleetTest::CloudState(const std::string& mac) {
  grpc::ClientContext context;
  device::v1::DeviceRequest request;
  request.set_partner("acme");
  request.mutable_mac()->set_value(mac);
  device::v1::Device device;
  grpc::Status status = devices_->GetDevice(&context, request, &device);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return device.state();
}

void GatewayFleetTest::ClaimPhone(const std::string& profile_rule, const std::string& mac) {
  grpc::ClientContext claim_context;
  device::v1::ClaimDevicesRequest claim;
  claim.set_partner("acme");
  claim.set_idempotency_key("claim-" + mac + "-" + profile_rule);
  claim.mutable_target()->set_profile_rule(profile_rule);
  device::v1::Parameter* parameter = claim.mutable_target()->add_parameters();
  parameter->set_name("Resync_Periodic");
  parameter->set_value("600");
  device::v1::DeviceRow* row = claim.add_devices();
  row->mutable_mac()->set_value(mac);
  row->set_model(kPhoneModel);
  device::v1::ClaimDevicesResponse claimed;
  ASSERT_TRUE(devices_->ClaimDevices(&claim_context, claim, &claimed).ok());
}

void GatewayFleetTest::PutPhoneLayer(bool with_secret, profile::v1::Encryption encryption, const std::string& mac) {
  grpc::ClientContext layer_context;
  profile::v1::PutLayerRequest layer;
  layer.mutable_ref()->set_partner("acme");
  layer.mutable_ref()->set_scope(profile::v1::SCOPE_DEVICE);
  layer.mutable_ref()->set_key(mac);
  layer.set_encryption(encryption);
  profile::v1::Parameter* proxy = layer.add_parameters();
  proxy->set_name("Proxy_1_");
  proxy->set_value("sip.acme.example");
  proxy->set_ua(profile::v1::USER_ACCESS_NA);
  if (with_secret) {
    profile::v1::Parameter* password = layer.add_parameters();
    password->set_name("Password_1_");
    password->set_value("s3cret-sip-password");
    password->set_ua(profile::v1::USER_ACCESS_NA);
    password->set_secret(true);
  }
  // Replacing whatever layer is there.
  grpc::ClientContext get_context;
  profile::v1::Layer current;
  if (profiles_->GetLayer(&get_context, layer.ref(), &current).ok()) layer.set_if_version(current.version());
  profile::v1::Layer stored;
  grpc::Status put = profiles_->PutLayer(&layer_context, layer, &stored);
  ASSERT_TRUE(put.ok()) << put.error_message();
}

std::string GatewayFleetTest::RegisterPhone() {
  grpc::ClientContext lookup_context;
  device::v1::LookupRequest lookup;
  lookup.mutable_device()->mutable_mac()->set_value(kPhoneMac);
  lookup.mutable_device()->set_model(kPhoneModel);
  lookup.set_source_address("127.0.0.1");
  // As the gateway asks for a phone that showed its factory certificate.
  lookup.mutable_evidence()->set_channel(common::v1::CHANNEL_HTTPS);
  lookup.mutable_evidence()->set_proof(common::v1::PROOF_FACTORY_CERTIFICATE);
  device::v1::LookupResponse found;
  grpc::Status looked_up = devices_->Lookup(&lookup_context, lookup, &found);
  EXPECT_TRUE(looked_up.ok()) << looked_up.error_message();
  for (const device::v1::Parameter& parameter : found.target().parameters()) {
    if (parameter.name() == "GPP_SA") phone_key_ = parameter.value();
  }
  ShellResult csr = RunShell(absl::StrCat("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ",
                                          dir_, "/phone.key -out ", dir_, "/phone.csr -subj /CN=phone 2>&1"));
  EXPECT_EQ(csr.exit_code, 0) << csr.output;
  grpc::ClientContext register_context;
  device::v1::RegisterRequest request;
  request.mutable_mac()->set_value(kPhoneMac);
  request.set_registration_credential(found.registration_credential());
  request.set_csr_pem(ReadFile(dir_ + "/phone.csr"));
  device::v1::RegisterResponse registered;
  grpc::Status status = devices_->Register(&register_context, request, &registered);
  EXPECT_TRUE(status.ok()) << status.error_message();
  std::ofstream(dir_ + "/phone.pem") << registered.certificate_pem();
  return dir_;
}

}  // namespace onramp::testing
