// The TR-069 ACS behind the gateway's /cwmp, with curl as the CPE and the
// phone's registration certificate as its proof: an Inform opens a
// session, the phone's empty POST gets its profile as one
// SetParameterValues (TR-069 paths, ParameterKey = the profile's ETag),
// its response ends the session; a phone at that ParameterKey costs one
// Inform; no certificate gets nothing; a session is its phone's alone.

#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/phone/cwmp/cwmp.h"
#include "lib/testing/shell.h"
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
};

class AcsTest : public ::onramp::testing::GatewayFleetTest {
 protected:
  // One CWMP POST as the phone (its registration certificate), or as a
  // stranger with `certificate` empty.
  Answer Post(const std::string& body, const std::string& cookie, bool with_certificate = true) {
    std::ofstream(dir_ + "/cwmp.xml") << body;
    std::string output = RunShell(absl::StrCat(
        "curl -s --cacert ", dir_, "/ca.pem ",
        with_certificate ? absl::StrCat("--cert ", dir_, "/phone.pem --key ", dir_, "/phone.key ") : "",
        "-D ", dir_, "/headers -o ", dir_, "/answer -w '%{http_code}' ",
        cookie.empty() ? "" : absl::StrCat("-b 'onramp_cwmp=", cookie, "' "),
        "-H 'Content-Type: text/xml' --data-binary @", dir_, "/cwmp.xml ", tls_base_, "/cwmp")).output;
    Answer answer{.status = std::atoi(output.c_str()), .body = ReadFile(dir_ + "/answer")};
    std::string headers = ReadFile(dir_ + "/headers");
    size_t at = headers.find("onramp_cwmp=");
    if (at != std::string::npos) answer.cookie = headers.substr(at + 12, headers.find(';', at) - at - 12);
    return answer;
  }

  static std::string Inform(const std::string& parameter_key) {
    cwmp::Inform inform{.device = {"Cisco", "000E08", "CP-8851-3PCC", "FCH1"}, .events = {{"1 BOOT", ""}}};
    inform.parameters = {{"Device.DeviceInfo.SoftwareVersion", "sip88xx.12-0-1MPP0001-245"},
                         {"Device.ManagementServer.ParameterKey", parameter_key}};
    return cwmp::Write({.version = cwmp::Version::k1_2, .id = "1", .body = inform});
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

TEST_F(AcsTest, NoCertificateGetsNothing) {
  ClaimAndProfile();
  RegisterPhone();
  Answer stranger = Post(Inform(""), "", /*with_certificate=*/false);
  EXPECT_EQ(stranger.status, 401);
  EXPECT_THAT(stranger.body, ::testing::Not(HasSubstr("sip.acme.example")));
  EXPECT_TRUE(stranger.cookie.empty());
  // Nor does garbage from the phone itself.
  EXPECT_EQ(Post("<not-cwmp/>", "").status, 400);
}

}  // namespace
}  // namespace onramp
