// Phones' HTTP and TFTP through the gateway, with curl, atftp and raw UDP
// as the clients, in front of real device-activation and profile-render
// services on real PostgreSQL.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <fstream>


#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/rate_limit/token_buckets.h"
#include "lib/phone/profile_crypto/gzip.h"
#include "lib/phone/profile_crypto/openssl_enc.h"
#include "lib/phone/tftp/packet.h"
#include "lib/testing/shell.h"
#include "services/gateway/wiring.h"
#include "tests/onboarding/gateway_fleet.h"

namespace onramp {
namespace {

using ::onramp::testing::ReadFile;
using ::onramp::testing::RunShell;
using ::testing::HasSubstr;
using ::testing::Not;

// A bare UDP socket on loopback, for speaking TFTP packet by packet.
class UdpClient {
 public:
  // From `source`, a loopback address (any of 127/8 is this host's).
  // `timeout_seconds` bounds each Receive (a broken server, a lost datagram).
  explicit UdpClient(const char* source = "127.0.0.1", int timeout_seconds = 10) : fd_(socket(AF_INET, SOCK_DGRAM, 0)) {
    timeval timeout{.tv_sec = timeout_seconds, .tv_usec = 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in from{.sin_family = AF_INET, .sin_port = 0};
    inet_pton(AF_INET, source, &from.sin_addr);
    bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from);
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

constexpr const char* kAgent = ::onramp::testing::kPhoneAgent;
using ::onramp::testing::Curl;
using GatewayTest = ::onramp::testing::GatewayFleetTest;

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
  EXPECT_THAT(refused, HasSubstr("HTTP/1.1 400"));
  EXPECT_THAT(refused, HasSubstr("check digit"));

  std::string redeemed = Curl(absl::StrCat(kAgent, " -d code=", code, " ", base_, "/activation"));
  EXPECT_THAT(redeemed, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(redeemed, HasSubstr("<Profile_Rule ua=\"na\">https://prov.acme.example/$MA.xml</Profile_Rule>"));
  EXPECT_THAT(redeemed, HasSubstr("https://register.acme.example"));
  // Used once: for another phone it is no code at all, in the same words
  // as an unknown one; the phone that redeemed it gets its answer again.
  std::string other = Curl(absl::StrCat("-A 'Cisco-CP-8851-3PCC/12.0.1 (000e08aabbdd)' -d code=", code, " ", base_,
                                        "/activation"));
  EXPECT_THAT(other, HasSubstr("HTTP/1.1 404"));
  EXPECT_THAT(other, HasSubstr("no such activation code"));
  EXPECT_THAT(Curl(absl::StrCat(kAgent, " -d code=", code, " ", base_, "/activation")),
              HasSubstr("<Profile_Rule ua=\"na\">https://prov.acme.example/$MA.xml</Profile_Rule>"));
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
              HasSubstr("HTTP/1.1 400"));
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

TEST_F(GatewayTest, OnlyThePhonesOwnUpgradeReportsCountAgainstThePartnersRollout) {
  ClaimAndProfile();  // acme configures the phone
  RegisterPhone();    // which holds its key and certificate
  UploadImage("sip88xx.12-0-1MPP0001-245.loads", "the image rolled out");
  grpc::ClientContext context;
  firmware::v1::CreateRolloutRequest create;
  create.set_partner("acme");
  create.set_model(::onramp::testing::kPhoneModel);
  create.set_target_version("12-0-1MPP0001-245");
  firmware::v1::RolloutStage* stage = create.add_stages();
  stage->set_percent(100);
  stage->mutable_min_soak()->set_seconds(3600);  // running all through the test
  create.set_failure_threshold_percent(50);
  firmware::v1::Rollout rollout;
  ASSERT_TRUE(firmware_->CreateRollout(&context, create, &rollout).ok());
  auto outcome = [](const std::string& status) {
    return absl::StrCat("<flat-profile><Software_Version>sip88xx.11-2-3MSR1-1.loads</Software_Version>",
                        "<Upgrade_Status>", status, "</Upgrade_Status><Upgrade_Error>checksum</Upgrade_Error>",
                        "<Upgrade_From>11-2-3MSR1-1</Upgrade_From><Upgrade_To>12-0-1MPP0001-245</Upgrade_To>",
                        "</flat-profile>");
  };
  auto counts = [&] {
    grpc::ClientContext get_context;
    firmware::v1::RolloutRef ref;
    ref.set_partner("acme");
    ref.set_id(rollout.id());
    firmware::v1::Rollout now;
    EXPECT_TRUE(firmware_->GetRollout(&get_context, ref, &now).ok());
    return std::make_pair(now.successes(), now.failures());
  };
  const std::string report_path = "/report/000e08aabbcc.xml";
  // Anyone's report, over plain HTTP: kept, passed on, not counted.
  std::string strangers = Curl(absl::StrCat(kAgent, " -H 'Content-Type: application/xml' --data-binary '",
                                            outcome("Failed"), "' ", base_, report_path));
  EXPECT_THAT(strangers, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(strangers, HasSubstr("upgrade reported"));
  EXPECT_EQ(counts(), std::make_pair(0, 0));
  // The phone's, encrypted with its key (Report_Rule --key): counted.
  std::ofstream(dir_ + "/report.enc", std::ios::binary)
      << profile_crypto::EncryptOpensslEnc(outcome("Failed"), phone_key_);
  EXPECT_THAT(Curl(absl::StrCat(kAgent, " --data-binary @", dir_, "/report.enc ", base_, report_path)),
              HasSubstr("HTTP/1.1 200"));
  EXPECT_EQ(counts(), std::make_pair(0, 1));
  // Its later word, over mutual TLS with its certificate, replaces it.
  EXPECT_THAT(CurlTls(absl::StrCat("--cert ", dir_, "/phone.pem --key ", dir_, "/phone.key ", kAgent,
                                   " -H 'Content-Type: application/xml' --data-binary '", outcome("success"), "' ",
                                   tls_base_, report_path)),
              HasSubstr("HTTP/1.1 200"));
  EXPECT_EQ(counts(), std::make_pair(1, 0));
  // A body that claims to be encrypted but does not open with the key is refused.
  EXPECT_THAT(Curl(absl::StrCat(kAgent, " --data-binary 'Salted__nonsense' ", base_, report_path)),
              HasSubstr("HTTP/1.1 400"));
  // A report without an outcome (still downloading) reports nothing.
  EXPECT_THAT(Curl(absl::StrCat(kAgent, " --data-binary '", outcome("Downloading"), "' ", base_, report_path)),
              Not(HasSubstr("upgrade reported")));
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

TEST_F(GatewayTest, GzipTheIpMacroAndKeyRotationReachPhonesThroughTheGateway) {
  ClaimAndProfile(/*with_secret=*/true);
  // The partner asks for gzipped profiles, and a value names the phone's address.
  grpc::ClientContext get_context;
  profile::v1::LayerRef ref;
  ref.set_partner("acme");
  ref.set_scope(profile::v1::SCOPE_DEVICE);
  ref.set_key(::onramp::testing::kPhoneMac);
  profile::v1::Layer current;
  ASSERT_TRUE(profiles_->GetLayer(&get_context, ref, &current).ok());
  grpc::ClientContext put_context;
  profile::v1::PutLayerRequest put;
  *put.mutable_ref() = ref;
  put.set_if_version(current.version());
  put.set_gzip(true);
  for (const profile::v1::Parameter& parameter : current.parameters()) *put.add_parameters() = parameter;
  profile::v1::Parameter* display = put.add_parameters();
  display->set_name("Display_Name_1_");
  display->set_value("Desk at $IP");
  profile::v1::Layer stored;
  grpc::Status status = profiles_->PutLayer(&put_context, put, &stored);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(stored.gzip());

  // The phone proves itself and is handed its key.
  auto handed_key = [&] {
    std::string redirect =
        CurlAsFactoryPhone(absl::StrCat(kAgent, " ", tls_base_, "/device/CP-8851-3PCC/000e08aabbcc"));
    const std::string tag = "<GPP_SA ua=\"na\">";
    size_t at = redirect.find(tag);
    EXPECT_NE(at, std::string::npos) << redirect;
    if (at == std::string::npos) return std::string();
    at += tag.size();
    return redirect.substr(at, redirect.find('<', at) - at);
  };
  auto profile = [&](const std::string& key) {
    std::string answer = Curl(absl::StrCat(kAgent, " ", base_, "/profile/000e08aabbcc.xml"));
    size_t body = answer.find("\r\n\r\n");
    absl::StatusOr<profile_crypto::DecryptedProfile> opened =
        profile_crypto::DecryptOpensslEnc(answer.substr(body + 4), key);
    if (!opened.ok()) return std::string();
    EXPECT_EQ(opened->plaintext.substr(0, 2), "\x1f\x8b") << "gzipped before it was encrypted";
    absl::StatusOr<std::string> xml = profile_crypto::Gunzip(opened->plaintext);
    return xml.ok() ? *xml : std::string();
  };
  const std::string first_key = handed_key();
  std::string xml = profile(first_key);
  EXPECT_THAT(xml, HasSubstr("s3cret-sip-password"));
  EXPECT_THAT(xml, HasSubstr("<Display_Name_1_>Desk at 127.0.0.1</Display_Name_1_>"));

  // The partner rotates the key; the phone's next proven answer hands it
  // the new one, and its profiles follow.
  grpc::ClientContext rotate_context;
  profile::v1::DeviceKeyRequest rotate;
  rotate.set_partner("acme");
  rotate.mutable_mac()->set_value(::onramp::testing::kPhoneMac);
  profile::v1::DeviceKey rotated;
  ASSERT_TRUE(profiles_->RotateDeviceKey(&rotate_context, rotate, &rotated).ok());
  EXPECT_THAT(profile(first_key), HasSubstr("s3cret-sip-password"));  // until handed over
  const std::string second_key = handed_key();
  EXPECT_NE(second_key, first_key);
  EXPECT_THAT(profile(second_key), HasSubstr("s3cret-sip-password"));
  EXPECT_EQ(profile(first_key), "");
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
  // If-None-Match as RFC 9110 has it, the same as for firmware: a list, compared weakly.
  EXPECT_THAT(Curl(absl::StrCat(kAgent, " -H 'If-None-Match: \"other\", W/", etag, "' ", base_,
                                "/profile/000e08aabbcc.xml")),
              HasSubstr("HTTP/1.1 304"));
  EXPECT_THAT(Curl(absl::StrCat(kAgent, " -H 'If-None-Match: \"other\"' ", base_, "/profile/000e08aabbcc.xml")),
              HasSubstr("HTTP/1.1 200"));
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

TEST_F(GatewayTest, APartnersHttpAuthenticationIsChallengedAndAcceptedInBothSchemes) {
  ClaimAndProfile();
  RequireHttpAuth();

  const std::string profile = absl::StrCat(kAgent, " ", base_, "/profile/000e08aabbcc.xml");
  std::string challenged = Curl(profile);
  EXPECT_THAT(challenged, HasSubstr("HTTP/1.1 401"));
  EXPECT_THAT(challenged, HasSubstr("WWW-Authenticate: Digest realm=\"acme phones\", qop=\"auth\""));
  EXPECT_THAT(challenged, HasSubstr("WWW-Authenticate: Basic realm=\"acme phones\""));
  EXPECT_THAT(challenged, Not(HasSubstr("sip.acme.example")));
  // curl answers the challenge as the phones do.
  std::string digest = Curl("--digest -u 'phone:correct horse' " + profile);
  EXPECT_THAT(digest, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(digest, HasSubstr("sip.acme.example"));
  EXPECT_THAT(Curl("--basic -u 'phone:correct horse' " + profile), HasSubstr("sip.acme.example"));
  std::string wrong = Curl("--digest -u 'phone:wrong horse' " + profile);
  EXPECT_THAT(wrong, HasSubstr("HTTP/1.1 401"));
  EXPECT_THAT(wrong, Not(HasSubstr("HTTP/1.1 200")));
  // Other phones' redirects are not the partner's profiles.
  EXPECT_THAT(Curl(absl::StrCat(kAgent, " ", base_, "/device/CP-8851-3PCC/000e08aabbcc")), HasSubstr("HTTP/1.1 200"));
}

TEST_F(GatewayTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  ClaimAndProfile();
  std::string output = Curl(absl::StrCat("-v ", kAgent, " ", base_, "/healthz ", base_, "/healthz"));
  EXPECT_THAT(output, HasSubstr("Re-using existing connection"));
}

TEST_F(GatewayTest, ASourcePastItsRateGets429WithRetryAfter) {
  rate_limit::TokenBuckets per_source({.rate_per_second = 0.5, .burst = 3});
  auto registry = std::make_shared<prometheus::Registry>();
  std::unique_ptr<gateway::HttpServer> limited =
      *gateway::HttpServer::Start({.host = "127.0.0.1"}, gateway::Instrumented(*routes_, *registry, &per_source).dispatch);
  const std::string url = absl::StrCat("http://127.0.0.1:", limited->port(), "/device/CP-8851-3PCC/000e08aabbdd");
  for (int i = 0; i < 3; ++i) EXPECT_THAT(Curl(url), HasSubstr("HTTP/1.1 404")) << i;
  std::string refused = Curl(url);
  EXPECT_THAT(refused, HasSubstr("HTTP/1.1 429"));
  EXPECT_THAT(refused, HasSubstr("Retry-After: 2"));  // one token at 0.5 per second
  // Health probes are never limited.
  EXPECT_THAT(Curl(absl::StrCat("http://127.0.0.1:", limited->port(), "/healthz")), HasSubstr("HTTP/1.1 200"));
}

TEST_F(GatewayTest, AServicesLimitComesWithItsRealWait) {
  // device-activation allows 60 redirect misses per source an hour (fixed
  // windows from the epoch); the 61st is told when the window ends.
  for (int i = 0; i < 60; ++i) {
    EXPECT_THAT(Curl(absl::StrCat("--interface 127.0.0.5 ", base_, "/device/CP-8851-3PCC/000e0800", absl::Hex(i, absl::kZeroPad4))),
                HasSubstr("HTTP/1.1 404"));
  }
  std::string limited = Curl(absl::StrCat("--interface 127.0.0.5 ", base_, "/device/CP-8851-3PCC/000e08aaaaaa"));
  int64_t window_left = 3600 - absl::ToUnixSeconds(absl::Now()) % 3600;
  EXPECT_THAT(limited, HasSubstr("HTTP/1.1 429"));
  size_t at = limited.find("Retry-After: ");
  ASSERT_NE(at, std::string::npos) << limited;
  int64_t retry_after = 0;
  ASSERT_TRUE(absl::SimpleAtoi(limited.substr(at + 13, limited.find('\r', at) - at - 13), &retry_after));
  EXPECT_NEAR(retry_after, window_left, 2);
  // Another address is not held back.
  EXPECT_THAT(Curl(absl::StrCat("--interface 127.0.0.6 ", base_, "/device/CP-8851-3PCC/000e08aaaaaa")),
              HasSubstr("HTTP/1.1 404"));
}

TEST_F(GatewayTest, AnUnreachableBackendIsA503WithRetryAfterThatHidesTheCause) {
  // Nothing listens on port 1; calls are retried, then given up.
  clients::CallPolicy fast{.deadline = absl::Seconds(2), .first_backoff = absl::Milliseconds(5)};
  clients::ActivationCodeClient codes("127.0.0.1:1", fast);
  clients::DeviceActivationClient devices("127.0.0.1:1", fast);
  clients::ProfileRenderClient profiles("127.0.0.1:1", fast);
  clients::FirmwareCatalogClient firmware("127.0.0.1:1", fast);
  gateway::RevokedCertificates revoked([](const auto&) { return absl::UnavailableError("down"); }, absl::ZeroDuration());
  gateway::PhoneRoutes routes(codes, devices, profiles, firmware, revoked);
  auto registry = std::make_shared<prometheus::Registry>();
  std::unique_ptr<gateway::HttpServer> server =
      *gateway::HttpServer::Start({.host = "127.0.0.1"}, gateway::Instrumented(routes, *registry).dispatch);
  std::string answer = Curl(absl::StrCat(kAgent, " http://127.0.0.1:", server->port(), "/profile/000e08aabbcc.xml"));
  EXPECT_THAT(answer, HasSubstr("HTTP/1.1 503"));
  EXPECT_THAT(answer, HasSubstr("Retry-After: "));
  EXPECT_THAT(answer, HasSubstr("temporarily unavailable"));
  EXPECT_THAT(answer, Not(HasSubstr("127.0.0.1:1")));
  EXPECT_THAT(answer, Not(HasSubstr("connect")));
}

TEST_F(GatewayTest, ABackendBackFromAThirtySecondOutageIsServedWithinTwoSeconds) {
  ClaimAndProfile();
  const std::string resync = absl::StrCat(kAgent, " ", base_, "/profile/000e08aabbcc.xml");
  ASSERT_THAT(Curl(resync), HasSubstr("HTTP/1.1 200"));
  StopProfileRender();
  // Phones keep resyncing through the outage; each is told to come back.
  absl::Time down_until = absl::Now() + absl::Seconds(30);
  while (absl::Now() < down_until) {
    std::string answer = Curl(resync);
    EXPECT_THAT(answer, HasSubstr("HTTP/1.1 503"));
    EXPECT_THAT(answer, HasSubstr("Retry-After: "));
  }
  StartProfileRender();
  absl::Time back = absl::Now();
  while (Curl(resync).find("HTTP/1.1 200") == std::string::npos && absl::Now() - back < absl::Seconds(30)) {
  }
  absl::Duration took = absl::Now() - back;
  std::printf("the gateway served again %s after profile-render's return\n", absl::FormatDuration(took).c_str());
  EXPECT_LE(took, absl::Seconds(2));
}

TEST_F(GatewayTest, RegistrationNeedsTheCredentialFromTheRedirect) {
  ClaimAndProfile();
  ASSERT_EQ(RunShell("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=phone -keyout " +
                     dir_ + "/r.key -out " + dir_ + "/r.csr 2>&1")
                .exit_code,
            0);
  const std::string csr = " --data-urlencode csr@" + dir_ + "/r.csr ";
  EXPECT_THAT(CurlTls(absl::StrCat(kAgent, " -d credential=guess", csr, tls_base_, "/register")),
              HasSubstr("HTTP/1.1 4"));
  EXPECT_THAT(CurlTls(absl::StrCat(kAgent, " -d credential=x ", tls_base_, "/register")), HasSubstr("HTTP/1.1 400"));
  EXPECT_THAT(CurlTls(absl::StrCat(kAgent, " ", tls_base_, "/register")), HasSubstr("HTTP/1.1 405"));
  // The credential comes only to the phone itself: its factory certificate.
  EXPECT_THAT(CurlTls(absl::StrCat(kAgent, " ", tls_base_, "/device/CP-8851-3PCC/000e08aabbcc")),
              Not(HasSubstr("Cloud_Registration_Credential")));
  std::string redirect = CurlAsFactoryPhone(absl::StrCat(kAgent, " ", tls_base_, "/device/CP-8851-3PCC/000e08aabbcc"));
  size_t at = redirect.find("<Cloud_Registration_Credential ua=\"na\">");
  ASSERT_NE(at, std::string::npos) << redirect;
  at += 39;
  const std::string credential = redirect.substr(at, redirect.find('<', at) - at);
  // Never in the clear: plain HTTP is refused before the credential is looked at.
  EXPECT_THAT(Curl(absl::StrCat(kAgent, " -d credential=", credential, csr, base_, "/register")),
              HasSubstr("HTTP/1.1 403"));
  std::string registered = CurlTls(absl::StrCat(kAgent, " -d credential=", credential, csr, tls_base_, "/register"));
  EXPECT_THAT(registered, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(registered, HasSubstr("-----BEGIN CERTIFICATE-----"));
  // Once only.
  EXPECT_THAT(CurlTls(absl::StrCat(kAgent, " -d credential=", credential, csr, tls_base_, "/register")),
              Not(HasSubstr("HTTP/1.1 200")));
}

TEST_F(GatewayTest, ASlowClientIsCutOffAtTheRequestTimeout) {
  auto registry = std::make_shared<prometheus::Registry>();
  std::unique_ptr<gateway::HttpServer> server = *gateway::HttpServer::Start(
      {.host = "127.0.0.1", .request_timeout = absl::Milliseconds(300)}, gateway::Instrumented(*routes_, *registry).dispatch);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval bound{.tv_sec = 10, .tv_usec = 0};  // only against a server that never cuts off
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
  sockaddr_in address{.sin_family = AF_INET, .sin_port = htons(static_cast<uint16_t>(server->port()))};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  // Half a request, then nothing: a slow-loris client.
  const std::string partial = "GET /healthz HTTP/1.1\r\nHost: gateway\r\n";
  ASSERT_EQ(send(fd, partial.data(), partial.size(), 0), static_cast<ssize_t>(partial.size()));
  auto started = std::chrono::steady_clock::now();
  char byte;
  EXPECT_EQ(recv(fd, &byte, 1, 0), 0);  // the server closed the connection
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  close(fd);
}

TEST_F(GatewayTest, MalformedAndOversizedRequestsGetA4xx) {
  std::string huge(6000, 'x');
  // Refused before any route saw them, they still carry a request id (and
  // are logged and counted under it).
  std::string too_large_head = Curl(absl::StrCat("-H 'X-Big: ", huge, "' ", base_, "/healthz"));
  EXPECT_THAT(too_large_head, HasSubstr("HTTP/1.1 431"));
  EXPECT_THAT(too_large_head, ::testing::ContainsRegex("X-Request-Id: [0-9a-f]{32}"));
  const std::string big = ::testing::TempDir() + "/big.bin";
  std::ofstream(big) << std::string(100000, 'x');
  std::string too_large_body = Curl(absl::StrCat("--data-binary @", big, " ", base_, "/report"));
  EXPECT_THAT(too_large_body, HasSubstr("HTTP/1.1 413"));
  EXPECT_THAT(too_large_body, ::testing::ContainsRegex("X-Request-Id: [0-9a-f]{32}"));
  EXPECT_THAT(Curl(absl::StrCat("-X DELETE ", base_, "/profile/000e08aabbcc.xml")), HasSubstr("HTTP/1.1 405"));
  // Not HTTP at all: the connection gets a 400 and closes.
  std::string garbage = Curl(absl::StrCat("--http0.9 -X 'BAD METHOD' ", base_, "/"));
  EXPECT_THAT(garbage, HasSubstr("400"));
  EXPECT_THAT(garbage, ::testing::ContainsRegex("X-Request-Id: [0-9a-f]{32}"));
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
  // TFTP proves nothing: the rule, never a credential or key; the same
  // bytes whatever the block size.
  EXPECT_THAT(ReadFile(plain), Not(HasSubstr("Credential")));
  EXPECT_THAT(ReadFile(plain), Not(HasSubstr("GPP_SA")));
  EXPECT_EQ(ReadFile(small_blocks), ReadFile(plain));

  got = RunShell("atftp -g -r device/CP-8851-3PCC/000e08aabbdd -l /dev/null" + server);
  EXPECT_NE(got.exit_code, 0);
  EXPECT_THAT(got.output, HasSubstr("no provider has claimed this phone"));
  // No User-Agent over TFTP: a bare $MA.cfg cannot say which model asks.
  got = RunShell("atftp -g -r 000e08aabbcc.cfg -l /dev/null" + server);
  EXPECT_NE(got.exit_code, 0);
  EXPECT_THAT(got.output, HasSubstr("names no model"));
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

TEST_F(GatewayTest, OneAddressThatNeverAcknowledgesCannotMakeTftpBusyForOthers) {
  // 300 read requests from one address, none ever acknowledged.
  UdpClient flood("127.0.0.7");
  const std::string request = tftp::BuildRequest({.opcode = tftp::Opcode::kRrq, .file_name = "healthz", .mode = "octet"});
  for (int i = 0; i < 300; ++i) flood.SendTo(tftp_->port(), request);
  // The address's own requests past its share are refused at once...
  bool refused = false;
  for (int i = 0; i < 400 && !refused; ++i) {
    auto [answer, from] = flood.Receive();
    ASSERT_FALSE(answer.empty()) << "no answer to the flood";
    absl::StatusOr<tftp::Packet> parsed = tftp::Parse(answer);
    refused = parsed.ok() && std::holds_alternative<tftp::Error>(*parsed) &&
              std::get<tftp::Error>(*parsed).message.find("from this address") != std::string::npos;
  }
  EXPECT_TRUE(refused);
  // ...while another phone is served. Like a phone, it asks again when no
  // answer comes (a datagram may be dropped while the flood fills the
  // server's receive buffer).
  UdpClient phone("127.0.0.8", /*timeout_seconds=*/1);
  std::string answer;
  int from = 0;
  for (int attempt = 0; attempt < 10 && answer.empty(); ++attempt) {
    phone.SendTo(tftp_->port(), request);
    std::tie(answer, from) = phone.Receive();
  }
  absl::StatusOr<tftp::Packet> parsed = tftp::Parse(answer);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_TRUE(std::holds_alternative<tftp::Data>(*parsed)) << answer;
  EXPECT_EQ(std::get<tftp::Data>(*parsed).payload, "ok\n");
  phone.SendTo(from, tftp::BuildAck(1));
}

}  // namespace
}  // namespace onramp
