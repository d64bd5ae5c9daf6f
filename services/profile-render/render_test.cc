#include "services/profile-render/render.h"

#include <cstdio>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/error_detail.h"
#include "lib/kit/status/status_matchers.h"
#include "lib/phone/profile_crypto/aes128gcm.h"
#include "lib/phone/profile_crypto/gzip.h"
#include "lib/phone/profile_crypto/openssl_enc.h"
#include "lib/testing/shell.h"

namespace onramp::profile {
namespace {

using ::onramp::status::IsOk;
using ::onramp::status::StatusIs;
using ::testing::HasSubstr;

DeviceFacts Phone() {
  DeviceFacts device;
  device.mac = *identity::MacAddress::Parse("000e08aabbcc");
  device.model = "CP-8851-3PCC";
  device.serial = "FCH2233ABCD";
  device.firmware = "sip88xx.12-0-1MPP0001-245";
  device.partner = "acme";
  device.site = "lisbon";
  return device;
}

std::map<std::string, std::string> Values(const std::vector<LayerParameter>& parameters) {
  std::map<std::string, std::string> values;
  for (const auto& p : parameters) values[p.name] = p.value;
  return values;
}

TEST(RenderTest, LayersMergeGlobalModelPartnerSiteDevice) {
  // Each row: which scopes set "X" (and to what); the highest must win.
  const std::vector<std::pair<std::vector<Scope>, std::string>> table = {
      {{Scope::kGlobal}, "global"},
      {{Scope::kGlobal, Scope::kModel}, "model"},
      {{Scope::kModel, Scope::kPartner}, "partner"},
      {{Scope::kPartnerModel, Scope::kPartner, Scope::kModel}, "partner_model"},
      {{Scope::kPartner, Scope::kSite, Scope::kPartnerModel, Scope::kGlobal}, "site"},
      {{Scope::kDevice, Scope::kSite, Scope::kGlobal, Scope::kModel}, "device"},
  };
  const char* names[] = {"global", "model", "partner", "partner_model", "site", "device"};
  for (const auto& [scopes, winner] : table) {
    RenderInput input{.device = Phone()};
    for (Scope scope : scopes) {
      input.layers.push_back({scope, {{"X", names[static_cast<int>(scope)]}}});
    }
    auto merged = MergeParameters(input);
    ASSERT_TRUE(merged.ok()) << merged.status();
    EXPECT_EQ(Values(*merged)["X"], winner);
  }
}

TEST(RenderTest, TemplateComputesValuesBetweenPartnerAndSite) {
  RenderInput input{.device = Phone()};
  input.layers = {{Scope::kPartner, {{"Proxy_1_", "sip.acme.example"}}},
                  {Scope::kDevice, {{"Station_Name", "set by device layer"}}}};
  input.template_text =
      "<Display_Name_1_>Desk {{serial}}</Display_Name_1_>\n"
      "<Station_Name>{{partner}}-{{site}}</Station_Name>\n"
      "<Registrar_1_>{{Proxy_1_}}</Registrar_1_>";
  auto merged = MergeParameters(input);
  ASSERT_TRUE(merged.ok()) << merged.status();
  auto values = Values(*merged);
  EXPECT_EQ(values["Display_Name_1_"], "Desk FCH2233ABCD");
  EXPECT_EQ(values["Registrar_1_"], "sip.acme.example");
  EXPECT_EQ(values["Station_Name"], "set by device layer");
}

TEST(RenderTest, ServerMacrosExpandExceptWhereThePhoneExpands) {
  RenderInput input{.device = Phone()};
  input.layers = {{Scope::kGlobal,
                   {{"Station_Name", "$PN-$MA"},
                    {"Profile_Rule", "https://h/$MA.xml"},
                    {"Upgrade_Rule", "($SWVER ne x)? https://fw/x"},
                    {"Log_Request_Msg", "$PN $MAC -- Requesting"}}}};
  auto values = Values(*MergeParameters(input));
  EXPECT_EQ(values["Station_Name"], "CP-8851-3PCC-000e08aabbcc");
  EXPECT_EQ(values["Profile_Rule"], "https://h/$MA.xml");
  EXPECT_EQ(values["Upgrade_Rule"], "($SWVER ne x)? https://fw/x");
  EXPECT_EQ(values["Log_Request_Msg"], "$PN $MAC -- Requesting");
}

TEST(RenderTest, SameInputsGiveTheSameBytesAndEtag) {
  RenderInput input{.device = Phone(), .gzip = true, .key = *profile_crypto::DeviceKey::Generate(),
                    .always_encrypt = true};
  input.layers = {{Scope::kGlobal, {{"A", "1"}, {"B", "2"}}}};
  auto first = Render(input);
  auto second = Render(input);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->body, second->body);
  EXPECT_EQ(first->etag, second->etag);
  input.layers[0].parameters[0].value = "changed";
  EXPECT_NE(Render(input)->etag, first->etag);
}

TEST(RenderTest, SecretsAreEncryptedUnlessTheChannelAuthenticatesThePhone) {
  profile_crypto::DeviceKey key = *profile_crypto::DeviceKey::Generate();
  RenderInput input{.device = Phone(), .key = key};
  input.layers = {{Scope::kDevice, {{"Password_1_", "hunter2"}, {"Proxy_1_", "sip.example"}}}};
  auto rendered = Render(input);
  ASSERT_TRUE(rendered.ok()) << rendered.status();
  EXPECT_TRUE(rendered->has_secrets);
  EXPECT_EQ(rendered->encryption, Encryption::kAes256Cbc);
  EXPECT_EQ(rendered->body.find("hunter2"), std::string::npos);

  // The phone's own decryption: openssl enc -d with the device passphrase.
  std::string path = ::testing::TempDir() + "/profile.enc";
  std::ofstream(path, std::ios::binary) << rendered->body;
  ::onramp::testing::ShellResult decrypted = ::onramp::testing::RunShell(
      "openssl enc -d -aes-256-cbc -md md5 -k " + key.Passphrase() + " -in " + path + " 2>/dev/null");
  EXPECT_EQ(decrypted.exit_code, 0) << decrypted.output;
  const std::string& plain = decrypted.output;
  EXPECT_EQ(plain, rendered->xml);
  EXPECT_THAT(plain, HasSubstr("<Password_1_>hunter2</Password_1_>"));

  input.authenticated_channel = true;
  auto over_mtls = Render(input);
  ASSERT_TRUE(over_mtls.ok());
  EXPECT_EQ(over_mtls->encryption, Encryption::kNone);
  EXPECT_THAT(over_mtls->body, HasSubstr("hunter2"));

  input.authenticated_channel = false;
  input.key.reset();
  EXPECT_THAT(Render(input), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(RenderTest, Aes128GcmBodiesDecodeWithTheFormatsLibrary) {
  profile_crypto::DeviceKey key = *profile_crypto::DeviceKey::Generate();
  RenderInput input{.device = Phone(), .gzip = true, .encryption = Encryption::kAes128Gcm,
                    .key = key, .key_id = "k1", .always_encrypt = true};
  input.layers = {{Scope::kGlobal, {{"Proxy_1_", "sip.example"}}}};
  auto rendered = Render(input);
  ASSERT_TRUE(rendered.ok()) << rendered.status();
  EXPECT_EQ(rendered->content_encoding, "aes128gcm");
  auto decoded = profile_crypto::DecodeAes128Gcm(rendered->body, key.Ikm());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*profile_crypto::Gunzip(*decoded), rendered->xml);
}

TEST(RenderTest, ParametersPhonesCannotTakeAreRefusedNamingThem) {
  struct Case {
    LayerParameter parameter;
    std::string field;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"1bad", "x"}, "parameters[0].name", "not a flat-profile element name"},
      {{"a b", "x"}, "parameters[0].name", "not a flat-profile element name"},
      {{"Display_Name_1_", std::string(3000, 'x')}, "parameters[0].value", "longer than 2048"},
      {{"Display_Name_1_", "caf\xc3\xa9"}, "parameters[0].value", "cannot show"},
      {{"Display_Name_1_", "two\nlines"}, "parameters[0].value", "cannot show"},
      {{"Display_Name_1_", " padded"}, "parameters[0].value", "leading or trailing"},
  };
  for (const Case& c : cases) {
    absl::Status status = ValidateParameter("parameters[0]", c.parameter);
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)));
    EXPECT_EQ(status::FieldOf(status), c.field);
  }
  EXPECT_THAT(ValidateParameter("p", {"Proxy_1_", "sip.example.com"}), IsOk());
}

