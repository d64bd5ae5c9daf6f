#include "services/acs/session.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace onramp::acs {
namespace {

using ::testing::HasSubstr;

cwmp::Envelope Inform(const std::string& parameter_key,
                      const std::string& software_version = "sip88xx.12-0-1MPP0001-245") {
  cwmp::Inform inform{.device = {"Cisco", "000E08", "CP-8851-3PCC", "FCH1"}, .events = {{"1 BOOT", ""}}};
  inform.parameters.push_back({kParameterKeyPath, parameter_key});
  inform.parameters.push_back({kSoftwareVersionPath, software_version});
  return {.version = cwmp::Version::k1_2, .id = "7", .body = inform};
}

void Add(profile::v1::GetParametersResponse& profile, const char* name, const char* value) {
  profile::v1::Parameter* parameter = profile.add_parameters();
  parameter->set_name(name);
  parameter->set_value(value);
}

profile::v1::GetParametersResponse Profile() {
  profile::v1::GetParametersResponse profile;
  profile.set_etag("\"e1\"");
  Add(profile, "Proxy_1_", "sip.acme.example");
  Add(profile, "Resync_Periodic", "3600");
  return profile;
}

// The request the ACS sends on the phone's next message.
template <typename Rpc>
Rpc Sent(const Reply& reply) {
  absl::StatusOr<cwmp::Envelope> envelope = cwmp::Parse(reply.body);
  EXPECT_TRUE(envelope.ok()) << reply.body;
  EXPECT_TRUE(std::holds_alternative<Rpc>(envelope->body)) << reply.body;
  return std::holds_alternative<Rpc>(envelope->body) ? std::get<Rpc>(envelope->body) : Rpc{};
}

TEST(SessionTest, APhoneBehindItsProfileIsSentItInOneSetParameterValues) {
  auto [state, informed] = Start("000e08aabbcc", Inform("\"old\""), Profile());
  EXPECT_EQ(informed.http_status, 200);
  absl::StatusOr<cwmp::Envelope> response = cwmp::Parse(informed.body);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->id, "7");
  EXPECT_EQ(response->version, cwmp::Version::k1_2);
  EXPECT_TRUE(std::holds_alternative<cwmp::InformResponse>(response->body));

  auto [after_empty, request, no_transfer] = Continue(state, cwmp::Envelope{});
  ASSERT_TRUE(after_empty.has_value());
  cwmp::SetParameterValues values = Sent<cwmp::SetParameterValues>(request);
  EXPECT_EQ(values.parameter_key, "\"e1\"");
  ASSERT_EQ(values.parameters.size(), 2u);
  EXPECT_EQ(values.parameters[0].name, "Device.Services.VoiceService.1.VoiceProfile.1.SIP.ProxyServer");
  EXPECT_EQ(values.parameters[1].name, "Device.X_ONRAMP_Profile.Resync_Periodic");

  auto [done, end, transfer] =
      Continue(*after_empty, {.version = cwmp::Version::k1_2, .body = cwmp::SetParameterValuesResponse{}});
  EXPECT_FALSE(done.has_value());
  EXPECT_EQ(end.http_status, 204);
}

TEST(SessionTest, APhoneAtItsProfilesEtagCostsOneInform) {
  auto [state, informed] = Start("000e08aabbcc", Inform("\"e1\""), Profile());
  EXPECT_EQ(state.pending_size(), 0);
  auto [done, end, transfer] = Continue(state, cwmp::Envelope{});
  EXPECT_FALSE(done.has_value());
  EXPECT_EQ(end.http_status, 204);
}

TEST(SessionTest, AFaultEndsTheRequestAndARequestOfThePhonesIsRefused) {
  auto [state, informed] = Start("000e08aabbcc", Inform(""), Profile());
  auto [sent, request, no_transfer] = Continue(state, cwmp::Envelope{});
  auto [after_fault, end, transfer] =
      Continue(*sent, {.body = cwmp::Fault{.code = 9007, .message = "Invalid value"}});
  EXPECT_FALSE(after_fault.has_value());
  EXPECT_EQ(end.http_status, 204);
  auto [kept, refused, none] =
      Continue(state, {.id = "9", .body = cwmp::Rpc{"RequestDownload", "<cwmp:RequestDownload/>"}});
  EXPECT_TRUE(kept.has_value());
  EXPECT_THAT(refused.body, HasSubstr("<FaultCode>8000</FaultCode>"));
  auto [still, methods, no] = Continue(state, {.id = "10", .body = cwmp::GetRPCMethods{}});
  EXPECT_THAT(Sent<cwmp::GetRPCMethodsResponse>(methods).methods,
              ::testing::ElementsAre("Inform", "GetRPCMethods", "TransferComplete"));
}

