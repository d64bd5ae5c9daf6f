#include "services/acs/session.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include <map>

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
  auto [state, informed] = Start("000e08aabbcc", Inform("\"old\""), {.profile = Profile()});
  EXPECT_EQ(informed.http_status, 200);
  absl::StatusOr<cwmp::Envelope> response = cwmp::Parse(informed.body);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->id, "7");
  EXPECT_EQ(response->version, cwmp::Version::k1_2);
  EXPECT_TRUE(std::holds_alternative<cwmp::InformResponse>(response->body));

  auto [after_empty, request, no_transfer] = Continue(state, cwmp::Envelope{});
  ASSERT_TRUE(after_empty.has_value());
  cwmp::SetParameterValues values = Sent<cwmp::SetParameterValues>(request);
  EXPECT_EQ(values.parameter_key, ParameterKeyOf("\"e1\"", {}));
  EXPECT_LE(values.parameter_key.size(), 32u);  // TR-069's string(32)
  ASSERT_EQ(values.parameters.size(), 2u);
  EXPECT_EQ(values.parameters[0].name, "Device.Services.VoiceService.1.VoiceProfile.1.SIP.ProxyServer");
  EXPECT_EQ(values.parameters[1].name, "Device.X_ONRAMP_Profile.Resync_Periodic");

  auto [done, end, transfer] =
      Continue(*after_empty, {.version = cwmp::Version::k1_2, .body = cwmp::SetParameterValuesResponse{}});
  EXPECT_FALSE(done.has_value());
  EXPECT_EQ(end.http_status, 204);
}

TEST(SessionTest, WithoutSecretsAllowedTheProfilesSecretsAndTheCredentialsStayBack) {
  profile::v1::GetParametersResponse profile = Profile();
  profile::v1::Parameter* password = profile.add_parameters();
  password->set_name("Password_1_");
  password->set_value("s3cret");
  password->set_secret(true);
  SessionInputs inputs{.profile = profile, .connection_request = {"000e08aabbcc", "cr"}, .secrets_allowed = false};
  auto [state, informed] = Start("000e08aabbcc", Inform(""), inputs);
  for (const v1::SetValue& value : state.pending()) {
    EXPECT_EQ(value.name().find("Password"), std::string::npos) << value.name();
  }
  EXPECT_EQ(state.pending_size(), 2);
  EXPECT_NE(state.parameter_key(), ParameterKeyOf("\"e1\"", inputs.connection_request));
}

TEST(SessionTest, APhoneAtItsProfilesEtagCostsOneInform) {
  auto [state, informed] = Start("000e08aabbcc", Inform(ParameterKeyOf("\"e1\"", {})), {.profile = Profile()});
  EXPECT_EQ(state.pending_size(), 0);
  auto [done, end, transfer] = Continue(state, cwmp::Envelope{});
  EXPECT_FALSE(done.has_value());
  EXPECT_EQ(end.http_status, 204);
}

TEST(SessionTest, APhoneWhoseUserChangedAValueIsSetItsProfileAgain) {
  cwmp::Envelope inform = Inform(ParameterKeyOf("\"e1\"", {}));
  std::get<cwmp::Inform>(inform.body).events = {{"4 VALUE CHANGE", ""}};
  auto [state, informed] = Start("000e08aabbcc", inform, {.profile = Profile()});
  EXPECT_EQ(state.pending_size(), 2);
}

TEST(SessionTest, AFaultEndsTheRequestAndARequestOfThePhonesIsRefused) {
  auto [state, informed] = Start("000e08aabbcc", Inform(""), {.profile = Profile()});
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
  auto [state, informed] = Start("000e08aabbcc", Inform("\"old\"", "sip88xx.11-2-3MSR1-1"), {.profile = profile});
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
  const std::string current_key = ParameterKeyOf("\"e1\"", {});
  auto [behind, r1] = Start("000e08aabbcc", Inform(current_key, "sip88xx.11-2-3MSR1-1"), {.profile = profile});
  ASSERT_TRUE(behind.has_download());
  EXPECT_EQ(behind.download().url(), "http://fw.example.com:8080/CP-8851-3PCC/new.loads");
  auto [current, r2] = Start("000e08aabbcc", Inform(current_key, "sip88xx.12-0-1MPP0001-245"), {.profile = profile});
  EXPECT_FALSE(current.has_download());
  Add(profile, "Upgrade_Enable", "No");
  auto [disabled, r3] = Start("000e08aabbcc", Inform(current_key, "sip88xx.11-2-3MSR1-1"), {.profile = profile});
  EXPECT_FALSE(disabled.has_download());
}