TEST(RenderTest, TemplatesAreValidatedOnUpload) {
  EXPECT_THAT(ValidateTemplate("<Display_Name_1_>{{serial}}</Display_Name_1_>"), IsOk());
  EXPECT_THAT(ValidateTemplate("<A>{{#x}}</A>"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("Unclosed section")));
  EXPECT_THAT(ValidateTemplate("<A>{{serial}}</B>"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("flat-profile")));
}

TEST(RenderTest, ParametersTheModelLacksAreLeftOut) {
  RenderInput input{.device = Phone(), .authenticated_channel = true};
  input.layers = {{Scope::kGlobal, {{"Proxy_1_", "sip"}, {"Line_Key_7_", "x"}}}};
  input.model_parameters = std::set<std::string, std::less<>>{"Proxy_1_"};
  auto rendered = Render(input);
  ASSERT_TRUE(rendered.ok());
  EXPECT_THAT(rendered->xml, HasSubstr("Proxy_1_"));
  EXPECT_THAT(rendered->xml, ::testing::Not(HasSubstr("Line_Key_7_")));
  EXPECT_THAT(rendered->dropped, ::testing::ElementsAre("Line_Key_7_"));
}

TEST(RenderTest, SecretMarksCannotBeDroppedByHigherLayers) {
  RenderInput input{.device = Phone(), .authenticated_channel = true};
  input.layers = {{Scope::kPartner, {{"GPP_A", "token", std::nullopt, true}}},
                  {Scope::kDevice, {{"GPP_A", "other", std::nullopt, false}}}};
  auto merged = MergeParameters(input);
  ASSERT_EQ(merged->size(), 1u);
  EXPECT_TRUE((*merged)[0].secret);
  EXPECT_EQ((*merged)[0].value, "other");
}

}  // namespace
}  // namespace onramp::profile
