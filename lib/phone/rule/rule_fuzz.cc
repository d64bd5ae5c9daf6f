// Fuzzes the rule parser, printer and evaluator (and with it macro
// expansion and version comparison). Properties: nothing crashes, and a
// parsed rule prints to text that parses back to the same rule.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lib/phone/rule/rule.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace onramp;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  macro::Variables variables;
  variables.mac = *identity::MacAddress::Parse("000e08aabbcc");
  variables.product_name = "CP-8851-3PCC";
  variables.software_version = "sip88xx.11-2-3MSR1-1";
  variables.general_purpose[0] = "$MA";
  variables.secret_general_purpose[0] = "secret";
  for (rule::RuleKind kind : {rule::RuleKind::kProfile, rule::RuleKind::kUpgrade,
                              rule::RuleKind::kReport}) {
    absl::StatusOr<rule::Rule> parsed = rule::ParseRule(text, kind);
    if (!parsed.ok()) continue;
    std::string printed = rule::PrintRule(*parsed);
    absl::StatusOr<rule::Rule> reparsed = rule::ParseRule(printed, kind);
    if (!reparsed.ok() || !(*reparsed == *parsed)) std::abort();
    (void)rule::Evaluate(*parsed, variables, {.kind = kind, .dhcp_tftp_server = "192.0.2.1"});
  }
  (void)macro::Expand(text, variables, macro::Context::kCredentials);
  return 0;
}