TEST(SessionTest, ATransferCompleteIsAnsweredAndItsOutcomeHandedBack) {
  auto [state, informed] = Start("000e08aabbcc", Inform(ParameterKeyOf("\"e1\"", {})), {.profile = Profile()});
  auto [kept, answer, transfer] =
      Continue(state, {.id = "c1", .body = cwmp::TransferComplete{.command_key = "11-2-3MSR1-1"}});
  ASSERT_TRUE(kept.has_value());  // the phone's empty POST comes next
  EXPECT_TRUE(std::holds_alternative<cwmp::TransferCompleteResponse>(cwmp::Parse(answer.body)->body));
  EXPECT_EQ(cwmp::Parse(answer.body)->id, "c1");
  ASSERT_TRUE(transfer.transfer.has_value());
  EXPECT_TRUE(transfer.transfer->success);
  EXPECT_EQ(transfer.transfer->from_version, "11-2-3MSR1-1");

  auto [still, answer2, failed] = Continue(
      *kept, {.body = cwmp::TransferComplete{.command_key = "11-2-3MSR1-1", .fault_code = 9010,
                                             .fault_string = "download failed"}});
  ASSERT_TRUE(failed.transfer.has_value());
  EXPECT_FALSE(failed.transfer->success);
  EXPECT_EQ(failed.transfer->detail, "9010 download failed");
}

TEST(SessionTest, TheConnectionRequestCredentialsGoWithTheProfileAndChangeItsKey) {
  const ConnectionRequestCredentials credentials{"000e08aabbcc", "cr-secret"};
  profile::v1::GetParametersResponse profile = Profile();
  Add(profile, "Connection_Request_Password", "the partner's, not used");
  // A phone at its profile's ETag but without these credentials gets them.
  auto [state, informed] =
      Start("000e08aabbcc", Inform(ParameterKeyOf("\"e1\"", {})), {.profile = profile, .connection_request = credentials});
  auto [sent, request, t1] = Continue(state, cwmp::Envelope{});
  cwmp::SetParameterValues set = Sent<cwmp::SetParameterValues>(request);
  std::map<std::string, std::string> by_path;
  for (const cwmp::ParameterValue& value : set.parameters) by_path[value.name] = value.value;
  EXPECT_EQ(by_path["Device.ManagementServer.ConnectionRequestUsername"], "000e08aabbcc");
  EXPECT_EQ(by_path["Device.ManagementServer.ConnectionRequestPassword"], "cr-secret");
  EXPECT_EQ(set.parameter_key, ParameterKeyOf("\"e1\"", credentials));
  EXPECT_NE(set.parameter_key, ParameterKeyOf("\"e1\"", {credentials.username, "rotated"}));
}

v1::Task MakeTask(const std::string& id, v1::TaskKind kind) {
  v1::Task task;
  task.set_id(id);
  task.set_kind(kind);
  return task;
}

