#include "lib/phone/flat_profile/flat_profile.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/status_matchers.h"

namespace onramp::flat_profile {
namespace {

using ::onramp::status::StatusIs;
using ::testing::HasSubstr;
using ::testing::Optional;

TEST(FlatProfileTest, ReadsThePhonesRules) {
  const char* xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<device>
<flat-profile>
  <!-- comments are ignored -->
  <Profile_Rule ua="na">gds://</Profile_Rule>
  <Display_Name_1_ ua="rw" user-pref="y">  Front
  desk  </Display_Name_1_>
  <Upgrade_Enable/>
  <Station_Name></Station_Name>
  <Escaped>a &lt;b&gt; &amp; &#67;&#x44; &bogus;</Escaped>
  <Cdata><![CDATA[x < y]]></Cdata>
  <profile_rule>lower case is another parameter</profile_rule>
  <Unknown_Parameter_From_The_Future>kept</Unknown_Parameter_From_The_Future>
</flat-profile>
</device>)";
  absl::StatusOr<ParseResult> result = Parse(xml);
  ASSERT_TRUE(result.ok()) << result.status();
  const FlatProfile& profile = result->profile;
  ASSERT_EQ(profile.parameters.size(), 8u);

  const Parameter* rule = profile.Find("Profile_Rule");
  ASSERT_NE(rule, nullptr);
  EXPECT_THAT(rule->value, Optional(std::string("gds://")));
  EXPECT_EQ(rule->user_access, UserAccess::kNone);
  EXPECT_EQ(rule->line, 5);
  EXPECT_EQ(rule->column, 3);

  const Parameter* name = profile.Find("Display_Name_1_");
  EXPECT_THAT(name->value, Optional(std::string("Front   desk")));
  EXPECT_EQ(name->user_access, UserAccess::kReadWrite);
  EXPECT_EQ(name->user_preference, true);

  EXPECT_EQ(profile.Find("Upgrade_Enable")->value, std::nullopt);  // keep current
  EXPECT_THAT(profile.Find("Station_Name")->value, Optional(std::string("")));  // set empty
  EXPECT_THAT(profile.Find("Escaped")->value, Optional(std::string("a <b> & CD &bogus;")));
  EXPECT_THAT(profile.Find("Cdata")->value, Optional(std::string("x < y")));
  EXPECT_NE(profile.Find("profile_rule"), nullptr);
  EXPECT_NE(profile.Find("Unknown_Parameter_From_The_Future"), nullptr);
  EXPECT_TRUE(result->warnings.empty());
}

TEST(FlatProfileTest, SelfClosingIsToldApartWithAttributesAndQuotedSlashes) {
  absl::StatusOr<ParseResult> result = Parse(
      "<flat-profile><A ua=\"rw\"/><B ua='ro' ></B><C ua=\"na\" />"
      "<D user-pref=\"n\">x/</D></flat-profile>");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->profile.Find("A")->value, std::nullopt);
  EXPECT_THAT(result->profile.Find("B")->value, Optional(std::string("")));
  EXPECT_EQ(result->profile.Find("C")->value, std::nullopt);
  EXPECT_THAT(result->profile.Find("D")->value, Optional(std::string("x/")));
}

TEST(FlatProfileTest, LastDuplicateWinsWithAWarning) {
  absl::StatusOr<ParseResult> result = Parse(
      "<flat-profile>\n<Proxy_1_>a</Proxy_1_>\n<Other>o</Other>\n<Proxy_1_>b</Proxy_1_>\n"
      "</flat-profile>");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->profile.parameters.size(), 2u);
  EXPECT_THAT(result->profile.Find("Proxy_1_")->value, Optional(std::string("b")));
  ASSERT_EQ(result->warnings.size(), 1u);
  EXPECT_EQ(result->warnings[0].line, 4);
  EXPECT_THAT(result->warnings[0].message, HasSubstr("repeats line 2; the last one wins"));
}

