#include "device-agent/cwmp_cpe.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace onramp::agent {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Pair;

v1::PhoneState Phone() {
  v1::PhoneState state;
  state.set_mac("000e08aabbcc");
  state.set_model("CP-8851-3PCC");
  state.set_serial("FCH1");
  state.set_firmware("sip88xx.11-2-3MSR1-1.loads");
  (*state.mutable_parameters())["Proxy_1_"].set_value("sip.old.example");
  (*state.mutable_parameters())["Password_1_"].set_value("s3cret");
  return state;
}

cwmp::Envelope Request(decltype(cwmp::Envelope::body) body) {
  return {.version = cwmp::Version::k1_2, .id = "acs-4", .body = std::move(body)};
}

std::vector<std::string> EventCodes(const cwmp::Envelope& inform) {
  std::vector<std::string> codes;
  for (const cwmp::EventStruct& event : std::get<cwmp::Inform>(inform.body).events) codes.push_back(event.code);
  return codes;
}

TEST(CwmpCpeTest, TheFirstInformIsABootstrapThenPendingEventsThenPeriodic) {
  v1::PhoneState state = Phone();
  cwmp::Envelope first = InformOf(state, "", 0, "2026-12-01T09:00:00Z");
  EXPECT_THAT(EventCodes(first), ElementsAre("0 BOOTSTRAP"));
  const cwmp::Inform& inform = std::get<cwmp::Inform>(first.body);
  EXPECT_EQ(inform.device.oui, "000E08");
  EXPECT_EQ(inform.device.product_class, "CP-8851-3PCC");
  EXPECT_THAT(inform.parameters, Contains(::testing::Field(&cwmp::ParameterValue::value, "sip88xx.11-2-3MSR1-1")));
  EXPECT_EQ(first.version, cwmp::Version::k1_2);

  state.set_cwmp_bootstrapped(true);
  v1::CwmpEvent* boot = state.add_cwmp_events();
  boot->set_code("1 BOOT");
  v1::CwmpEvent* reboot = state.add_cwmp_events();
  reboot->set_code("M Reboot");
  reboot->set_command_key("task-9");
  cwmp::Envelope after_reboot = InformOf(state, "", 0, "");
  EXPECT_THAT(EventCodes(after_reboot), ElementsAre("1 BOOT", "M Reboot"));
  EXPECT_EQ(std::get<cwmp::Inform>(after_reboot.body).events[1].command_key, "task-9");

  state.clear_cwmp_events();
  EXPECT_THAT(EventCodes(InformOf(state, "", 0, "")), ElementsAre("2 PERIODIC"));
  (*state.mutable_parameters())[kCwmpV12Support].set_value("No");
  EXPECT_EQ(InformOf(state, "", 0, "").version, cwmp::Version::k1_0);
}

TEST(CwmpCpeTest, SetParameterValuesAppliesAllWithItsKeyOrNothing) {
  v1::PhoneState state = Phone();
  cwmp::SetParameterValues set{
      .parameters = {{"Device.Services.VoiceService.1.VoiceProfile.1.SIP.ProxyServer", "sip.acme.example"},
                     {"Device.X_ONRAMP_Profile.Resync_Periodic", "600"}},
      .parameter_key = "\"e1\""};
  cwmp::Envelope reply = Answer(state, Request(set), "");
  EXPECT_EQ(reply.id, "acs-4");
  ASSERT_TRUE(std::holds_alternative<cwmp::SetParameterValuesResponse>(reply.body));
  EXPECT_EQ(state.parameters().at("Proxy_1_").value(), "sip.acme.example");
  EXPECT_EQ(state.parameters().at("Resync_Periodic").value(), "600");
  EXPECT_EQ(state.cwmp_parameter_key(), "\"e1\"");

  cwmp::SetParameterValues bad{.parameters = {{"Device.X_ONRAMP_Profile.Resync_Periodic", "60"},
                                              {"Device.Nonsense.Thing", "x"},
                                              {"Device.DeviceInfo.SoftwareVersion", "forged"}},
                               .parameter_key = "\"e2\""};
  reply = Answer(state, Request(bad), "");
  const auto* fault = std::get_if<cwmp::Fault>(&reply.body);
  ASSERT_NE(fault, nullptr);
  EXPECT_EQ(fault->code, 9003);
  ASSERT_EQ(fault->parameter_faults.size(), 2u);
  EXPECT_EQ(fault->parameter_faults[0].code, 9005);
  EXPECT_EQ(fault->parameter_faults[1].code, 9008);
  // Nothing of it was applied.
  EXPECT_EQ(state.parameters().at("Resync_Periodic").value(), "600");
  EXPECT_EQ(state.cwmp_parameter_key(), "\"e1\"");
}

