#include "lib/phone/cwmp/cwmp.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pugixml.hpp"

namespace onramp::cwmp {
namespace {

using ::testing::HasSubstr;

// An Inform as a CPE of another maker writes it: its own prefixes, the
// cwmp namespace declared on the Envelope, unqualified arguments.
constexpr char kForeignInform[] = R"xml(<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"
    xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:ns1="urn:dslforum-org:cwmp-1-2">
  <SOAP-ENV:Header><ns1:ID SOAP-ENV:mustUnderstand="1">4711</ns1:ID></SOAP-ENV:Header>
  <SOAP-ENV:Body>
    <ns1:Inform>
      <DeviceId><Manufacturer>Cisco</Manufacturer><OUI>000E08</OUI>
        <ProductClass>CP-8851-3PCC</ProductClass><SerialNumber>FCH2233ABCD</SerialNumber></DeviceId>
      <Event SOAP-ENC:arrayType="ns1:EventStruct[2]">
        <EventStruct><EventCode>0 BOOTSTRAP</EventCode><CommandKey/></EventStruct>
        <EventStruct><EventCode>1 BOOT</EventCode><CommandKey></CommandKey></EventStruct>
      </Event>
      <MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2026-12-01T08:00:00Z</CurrentTime><RetryCount>0</RetryCount>
      <ParameterList SOAP-ENC:arrayType="ns1:ParameterValueStruct[1]">
        <ParameterValueStruct><Name>Device.DeviceInfo.SoftwareVersion</Name>
          <Value xsi:type="xsd:string">sip88xx.12-0-1MPP0001-245</Value></ParameterValueStruct>
      </ParameterList>
    </ns1:Inform>
  </SOAP-ENV:Body>
</SOAP-ENV:Envelope>)xml";

TEST(CwmpTest, AnInformIsReadByNamespaceWhateverItsPrefixes) {
  absl::StatusOr<Envelope> envelope = Parse(kForeignInform);
  ASSERT_TRUE(envelope.ok()) << envelope.status();
  EXPECT_EQ(envelope->version, Version::k1_2);
  EXPECT_EQ(envelope->id, "4711");
  const Inform* inform = std::get_if<Inform>(&envelope->body);
  ASSERT_NE(inform, nullptr);
  EXPECT_EQ(inform->device.oui, "000E08");
  EXPECT_EQ(inform->device.product_class, "CP-8851-3PCC");
  ASSERT_EQ(inform->events.size(), 2u);
  EXPECT_EQ(inform->events[0].code, "0 BOOTSTRAP");
  EXPECT_EQ(inform->events[1].code, "1 BOOT");
  ASSERT_EQ(inform->parameters.size(), 1u);
  EXPECT_EQ(inform->parameters[0].name, "Device.DeviceInfo.SoftwareVersion");
  EXPECT_EQ(inform->parameters[0].value, "sip88xx.12-0-1MPP0001-245");
}

TEST(CwmpTest, WhatIsWrittenIsReadBackTheSame) {
  for (Version version : {Version::k1_0, Version::k1_1, Version::k1_2}) {
    Envelope set{.version = version, .id = "7", .hold_requests = true,
                 .body = SetParameterValues{{{"Device.Services.VoiceService.1.VoiceProfile.1.SIP.ProxyServer",
                                              "sip.acme.example & co <1>", "xsd:string"}},
                                            "etag-\"e1\""}};
    std::string xml = Write(set);
    EXPECT_THAT(xml, HasSubstr(std::string(NamespaceOf(version))));
    absl::StatusOr<Envelope> read = Parse(xml);
    ASSERT_TRUE(read.ok()) << read.status() << xml;
    EXPECT_EQ(read->version, version);
    EXPECT_EQ(read->id, "7");
    EXPECT_TRUE(read->hold_requests);
    const auto* got = std::get_if<SetParameterValues>(&read->body);
    ASSERT_NE(got, nullptr);
    EXPECT_EQ(got->parameters[0].value, "sip.acme.example & co <1>");
    EXPECT_EQ(got->parameter_key, "etag-\"e1\"");
  }
  Envelope values{.id = "8", .body = GetParameterValues{{"Device.DeviceInfo.", "Device.ManagementServer.URL"}}};
  absl::StatusOr<Envelope> read = Parse(Write(values));
  ASSERT_TRUE(read.ok());
  EXPECT_THAT(std::get<GetParameterValues>(read->body).names,
              ::testing::ElementsAre("Device.DeviceInfo.", "Device.ManagementServer.URL"));
  EXPECT_EQ(std::get<InformResponse>(Parse(Write({.id = "9", .body = InformResponse{}}))->body).max_envelopes, 1);
  EXPECT_EQ(std::get<SetParameterValuesResponse>(Parse(Write({.body = SetParameterValuesResponse{1}}))->body).status, 1);
}

TEST(CwmpTest, ADownloadAndItsTransferCompleteCarryTheCommandKeyBothWays) {
  Envelope download{.version = Version::k1_1, .id = "acs-3",
                    .body = Download{.command_key = "upgrade 11-2-3MSR1-1 12-0-1MPP0001-245",
                                     .url = "https://gw.example.com/firmware/sip88xx.12-0-1MPP0001-245.loads",
                                     .file_size = 5'000'000'000}};
  absl::StatusOr<Envelope> read = Parse(Write(download));
  ASSERT_TRUE(read.ok()) << read.status();
  const auto* got = std::get_if<Download>(&read->body);
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->file_type, "1 Firmware Upgrade Image");
  EXPECT_EQ(got->url, "https://gw.example.com/firmware/sip88xx.12-0-1MPP0001-245.loads");
  EXPECT_EQ(got->file_size, 5'000'000'000);  // over 2^32: FileSize is read whole
  EXPECT_EQ(got->command_key, "upgrade 11-2-3MSR1-1 12-0-1MPP0001-245");
  EXPECT_EQ(std::get<DownloadResponse>(Parse(Write({.body = DownloadResponse{1}}))->body).status, 1);

  // As another CPE writes it: its own prefixes, FaultStruct members qualified.
  constexpr char kForeignTransferComplete[] = R"xml(<s:Envelope
      xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:c="urn:dslforum-org:cwmp-1-0">
    <s:Header><c:ID s:mustUnderstand="1">12</c:ID></s:Header>
    <s:Body><c:TransferComplete><CommandKey>upgrade a b</CommandKey>
      <FaultStruct><c:FaultCode>9010</c:FaultCode><c:FaultString>download failed</c:FaultString></FaultStruct>
      <StartTime>2026-12-01T08:00:00Z</StartTime><CompleteTime>2026-12-01T08:01:00Z</CompleteTime>
    </c:TransferComplete></s:Body></s:Envelope>)xml";
  read = Parse(kForeignTransferComplete);
  ASSERT_TRUE(read.ok()) << read.status();
  const auto* complete = std::get_if<TransferComplete>(&read->body);
  ASSERT_NE(complete, nullptr);
  EXPECT_EQ(complete->command_key, "upgrade a b");
  EXPECT_EQ(complete->fault_code, 9010);
  EXPECT_EQ(complete->fault_string, "download failed");
  EXPECT_EQ(complete->complete_time, "2026-12-01T08:01:00Z");
  // What the phone writes reads back; the ACS's answer is an empty element.
  read = Parse(Write({.body = TransferComplete{.command_key = "k"}}));
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(std::get<TransferComplete>(read->body).fault_code, 0);
  EXPECT_TRUE(std::holds_alternative<TransferCompleteResponse>(Parse(Write({.body = TransferCompleteResponse{}}))->body));
}

TEST(CwmpTest, MethodListsRebootsAndFactoryResetsReadBack) {
  absl::StatusOr<Envelope> read = Parse(Write({.body = GetRPCMethodsResponse{{"Inform", "TransferComplete"}}}));
  ASSERT_TRUE(read.ok());
  EXPECT_THAT(std::get<GetRPCMethodsResponse>(read->body).methods, ::testing::ElementsAre("Inform", "TransferComplete"));
  EXPECT_TRUE(std::holds_alternative<GetRPCMethods>(Parse(Write({.body = GetRPCMethods{}}))->body));
  EXPECT_EQ(MethodOf(*read), "GetRPCMethodsResponse");
  EXPECT_EQ(MethodOf({.body = Fault{.code = 9005}}), "Fault 9005");
  EXPECT_EQ(MethodOf({.body = Rpc{"AddObject", ""}}), "AddObject");
  EXPECT_EQ(std::get<Reboot>(Parse(Write({.body = Reboot{"task-7"}}))->body).command_key, "task-7");
  for (const Envelope& envelope : {Envelope{.body = RebootResponse{}}, Envelope{.body = FactoryReset{}},
                                   Envelope{.body = FactoryResetResponse{}}}) {
    read = Parse(Write(envelope));
    ASSERT_TRUE(read.ok());
    EXPECT_EQ(read->body.index(), envelope.body.index());
  }
}

TEST(CwmpTest, NamesAttributesAndObjectsReadBack) {
  auto round_trip = [](decltype(Envelope::body) body) {
    absl::StatusOr<Envelope> read = Parse(Write({.version = Version::k1_2, .id = "4", .body = std::move(body)}));
    EXPECT_TRUE(read.ok()) << read.status();
    return read.ok() ? read->body : decltype(Envelope::body){};
  };
  auto names = std::get<GetParameterNames>(round_trip(GetParameterNames{"Device.DeviceInfo.", true}));
  EXPECT_EQ(names.parameter_path, "Device.DeviceInfo.");
  EXPECT_TRUE(names.next_level);
  auto infos = std::get<GetParameterNamesResponse>(
      round_trip(GetParameterNamesResponse{{{"Device.DeviceInfo.SerialNumber", false}, {"Device.Time.", true}}}));
  ASSERT_EQ(infos.parameters.size(), 2u);
  EXPECT_FALSE(infos.parameters[0].writable);
  EXPECT_TRUE(infos.parameters[1].writable);
  auto set = std::get<SetParameterAttributes>(round_trip(SetParameterAttributes{
      {{.name = "Device.X_ONRAMP_Profile.A", .notification_change = true, .notification = 2, .access_list = {"Subscriber"}}}}));
  ASSERT_EQ(set.parameters.size(), 1u);
  EXPECT_TRUE(set.parameters[0].notification_change);
  EXPECT_EQ(set.parameters[0].notification, 2);
  EXPECT_FALSE(set.parameters[0].access_list_change);
  EXPECT_THAT(set.parameters[0].access_list, ::testing::ElementsAre("Subscriber"));
  auto got = std::get<GetParameterAttributesResponse>(
      round_trip(GetParameterAttributesResponse{{{"Device.X_ONRAMP_Profile.A", 1, {}}}}));
  EXPECT_EQ(got.parameters.at(0).notification, 1);
  EXPECT_THAT(std::get<GetParameterAttributes>(round_trip(GetParameterAttributes{{"Device."}})).names,
              ::testing::ElementsAre("Device."));
  auto add = std::get<AddObject>(round_trip(AddObject{"Device.Services.VoiceService.1.VoiceProfile.1.Line.", "k"}));
  EXPECT_EQ(add.object_name, "Device.Services.VoiceService.1.VoiceProfile.1.Line.");
  EXPECT_EQ(std::get<AddObjectResponse>(round_trip(AddObjectResponse{3, 0})).instance_number, 3);
  EXPECT_EQ(std::get<DeleteObject>(round_trip(DeleteObject{"Device.A.3.", "k"})).object_name, "Device.A.3.");
  EXPECT_EQ(std::get<DeleteObjectResponse>(round_trip(DeleteObjectResponse{1})).status, 1);
  EXPECT_TRUE(std::holds_alternative<SetParameterAttributesResponse>(round_trip(SetParameterAttributesResponse{})));
  // CPEs write booleans as "true" too.
  absl::StatusOr<Envelope> foreign = Parse(
      R"(<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:c="urn:dslforum-org:cwmp-1-1">)"
      R"(<e:Body><c:GetParameterNames><ParameterPath>Device.</ParameterPath><NextLevel>true</NextLevel>)"
      R"(</c:GetParameterNames></e:Body></e:Envelope>)");
  ASSERT_TRUE(foreign.ok());
  EXPECT_TRUE(std::get<GetParameterNames>(foreign->body).next_level);
}

TEST(CwmpTest, FaultsCarryTheirCodesAndEachParametersFault) {
  Fault fault{.code = 9003, .message = "Invalid arguments",
              .parameter_faults = {{"Device.ManagementServer.PeriodicInformInterval", 9007, "Invalid value"}}};
  std::string xml = Write({.id = "3", .body = fault});
  EXPECT_THAT(xml, HasSubstr("<faultcode>Client</faultcode>"));
  absl::StatusOr<Envelope> read = Parse(xml);
  ASSERT_TRUE(read.ok());
  const Fault& got = std::get<Fault>(read->body);
  EXPECT_EQ(got.code, 9003);
  ASSERT_EQ(got.parameter_faults.size(), 1u);
  EXPECT_EQ(got.parameter_faults[0].code, 9007);
}

TEST(CwmpTest, AnEmptyPostIsAnEmptyEnvelopeAndOtherRpcsAreKeptWhole) {
  absl::StatusOr<Envelope> empty = Parse(" \r\n");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(std::holds_alternative<std::monostate>(empty->body));
  EXPECT_EQ(Write(*empty), "");
  absl::StatusOr<Envelope> schedule = Parse(
      R"(<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/" xmlns:c="urn:dslforum-org:cwmp-1-0">)"
      R"(<e:Header><c:ID>5</c:ID></e:Header><e:Body><c:ScheduleInform><DelaySeconds>60</DelaySeconds>)"
      R"(<CommandKey>k1</CommandKey></c:ScheduleInform></e:Body></e:Envelope>)");
  ASSERT_TRUE(schedule.ok()) << schedule.status();
  const Rpc& rpc = std::get<Rpc>(schedule->body);
  EXPECT_EQ(rpc.name, "ScheduleInform");
  EXPECT_THAT(rpc.xml, HasSubstr("<CommandKey>k1</CommandKey>"));
  EXPECT_THAT(Write(*schedule), HasSubstr("<CommandKey>k1</CommandKey>"));
}

TEST(CwmpTest, WhatIsNotACwmpEnvelopeIsRefusedSayingWhy) {
  struct Case {
    std::string xml;
    const char* why;
  };
  for (const Case& c : std::vector<Case>{
           {"<not-closed", "not XML"},
           {"<html><body/></html>", "not a SOAP 1.1 Envelope"},
           {R"(<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Header/></Envelope>)", "no Body"},
           {R"(<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body><x/></Body></Envelope>)",
            "no CWMP namespace"},
           {std::string(300000, ' ') + "<x/>", "at most 256 KiB"},
       }) {
    absl::StatusOr<Envelope> envelope = Parse(c.xml);
    EXPECT_EQ(envelope.status().code(), absl::StatusCode::kInvalidArgument) << c.why;
    EXPECT_THAT(envelope.status().message(), HasSubstr(c.why));
  }
}

// The namespace an element's or attribute's prefix stands for at `node`.
std::string Resolve(pugi::xml_node node, std::string_view qualified) {
  size_t colon = qualified.find(':');
  std::string prefix = colon == std::string_view::npos ? "" : std::string(qualified.substr(0, colon));
  std::string attribute = prefix.empty() ? "xmlns" : "xmlns:" + prefix;
  for (pugi::xml_node at = node; at; at = at.parent()) {
    if (pugi::xml_attribute declared = at.attribute(attribute.c_str())) return declared.value();
  }
  return "";
}

std::string_view Local(std::string_view qualified) {
  size_t colon = qualified.find(':');
  return colon == std::string_view::npos ? qualified : qualified.substr(colon + 1);
}

// Everything below an element the CWMP schema (elementFormDefault
// "unqualified") puts in no namespace, and its attributes only in SOAP's,
// SOAP encoding's or XML Schema instance's.
void ExpectUnqualifiedBelow(pugi::xml_node element) {
  for (pugi::xml_node child = element.first_child(); child; child = child.next_sibling()) {
    if (child.type() != pugi::node_element) continue;
    EXPECT_EQ(Resolve(child, child.name()), "") << child.name() << " under " << element.name();
    for (pugi::xml_attribute attribute = child.first_attribute(); attribute; attribute = attribute.next_attribute()) {
      EXPECT_THAT(Resolve(child, attribute.name()),
                  ::testing::AnyOf("http://schemas.xmlsoap.org/soap/encoding/",
                                   "http://www.w3.org/2001/XMLSchema-instance"))
          << attribute.name();
    }
    ExpectUnqualifiedBelow(child);
  }
}

// What we write, checked against the namespaces of CWMP 1.0, 1.1 and 1.2
// (TR-069 Annex A): the SOAP 1.1 envelope, cwmp:ID and cwmp:HoldRequests in
// the header, the RPC (or a SOAP Fault's cwmp:Fault detail) in the cwmp
// namespace of the version, its arguments unqualified.
TEST(CwmpTest, EveryEnvelopeWeWriteUsesTheNamespacesOfItsVersion) {
  constexpr char kSoap[] = "http://schemas.xmlsoap.org/soap/envelope/";
  std::vector<decltype(Envelope::body)> bodies = {
      Inform{.events = {{"1 BOOT", ""}}, .parameters = {{"Device.DeviceInfo.SoftwareVersion", "x"}}},
      InformResponse{},
      GetParameterValues{{"Device."}},
      GetParameterValuesResponse{{{"Device.DeviceInfo.SerialNumber", "FCH1"}}},
      SetParameterValues{{{"Device.X_ONRAMP_Profile.A", "1"}}, "k"},
      SetParameterValuesResponse{},
      Download{.url = "https://gw/firmware/x.loads"},
      DownloadResponse{},
      TransferComplete{.command_key = "k", .fault_code = 9010, .fault_string = "no"},
      TransferCompleteResponse{},
      GetRPCMethods{},
      GetRPCMethodsResponse{{"Inform"}},
      Reboot{"k"},
      RebootResponse{},
      FactoryReset{},
      FactoryResetResponse{},
      GetParameterNames{"Device.", true},
      GetParameterNamesResponse{{{"Device.DeviceInfo.SerialNumber", false}}},
      SetParameterAttributes{{{.name = "Device.A", .notification_change = true, .notification = 1}}},
      SetParameterAttributesResponse{},
      GetParameterAttributes{{"Device.A"}},
      GetParameterAttributesResponse{{{"Device.A", 1, {"Subscriber"}}}},
      AddObject{"Device.A.", "k"},
      AddObjectResponse{2, 0},
      DeleteObject{"Device.A.2.", "k"},
      DeleteObjectResponse{},
      Fault{.code = 9003, .message = "Invalid arguments", .parameter_faults = {{"Device.A", 9005, "Invalid"}}},
  };
  for (Version version : {Version::k1_0, Version::k1_1, Version::k1_2}) {
    const std::string cwmp(NamespaceOf(version));
    for (const auto& body : bodies) {
      Envelope envelope{.version = version, .id = "1", .hold_requests = true, .body = body};
      SCOPED_TRACE(absl::StrCat(cwmp, " ", MethodOf(envelope)));
      std::string xml = Write(envelope);
      pugi::xml_document document;
      ASSERT_TRUE(document.load_string(xml.c_str())) << xml;
      pugi::xml_node root = document.document_element();
      EXPECT_EQ(Local(root.name()), "Envelope");
      EXPECT_EQ(Resolve(root, root.name()), kSoap);
      int parts = 0;
      for (pugi::xml_node part = root.first_child(); part; part = part.next_sibling()) {
        ++parts;
        EXPECT_EQ(Resolve(part, part.name()), kSoap) << part.name();
        for (pugi::xml_node entry = part.first_child(); entry; entry = entry.next_sibling()) {
          if (Local(part.name()) == "Header") {
            EXPECT_THAT(std::string(Local(entry.name())), ::testing::AnyOf("ID", "HoldRequests"));
            EXPECT_EQ(Resolve(entry, entry.name()), cwmp) << entry.name();
            EXPECT_EQ(Resolve(entry, entry.attribute("soap-env:mustUnderstand").name()), kSoap);
          } else if (Local(entry.name()) == "Fault" && Resolve(entry, entry.name()) == kSoap) {
            // SOAP 1.1's own fault: faultcode, faultstring, detail unqualified;
            // the detail holds the cwmp:Fault.
            for (pugi::xml_node field = entry.first_child(); field; field = field.next_sibling()) {
              EXPECT_EQ(Resolve(field, field.name()), "") << field.name();
            }
            pugi::xml_node detail = entry.child("detail").first_child();
            EXPECT_EQ(Local(detail.name()), "Fault");
            EXPECT_EQ(Resolve(detail, detail.name()), cwmp);
            ExpectUnqualifiedBelow(detail);
          } else {
            EXPECT_EQ(Local(entry.name()), MethodOf(envelope));
            EXPECT_EQ(Resolve(entry, entry.name()), cwmp) << entry.name();
            ExpectUnqualifiedBelow(entry);
          }
        }
      }
      EXPECT_EQ(parts, 2);  // Header and Body
      // No other version's namespace anywhere.
      for (Version other : {Version::k1_0, Version::k1_1, Version::k1_2}) {
        if (other != version) {
          EXPECT_THAT(xml, ::testing::Not(HasSubstr(std::string(NamespaceOf(other)))));
        }
      }
    }
  }
}

}  // namespace
}  // namespace onramp::cwmp
