// The TR-069 ACS behind the gateway's /cwmp, with curl as the CPE and the
// phone's registration certificate as its proof: an Inform opens a
// session, the phone's empty POST gets its profile as one
// SetParameterValues (TR-069 paths, ParameterKey = the profile's ETag),
// its response ends the session; a phone at that ParameterKey costs one
// Inform; no certificate gets nothing; a session is its phone's alone; the
// firmware plan arrives as Downloads, their TransferCompletes counted.

#include <signal.h>
#include <sys/socket.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/phone/cwmp/cwmp.h"
#include "lib/phone/tr069/credentials.h"
#include "lib/testing/free_port.h"
#include "lib/testing/shell.h"
#include "lib/testing/subprocess.h"
#include "tests/onboarding/gateway_fleet.h"

namespace onramp {
namespace {

using ::onramp::testing::ReadFile;
using ::onramp::testing::RunShell;
using ::testing::HasSubstr;

struct Answer {
  int status = 0;
  std::string cookie;
  std::string body;
  std::string headers;
};

class AcsTest : public ::onramp::testing::GatewayFleetTest {
 protected:
  // One CWMP POST as the phone (its registration certificate), or as a
  // stranger with `certificate` "" (none) or another's ("impostor": a
  // self-made one naming the phone).
  Answer Post(const std::string& body, const std::string& cookie, const std::string& certificate = "phone",
              const std::string& extra = "", const std::string& base = "") {
    std::ofstream(dir_ + "/cwmp.xml") << body;
    std::string output = RunShell(absl::StrCat(
        "curl -s --cacert ", dir_, "/ca.pem ", extra, " ",
        certificate.empty() ? ""
                            : absl::StrCat("--cert ", dir_, "/", certificate, ".pem --key ", dir_, "/", certificate,
                                           ".key "),
        "-D ", dir_, "/headers -o ", dir_, "/answer -w '%{http_code}' ",
        cookie.empty() ? "" : absl::StrCat("-b 'onramp_cwmp=", cookie, "' "),
        "-H 'Content-Type: text/xml' --data-binary @", dir_, "/cwmp.xml ", base.empty() ? tls_base_ : base,
        "/cwmp")).output;
    Answer answer{.status = std::atoi(output.c_str()), .body = ReadFile(dir_ + "/answer")};
    std::string headers = ReadFile(dir_ + "/headers");
    answer.headers = headers;
    size_t at = headers.find("onramp_cwmp=");
    if (at != std::string::npos) answer.cookie = headers.substr(at + 12, headers.find(';', at) - at - 12);
    return answer;
  }

  static std::string Inform(const std::string& parameter_key,
                            const std::string& software_version = "sip88xx.12-0-1MPP0001-245",
                            std::vector<cwmp::EventStruct> events = {{"1 BOOT", ""}}) {
    cwmp::Inform inform{.device = {"Cisco", "000E08", "CP-8851-3PCC", "FCH1"}, .events = std::move(events)};
    inform.parameters = {{"Device.DeviceInfo.SoftwareVersion", software_version},
                         {"Device.ManagementServer.ParameterKey", parameter_key}};
    return cwmp::Write({.version = cwmp::Version::k1_2, .id = "1", .body = inform});
  }

  template <typename Rpc>
  static Rpc Read(const Answer& answer) {
    absl::StatusOr<cwmp::Envelope> envelope = cwmp::Parse(answer.body);
    EXPECT_TRUE(envelope.ok()) << answer.body;
    EXPECT_TRUE(envelope.ok() && std::holds_alternative<Rpc>(envelope->body)) << answer.status << " " << answer.body;
    return envelope.ok() && std::holds_alternative<Rpc>(envelope->body) ? std::get<Rpc>(envelope->body) : Rpc{};
  }