TEST(CwmpCpeTest, GetParameterValuesReadsPathsAndPartialPathsWithSecretsBlank) {
  v1::PhoneState state = Phone();
  cwmp::Envelope reply = Answer(
      state, Request(cwmp::GetParameterValues{{"Device.DeviceInfo.", "Device.Services.VoiceService.1.VoiceProfile.1."}}),
      "http://10.0.0.7:7547/cr");
  const auto* values = std::get_if<cwmp::GetParameterValuesResponse>(&reply.body);
  ASSERT_NE(values, nullptr);
  std::map<std::string, std::string> by_path;
  for (const cwmp::ParameterValue& value : values->parameters) by_path[value.name] = value.value;
  EXPECT_THAT(by_path, Contains(Pair("Device.DeviceInfo.SerialNumber", "FCH1")));
  EXPECT_THAT(by_path, Contains(Pair("Device.DeviceInfo.SoftwareVersion", "sip88xx.11-2-3MSR1-1")));
  EXPECT_THAT(by_path, Contains(Pair("Device.Services.VoiceService.1.VoiceProfile.1.SIP.ProxyServer", "sip.old.example")));
  EXPECT_THAT(by_path, Contains(Pair("Device.Services.VoiceService.1.VoiceProfile.1.Line.1.SIP.AuthPassword", "")));
  EXPECT_EQ(DataModel(state, "http://10.0.0.7:7547/cr").at("Device.ManagementServer.ConnectionRequestURL"),
            "http://10.0.0.7:7547/cr");

  reply = Answer(state, Request(cwmp::GetParameterValues{{"Device.Nothing.Here"}}), "");
  ASSERT_TRUE(std::holds_alternative<cwmp::Fault>(reply.body));
  EXPECT_EQ(std::get<cwmp::Fault>(reply.body).code, 9005);
}

TEST(CwmpCpeTest, DownloadsRebootsAndFactoryResetsWaitForTheEndOfTheSession) {
  v1::PhoneState state = Phone();
  cwmp::Envelope reply = Answer(
      state, Request(cwmp::Download{.command_key = "11-2-3MSR1-1", .url = "https://gw/firmware/x.loads"}), "");
  ASSERT_TRUE(std::holds_alternative<cwmp::DownloadResponse>(reply.body));
  EXPECT_EQ(std::get<cwmp::DownloadResponse>(reply.body).status, 1);  // done later
  ASSERT_EQ(state.cwmp_downloads_size(), 1);
  EXPECT_EQ(state.cwmp_downloads(0).url(), "https://gw/firmware/x.loads");
  EXPECT_EQ(state.firmware(), "sip88xx.11-2-3MSR1-1.loads");  // not yet

  reply = Answer(state, Request(cwmp::Download{.file_type = "2 Web Content", .url = "https://gw/x"}), "");
  ASSERT_TRUE(std::holds_alternative<cwmp::Fault>(reply.body));
  EXPECT_EQ(std::get<cwmp::Fault>(reply.body).code, 9003);

  Answer(state, Request(cwmp::Reboot{"task-1"}), "");
  EXPECT_TRUE(state.cwmp_after_session().reboot());
  EXPECT_EQ(state.cwmp_after_session().reboot_command_key(), "task-1");
  Answer(state, Request(cwmp::FactoryReset{}), "");
  EXPECT_TRUE(state.cwmp_after_session().factory_reset());

  reply = Answer(state, Request(cwmp::GetRPCMethods{}), "");
  EXPECT_THAT(std::get<cwmp::GetRPCMethodsResponse>(reply.body).methods, Contains("FactoryReset"));
  reply = Answer(state, Request(cwmp::Rpc{"ScheduleInform", ""}), "");
  EXPECT_EQ(std::get<cwmp::Fault>(reply.body).code, 9000);
}

std::map<std::string, bool> Names(const cwmp::Envelope& reply) {
  std::map<std::string, bool> names;
  for (const cwmp::ParameterInfo& info : std::get<cwmp::GetParameterNamesResponse>(reply.body).parameters) {
    names[info.name] = info.writable;
  }
  return names;
}

TEST(CwmpCpeTest, GetParameterNamesWalksTheTreeALevelOrAllTheWay) {
  v1::PhoneState state = Phone();
  std::map<std::string, bool> top = Names(Answer(state, Request(cwmp::GetParameterNames{"", true}), ""));
  EXPECT_THAT(top, ElementsAre(Pair("Device.", false)));
  std::map<std::string, bool> device = Names(Answer(state, Request(cwmp::GetParameterNames{"Device.", true}), ""));
  EXPECT_THAT(device, Contains(Pair("Device.DeviceInfo.", false)));
  EXPECT_THAT(device, Contains(Pair("Device.Services.", false)));
  EXPECT_FALSE(device.contains("Device.DeviceInfo.SerialNumber"));  // a level further down
  std::map<std::string, bool> info =
      Names(Answer(state, Request(cwmp::GetParameterNames{"Device.DeviceInfo.", false}), ""));
  EXPECT_THAT(info, Contains(Pair("Device.DeviceInfo.", false)));
  EXPECT_THAT(info, Contains(Pair("Device.DeviceInfo.SerialNumber", false)));  // read-only
  std::map<std::string, bool> lines = Names(Answer(
      state, Request(cwmp::GetParameterNames{"Device.Services.VoiceService.1.VoiceProfile.1.Line.", true}), ""));
  EXPECT_THAT(lines, ElementsAre(Pair("Device.Services.VoiceService.1.VoiceProfile.1.Line.1.", false)));
  EXPECT_THAT(Names(Answer(state,
                           Request(cwmp::GetParameterNames{
                               "Device.Services.VoiceService.1.VoiceProfile.1.SIP.ProxyServer", false}),
                           "")),
              ElementsAre(Pair("Device.Services.VoiceService.1.VoiceProfile.1.SIP.ProxyServer", true)));
  cwmp::Envelope unknown = Answer(state, Request(cwmp::GetParameterNames{"Device.Nothing.", true}), "");
  EXPECT_EQ(std::get<cwmp::Fault>(unknown.body).code, 9005);
}

