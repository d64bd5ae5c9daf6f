#include "lib/phone/macro/macro.h"

#include <random>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace onramp::macro {
namespace {

Variables Phone() {
  Variables v;
  v.mac = *identity::MacAddress::Parse("000E08AABBCC");
  v.product_name = "CP-6841-3PCC";
  v.product_series = "6841-3PCC";
  v.serial = "FCH2233ABCD";
  v.software_version = "sip68xx.11-3-1MPP-100";
  v.hardware_version = "1.0";
  v.ip = "192.0.2.10";
  v.client_certificate = true;
  v.provisioning_state = "0";
  v.general_purpose[0] = "alpha";           // A
  v.general_purpose[15] = "pval";           // P
  v.secret_general_purpose[0] = "s3cret";   // SA
  v.scheme = "https";
  v.server = "prov.example.com";
  v.port = "443";
  v.path = "/cfg/000e08aabbcc.xml";
  return v;
}

TEST(MacroTest, ExpandsTheDocumentedForms) {
  const Variables v = Phone();
  const std::pair<const char*, const char*> cases[] = {
      {"/$MA.cfg", "/000e08aabbcc.cfg"},
      {"/$MAU.cfg", "/000E08AABBCC.cfg"},
      {"$MAC", "00:0e:08:aa:bb:cc"},
      {"/$PSN.xml", "/6841-3PCC.xml"},
      {"&PN.cfg", "CP-6841-3PCC.cfg"},
      {"$(MA)cfg", "000e08aabbcccfg"},
      {"$(MA:6)", "aabbcc"},
      {"$(MA:0:6)", "000e08"},
      {"$(MA:10:99)", "cc"},
      {"$(MA:12)", ""},
      {"$(MA:99:2)", ""},
      {"$SN-$SWVER", "FCH2233ABCD-sip68xx.11-3-1MPP-100"},
      {"$CCERT", "Installed"},
      {"$A/$P", "alpha/pval"},
      {"cost $$5", "cost $5"},
      {"$$MA", "$MA"},
      {"$PN $MAC -- Requesting resync $SCHEME://$SERV:$PORT$PATH",
       "CP-6841-3PCC 00:0e:08:aa:bb:cc -- Requesting resync "
       "https://prov.example.com:443/cfg/000e08aabbcc.xml"},
  };
  for (const auto& [text, expected] : cases) {
    EXPECT_EQ(Expand(text, v), expected) << text;
  }
}

TEST(MacroTest, UnknownAndMalformedStayAsWritten) {
  const Variables v = Phone();
  for (const char* text : {"$FOO", "$MAX", "$(FOO)", "$(MA", "$(MA:x)", "$(MA:1:y)",
                           "$(MA:-1)", "$", "a$", "$(", "$()", "$Q", "?a=1&PN=x", "&PNX",
                           "$(MA:1234567890)"}) {
    EXPECT_EQ(Expand(text, v), text) << text;
  }
}

TEST(MacroTest, ExpansionIsNotRecursive) {
  Variables v = Phone();
  v.general_purpose[1] = "$MA";  // B
  EXPECT_EQ(Expand("$B", v), "$MA");
}

TEST(MacroTest, SecretsExpandOnlyInCredentialOptions) {
  const Variables v = Phone();
  EXPECT_EQ(Expand("$SA", v), "$SA");
  EXPECT_EQ(Expand("https://h/$SA", v), "https://h/$SA");
  EXPECT_EQ(Expand("$SA", v, Context::kCredentials), "s3cret");
  EXPECT_EQ(Expand("$(SA:0:2)", v, Context::kCredentials), "s3");
  EXPECT_EQ(Expand("$SE", v, Context::kCredentials), "$SE");
}

TEST(MacroTest, UnsetVariablesExpandEmpty) {
  Variables v;
  EXPECT_EQ(Expand("[$MA][$EXTIP][$CCERT]", v), "[][][Not Installed]");
}

TEST(MacroTest, NeverCrashesOnArbitraryInput) {
  const Variables v = Phone();
  std::mt19937 random(7);
  const std::string alphabet = "$()&:0123456789MAPNSWVERCUabc$$((::";
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    size_t length = random() % 24;
    for (size_t j = 0; j < length; ++j) text.push_back(alphabet[random() % alphabet.size()]);
    std::string once = Expand(text, v);
    EXPECT_LE(once.size(), text.size() * 20 + 40);
  }
}

}  // namespace
}  // namespace onramp::macro
