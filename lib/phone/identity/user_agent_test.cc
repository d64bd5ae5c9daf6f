#include "lib/phone/identity/user_agent.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/status_matchers.h"

namespace onramp::identity {
namespace {

using ::onramp::status::StatusIs;

struct Case {
  const char* text;
  const char* maker;
  const char* model;
  const char* version;
  const char* mac;  // "" when absent
  const char* serial;
};

TEST(UserAgentTest, ParsesTheVariantsPhonesSend) {
  const Case cases[] = {
      {"Cisco-CP-6841-3PCC/11.0 (00562b043615)", "Cisco", "CP-6841-3PCC", "11.0",
       "00562b043615", ""},
      {"Cisco-CP-7832-3PCC/11.0.1 (00562b043615)", "Cisco", "CP-7832-3PCC", "11.0.1",
       "00562b043615", ""},
      {"Cisco-CP-8851-3PCC/12.0.1 (00562B043615)(FCH2233ABCD)", "Cisco", "CP-8851-3PCC",
       "12.0.1", "00562b043615", "FCH2233ABCD"},
      {"Cisco/SPA504G-7.6.2 (88755A5BC2D0)(CBT123456)", "Cisco", "SPA504G", "7.6.2",
       "88755a5bc2d0", "CBT123456"},
      {"  Cisco-CP-6841-3PCC/11.0  (00:56:2b:04:36:15) ", "Cisco", "CP-6841-3PCC", "11.0",
       "00562b043615", ""},
      {"Cisco-CP-6841-3PCC/11.0", "Cisco", "CP-6841-3PCC", "11.0", "", ""},
      {"Cisco-CP-6841-3PCC/11.0 (FCH2233ABCD)", "Cisco", "CP-6841-3PCC", "11.0", "",
       "FCH2233ABCD"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<UserAgent> agent = ParseUserAgent(c.text);
    ASSERT_TRUE(agent.ok()) << c.text << ": " << agent.status();
    EXPECT_EQ(agent->maker, c.maker) << c.text;
    EXPECT_EQ(agent->model, c.model) << c.text;
    EXPECT_EQ(agent->version, c.version) << c.text;
    EXPECT_EQ(agent->mac.has_value() ? agent->mac->Lower() : "", c.mac) << c.text;
    EXPECT_EQ(agent->serial, c.serial) << c.text;
  }
}

TEST(UserAgentTest, RejectsWhatNoPhoneSends) {
  for (const char* text : {"", "Mozilla", "curl/8.0", "Cisco-CP-6841-3PCC/",
                           "-CP-6841/11.0", "Cisco-CP-6841-3PCC/11.0 (00562b043615",
                           "Cisco-CP-6841-3PCC/11.0 junk", "Cisco-CP/11/0",
                           "Cisco-CP-6841-3PCC/11.0 (a b)", "Cisco-CP\n6841/11.0",
                           "Cisco-CP-6841-3PCC/11.0 (00562b043615)(S1)(S2)"}) {
    EXPECT_THAT(ParseUserAgent(text), StatusIs(absl::StatusCode::kInvalidArgument)) << text;
  }
  EXPECT_THAT(ParseUserAgent(std::string(600, 'a')),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("512")));
}

TEST(UserAgentTest, FormatsTheMultiplatformFormAndParsesBack) {
  UserAgent agent{.maker = "Cisco",
                  .model = "CP-6841-3PCC",
                  .version = "11.0",
                  .mac = *MacAddress::Parse("00562B043615"),
                  .serial = ""};
  EXPECT_EQ(FormatUserAgent(agent), "Cisco-CP-6841-3PCC/11.0 (00562b043615)");
  EXPECT_EQ(*ParseUserAgent(FormatUserAgent(agent)), agent);
  agent.serial = "FCH2233ABCD";
  EXPECT_EQ(FormatUserAgent(agent), "Cisco-CP-6841-3PCC/11.0 (00562b043615)(FCH2233ABCD)");
  EXPECT_EQ(*ParseUserAgent(FormatUserAgent(agent)), agent);
}

}  // namespace
}  // namespace onramp::identity