TEST(SessionTest, TheUpgradeRulesImageFollowsTheParametersAsADownload) {
  profile::v1::GetParametersResponse profile = Profile();
  Add(profile, "Upgrade_Enable", "Yes");
  Add(profile, "Upgrade_Rule", "https://gw.example.com/firmware/sip88xx.12-0-1MPP0001-245.loads");
  auto [state, informed] = Start("000e08aabbcc", Inform("\"old\"", "sip88xx.11-2-3MSR1-1"), profile);
  // Upgrade_Rule is not a parameter over TR-069: the Download is.
  auto [parameters_sent, parameters, t1] = Continue(state, cwmp::Envelope{});
  for (const cwmp::ParameterValue& value : Sent<cwmp::SetParameterValues>(parameters).parameters) {
    EXPECT_EQ(value.name.find("Upgrade"), std::string::npos) << value.name;
  }
  auto [download_sent, request, t2] = Continue(*parameters_sent, {.body = cwmp::SetParameterValuesResponse{}});
  ASSERT_TRUE(download_sent.has_value());
  cwmp::Download download = Sent<cwmp::Download>(request);
  EXPECT_EQ(download.file_type, "1 Firmware Upgrade Image");
  EXPECT_EQ(download.url, "https://gw.example.com/firmware/sip88xx.12-0-1MPP0001-245.loads");
  EXPECT_EQ(download.command_key, "11-2-3MSR1-1");
  auto [done, end, t3] = Continue(*download_sent, {.body = cwmp::DownloadResponse{1}});
  EXPECT_FALSE(done.has_value());
  EXPECT_EQ(end.http_status, 204);
}

TEST(SessionTest, AnUpgradeRulesConditionIsReadAsThePhoneWould) {
  profile::v1::GetParametersResponse profile = Profile();
  Add(profile, "Upgrade_Rule",
      "($SWVER lt sip88xx.12-0-1MPP0001-245)? http://fw.example.com:8080/$PN/new.loads");
  auto [behind, r1] = Start("000e08aabbcc", Inform("\"e1\"", "sip88xx.11-2-3MSR1-1"), profile);
  ASSERT_TRUE(behind.has_download());
  EXPECT_EQ(behind.download().url(), "http://fw.example.com:8080/CP-8851-3PCC/new.loads");
  auto [current, r2] = Start("000e08aabbcc", Inform("\"e1\"", "sip88xx.12-0-1MPP0001-245"), profile);
  EXPECT_FALSE(current.has_download());
  Add(profile, "Upgrade_Enable", "No");
  auto [disabled, r3] = Start("000e08aabbcc", Inform("\"e1\"", "sip88xx.11-2-3MSR1-1"), profile);
  EXPECT_FALSE(disabled.has_download());
}

TEST(SessionTest, ATransferCompleteIsAnsweredAndItsOutcomeHandedBack) {
  auto [state, informed] = Start("000e08aabbcc", Inform("\"e1\""), Profile());
  auto [kept, answer, transfer] =
      Continue(state, {.id = "c1", .body = cwmp::TransferComplete{.command_key = "11-2-3MSR1-1"}});
  ASSERT_TRUE(kept.has_value());  // the phone's empty POST comes next
  EXPECT_TRUE(std::holds_alternative<cwmp::TransferCompleteResponse>(cwmp::Parse(answer.body)->body));
  EXPECT_EQ(cwmp::Parse(answer.body)->id, "c1");
  ASSERT_TRUE(transfer.has_value());
  EXPECT_TRUE(transfer->success);
  EXPECT_EQ(transfer->from_version, "11-2-3MSR1-1");

  auto [still, answer2, failed] = Continue(
      *kept, {.body = cwmp::TransferComplete{.command_key = "11-2-3MSR1-1", .fault_code = 9010,
                                             .fault_string = "download failed"}});
  ASSERT_TRUE(failed.has_value());
  EXPECT_FALSE(failed->success);
  EXPECT_EQ(failed->detail, "9010 download failed");
}

}  // namespace
}  // namespace onramp::acs
