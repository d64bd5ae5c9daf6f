#include "services/acs/session.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace onramp::acs {
namespace {

using ::testing::HasSubstr;

cwmp::Envelope Inform(const std::string& parameter_key) {
  cwmp::Inform inform{.device = {"Cisco", "000E08", "CP-8851-3PCC", "FCH1"}, .events = {{"1 BOOT", ""}}};
  inform.parameters.push_back({kParameterKeyPath, parameter_key});
  return {.version = cwmp::Version::k1_2, .id = "7", .body = inform};
}

profile::v1::GetParametersResponse Profile() {
  profile::v1::GetParametersResponse profile;
  profile.set_etag("\"e1\"");
  auto add = [&profile](const char* name, const char* value) {
    profile::v1::Parameter* parameter = profile.add_parameters();
    parameter->set_name(name);
    parameter->set_value(value);
  };
  add("Proxy_1_", "sip.acme.example");
  add("Resync_Periodic", "3600");
  return profile;
}

TEST(SessionTest, APhoneBehindItsProfileIsSentItInOneSetParameterValues) {
  auto [state, informed] = Start("000e08aabbcc", Inform("\"old\""), Profile());
  EXPECT_EQ(informed.http_status, 200);
  absl::StatusOr<cwmp::Envelope> response = cwmp::Parse(informed.body);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->id, "7");
  EXPECT_EQ(response->version, cwmp::Version::k1_2);
  EXPECT_TRUE(std::holds_alternative<cwmp::InformResponse>(response->body));

  auto [after_empty, request] = Continue(state, cwmp::Envelope{});
  ASSERT_TRUE(after_empty.has_value());
  absl::StatusOr<cwmp::Envelope> set = cwmp::Parse(request.body);
  ASSERT_TRUE(set.ok()) << request.body;
  const auto& values = std::get<cwmp::SetParameterValues>(set->body);
  EXPECT_EQ(values.parameter_key, "\"e1\"");
  ASSERT_EQ(values.parameters.size(), 2u);
  EXPECT_EQ(values.parameters[0].name, "Device.Services.VoiceService.1.VoiceProfile.1.SIP.ProxyServer");
  EXPECT_EQ(values.parameters[1].name, "Device.X_ONRAMP_Profile.Resync_Periodic");

  auto [done, end] = Continue(*after_empty, {.version = cwmp::Version::k1_2, .body = cwmp::SetParameterValuesResponse{}});
  EXPECT_FALSE(done.has_value());
  EXPECT_EQ(end.http_status, 204);
}

TEST(SessionTest, APhoneAtItsProfilesEtagCostsOneInform) {
  auto [state, informed] = Start("000e08aabbcc", Inform("\"e1\""), Profile());
  EXPECT_EQ(state.pending_size(), 0);
  auto [done, end] = Continue(state, cwmp::Envelope{});
  EXPECT_FALSE(done.has_value());
  EXPECT_EQ(end.http_status, 204);
}

TEST(SessionTest, AFaultEndsTheRequestAndARequestOfThePhonesIsRefused) {
  auto [state, informed] = Start("000e08aabbcc", Inform(""), Profile());
  auto [sent, request] = Continue(state, cwmp::Envelope{});
  auto [after_fault, end] = Continue(*sent, {.body = cwmp::Fault{.code = 9007, .message = "Invalid value"}});
  EXPECT_FALSE(after_fault.has_value());
  EXPECT_EQ(end.http_status, 204);
  auto [kept, refused] = Continue(state, {.id = "9", .body = cwmp::Rpc{"GetRPCMethods", "<cwmp:GetRPCMethods/>"}});
  EXPECT_TRUE(kept.has_value());
  EXPECT_THAT(refused.body, HasSubstr("<FaultCode>8000</FaultCode>"));
}

}  // namespace
}  // namespace onramp::acs