TEST(FlatProfileTest, ErrorsCarryLineAndColumn) {
  struct Case {
    const char* xml;
    const char* message;
  };
  const Case cases[] = {
      {"<flat-profile>\n  <A>x</B>\n</flat-profile>", "line 2, column"},
      {"<flat-profile>\n<A>x</A>\n", "Start-end tags mismatch"},
      {"<config><A/></config>", "root element <config> is not <flat-profile> or <device>"},
      {"<device><A/></device>", "<device> holds no <flat-profile>"},
      {"<flat-profile>\n\n  <A ua=\"xx\">1</A></flat-profile>",
       "line 3, column 3: <A> ua=\"xx\" is not na, ro or rw"},
      {"<flat-profile><A user-pref=\"maybe\"/></flat-profile>", "user-pref=\"maybe\""},
      {"", "line 1, column 1"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(Parse(c.xml), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)))
        << c.xml;
  }
}

TEST(FlatProfileTest, WarnsAboutWhatPhonesIgnore) {
  absl::StatusOr<ParseResult> result =
      Parse("<flat-profile>stray<A color=\"red\">1<B/></A><C>caf\xc3\xa9</C></flat-profile>");
  ASSERT_TRUE(result.ok()) << result.status();
  std::vector<std::string> messages;
  for (const Warning& w : result->warnings) messages.push_back(w.message);
  EXPECT_THAT(messages, ::testing::UnorderedElementsAre(
                            HasSubstr("text outside any parameter"), HasSubstr("attribute color"),
                            HasSubstr("element inside <A>"), HasSubstr("non-ASCII")));
}

TEST(FlatProfileTest, WritesWhatItReadsBack) {
  FlatProfile profile;
  profile.parameters = {
      {.name = "Profile_Rule", .value = "https://h/$MA.cfg?a=1&b=2", .user_access = UserAccess::kNone},
      {.name = "Display_Name_1_", .value = "<Front & Back>", .user_access = UserAccess::kReadWrite,
       .user_preference = true},
      {.name = "Upgrade_Enable"},
      {.name = "Station_Name", .value = ""},
  };
  std::string xml = Write(profile);
  EXPECT_EQ(xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<flat-profile>\n"
            "  <Profile_Rule ua=\"na\">https://h/$MA.cfg?a=1&amp;b=2</Profile_Rule>\n"
            "  <Display_Name_1_ ua=\"rw\" user-pref=\"y\">&lt;Front &amp; Back&gt;</Display_Name_1_>\n"
            "  <Upgrade_Enable/>\n"
            "  <Station_Name></Station_Name>\n"
            "</flat-profile>\n");
  for (bool wrapper : {false, true}) {
    absl::StatusOr<ParseResult> back =
        Parse(Write(profile, {.xml_declaration = !wrapper, .device_wrapper = wrapper}));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->profile, profile);
  }
}

TEST(FlatProfileTest, NamesFromLabelsAndIndexes) {
  EXPECT_EQ(NameFromLabel("Resync At (HHmm)"), "Resync_At__HHmm_");
  EXPECT_EQ(NameFromLabel("Dial Plan [1]/x"), "Dial_Plan__1__x");
  EXPECT_EQ(IndexedName("Proxy", 1), "Proxy_1_");
  EXPECT_EQ(IndexedName("Extension", 2), "Extension_2_");
  EXPECT_TRUE(IsValidName("Resync_At__HHmm_"));
  EXPECT_TRUE(IsValidName("_x.y-z"));
  EXPECT_FALSE(IsValidName(""));
  EXPECT_FALSE(IsValidName("1st"));
  EXPECT_FALSE(IsValidName("a b"));
  EXPECT_FALSE(IsValidName("a<b"));
  EXPECT_FALSE(IsValidName("XML_thing"));
}

TEST(FlatProfileTest, SecretsAreKnownByTheirNames) {
  for (const char* secret : {"Password_1_", "HTTP_Proxy_Password", "Admin_Passwd", "GPP_SA", "GPP_SD",
                             "IKM_HTTP_Encrypt_Content", "Cloud_Registration_Credential", "Shared_Secret"}) {
    EXPECT_TRUE(IsSecretName(secret)) << secret;
  }
  for (const char* plain : {"Proxy_1_", "GPP_A", "Profile_Rule", "Display_Name_1_", "User_ID_1_"}) {
    EXPECT_FALSE(IsSecretName(plain)) << plain;
  }
}

}  // namespace
}  // namespace onramp::flat_profile
