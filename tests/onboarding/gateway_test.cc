// Phones' HTTP and TFTP through the gateway, with curl, atftp and raw UDP
// as the clients, in front of real device-activation and profile-render
// services on real PostgreSQL.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "lib/clients/activation_code_client.h"
#include "lib/clients/device_activation_client.h"
#include "lib/clients/profile_render_client.h"
#include "lib/server/server.h"
#include "lib/store/migrations.h"
#include "lib/store/testing/database_test.h"
#include "lib/testing/shell.h"
#include "onramp/activation/v1/activation.grpc.pb.h"
#include "onramp/device/v1/device.grpc.pb.h"
#include "onramp/profile/v1/profile.grpc.pb.h"
#include "services/activation-code/migrations.h"
#include "services/activation-code/service.h"
#include "services/device-activation/migrations.h"
#include "services/device-activation/service.h"
#include "lib/tftp/packet.h"
#include "services/gateway/gateway.h"
#include "services/profile-render/migrations.h"
#include "services/profile-render/service.h"

namespace onramp {
namespace {

using ::onramp::testing::ReadFile;
using ::onramp::testing::RunShell;
using ::testing::HasSubstr;

// Runs curl; returns "<status>\n<headers and body>" as curl -i prints them.
std::string Curl(const std::string& arguments) {
  return RunShell("curl -s -i --max-time 10 " + arguments).output;
}

// A bare UDP socket on loopback, for speaking TFTP packet by packet.
class UdpClient {
 public:
  UdpClient() : fd_(socket(AF_INET, SOCK_DGRAM, 0)) {
    timeval timeout{.tv_sec = 10, .tv_usec = 0};  // a bound on a broken server, not a wait
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  ~UdpClient() { close(fd_); }

  void SendTo(int port, const std::string& datagram) {
    sockaddr_in to{.sin_family = AF_INET, .sin_port = htons(static_cast<uint16_t>(port))};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sendto(fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  }

  // The next datagram and the port it came from; empty on timeout.
  std::pair<std::string, int> Receive() {
    char buffer[2048];
    sockaddr_in from{};
    socklen_t length = sizeof from;
    ssize_t n = recvfrom(fd_, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &length);
    if (n < 0) return {"", 0};
    return {std::string(buffer, static_cast<size_t>(n)), ntohs(from.sin_port)};
  }

 private:
  int fd_;
};

constexpr char kAgent[] = "-A 'Cisco-CP-8851-3PCC/12.0.1 (000e08aabbcc)'";

class GatewayTest : public store::testing::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    std::string dir = ::testing::TempDir() + "/ca";
    ASSERT_EQ(std::system(("rm -rf " + dir + " && mkdir -p " + dir +
                           " && lib/testing/make_test_certs.sh " + dir).c_str()),
              0);
    ca_ = *device::CertificateAuthority::Load(ReadFile(dir + "/ca.pem"), ReadFile(dir + "/ca.key"));
    ASSERT_TRUE(store::Migrate(pool(), "device", device::Migrations()).ok());
    ASSERT_TRUE(store::Migrate(pool(), "profile", profile::Migrations()).ok());
    ASSERT_TRUE(store::Migrate(pool(), "activation", activation::Migrations()).ok());
    server::ServerOptions options{.host = "127.0.0.1", .metrics_host = "127.0.0.1",
                                  .drain_delay = absl::ZeroDuration()};
    auto registry = std::make_shared<prometheus::Registry>();
    device_store_ = std::make_unique<device::DeviceStore>(pool(), device::Limits{});
    device_service_ = std::make_unique<device::DeviceActivationServiceImpl>(
        *device_store_, *ca_, device::ServiceOptions{}, *registry);
    device_server_ = *server::Server::Start(options, {device_service_.get()}, registry);
    auto profile_registry = std::make_shared<prometheus::Registry>();
    profile_store_ = std::make_unique<profile::ProfileStore>(pool());
    profile_service_ = std::make_unique<profile::ProfileRenderServiceImpl>(
        *profile_store_, *profile_crypto::Sealer::Create(std::string(32, 'k'), "keys"), *profile_registry);
    profile_server_ = *server::Server::Start(options, {profile_service_.get()}, profile_registry);

    auto code_registry = std::make_shared<prometheus::Registry>();
    code_store_ = std::make_unique<activation::CodeStore>(pool());
    code_service_ = std::make_unique<activation::ActivationCodeServiceImpl>(
        *code_store_, *activation::CodeHasher::Create(std::string(32, 'h')),
        *activation::BatchSealer::Create(std::string(32, 'h')), activation::ServiceOptions{}, *code_registry);
    code_server_ = *server::Server::Start(options, {code_service_.get()}, code_registry);

    std::string code_address = absl::StrCat("127.0.0.1:", code_server_->grpc_port());
    std::string device_address = absl::StrCat("127.0.0.1:", device_server_->grpc_port());
    std::string profile_address = absl::StrCat("127.0.0.1:", profile_server_->grpc_port());
    codes_client_ = std::make_unique<clients::ActivationCodeClient>(code_address, absl::Seconds(5));
    devices_client_ = std::make_unique<clients::DeviceActivationClient>(device_address, absl::Seconds(5));
    profiles_client_ = std::make_unique<clients::ProfileRenderClient>(profile_address, absl::Seconds(5));
    routes_ = std::make_unique<gateway::PhoneRoutes>(*codes_client_, *devices_client_, *profiles_client_);
    gateway_registry_ = std::make_shared<prometheus::Registry>();
    gateway::Handler handler = gateway::Instrumented(*routes_, *gateway_registry_);
    gateway_ = *gateway::HttpServer::Start({.host = "127.0.0.1", .threads = 4, .max_header_bytes = 4096},
                                           handler);
    tftp_ = *gateway::TftpServer::Start({.host = "127.0.0.1", .threads = 2}, gateway::TftpFiles(handler));
    base_ = absl::StrCat("http://127.0.0.1:", gateway_->port());

    codes_ = activation::v1::ActivationCodeService::NewStub(
        grpc::CreateChannel(code_address, grpc::InsecureChannelCredentials()));
    devices_ = device::v1::DeviceActivationService::NewStub(
        grpc::CreateChannel(device_address, grpc::InsecureChannelCredentials()));
    profiles_ = profile::v1::ProfileRenderService::NewStub(
        grpc::CreateChannel(profile_address, grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    tftp_.reset();
    gateway_.reset();
    if (profile_server_) profile_server_->Drain();
    if (device_server_) device_server_->Drain();
    if (code_server_) code_server_->Drain();
  }

  void ClaimAndProfile() {
    grpc::ClientContext claim_context;
    device::v1::ClaimDevicesRequest claim;
    claim.set_partner("acme");
    claim.set_idempotency_key("k");
    claim.mutable_target()->set_profile_rule("http://prov.example.com/profile/$MA.xml");
    device::v1::Parameter* parameter = claim.mutable_target()->add_parameters();
    parameter->set_name("Resync_Periodic");
    parameter->set_value("600");
    device::v1::DeviceRow* row = claim.add_devices();
    row->mutable_mac()->set_value("000e08aabbcc");
    row->set_model("CP-8851-3PCC");
    device::v1::ClaimDevicesResponse claimed;
    ASSERT_TRUE(devices_->ClaimDevices(&claim_context, claim, &claimed).ok());

    grpc::ClientContext layer_context;
    profile::v1::PutLayerRequest layer;
    layer.mutable_ref()->set_partner("acme");
    layer.mutable_ref()->set_scope(profile::v1::SCOPE_DEVICE);
    layer.mutable_ref()->set_key("000e08aabbcc");
    profile::v1::Parameter* p = layer.add_parameters();
    p->set_name("Proxy_1_");
    p->set_value("sip.acme.example");
    p->set_ua(profile::v1::USER_ACCESS_NA);
    profile::v1::Layer stored;
    ASSERT_TRUE(profiles_->PutLayer(&layer_context, layer, &stored).ok());
  }

  std::unique_ptr<activation::CodeStore> code_store_;
  std::unique_ptr<activation::ActivationCodeServiceImpl> code_service_;
  std::unique_ptr<server::Server> code_server_;
  std::unique_ptr<device::CertificateAuthority> ca_;
  std::unique_ptr<device::DeviceStore> device_store_;
  std::unique_ptr<device::DeviceActivationServiceImpl> device_service_;
  std::unique_ptr<server::Server> device_server_;
  std::unique_ptr<profile::ProfileStore> profile_store_;
  std::unique_ptr<profile::ProfileRenderServiceImpl> profile_service_;
  std::unique_ptr<server::Server> profile_server_;
  std::unique_ptr<clients::ActivationCodeClient> codes_client_;
  std::unique_ptr<clients::DeviceActivationClient> devices_client_;
  std::unique_ptr<clients::ProfileRenderClient> profiles_client_;
  std::unique_ptr<gateway::PhoneRoutes> routes_;
  std::shared_ptr<prometheus::Registry> gateway_registry_;
  std::unique_ptr<gateway::HttpServer> gateway_;
  std::unique_ptr<gateway::TftpServer> tftp_;
  std::string base_;
  std::unique_ptr<activation::v1::ActivationCodeService::Stub> codes_;
  std::unique_ptr<device::v1::DeviceActivationService::Stub> devices_;
  std::unique_ptr<profile::v1::ProfileRenderService::Stub> profiles_;
};

TEST_F(GatewayTest, RedirectQueryReturnsTheProvidersRuleOr404) {
  ClaimAndProfile();
  std::string found = Curl(absl::StrCat(kAgent, " ", base_, "/device/CP-8851-3PCC/00:0E:08:AA:BB:CC"));
  EXPECT_THAT(found, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(found, HasSubstr("<Profile_Rule ua=\"na\">http://prov.example.com/profile/$MA.xml</Profile_Rule>"));
  EXPECT_THAT(found, HasSubstr("<Resync_Periodic ua=\"na\">600</Resync_Periodic>"));
  EXPECT_THAT(found, HasSubstr("X-Request-Id: "));
  EXPECT_THAT(Curl(base_ + "/device/CP-8851-3PCC/000e08aabbdd"), HasSubstr("HTTP/1.1 404"));
  EXPECT_THAT(Curl(base_ + "/device/CP-8851-3PCC/not-a-mac"), HasSubstr("HTTP/1.1 400"));
}

TEST_F(GatewayTest, ActivationRedeemsSixteenDigitCodesOnce) {
  grpc::ClientContext context;
  activation::v1::CreateCodesRequest create;
  create.set_partner("acme");
  create.set_count(1);
  create.set_idempotency_key("batch-1");
  create.mutable_target()->set_profile_rule("https://prov.acme.example/$MA.xml");
  create.mutable_target()->set_registration_endpoint("https://register.acme.example");
  activation::v1::CreateCodesResponse created;
  ASSERT_TRUE(codes_->CreateCodes(&context, create, &created).ok());
  const std::string code = created.codes(0).code();

  // A typo (the last digit changed) is refused by the check digit.
  std::string typo = code;
  typo.back() = typo.back() == '9' ? '0' : typo.back() + 1;
  std::string refused = Curl(absl::StrCat(kAgent, " -d code=", typo, " ", base_, "/activation"));
  EXPECT_THAT(refused, HasSubstr("HTTP/1.1 404"));
  EXPECT_THAT(refused, HasSubstr("check digit"));

  std::string redeemed = Curl(absl::StrCat(kAgent, " -d code=", code, " ", base_, "/activation"));
  EXPECT_THAT(redeemed, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(redeemed, HasSubstr("<Profile_Rule ua=\"na\">https://prov.acme.example/$MA.xml</Profile_Rule>"));
  EXPECT_THAT(redeemed, HasSubstr("https://register.acme.example"));
  // Used once: now it is no code at all for a phone.
  EXPECT_THAT(Curl(absl::StrCat(kAgent, " -d code=", code, " ", base_, "/activation")), HasSubstr("HTTP/1.1 404"));
  // No User-Agent and no form fields: the phone is unknown.
  EXPECT_THAT(Curl(absl::StrCat("-d code=", code, " ", base_, "/activation")), HasSubstr("HTTP/1.1 400"));
  EXPECT_THAT(Curl(absl::StrCat(kAgent, " -d code=%zz ", base_, "/activation")), HasSubstr("HTTP/1.1 400"));
  EXPECT_THAT(Curl(base_ + "/activation"), HasSubstr("HTTP/1.1 405"));
}

TEST_F(GatewayTest, ActivationResolvesHashShortCodes) {
  grpc::ClientContext context;
  device::v1::CreateRedirectProfileRequest create;
  create.set_partner("acme");
  create.set_name("4711");
  create.mutable_target()->set_profile_rule("https://prov.acme.example/short/$MA.xml");
  device::v1::RedirectProfile profile;
  ASSERT_TRUE(devices_->CreateRedirectProfile(&context, create, &profile).ok());

  std::string found = Curl(absl::StrCat(kAgent, " --data-urlencode code=#4711 ", base_, "/activation"));
  EXPECT_THAT(found, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(found, HasSubstr("https://prov.acme.example/short/$MA.xml"));
  EXPECT_THAT(Curl(absl::StrCat(kAgent, " --data-urlencode code=#4712 ", base_, "/activation")),
              HasSubstr("HTTP/1.1 404"));
  EXPECT_THAT(Curl(absl::StrCat(kAgent, " --data-urlencode code=#12 ", base_, "/activation")),
              HasSubstr("HTTP/1.1 404"));
}

TEST_F(GatewayTest, ReportsReachProfileRender) {
  const std::string body =
      "--data-binary '<flat-profile><Resync_Periodic>600</Resync_Periodic><Proxy_1_>sip.acme.example</Proxy_1_>"
      "</flat-profile>' -H 'Content-Type: application/xml' ";
  std::string kept = Curl(absl::StrCat(body, base_, "/report/000e08aabbcc.xml"));
  EXPECT_THAT(kept, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(kept, HasSubstr("ok: 2 parameters"));  // parsed by profile-render
  EXPECT_THAT(Curl(absl::StrCat(kAgent, " ", body, base_, "/report")), HasSubstr("ok: 2 parameters"));
  EXPECT_THAT(Curl(absl::StrCat(body, base_, "/report")), HasSubstr("HTTP/1.1 400"));
  EXPECT_THAT(Curl(base_ + "/report/000e08aabbcc.xml"), HasSubstr("HTTP/1.1 405"));
}

TEST_F(GatewayTest, FactoryDefaultFileNamesResolveLikeTheRedirectQuery) {
  ClaimAndProfile();
  constexpr char kRule[] = "<Profile_Rule ua=\"na\">http://prov.example.com/profile/$MA.xml</Profile_Rule>";
  const std::string agent_with_serial = "-A 'Cisco-CP-8851-3PCC/12.0.1 (000e08aabbcc)(FCH2233ABCD)'";
  for (const std::string file : {"CP-8851-3PCC.cfg", "000e08aabbcc.cfg", "000E08AABBCC.xml", "FCH2233ABCD.xml"}) {
    SCOPED_TRACE(file);
    std::string found = Curl(absl::StrCat(agent_with_serial, " ", base_, "/", file));
    EXPECT_THAT(found, HasSubstr("HTTP/1.1 200"));
    EXPECT_THAT(found, HasSubstr(kRule));
  }
  // Another model's file, another phone's serial, an unclaimed MAC: not this phone's.
  EXPECT_THAT(Curl(absl::StrCat(agent_with_serial, " ", base_, "/CP-6841-3PCC.cfg")), HasSubstr("HTTP/1.1 404"));
  EXPECT_THAT(Curl(absl::StrCat(agent_with_serial, " ", base_, "/FCH0000000.xml")), HasSubstr("HTTP/1.1 404"));
  EXPECT_THAT(Curl(absl::StrCat(agent_with_serial, " ", base_, "/000e08aabbdd.cfg")), HasSubstr("HTTP/1.1 404"));
  // Without a phone's User-Agent the model (and for &PN.cfg the MAC) is unknown.
  EXPECT_THAT(Curl(base_ + "/000e08aabbcc.cfg"), HasSubstr("HTTP/1.1 400"));
  EXPECT_THAT(Curl(absl::StrCat("-X POST ", agent_with_serial, " ", base_, "/CP-8851-3PCC.cfg")),
              HasSubstr("HTTP/1.1 405"));
}

TEST_F(GatewayTest, ResyncServesTheProfileWithEtagsOverHttp10And11) {
  ClaimAndProfile();
  std::string first = Curl(absl::StrCat(kAgent, " ", base_, "/profile/000e08aabbcc.xml"));
  EXPECT_THAT(first, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(first, HasSubstr("<Proxy_1_ ua=\"na\">sip.acme.example</Proxy_1_>"));
  size_t at = first.find("ETag: ");
  ASSERT_NE(at, std::string::npos);
  std::string etag = first.substr(at + 6, first.find('\r', at) - at - 6);
  std::string again = Curl(absl::StrCat(kAgent, " -H 'If-None-Match: ", etag, "' ", base_,
                                        "/profile/000e08aabbcc.xml"));
  EXPECT_THAT(again, HasSubstr("HTTP/1.1 304"));
  std::string old = Curl(absl::StrCat("-0 ", kAgent, " ", base_, "/profile/000e08aabbcc.xml"));
  EXPECT_THAT(old, HasSubstr("HTTP/1.0 200"));
  // A chunked POST resync (status in the body) works too.
  std::string post = Curl(absl::StrCat(kAgent, " -H 'Transfer-Encoding: chunked' --data-binary 'status=up' ",
                                       base_, "/profile/000e08aabbcc.xml"));
  EXPECT_THAT(post, HasSubstr("HTTP/1.1 200"));
  // Unknown phones and paths are "no such profile".
  EXPECT_THAT(Curl(absl::StrCat(kAgent, " ", base_, "/profile/000e08aabb99.xml")), HasSubstr("HTTP/1.1 404"));
  EXPECT_THAT(Curl(base_ + "/nothing/here"), HasSubstr("HTTP/1.1 404"));
}

TEST_F(GatewayTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  ClaimAndProfile();
  std::string output = Curl(absl::StrCat("-v ", kAgent, " ", base_, "/healthz ", base_, "/healthz"));
  EXPECT_THAT(output, HasSubstr("Re-using existing connection"));
}

TEST_F(GatewayTest, MalformedAndOversizedRequestsGetA4xx) {
  std::string huge(6000, 'x');
  EXPECT_THAT(Curl(absl::StrCat("-H 'X-Big: ", huge, "' ", base_, "/healthz")), HasSubstr("HTTP/1.1 431"));
  EXPECT_THAT(Curl(absl::StrCat("-X DELETE ", base_, "/profile/000e08aabbcc.xml")), HasSubstr("HTTP/1.1 405"));
  // Not HTTP at all: the connection gets a 400 and closes.
  std::string garbage = Curl(absl::StrCat("--http0.9 -X 'BAD METHOD' ", base_, "/"));
  EXPECT_THAT(garbage, HasSubstr("400"));
  EXPECT_THAT(Curl(base_ + "/healthz"), HasSubstr("HTTP/1.1 200"));  // still serving
}

}  // namespace
}  // namespace onramp

namespace onramp {
namespace {

TEST_F(GatewayTest, TftpReadRequestsResolveLikeHttpGets) {
  ClaimAndProfile();
  const std::string server = absl::StrCat(" 127.0.0.1 ", tftp_->port());
  const std::string plain = ::testing::TempDir() + "/plain.xml";
  const std::string small_blocks = ::testing::TempDir() + "/small_blocks.xml";
  ::onramp::testing::ShellResult got = RunShell("atftp -g -r device/CP-8851-3PCC/000e08aabbcc -l " + plain + server);
  ASSERT_EQ(got.exit_code, 0) << got.output;
  EXPECT_THAT(ReadFile(plain),
              HasSubstr("<Profile_Rule ua=\"na\">http://prov.example.com/profile/$MA.xml</Profile_Rule>"));
  // Negotiated options (8-byte blocks: dozens of them) give the same bytes.
  got = RunShell("atftp -g --option 'blksize 8' --option 'tsize' --option 'timeout 2' "
            "-r /device/CP-8851-3PCC/000e08aabbcc -l " + small_blocks + server);
  ASSERT_EQ(got.exit_code, 0) << got.output;
  EXPECT_EQ(ReadFile(small_blocks), ReadFile(plain));

  got = RunShell("atftp -g -r device/CP-8851-3PCC/000e08aabbdd -l /dev/null" + server);
  EXPECT_NE(got.exit_code, 0);
  EXPECT_THAT(got.output, HasSubstr("no provider has claimed this phone"));
  // No User-Agent over TFTP: a bare $MA.cfg cannot say which model asks.
  got = RunShell("atftp -g -r 000e08aabbcc.cfg -l /dev/null" + server);
  EXPECT_NE(got.exit_code, 0);
  EXPECT_THAT(got.output, HasSubstr("User-Agent"));
  got = RunShell("atftp -p -l " + plain + " -r uploaded.xml" + server);
  EXPECT_NE(got.exit_code, 0);
  EXPECT_THAT(got.output, HasSubstr("writes are refused"));
}

TEST_F(GatewayTest, TftpRetransmitsUntilAcknowledgedAndRejectsGarbage) {
  UdpClient client;
  client.SendTo(tftp_->port(), std::string("\x00\x09nonsense", 10));
  auto [answer, from] = client.Receive();
  absl::StatusOr<tftp::Packet> parsed = tftp::Parse(answer);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_TRUE(std::holds_alternative<tftp::Error>(*parsed));
  EXPECT_EQ(std::get<tftp::Error>(*parsed).code, tftp::ErrorCode::kIllegalOperation);

  client.SendTo(tftp_->port(), tftp::BuildRequest({.opcode = tftp::Opcode::kRrq,
                                                   .file_name = "healthz",
                                                   .mode = "octet",
                                                   .options = {{"blksize", "8"}, {"timeout", "1"}, {"tsize", "0"}}}));
  // The option acknowledgement, sent again while we stay silent.
  for (int copy = 0; copy < 2; ++copy) {
    std::tie(answer, from) = client.Receive();
    parsed = tftp::Parse(answer);
    ASSERT_TRUE(parsed.ok()) << "copy " << copy << ": " << parsed.status();
    ASSERT_TRUE(std::holds_alternative<tftp::OptionAck>(*parsed));
    EXPECT_EQ(std::get<tftp::OptionAck>(*parsed).options.at("tsize"), "3");  // "ok\n"
    EXPECT_NE(from, tftp_->port());  // a transfer port of its own
  }
  const int transfer_port = from;
  client.SendTo(transfer_port, tftp::BuildAck(0));
  for (int copy = 0; copy < 2; ++copy) {
    std::tie(answer, from) = client.Receive();
    parsed = tftp::Parse(answer);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    ASSERT_TRUE(std::holds_alternative<tftp::Data>(*parsed));
    EXPECT_EQ(std::get<tftp::Data>(*parsed).block, 1);
    EXPECT_EQ(std::get<tftp::Data>(*parsed).payload, "ok\n");
    EXPECT_EQ(from, transfer_port);
  }
  client.SendTo(transfer_port, tftp::BuildAck(1));
}

}  // namespace
}  // namespace onramp