TEST(SessionTest, TasksRunAfterTheProfileOneRequestEachWithTheirOutcomes) {
  v1::Task get = MakeTask("11111111-aaaa", v1::TASK_KIND_GET_PARAMETER_VALUES);
  get.add_names("Device.DeviceInfo.");
  v1::Task set = MakeTask("22222222-bbbb", v1::TASK_KIND_SET_PARAMETER_VALUES);
  (*set.mutable_values())["Device.X_ONRAMP_Profile.Resync_Periodic"] = "60";
  v1::Task reboot = MakeTask("33333333-cccc", v1::TASK_KIND_REBOOT);
  auto [state, informed] = Start("000e08aabbcc", Inform("\"old\""), {.profile = Profile(), .tasks = {get, set, reboot}});

  auto [s1, profile_request, t1] = Continue(state, cwmp::Envelope{});
  Sent<cwmp::SetParameterValues>(profile_request);  // the profile first
  Step s2 = Continue(*s1, {.body = cwmp::SetParameterValuesResponse{}});
  EXPECT_EQ(s2.effects.task_sent, "11111111-aaaa");
  EXPECT_THAT(Sent<cwmp::GetParameterValues>(s2.reply).names, ::testing::ElementsAre("Device.DeviceInfo."));

  Step s3 = Continue(*s2.state, {.body = cwmp::GetParameterValuesResponse{{{"Device.DeviceInfo.SerialNumber", "FCH1"}}}});
  ASSERT_TRUE(s3.effects.task_finished.has_value());
  EXPECT_EQ(s3.effects.task_finished->state(), v1::TASK_STATE_DONE);
  EXPECT_EQ(s3.effects.task_finished->result().at("Device.DeviceInfo.SerialNumber"), "FCH1");
  EXPECT_EQ(s3.effects.task_sent, "22222222-bbbb");
  cwmp::SetParameterValues task_set = Sent<cwmp::SetParameterValues>(s3.reply);
  EXPECT_EQ(task_set.parameters.at(0).value, "60");

  Step s4 = Continue(*s3.state, {.body = cwmp::Fault{.code = 9003,
                                                     .message = "Invalid arguments",
                                                     .parameter_faults = {{"Device.X_ONRAMP_Profile.Resync_Periodic",
                                                                           9007, "Invalid parameter value"}}}});
  ASSERT_TRUE(s4.effects.task_finished.has_value());
  EXPECT_EQ(s4.effects.task_finished->state(), v1::TASK_STATE_FAILED);
  EXPECT_EQ(s4.effects.task_finished->fault_code(), 9003);
  EXPECT_THAT(s4.effects.task_finished->fault_string(), HasSubstr("9007 Invalid parameter value"));
  EXPECT_EQ(Sent<cwmp::Reboot>(s4.reply).command_key, "task-33333333-cccc");

  Step s5 = Continue(*s4.state, {.body = cwmp::RebootResponse{}});
  ASSERT_TRUE(s5.effects.task_finished.has_value());
  EXPECT_EQ(s5.effects.task_finished->id(), "33333333-cccc");
  EXPECT_EQ(s5.effects.task_finished->state(), v1::TASK_STATE_DONE);
  EXPECT_FALSE(s5.state.has_value());
  EXPECT_EQ(s5.reply.http_status, 204);
}

TEST(SessionTest, NamesAttributesAndObjectsTasksCarryTheirResults) {
  v1::Task names = MakeTask("44444444-dddd", v1::TASK_KIND_GET_PARAMETER_NAMES);
  names.add_names("Device.Services.VoiceService.1.VoiceProfile.1.Line.");
  names.set_next_level(true);
  v1::Task add = MakeTask("55555555-eeee", v1::TASK_KIND_ADD_OBJECT);
  add.add_names("Device.Services.VoiceService.1.VoiceProfile.1.Line.");
  v1::Task notify = MakeTask("66666666-ffff", v1::TASK_KIND_SET_PARAMETER_ATTRIBUTES);
  (*notify.mutable_values())["Device.X_ONRAMP_Profile.Resync_Periodic"] = "2";
  auto [state, informed] =
      Start("000e08aabbcc", Inform(ParameterKeyOf("\"e1\"", {})), {.profile = Profile(), .tasks = {names, add, notify}});
  Step s1 = Continue(state, cwmp::Envelope{});
  cwmp::GetParameterNames asked = Sent<cwmp::GetParameterNames>(s1.reply);
  EXPECT_TRUE(asked.next_level);
  Step s2 = Continue(*s1.state, {.body = cwmp::GetParameterNamesResponse{
                                     {{"Device.Services.VoiceService.1.VoiceProfile.1.Line.1.", false}}}});
  EXPECT_EQ(s2.effects.task_finished->result().at("Device.Services.VoiceService.1.VoiceProfile.1.Line.1."), "read-only");
  EXPECT_EQ(Sent<cwmp::AddObject>(s2.reply).object_name, "Device.Services.VoiceService.1.VoiceProfile.1.Line.");
  Step s3 = Continue(*s2.state, {.body = cwmp::AddObjectResponse{2, 0}});
  EXPECT_EQ(s3.effects.task_finished->result().at("instance_number"), "2");
  EXPECT_EQ(TaskSummary(*s3.effects.task_finished), "ADD_OBJECT 55555555-eeee: instance 2");
  cwmp::SetParameterAttributes attributes = Sent<cwmp::SetParameterAttributes>(s3.reply);
  ASSERT_EQ(attributes.parameters.size(), 1u);
  EXPECT_TRUE(attributes.parameters[0].notification_change);
  EXPECT_EQ(attributes.parameters[0].notification, 2);
  Step s4 = Continue(*s3.state, {.body = cwmp::SetParameterAttributesResponse{}});
  EXPECT_EQ(s4.effects.task_finished->state(), v1::TASK_STATE_DONE);
  EXPECT_EQ(s4.reply.http_status, 204);
}

}  // namespace
}  // namespace onramp::acs
