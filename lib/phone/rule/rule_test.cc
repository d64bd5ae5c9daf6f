#include "lib/phone/rule/rule.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/status_matchers.h"

namespace onramp::rule {
namespace {

using ::onramp::status::StatusIs;
using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;

macro::Variables Phone() {
  macro::Variables v;
  v.mac = *identity::MacAddress::Parse("000e08aabbcc");
  v.product_name = "CP-6841-3PCC";
  v.product_series = "6841-3PCC";
  v.serial = "FCH2233ABCD";
  v.software_version = "sip68xx.11-3-1MPP-100";
  v.general_purpose[0] = "lab";     // A
  v.secret_general_purpose[0] = "s3cret";
  return v;
}

struct Resolved {
  std::string scheme;
  std::string host;
  int port;
  std::string path;
};

Resolved Resolve(std::string_view text, RuleKind kind = RuleKind::kProfile,
                 const macro::Variables& variables = Phone()) {
  absl::StatusOr<Rule> rule = ParseRule(text, kind);
  EXPECT_TRUE(rule.ok()) << text << ": " << rule.status();
  if (!rule.ok()) return {};
  auto resolution = Evaluate(*rule, variables, {.kind = kind, .dhcp_tftp_server = "192.168.1.5"});
  EXPECT_TRUE(resolution.ok()) << text << ": " << resolution.status();
  if (!resolution.ok() || !resolution->has_value() || !(*resolution)->target) return {};
  const Target& t = *(*resolution)->target;
  return {std::string(SchemeName(t.scheme)), t.host, t.port, t.path};
}

TEST(RuleTest, ResolvesEveryDocumentedUrlForm) {
  struct Case {
    const char* rule;
    Resolved expected;
  };
  const Case cases[] = {
      {"/$MA.cfg", {"tftp", "192.168.1.5", 69, "/000e08aabbcc.cfg"}},
      {"&PN.cfg", {"tftp", "192.168.1.5", 69, "/CP-6841-3PCC.cfg"}},  // the TFTP factory rule
      {"/&PN.cfg", {"tftp", "192.168.1.5", 69, "/CP-6841-3PCC.cfg"}},
      {"/$PSN.xml", {"tftp", "192.168.1.5", 69, "/6841-3PCC.xml"}},
      {"192.168.1.130/profiles/init.cfg", {"tftp", "192.168.1.130", 69, "/profiles/init.cfg"}},
      {"tftp://192.168.1.5/CP_x8xx_MPP.cfg", {"tftp", "192.168.1.5", 69, "/CP_x8xx_MPP.cfg"}},
      {"https://h/profile?x", {"https", "h", 443, "/profile?x"}},
      {"HTTP://prov.example.com:8080/$PSN.xml", {"http", "prov.example.com", 8080, "/6841-3PCC.xml"}},
      {"http://prov.example.com/Cisco/$MA.cfg", {"http", "prov.example.com", 80, "/Cisco/000e08aabbcc.cfg"}},
      {"[--srv] https://example.com/$PSN.xml", {"https", "example.com", 443, "/6841-3PCC.xml"}},
      {"  https://h/$(MA:6)/x.cfg  ", {"https", "h", 443, "/aabbcc/x.cfg"}},
  };
  for (const Case& c : cases) {
    if (c.expected.scheme.empty()) {
      EXPECT_THAT(ParseRule(c.rule), StatusIs(absl::StatusCode::kInvalidArgument)) << c.rule;
      continue;
    }
    Resolved got = Resolve(c.rule);
    EXPECT_EQ(got.scheme, c.expected.scheme) << c.rule;
    EXPECT_EQ(got.host, c.expected.host) << c.rule;
    EXPECT_EQ(got.port, c.expected.port) << c.rule;
    EXPECT_EQ(got.path, c.expected.path) << c.rule;
  }
}

TEST(RuleTest, SpecialRules) {
  absl::StatusOr<Rule> gds = ParseRule(" GDS:// ");
  ASSERT_TRUE(gds.ok()) << gds.status();
  EXPECT_EQ(gds->kind, Rule::Kind::kGds);
  auto resolution = Evaluate(*gds, Phone());
  ASSERT_TRUE(resolution.ok() && resolution->has_value());
  EXPECT_EQ((*resolution)->kind, Rule::Kind::kGds);

  absl::StatusOr<Rule> empty = ParseRule("   ");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->kind, Rule::Kind::kEmpty);
  EXPECT_EQ(*Evaluate(*empty, Phone()), std::nullopt);
}

TEST(RuleTest, FirstTrueConditionWinsAndItsAssignmentsApply) {
  const char* text =
      "($SWVER lt sip68xx.11-3-1MPP-100)? (a = \"old\")! https://h/old.cfg"
      " | ($PN eq \"CP-6841-3PCC\" and $A == lab)? ( b = \"new\" ; GPP_C = \"x y\" ; )! "
      "https://h/$PN.cfg | https://h/other.cfg";
  absl::StatusOr<Rule> rule = ParseRule(text);
  ASSERT_TRUE(rule.ok()) << rule.status();
  auto resolution = Evaluate(*rule, Phone());
  ASSERT_TRUE(resolution.ok() && resolution->has_value());
  EXPECT_THAT((*resolution)->assignments,
              ElementsAre(Assignment{"GPP_B", "new"}, Assignment{"GPP_C", "x y"}));
  EXPECT_EQ((*resolution)->target->path, "/CP-6841-3PCC.cfg");

  macro::Variables older = Phone();
  older.software_version = "sip68xx.11-2-3MSR1-1";
  resolution = Evaluate(*rule, older);
  ASSERT_TRUE(resolution.ok() && resolution->has_value());
  EXPECT_THAT((*resolution)->assignments, ElementsAre(Assignment{"GPP_A", "old"}));
  EXPECT_EQ((*resolution)->target->path, "/old.cfg");

  macro::Variables other = Phone();
  other.product_name = "CP-7832-3PCC";
  resolution = Evaluate(*rule, other);
  ASSERT_TRUE(resolution.ok() && resolution->has_value());
  EXPECT_EQ((*resolution)->target->path, "/other.cfg");
}

TEST(RuleTest, UpgradeRuleIsSkippedOnceTheVersionMatches) {
  const char* text =
      "($SWVER ne sip7832.11-0-0MPP-256)? http://fw.example/sip7832.11-0-0MPP-256.loads";
  absl::StatusOr<Rule> rule = ParseRule(text, RuleKind::kUpgrade);
  ASSERT_TRUE(rule.ok()) << rule.status();
  macro::Variables phone = Phone();
  phone.software_version = "sip7832.11-0-0MPP-200";
  auto resolution = Evaluate(*rule, phone, {.kind = RuleKind::kUpgrade});
  ASSERT_TRUE(resolution.ok() && resolution->has_value());
  EXPECT_EQ((*resolution)->target->host, "fw.example");
  phone.software_version = "sip7832.11-0-0MPP-256";
  EXPECT_THAT(Evaluate(*rule, phone, {.kind = RuleKind::kUpgrade}),
              status::IsOkAndHolds(Eq(std::nullopt)));
}

TEST(RuleTest, ComparisonsUseVersionsNumbersOrText) {
  struct Case {
    const char* condition;
    bool holds;
  };
  const Case cases[] = {
      {"$SWVER lt sip68xx.11-3-1MPP0001-1", true},
      {"$SWVER ge 11-3-1MPP-100", true},
      {"$SWVER gt sip68xx.11-2-3MSR1-1", true},
      {"$SWVER > sip68xx.12-0-1MPP0001-245", false},
      {"$SWVER eq \"sip68xx.11-3-1MPP-100\"", true},
      {"\"$SWVER\" != \"x\"", true},
      {"10 < 9", false},
      {"10 >= 9", true},
      {"$A eq lab and $PN ne x", true},
      {"$A eq lab && $PN eq x", false},
      {"$(MA:0:6) eq \"000e08\"", true},
      {"abc < abd", true},
  };
  for (const Case& c : cases) {
    std::string text = std::string("(") + c.condition + ")? https://h/x";
    absl::StatusOr<Rule> rule = ParseRule(text);
    ASSERT_TRUE(rule.ok()) << text << ": " << rule.status();
    auto resolution = Evaluate(*rule, Phone());
    ASSERT_TRUE(resolution.ok());
    EXPECT_EQ(resolution->has_value(), c.holds) << c.condition;
  }
}

TEST(RuleTest, OptionsAreReadAndCredentialsExpanded) {
  absl::StatusOr<Rule> rule = ParseRule(
      "[--key \"$SA\" --uid admin --pwd \"a\\043b\" --post a --alias p] http://h/$MA.xml");
  ASSERT_TRUE(rule.ok()) << rule.status();
  auto resolution = Evaluate(*rule, Phone());
  ASSERT_TRUE(resolution.ok() && resolution->has_value());
  const Target& target = *(*resolution)->target;
  EXPECT_EQ(target.key, "s3cret");
  EXPECT_EQ(target.uid, "admin");
  EXPECT_EQ(target.pwd, "a#b");
  EXPECT_EQ(target.post_parameter, "GPP_A");
  EXPECT_EQ(target.alias_parameter, "GPP_P");
  // Secrets never expand into the URL.
  rule = ParseRule("http://h/$SA");
  EXPECT_EQ((*Evaluate(*rule, Phone()))->target->path, "/$SA");
}

TEST(RuleTest, MalformedRulesSayWhatIsWrong) {
  struct Case {
    const char* rule;
    RuleKind kind;
    const char* message;
  };
  const Case cases[] = {
      {"[--srv] tftp://h/x", RuleKind::kProfile,
       "Error - TFTP scheme is not supported in SRV lookup"},
      {"[--srv] /x", RuleKind::kProfile, "Error - TFTP scheme is not supported in SRV lookup"},
      {"https://h", RuleKind::kProfile, "path must be absolute"},
      {"ftp://h/x", RuleKind::kProfile, "unsupported scheme \"ftp\""},
      {"https:///x", RuleKind::kProfile, "no server after https://"},
      {"http://h:0/x", RuleKind::kProfile, "bad port \"0\""},
      {"http://h:99999/x", RuleKind::kProfile, "bad port"},
      {"http://h:ab/x", RuleKind::kProfile, "bad port"},
      {"http://:80/x", RuleKind::kProfile, "port without a server"},
      {"($A eq 1) http://h/x", RuleKind::kProfile, "expected ? (condition) or !"},
      {"($A eq 1? http://h/x", RuleKind::kProfile, "unclosed ("},
      {"http://h/a | http://h/b", RuleKind::kProfile, "alternative 1 of 2 has no condition"},
      {"[--key] http://h/x", RuleKind::kProfile, "--key needs a value"},
      {"[--foo] http://h/x", RuleKind::kProfile, "unknown option \"--foo\""},
      {"[--post z] http://h/x", RuleKind::kProfile, "general-purpose parameter a-p"},
      {"[--key a --key b] http://h/x", RuleKind::kProfile, "--key given twice"},
      {"[--key \"abc] http://h/x", RuleKind::kProfile, "unclosed ["},
      {"(\"abc eq 1)? http://h/x", RuleKind::kProfile, "unclosed ("},
      {"[--key k http://h/x", RuleKind::kProfile, "unclosed ["},
      {"(\"x\" lt \"y\")? http://h/x", RuleKind::kProfile, "compares only with eq or ne"},
      {"($A ~ 1)? http://h/x", RuleKind::kProfile, "unknown operator \"~\""},
      {"($A eq)? http://h/x", RuleKind::kProfile, "condition needs operand op operand"},
      {"($A eq 1 or $B eq 2)? http://h/x", RuleKind::kProfile, "expected \"and\""},
      {"(a)! http://h/x", RuleKind::kProfile, "assignment needs Param = \"value\""},
      {"(a b = \"1\")! http://h/x", RuleKind::kProfile, "bad parameter name"},
      {"()! http://h/x", RuleKind::kProfile, "no assignments"},
      {"http://h/x junk", RuleKind::kProfile, "expected | between alternatives"},
      {"($A eq 1)? | http://h/x", RuleKind::kProfile, "neither assignments nor a URL"},
      {"[--key k] http://h/x", RuleKind::kUpgrade, "an upgrade rule takes no --key"},
      {"/fw.loads", RuleKind::kUpgrade, "an upgrade rule must name its server"},
      {"gds://", RuleKind::kUpgrade, "gds:// is only a profile rule"},
      {"[--delta] http://h/x", RuleKind::kProfile, "belong to report rules"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(ParseRule(c.rule, c.kind),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)))
        << c.rule;
  }
}