TEST(CwmpCpeTest, NotificationIsSetAndReadAndAChangeByHandIsToldAtTheNextInform) {
  v1::PhoneState state = Phone();
  state.set_cwmp_bootstrapped(true);
  const std::string proxy = "Device.Services.VoiceService.1.VoiceProfile.1.SIP.ProxyServer";
  cwmp::Envelope set = Answer(
      state, Request(cwmp::SetParameterAttributes{{{.name = proxy, .notification_change = true, .notification = 2}}}),
      "");
  ASSERT_TRUE(std::holds_alternative<cwmp::SetParameterAttributesResponse>(set.body));
  cwmp::Envelope got = Answer(state, Request(cwmp::GetParameterAttributes{{proxy, "Device.DeviceInfo."}}), "");
  const auto& attributes = std::get<cwmp::GetParameterAttributesResponse>(got.body).parameters;
  ASSERT_GE(attributes.size(), 2u);
  EXPECT_EQ(attributes[0].name, proxy);
  EXPECT_EQ(attributes[0].notification, 2);
  EXPECT_EQ(attributes[1].notification, 0);

  // Set by the ACS: nothing to tell. By hand: told, with its value.
  EXPECT_FALSE(NoteValueChange(state, "Resync_Periodic"));
  (*state.mutable_parameters())["Proxy_1_"].set_value("sip.hand.example");
  EXPECT_TRUE(NoteValueChange(state, "Proxy_1_"));
  cwmp::Envelope inform = InformOf(state, "", 0, "");
  EXPECT_THAT(EventCodes(inform), ElementsAre("4 VALUE CHANGE"));
  EXPECT_THAT(std::get<cwmp::Inform>(inform.body).parameters,
              Contains(::testing::AllOf(::testing::Field(&cwmp::ParameterValue::name, proxy),
                                        ::testing::Field(&cwmp::ParameterValue::value, "sip.hand.example"))));
  cwmp::Envelope bad = Answer(
      state, Request(cwmp::SetParameterAttributes{{{.name = "Device.Nope", .notification_change = true, .notification = 1}}}),
      "");
  EXPECT_EQ(std::get<cwmp::Fault>(bad.body).code, 9005);
}

TEST(CwmpCpeTest, LinesAreAddedAndDeletedAsInstances) {
  v1::PhoneState state = Phone();
  const std::string lines = "Device.Services.VoiceService.1.VoiceProfile.1.Line.";
  cwmp::Envelope added = Answer(state, Request(cwmp::AddObject{lines, "k1"}), "");
  EXPECT_EQ(std::get<cwmp::AddObjectResponse>(added.body).instance_number, 2);  // line 1 holds a password
  EXPECT_EQ(state.cwmp_parameter_key(), "k1");
  // The new line takes parameters; deleting line 1 takes its parameters with it.
  cwmp::Envelope set = Answer(
      state, Request(cwmp::SetParameterValues{{{lines + "2.CallingFeatures.CallerIDName", "Second line"}}, "k2"}), "");
  ASSERT_TRUE(std::holds_alternative<cwmp::SetParameterValuesResponse>(set.body));
  EXPECT_EQ(state.parameters().at("Display_Name_2_").value(), "Second line");
  cwmp::Envelope deleted = Answer(state, Request(cwmp::DeleteObject{lines + "1.", "k3"}), "");
  ASSERT_TRUE(std::holds_alternative<cwmp::DeleteObjectResponse>(deleted.body));
  EXPECT_FALSE(state.parameters().contains("Password_1_"));
  EXPECT_TRUE(state.parameters().contains("Proxy_1_"));  // a profile's, not the line's
  EXPECT_EQ(std::get<cwmp::Fault>(Answer(state, Request(cwmp::DeleteObject{lines + "1.", ""}), "").body).code, 9005);
  EXPECT_EQ(std::get<cwmp::Fault>(Answer(state, Request(cwmp::AddObject{"Device.DeviceInfo.", ""}), "").body).code,
            9005);
}

}  // namespace
}  // namespace onramp::agent