  static std::string Message(decltype(cwmp::Envelope::body) body) {
    return cwmp::Write({.version = cwmp::Version::k1_2, .id = "2", .body = std::move(body)});
  }

};

TEST_F(AcsTest, APhoneIsBroughtToItsProfileAndThenCostsOneInform) {
  ClaimAndProfile(/*with_secret=*/true);
  RegisterPhone();

  Answer informed = Post(Inform(""), "");
  ASSERT_EQ(informed.status, 200) << informed.body;
  ASSERT_FALSE(informed.cookie.empty());
  EXPECT_TRUE(std::holds_alternative<cwmp::InformResponse>(cwmp::Parse(informed.body)->body));

  Answer request = Post("", informed.cookie);
  ASSERT_EQ(request.status, 200) << request.body;
  absl::StatusOr<cwmp::Envelope> set = cwmp::Parse(request.body);
  ASSERT_TRUE(set.ok()) << request.body;
  const auto& values = std::get<cwmp::SetParameterValues>(set->body);
  std::map<std::string, std::string> by_path;
  for (const cwmp::ParameterValue& value : values.parameters) by_path[value.name] = value.value;
  EXPECT_EQ(by_path["Device.Services.VoiceService.1.VoiceProfile.1.SIP.ProxyServer"], "sip.acme.example");
  // The phone proved itself: its secret travels (inside its TLS session).
  EXPECT_EQ(by_path["Device.Services.VoiceService.1.VoiceProfile.1.Line.1.SIP.AuthPassword"], "s3cret-sip-password");
  const std::string etag = values.parameter_key;
  EXPECT_FALSE(etag.empty());

  Answer end = Post(cwmp::Write({.version = cwmp::Version::k1_2, .id = set->id,
                                 .body = cwmp::SetParameterValuesResponse{}}),
                    informed.cookie);
  EXPECT_EQ(end.status, 204);
  // The session is over: its cookie opens nothing now.
  EXPECT_EQ(Post("", informed.cookie).status, 400);

  // At the profile's ETag, the phone has nothing to do.
  Answer again = Post(Inform(etag), "");
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(Post("", again.cookie).status, 204);
}

// The phone on 11-2-3 goes 11-3-1 then 12-5-1, as firmware-catalog plans
// it for the partner's target: each hop a Download after the parameters,
// the image fetched from the URL it names, and the TransferComplete of the
// session after the reboot counted as the phone's upgrade report.
TEST_F(AcsTest, APhoneUpgradesInTwoHopsByDownloadAndTransferComplete) {
  const std::string middle = "sip88xx.11-3-1MPP-100.loads";
  const std::string target = "sip88xx.12-5-1MPP-100.loads";
  UploadImage(middle, "the first hop's image");
  UploadImage(target, "the target's image");
  AddUpgradeEdge("11-0-0MPP-1", "11-2-9MSR9-999", "11-3-1MPP-100");
  AddUpgradeEdge("11-3-0MPP-1", "11-9-9MSR9-999", "12-5-1MPP-100");
  grpc::ClientContext context;
  firmware::v1::Target wanted;
  wanted.set_partner("acme");
  wanted.set_model(::onramp::testing::kPhoneModel);
  wanted.set_version("12-5-1MPP-100");
  firmware::v1::Target stored;
  ASSERT_TRUE(firmware_->SetTarget(&context, wanted, &stored).ok());
  ClaimAndProfile();
  RegisterPhone();

  std::string version = "sip88xx.11-2-3MSR1-1";
  std::string parameter_key;
  std::vector<cwmp::EventStruct> events = {{"0 BOOTSTRAP", ""}, {"1 BOOT", ""}};
  for (const std::string& hop : {middle, target}) {
    SCOPED_TRACE(hop);
    Answer informed = Post(Inform(parameter_key, version, events), "");
    ASSERT_EQ(informed.status, 200) << informed.body;
    const std::string session = informed.cookie;
    if (!events.empty() && events.back().code == "M Download") {
      Answer answered = Post(Message(cwmp::TransferComplete{.command_key = events.back().command_key}), session);
      Read<cwmp::TransferCompleteResponse>(answered);
    }
    cwmp::SetParameterValues values = Read<cwmp::SetParameterValues>(Post("", session));
    parameter_key = values.parameter_key;
    cwmp::Download download = Read<cwmp::Download>(Post(Message(cwmp::SetParameterValuesResponse{}), session));
    EXPECT_EQ(download.file_type, "1 Firmware Upgrade Image");
    EXPECT_EQ(download.url, absl::StrCat(base_, "/firmware/", hop));
    // The image is there, at the URL the ACS named.
    EXPECT_THAT(::onramp::testing::Curl(download.url), HasSubstr(hop == middle ? "the first hop's image" : "the target's image"));
    EXPECT_EQ(Post(Message(cwmp::DownloadResponse{1}), session).status, 204);
    // Installed; after its reboot the phone says so.
    version = hop.substr(0, hop.size() - std::string(".loads").size());
    events = {{"1 BOOT", ""}, {"7 TRANSFER COMPLETE", ""}, {"M Download", download.command_key}};
  }
  EXPECT_THAT(TimelineKinds(::onramp::testing::kPhoneMac), ::testing::Contains("upgrade_succeeded"));

  // At the target: the last TransferComplete is taken, and nothing is left to download.
  Answer informed = Post(Inform(parameter_key, version, events), "");
  ASSERT_EQ(informed.status, 200);
  Read<cwmp::TransferCompleteResponse>(
      Post(Message(cwmp::TransferComplete{.command_key = events.back().command_key}), informed.cookie));
  Answer next = Post("", informed.cookie);
  if (next.status == 200) {
    // The profile changed with the plan (no Upgrade_Rule now): parameters, then the end.
    Read<cwmp::SetParameterValues>(next);
    next = Post(Message(cwmp::SetParameterValuesResponse{}), informed.cookie);
  }
  EXPECT_EQ(next.status, 204) << next.body;
  int succeeded = 0;
  for (const std::string& kind : TimelineKinds(::onramp::testing::kPhoneMac)) succeeded += kind == "upgrade_succeeded";
  EXPECT_EQ(succeeded, 2);
}

TEST_F(AcsTest, AnAnswerLostOnTheWayIsGivenAgainNotASecondStep) {
  ClaimAndProfile();
  RegisterPhone();
  Answer informed = Post(Inform(""), "");
  ASSERT_EQ(informed.status, 200);
  Answer first = Post("", informed.cookie);
  Answer again = Post("", informed.cookie);  // the phone never saw the first
  EXPECT_EQ(again.body, first.body);
  cwmp::SetParameterValues values = Read<cwmp::SetParameterValues>(again);
  EXPECT_FALSE(values.parameters.empty());
  const std::string response = Message(cwmp::SetParameterValuesResponse{});
  EXPECT_EQ(Post(response, informed.cookie).status, 204);
  // The last answer too, though the session is over; anything else is not taken.
  EXPECT_EQ(Post(response, informed.cookie).status, 204);
  EXPECT_EQ(Post("", informed.cookie).status, 400);
}

// A CPE without a certificate the fleet trusts answers with its own ACS
// credentials (ACS_Username/ACS_Password, which its profile brought):
// Basic sent up front over HTTPS, or Digest when challenged; anything else
// is challenged and gets nothing.
TEST_F(AcsTest, APhoneWithoutACertificateIsTakenOnItsOwnAcsCredentials) {
  ClaimAndProfile();
  const tr069::Credentials own =
      tr069::AcsCredentials(::onramp::testing::kTr069CredentialsSecret, ::onramp::testing::kPhoneMac);
  const std::string basic = absl::StrCat("-u ", own.username, ":", own.password);
  Answer informed = Post(Inform(""), "", "", basic);
  ASSERT_EQ(informed.status, 200) << informed.body;
  Read<cwmp::InformResponse>(informed);
  Answer request = Post("", informed.cookie, "", basic);
  cwmp::SetParameterValues values = Read<cwmp::SetParameterValues>(request);
  std::map<std::string, std::string> by_path;
  for (const cwmp::ParameterValue& value : values.parameters) by_path[value.name] = value.value;
  EXPECT_EQ(by_path["Device.Services.VoiceService.1.VoiceProfile.1.SIP.ProxyServer"], "sip.acme.example");

  // Digest, as curl answers the challenge.
  Answer digest = Post(Inform(""), "", "", absl::StrCat("--digest ", basic));
  ASSERT_EQ(digest.status, 200) << digest.headers;
  Read<cwmp::InformResponse>(digest);

  // A wrong password, another phone's credentials or none: a challenge.
  const tr069::Credentials other = tr069::AcsCredentials(::onramp::testing::kTr069CredentialsSecret, "000e08aabbcd");
  for (const std::string& wrong : {absl::StrCat("-u ", own.username, ":", other.password),
                                   absl::StrCat("-u ", own.username, ":"), std::string()}) {
    SCOPED_TRACE(wrong);
    Answer refused = Post(Inform(""), "", "", wrong);
    EXPECT_EQ(refused.status, 401);
    EXPECT_THAT(refused.headers, HasSubstr("WWW-Authenticate: Digest realm=\"Onramp ACS\""));
    EXPECT_THAT(refused.body, ::testing::Not(HasSubstr("InformResponse")));
    EXPECT_TRUE(refused.cookie.empty());
  }
  // Another phone's own credentials do not open this phone's session.
  Answer stolen = Post("", informed.cookie, "", absl::StrCat("-u ", other.username, ":", other.password));
  EXPECT_EQ(stolen.status, 400);
  EXPECT_THAT(stolen.body, ::testing::Not(HasSubstr("ProxyServer")));
}

// The unlucky phone: profile-render is down when it informs. It is told to
// come back (503 with Retry-After, no session begun) and, once the backend
// is back, its next session brings it to its profile as usual.
TEST_F(AcsTest, APhoneThatInformsWhileItsProfileBackendIsDownIsServedWhenItComesBack) {
  ClaimAndProfile();
  RegisterPhone();
  StopProfileRender();
  Answer down = Post(Inform(""), "");
  EXPECT_EQ(down.status, 503);
  EXPECT_THAT(down.headers, HasSubstr("Retry-After:"));
  EXPECT_TRUE(down.cookie.empty());
  StartProfileRender();
  // As the phone does: it informs again until a session opens.
  Answer informed;
  absl::Time back = absl::Now();
  do {
    informed = Post(Inform(""), "");
  } while (informed.status != 200 && absl::Now() - back < absl::Seconds(30));
  ASSERT_EQ(informed.status, 200) << informed.body;
  cwmp::SetParameterValues values = Read<cwmp::SetParameterValues>(Post("", informed.cookie));
  EXPECT_FALSE(values.parameters.empty());
}

// Over plain HTTP a CPE is taken on Digest alone (Basic would send its
// password in the clear), and is set no secret.
TEST_F(AcsTest, OverPlainHttpOnlyDigestIsTakenAndNoSecretIsSet) {
  ClaimAndProfile(/*with_secret=*/true);
  const tr069::Credentials own =
      tr069::AcsCredentials(::onramp::testing::kTr069CredentialsSecret, ::onramp::testing::kPhoneMac);
  const std::string basic = absl::StrCat("-u ", own.username, ":", own.password);
  Answer refused = Post(Inform(""), "", "", basic, base_);
  EXPECT_EQ(refused.status, 401);
  EXPECT_THAT(refused.headers, HasSubstr("WWW-Authenticate: Digest"));
  EXPECT_THAT(refused.headers, ::testing::Not(HasSubstr("WWW-Authenticate: Basic")));
  Answer informed = Post(Inform(""), "", "", absl::StrCat("--digest ", basic), base_);
  ASSERT_EQ(informed.status, 200) << informed.headers;
  EXPECT_THAT(informed.headers, ::testing::Not(HasSubstr("Secure")));
  cwmp::SetParameterValues values =
      Read<cwmp::SetParameterValues>(Post("", informed.cookie, "", absl::StrCat("--digest ", basic), base_));
  std::map<std::string, std::string> by_path;
  for (const cwmp::ParameterValue& value : values.parameters) by_path[value.name] = value.value;
  EXPECT_EQ(by_path["Device.Services.VoiceService.1.VoiceProfile.1.SIP.ProxyServer"], "sip.acme.example");
  EXPECT_FALSE(by_path.contains("Device.Services.VoiceService.1.VoiceProfile.1.Line.1.SIP.AuthPassword"));
  EXPECT_FALSE(by_path.contains("Device.ManagementServer.ConnectionRequestPassword"));
}

// Three ACS processes behind the gateway (one gRPC target, round robin);
// after each message of a session the replica that answered it is killed
// (SIGKILL), so every message is taken by a replica that has never seen the
// session: what it knows is in PostgreSQL alone.
class AcsReplicasTest : public AcsTest {
 protected:
  std::string StartAcs(const std::string& profile_address, const std::string& device_address) override {
    std::string target = "ipv4:";
    for (int i = 0; i < 3; ++i) {
      int port = ::onramp::testing::FreeLoopbackPort(SOCK_STREAM);
      absl::StatusOr<std::unique_ptr<::onramp::testing::Subprocess>> replica = ::onramp::testing::Subprocess::Start(
          {"services/acs/acs", "--host=127.0.0.1", absl::StrCat("--grpc_port=", port), "--metrics_host=127.0.0.1",
           "--metrics_port=0", "--log_level=debug", absl::StrCat("--database_url=", database().url()),
           absl::StrCat("--profile_render_addr=", profile_address),
           absl::StrCat("--device_activation_addr=", device_address),
           "--tr069_credentials_secret=" + std::string(64, 'c')});
      if (!replica.ok()) {
        ADD_FAILURE() << replica.status();
        continue;
      }
      absl::StatusOr<std::string> serving =
          (*replica)->WaitForLine([](std::string_view line) { return line.find("\"serving\"") != line.npos; },
                                  absl::Seconds(30));
      EXPECT_TRUE(serving.ok()) << serving.status() << (*replica)->output();
      replicas_.push_back(*std::move(replica));
      absl::StrAppend(&target, i == 0 ? "" : ",", "127.0.0.1:", port);
    }
    return target;
  }

