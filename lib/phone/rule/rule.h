#ifndef ONRAMP_LIB_PHONE_RULE_RULE_H_
#define ONRAMP_LIB_PHONE_RULE_RULE_H_

// Profile_Rule / Upgrade_Rule grammar, as the phones read it.
//
//   rule        := "" | "gds://" | alternative ( "|" alternative )*
//   alternative := [ "(" condition ")?" ] [ "(" assignments ")!" ] [ "[" options "]" ] [ url ]
//   condition   := comparison ( ("and" | "&&") comparison )*
//   comparison  := operand op operand      op: eq ne lt le gt ge = == != < <= > >=
//   operand     := "quoted text" | bare-word          (macros expand in both)
//   assignments := Param "=" value ( ";" Param "=" value )* [";"]     a..p mean GPP_A..GPP_P
//   options     := ( --key V | --uid V | --pwd V | --post a-p | --alias a-p | --srv
//                    | --delta | --status )*          V: "quoted" or a bare word
//   url         := [ scheme "://" ] [ server [ ":" port ] ] "/" path
//                | file-name          ("&PN.cfg": a file in the TFTP root)
//
// Every alternative but the last needs a condition; the first true one (or
// the first without a condition) wins; if none is true the rule is skipped.
// No scheme means TFTP; no server means the DHCP option-66 server (profile
// rules only: an upgrade rule must name its server); no port means 69, 80 or
// 443. --srv (a DNS SRV lookup) needs HTTP or HTTPS.
//
// Comparisons: a quoted operand compares as text and allows only eq/ne.
// Unquoted operands compare as firmware versions when both sides are
// versions (so `$SWVER lt sip88xx.11-3-1MPP-100` works), as integers when
// both are integers, and as text otherwise.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/phone/macro/macro.h"

namespace onramp::rule {

enum class RuleKind {
  kProfile,  // Profile_Rule, _B, _C, _D
  kUpgrade,  // Upgrade_Rule: must name a server, no --key
  kReport,   // Report_Rule: --delta and --status allowed
};

enum class Scheme { kTftp, kHttp, kHttps };

std::string_view SchemeName(Scheme scheme);
int DefaultPort(Scheme scheme);

enum class Op { kEq, kNe, kLt, kLe, kGt, kGe };

struct Operand {
  std::string text;  // without quotes; macros not yet expanded
  bool quoted = false;
  friend bool operator==(const Operand&, const Operand&) = default;
};

struct Comparison {
  Operand left;
  Op op = Op::kEq;
  Operand right;
  friend bool operator==(const Comparison&, const Comparison&) = default;
};

struct Assignment {
  std::string parameter;  // full name: "GPP_A", not "a"
  std::string value;
  friend bool operator==(const Assignment&, const Assignment&) = default;
};

struct Options {
  std::optional<std::string> key;
  std::optional<std::string> uid;
  std::optional<std::string> pwd;
  std::optional<char> post;   // 'a'..'p': POST the expanded GPP as the body
  std::optional<char> alias;  // 'a'..'p': GPP holding /xpath = /flat-profile/Param maps
  bool srv = false;
  bool delta = false;   // Report_Rule only
  bool status = false;  // Report_Rule only
  friend bool operator==(const Options&, const Options&) = default;
};

struct Url {
  std::optional<Scheme> scheme;  // as written
  std::string host;              // empty: none written
  std::optional<int> port;       // as written
  std::string path;              // starts with "/"; may hold macros and a query
  friend bool operator==(const Url&, const Url&) = default;
};

struct Alternative {
  std::vector<Comparison> condition;  // empty: none (always true)
  std::vector<Assignment> assignments;
  Options options;
  std::optional<Url> url;  // absent: assignments only
  friend bool operator==(const Alternative&, const Alternative&) = default;
};

struct Rule {
  enum class Kind { kEmpty, kGds, kAlternatives };
  Kind kind = Kind::kEmpty;
  std::vector<Alternative> alternatives;
  friend bool operator==(const Rule&, const Rule&) = default;
};

// INVALID_ARGUMENT naming the offending piece and its position. A --srv
// rule with a TFTP scheme fails with the phone's own words:
// "Error - TFTP scheme is not supported in SRV lookup".
absl::StatusOr<Rule> ParseRule(std::string_view text, RuleKind kind = RuleKind::kProfile);

// Canonical text: ParseRule(PrintRule(r)) == r.
std::string PrintRule(const Rule& rule);

// What a phone does with a rule, given its current values.
struct Target {
  Scheme scheme = Scheme::kTftp;
  std::string host;
  int port = 0;
  std::string path;
  // Options with macros expanded ($SA-$SD allowed in key/uid/pwd).
  std::optional<std::string> key;
  std::optional<std::string> uid;
  std::optional<std::string> pwd;
  std::optional<std::string> post_parameter;   // "GPP_A"
  std::optional<std::string> alias_parameter;  // "GPP_B"
  bool srv = false;
  bool delta = false;
  bool status = false;
};

struct Resolution {
  Rule::Kind kind = Rule::Kind::kAlternatives;  // kGds: show the activation screen
  std::vector<Assignment> assignments;          // to apply, in order
  std::optional<Target> target;                 // absent: nothing to fetch
};

struct EvaluateOptions {
  RuleKind kind = RuleKind::kProfile;
  // The DHCP option-66 (TFTP server) value, for rules without a server.
  std::string dhcp_tftp_server;
};

// nullopt when the rule is empty or no alternative's condition holds (the
// rule is skipped). FAILED_PRECONDITION when the winning URL has no server
// and DHCP gave none.
absl::StatusOr<std::optional<Resolution>> Evaluate(const Rule& rule,
                                                   const macro::Variables& variables,
                                                   const EvaluateOptions& options = {});

}  // namespace onramp::rule

#endif  // ONRAMP_LIB_PHONE_RULE_RULE_H_