TEST(RuleTest, NoServerAndNoDhcpIsAnEvaluationError) {
  absl::StatusOr<Rule> rule = ParseRule("/$MA.cfg");
  ASSERT_TRUE(rule.ok());
  EXPECT_THAT(Evaluate(*rule, Phone(), {}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("option 66")));
}

TEST(RuleTest, ParsePrintParseIsStable) {
  for (const char* text : {
           "/$MA.cfg",
           "&PN.cfg",
           "gds://",
           "",
           "192.168.1.130:6969/profiles/init.cfg",
           "[--srv] https://example.com/$PSN.xml",
           "($SWVER ne sip7832.11-0-0MPP-256)? http://fw.example/sip7832.11-0-0MPP-256.loads",
           "($A == \"x y\" && 1 < 2)? (a = \"1\"; Profile_Rule_B = \"https://h/$MA.cfg\")! "
           "[--key \"k k\" --uid u --pwd p --post b --alias c] https://h:8443/p?x=1&y=$MA | "
           "(b = \"2\")!",
       }) {
    absl::StatusOr<Rule> first = ParseRule(text);
    ASSERT_TRUE(first.ok()) << text << ": " << first.status();
    std::string printed = PrintRule(*first);
    absl::StatusOr<Rule> second = ParseRule(printed);
    ASSERT_TRUE(second.ok()) << printed << ": " << second.status();
    EXPECT_EQ(*second, *first) << printed;
    EXPECT_EQ(PrintRule(*second), printed);
  }
}

}  // namespace
}  // namespace onramp::rule