  // Kills the replica that logged the last Exchange; which one it was.
  int KillTheOneThatAnswered() {
    absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (absl::Now() < deadline) {
      for (size_t i = 0; i < replicas_.size(); ++i) {
        if (replicas_[i] == nullptr) continue;
        absl::StatusOr<std::string> line = replicas_[i]->WaitForLine(
            [](std::string_view line) {
              return line.find("\"msg\":\"rpc\"") != line.npos && line.find("Exchange") != line.npos;
            },
            absl::Milliseconds(20));
        if (!line.ok()) continue;
        EXPECT_TRUE(replicas_[i]->Signal(SIGKILL).ok());
        EXPECT_TRUE(replicas_[i]->Wait(absl::Seconds(10)).ok());
        replicas_[i].reset();
        return static_cast<int>(i);
      }
    }
    ADD_FAILURE() << "no replica logged the Exchange";
    for (const auto& replica : replicas_) {
      if (replica != nullptr) ADD_FAILURE() << replica->output();
    }
    return -1;
  }

  std::vector<std::unique_ptr<::onramp::testing::Subprocess>> replicas_;
};

TEST_F(AcsReplicasTest, ASessionGoesOnWhenTheReplicaThatServedItIsKilled) {
  ClaimAndProfile();
  RegisterPhone();
  Answer informed = Post(Inform(""), "");
  ASSERT_EQ(informed.status, 200) << informed.body;
  int first = KillTheOneThatAnswered();
  Answer request = Post("", informed.cookie);
  ASSERT_EQ(request.status, 200) << request.body;
  cwmp::SetParameterValues values = Read<cwmp::SetParameterValues>(request);
  EXPECT_FALSE(values.parameters.empty());
  int second = KillTheOneThatAnswered();
  EXPECT_NE(second, first);
  Answer end = Post(Message(cwmp::SetParameterValuesResponse{}), informed.cookie);
  EXPECT_EQ(end.status, 204) << end.body;
  // The last replica took it: the profile's ETag is now the phone's.
  Answer again = Post(Inform(values.parameter_key), "");
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(Post("", again.cookie).status, 204);
}

TEST_F(AcsTest, NoCertificateGetsNothing) {
  ClaimAndProfile();
  RegisterPhone();
  Answer stranger = Post(Inform(""), "", /*certificate=*/"");
  EXPECT_EQ(stranger.status, 401);
  EXPECT_THAT(stranger.body, ::testing::Not(HasSubstr("sip.acme.example")));
  EXPECT_TRUE(stranger.cookie.empty());
  // A certificate no CA of the fleet signed, naming the phone: not even a
  // TLS session (curl's 000), or a 401 — never a CWMP answer.
  Answer impostor = Post(Inform(""), "", "impostor");
  EXPECT_THAT(impostor.status, ::testing::AnyOf(0, 401));
  EXPECT_THAT(impostor.body, ::testing::Not(HasSubstr("InformResponse")));
  EXPECT_TRUE(impostor.cookie.empty());
  // Nor does the CA's certificate for something that is not a phone, with
  // the phone's session cookie.
  Answer informed = Post(Inform(""), "");
  ASSERT_EQ(informed.status, 200);
  Answer other = Post("", informed.cookie, "client");
  EXPECT_EQ(other.status, 401);
  EXPECT_THAT(other.body, ::testing::Not(HasSubstr("SetParameterValues")));
  // Nor does garbage from the phone itself.
  EXPECT_EQ(Post("<not-cwmp/>", "").status, 400);
}

}  // namespace
}  // namespace onramp
