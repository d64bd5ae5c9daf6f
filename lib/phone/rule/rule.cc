#include "lib/phone/rule/rule.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/base/strings/strings.h"
#include "lib/phone/firmware_version/firmware_version.h"

namespace onramp::rule {
namespace {

constexpr std::string_view kSrvTftpError = "Error - TFTP scheme is not supported in SRV lookup";

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

using strings::Lower;
using strings::Trim;

absl::string_view Absl(std::string_view text) { return strings::ToAbsl(text); }

struct OpName {
  Op op;
  std::string_view word;
  std::string_view symbol;
};
constexpr OpName kOps[] = {{Op::kEq, "eq", "=="}, {Op::kNe, "ne", "!="}, {Op::kLt, "lt", "<"},
                           {Op::kLe, "le", "<="}, {Op::kGt, "gt", ">"},  {Op::kGe, "ge", ">="}};

std::optional<Op> ParseOp(std::string_view token) {
  if (token == "=") return Op::kEq;
  std::string lower = Lower(token);
  for (const OpName& name : kOps) {
    if (lower == name.word || token == name.symbol) return name.op;
  }
  return std::nullopt;
}

std::string_view OpWord(Op op) {
  for (const OpName& name : kOps) {
    if (name.op == op) return name.word;
  }
  return "eq";
}

// A GPP named by its letter in assignments and options: 'a' -> "GPP_A".
std::string GppName(char letter) {
  return absl::StrCat("GPP_", std::string(1, absl::ascii_toupper(static_cast<unsigned char>(letter))));
}

class Parser {
 public:
  Parser(std::string_view text, RuleKind kind) : text_(text), kind_(kind) {}

  absl::StatusOr<Rule> Parse() {
    Rule rule;
    std::string_view trimmed = Trim(text_);
    if (trimmed.empty()) return rule;
    if (Lower(trimmed) == "gds://") {
      if (kind_ != RuleKind::kProfile) return Error(0, "gds:// is only a profile rule");
      rule.kind = Rule::Kind::kGds;
      return rule;
    }
    rule.kind = Rule::Kind::kAlternatives;
    while (true) {
      absl::StatusOr<Alternative> alternative = ParseAlternative();
      if (!alternative.ok()) return alternative.status();
      rule.alternatives.push_back(std::move(*alternative));
      SkipSpace();
      if (pos_ == text_.size()) break;
      if (text_[pos_] != '|') return Error(pos_, "expected | between alternatives");
      ++pos_;
    }
    for (size_t i = 0; i + 1 < rule.alternatives.size(); ++i) {
      if (rule.alternatives[i].condition.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "rule: alternative ", i + 1, " of ", rule.alternatives.size(),
            " has no condition; only the last alternative may omit one"));
      }
    }
    return rule;
  }

 private:
  absl::Status Error(size_t at, std::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat("rule: ", Absl(what), " at column ", at + 1));
  }

  void SkipSpace() {
    while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
  }

  // Index of the `close` matching the opener at `open`, skipping quoted text
  // and nested pairs; npos when unbalanced.
  size_t Matching(size_t open, char opener, char close) const {
    int depth = 0;
    bool quoted = false;
    for (size_t i = open; i < text_.size(); ++i) {
      char c = text_[i];
      if (c == '"') quoted = !quoted;
      if (quoted) continue;
      if (c == opener) ++depth;
      if (c == close && --depth == 0) return i;
    }
    return std::string_view::npos;
  }

  absl::StatusOr<Alternative> ParseAlternative() {
    Alternative alternative;
    SkipSpace();
    size_t start = pos_;
    bool has_assignments = false;
    while (pos_ < text_.size() && text_[pos_] == '(') {
      size_t close = Matching(pos_, '(', ')');
      if (close == std::string_view::npos) return Error(pos_, "unclosed (");
      std::string_view inside = text_.substr(pos_ + 1, close - pos_ - 1);
      size_t inside_at = pos_ + 1;
      pos_ = close + 1;
      SkipSpace();
      char marker = pos_ < text_.size() ? text_[pos_] : '\0';
      if (marker == '?' && alternative.condition.empty() && !has_assignments) {
        ++pos_;
        absl::StatusOr<std::vector<Comparison>> condition = ParseCondition(inside, inside_at);
        if (!condition.ok()) return condition.status();
        alternative.condition = std::move(*condition);
      } else if (marker == '!' && !has_assignments) {
        ++pos_;
        absl::StatusOr<std::vector<Assignment>> assignments = ParseAssignments(inside, inside_at);
        if (!assignments.ok()) return assignments.status();
        alternative.assignments = std::move(*assignments);
        has_assignments = true;
      } else {
        return Error(pos_, "expected ? (condition) or ! (assignments) after (...), in that order");
      }
      SkipSpace();
    }
    if (pos_ < text_.size() && text_[pos_] == '[') {
      size_t close = Matching(pos_, '[', ']');
      if (close == std::string_view::npos) return Error(pos_, "unclosed [");
      absl::Status options =
          ParseOptions(text_.substr(pos_ + 1, close - pos_ - 1), pos_ + 1, &alternative.options);
      if (!options.ok()) return options;
      pos_ = close + 1;
      SkipSpace();
    }
    if (pos_ < text_.size() && text_[pos_] != '|') {
      size_t end = pos_;
      while (end < text_.size() && !IsSpace(text_[end]) && text_[end] != '|') ++end;
      absl::StatusOr<Url> url = ParseUrl(text_.substr(pos_, end - pos_), pos_);
      if (!url.ok()) return url.status();
      alternative.url = std::move(*url);
      pos_ = end;
    }
    if (!alternative.url.has_value() && !has_assignments) {
      return Error(start, "alternative has neither assignments nor a URL");
    }
    const Options& options = alternative.options;
    if (options.srv && alternative.url.has_value() &&
        alternative.url->scheme.value_or(Scheme::kTftp) == Scheme::kTftp) {
      return absl::InvalidArgumentError(std::string(kSrvTftpError));
    }
    if (options.srv && !alternative.url.has_value()) return Error(start, "--srv needs a URL");
    if (kind_ == RuleKind::kUpgrade) {
      if (options.key.has_value()) return Error(start, "an upgrade rule takes no --key");
      if (alternative.url.has_value() && alternative.url->host.empty()) {
        return Error(start, "an upgrade rule must name its server");
      }
    }
    if (kind_ != RuleKind::kReport && (options.delta || options.status)) {
      return Error(start, "--delta and --status belong to report rules");
    }
    return alternative;
  }

  // Splits on spaces, keeping "quoted text" (with its quotes) and operator
  // symbols as their own tokens.
  absl::StatusOr<std::vector<std::pair<std::string, size_t>>> Tokens(std::string_view text,
                                                                     size_t at,
                                                                     bool split_operators) {
    std::vector<std::pair<std::string, size_t>> tokens;
    size_t i = 0;
    auto is_op_char = [&](char c) {
      return split_operators && (c == '=' || c == '!' || c == '<' || c == '>');
    };
    while (i < text.size()) {
      if (IsSpace(text[i])) {
        ++i;
        continue;
      }
      size_t begin = i;
      if (text[i] == '"') {
        size_t close = text.find('"', i + 1);
        if (close == std::string_view::npos) return Error(at + i, "unclosed quote");
        i = close + 1;
      } else if (is_op_char(text[i])) {
        while (i < text.size() && is_op_char(text[i])) ++i;
      } else {
        while (i < text.size() && !IsSpace(text[i]) && text[i] != '"' && !is_op_char(text[i])) {
          // "$(MA:0:6)" is one word even though it holds parentheses.
          ++i;
        }
      }
      tokens.emplace_back(std::string(text.substr(begin, i - begin)), at + begin);
    }
    return tokens;
  }

  static Operand ToOperand(const std::string& token) {
    if (token.size() >= 2 && token.front() == '"') {
      return {.text = token.substr(1, token.size() - 2), .quoted = true};
    }
    return {.text = token, .quoted = false};
  }

  absl::StatusOr<std::vector<Comparison>> ParseCondition(std::string_view text, size_t at) {
    auto tokens = Tokens(text, at, /*split_operators=*/true);
    if (!tokens.ok()) return tokens.status();
    std::vector<Comparison> comparisons;
    size_t i = 0;
    while (true) {
      if (i + 3 > tokens->size()) return Error(at, "condition needs operand op operand");
      std::optional<Op> op = ParseOp((*tokens)[i + 1].first);
      if (!op.has_value()) {
        return Error((*tokens)[i + 1].second,
                     absl::StrCat("unknown operator \"", (*tokens)[i + 1].first, "\""));
      }
      Comparison comparison{.left = ToOperand((*tokens)[i].first),
                            .op = *op,
                            .right = ToOperand((*tokens)[i + 2].first)};
      if ((comparison.left.quoted || comparison.right.quoted) && *op != Op::kEq &&
          *op != Op::kNe) {
        return Error((*tokens)[i + 1].second, "quoted text compares only with eq or ne");
      }
      comparisons.push_back(std::move(comparison));
      i += 3;
      if (i == tokens->size()) break;
      std::string joiner = Lower((*tokens)[i].first);
      if (joiner != "and" && joiner != "&&") {
        return Error((*tokens)[i].second, "expected \"and\" between comparisons");
      }
      ++i;
    }
    return comparisons;
  }

  absl::StatusOr<std::vector<Assignment>> ParseAssignments(std::string_view text, size_t at) {
    std::vector<Assignment> assignments;
    size_t i = 0;
    while (i <= text.size()) {
      // One "Name = value" up to the next ';' outside quotes.
      size_t end = i;
      bool quoted = false;
      while (end < text.size() && (quoted || text[end] != ';')) {
        if (text[end] == '"') quoted = !quoted;
        ++end;
      }
      if (quoted) return Error(at + i, "unclosed quote");
      std::string_view piece = Trim(text.substr(i, end - i));
      if (!piece.empty()) {
        size_t equals = piece.find('=');
        if (equals == std::string_view::npos) return Error(at + i, "assignment needs Param = \"value\"");
        std::string_view name = Trim(piece.substr(0, equals));
        std::string_view value = Trim(piece.substr(equals + 1));
        if (name.empty()) return Error(at + i, "assignment has no parameter name");
        for (char c : name) {
          if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') {
            return Error(at + i, absl::StrCat("bad parameter name \"", Absl(name), "\""));
          }
        }
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
          value = value.substr(1, value.size() - 2);
        }
        if (value.find('"') != std::string_view::npos) {
          return Error(at + i, "assignment value has a stray quote");
        }
        std::string parameter = name.size() == 1 && name[0] >= 'a' && name[0] <= 'p'
                                    ? GppName(name[0])
                                    : std::string(name);
        assignments.push_back({std::move(parameter), std::string(value)});
      }
      i = end + 1;
    }
    if (assignments.empty()) return Error(at, "no assignments inside (...)!");
    return assignments;
  }

  absl::Status ParseOptions(std::string_view text, size_t at, Options* options) {
    auto tokens = Tokens(text, at, /*split_operators=*/false);
    if (!tokens.ok()) return tokens.status();
    for (size_t i = 0; i < tokens->size(); ++i) {
      const std::string& token = (*tokens)[i].first;
      const size_t where = (*tokens)[i].second;
      auto value = [&]() -> absl::StatusOr<std::string> {
        if (i + 1 >= tokens->size() || (*tokens)[i + 1].first.starts_with("--")) {
          return Error(where, absl::StrCat(token, " needs a value"));
        }
        ++i;
        std::string v = (*tokens)[i].first;
        if (v.size() >= 2 && v.front() == '"') v = v.substr(1, v.size() - 2);
        return v;
      };
      auto letter = [&]() -> absl::StatusOr<char> {
        absl::StatusOr<std::string> v = value();
        if (!v.ok()) return v.status();
        if (v->size() != 1 || (*v)[0] < 'a' || (*v)[0] > 'p') {
          return Error(where, absl::StrCat(token, " takes a general-purpose parameter a-p"));
        }
        return (*v)[0];
      };
      auto set_text = [&](std::optional<std::string>& field) -> absl::Status {
        if (field.has_value()) return Error(where, absl::StrCat(token, " given twice"));
        absl::StatusOr<std::string> v = value();
        if (!v.ok()) return v.status();
        field = *v;
        return absl::OkStatus();
      };
      auto set_letter = [&](std::optional<char>& field) -> absl::Status {
        if (field.has_value()) return Error(where, absl::StrCat(token, " given twice"));
        absl::StatusOr<char> v = letter();
        if (!v.ok()) return v.status();
        field = *v;
        return absl::OkStatus();
      };
      auto set_flag = [&](bool& field) -> absl::Status {
        if (field) return Error(where, absl::StrCat(token, " given twice"));
        field = true;
        return absl::OkStatus();
      };
      absl::Status status;
      if (token == "--key") status = set_text(options->key);
      else if (token == "--uid") status = set_text(options->uid);
      else if (token == "--pwd") status = set_text(options->pwd);
      else if (token == "--post") status = set_letter(options->post);
      else if (token == "--alias") status = set_letter(options->alias);
      else if (token == "--srv") status = set_flag(options->srv);
      else if (token == "--delta") status = set_flag(options->delta);
      else if (token == "--status") status = set_flag(options->status);
      else status = Error(where, absl::StrCat("unknown option \"", token, "\""));
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Url> ParseUrl(std::string_view text, size_t at) {
    Url url;
    std::string_view rest = text;
    size_t scheme_end = rest.find("://");
    if (scheme_end != std::string_view::npos) {
      std::string scheme = Lower(rest.substr(0, scheme_end));
      if (scheme == "tftp") url.scheme = Scheme::kTftp;
      else if (scheme == "http") url.scheme = Scheme::kHttp;
      else if (scheme == "https") url.scheme = Scheme::kHttps;
      else return Error(at, absl::StrCat("unsupported scheme \"", scheme, "\" (tftp, http, https)"));
      rest.remove_prefix(scheme_end + 3);
      if (rest.empty() || rest.front() == '/') {
        return Error(at, absl::StrCat("no server after ", scheme, "://"));
      }
    }
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos) {
      if (url.scheme.has_value()) return Error(at, "URL path must be absolute (start with /)");
      // A bare file name, as the TFTP factory rule "&PN.cfg": a file in the
      // DHCP TFTP server's root.
      url.path = absl::StrCat("/", Absl(rest));
      return url;
    }
    std::string_view host_port = rest.substr(0, slash);
    url.path = rest.substr(slash);
    size_t colon = host_port.rfind(':');
    if (colon != std::string_view::npos) {
      int port = 0;
      if (!absl::SimpleAtoi(Absl(host_port.substr(colon + 1)), &port) || port < 1 ||
          port > 65535 || host_port.substr(colon + 1).starts_with("+")) {
        return Error(at, absl::StrCat("bad port \"", Absl(host_port.substr(colon + 1)), "\""));
      }
      url.port = port;
      host_port = host_port.substr(0, colon);
      if (host_port.empty()) return Error(at, "port without a server");
    }
    for (char c : host_port) {
      if (static_cast<unsigned char>(c) < 0x21 || c == '"' || c == '[' || c == ']' || c == '(' ||
          c == ')') {
        return Error(at, "bad character in server name");
      }
    }
    url.host = host_port;
    return url;
  }

  std::string_view text_;
  RuleKind kind_;
  size_t pos_ = 0;
};

std::string PrintOperand(const Operand& operand) {
  return operand.quoted ? absl::StrCat("\"", operand.text, "\"") : operand.text;
}

// Compares expanded operands by the documented rules.
bool Holds(const Comparison& comparison, const macro::Variables& variables) {
  std::string left = macro::Expand(comparison.left.text, variables);
  std::string right = macro::Expand(comparison.right.text, variables);
  int order = 0;
  bool quoted = comparison.left.quoted || comparison.right.quoted;
  absl::StatusOr<firmware_version::Version> left_version = firmware_version::ParseVersion(left);
  absl::StatusOr<firmware_version::Version> right_version = firmware_version::ParseVersion(right);
  int64_t left_number = 0;
  int64_t right_number = 0;
  if (!quoted && left_version.ok() && right_version.ok()) {
    auto c = *left_version <=> *right_version;
    order = c < 0 ? -1 : c > 0 ? 1 : 0;
  } else if (!quoted && absl::SimpleAtoi(left, &left_number) &&
             absl::SimpleAtoi(right, &right_number)) {
    order = left_number < right_number ? -1 : left_number > right_number ? 1 : 0;
  } else {
    int c = left.compare(right);
    order = c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  switch (comparison.op) {
    case Op::kEq: return order == 0;
    case Op::kNe: return order != 0;
    case Op::kLt: return order < 0;
    case Op::kLe: return order <= 0;
    case Op::kGt: return order > 0;
    case Op::kGe: return order >= 0;
  }
  return false;
}

// --uid and --pwd may carry octal escapes such as \043 for '#'.
std::string DecodeOctalEscapes(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size() &&
        text[i + 1] >= '0' && text[i + 1] <= '3' && text[i + 2] >= '0' && text[i + 2] <= '7' &&
        text[i + 3] >= '0' && text[i + 3] <= '7') {
      out.push_back(static_cast<char>((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 +
                                      (text[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace

std::string_view SchemeName(Scheme scheme) {
  switch (scheme) {
    case Scheme::kTftp: return "tftp";
    case Scheme::kHttp: return "http";
    case Scheme::kHttps: return "https";
  }
  return "tftp";
}

int DefaultPort(Scheme scheme) {
  switch (scheme) {
    case Scheme::kTftp: return 69;
    case Scheme::kHttp: return 80;
    case Scheme::kHttps: return 443;
  }
  return 69;
}

absl::StatusOr<Rule> ParseRule(std::string_view text, RuleKind kind) {
  return Parser(text, kind).Parse();
}

std::string PrintRule(const Rule& rule) {
  if (rule.kind == Rule::Kind::kEmpty) return "";
  if (rule.kind == Rule::Kind::kGds) return "gds://";
  std::vector<std::string> alternatives;
  for (const Alternative& alternative : rule.alternatives) {
    std::vector<std::string> parts;
    if (!alternative.condition.empty()) {
      std::vector<std::string> comparisons;
      for (const Comparison& c : alternative.condition) {
        comparisons.push_back(
            absl::StrCat(PrintOperand(c.left), " ", Absl(OpWord(c.op)), " ", PrintOperand(c.right)));
      }
      parts.push_back(absl::StrCat("(", absl::StrJoin(comparisons, " and "), ")?"));
    }
    if (!alternative.assignments.empty()) {
      std::vector<std::string> assignments;
      for (const Assignment& a : alternative.assignments) {
        assignments.push_back(absl::StrCat(a.parameter, " = \"", a.value, "\""));
      }
      parts.push_back(absl::StrCat("(", absl::StrJoin(assignments, "; "), ")!"));
    }
    const Options& o = alternative.options;
    std::vector<std::string> options;
    if (o.key) options.push_back(absl::StrCat("--key \"", *o.key, "\""));
    if (o.uid) options.push_back(absl::StrCat("--uid \"", *o.uid, "\""));
    if (o.pwd) options.push_back(absl::StrCat("--pwd \"", *o.pwd, "\""));
    if (o.post) options.push_back(absl::StrCat("--post ", std::string(1, *o.post)));
    if (o.alias) options.push_back(absl::StrCat("--alias ", std::string(1, *o.alias)));
    if (o.srv) options.push_back("--srv");
    if (o.delta) options.push_back("--delta");
    if (o.status) options.push_back("--status");
    if (!options.empty()) parts.push_back(absl::StrCat("[", absl::StrJoin(options, " "), "]"));
    if (alternative.url.has_value()) {
      const Url& url = *alternative.url;
      std::string text;
      if (url.scheme) absl::StrAppend(&text, Absl(SchemeName(*url.scheme)), "://");
      absl::StrAppend(&text, url.host);
      if (url.port) absl::StrAppend(&text, ":", *url.port);
      absl::StrAppend(&text, url.path);
      parts.push_back(std::move(text));
    }
    alternatives.push_back(absl::StrJoin(parts, " "));
  }
  return absl::StrJoin(alternatives, " | ");
}

absl::StatusOr<std::optional<Resolution>> Evaluate(const Rule& rule,
                                                   const macro::Variables& variables,
                                                   const EvaluateOptions& options) {
  if (rule.kind == Rule::Kind::kEmpty) return std::nullopt;
  if (rule.kind == Rule::Kind::kGds) {
    Resolution gds;
    gds.kind = Rule::Kind::kGds;
    return gds;
  }
  for (const Alternative& alternative : rule.alternatives) {
    bool holds = true;
    for (const Comparison& comparison : alternative.condition) {
      holds = holds && Holds(comparison, variables);
    }
    if (!holds) continue;
    Resolution resolution;
    resolution.assignments = alternative.assignments;
    if (!alternative.url.has_value()) return resolution;
    const Url& url = *alternative.url;
    const Options& o = alternative.options;
    Target target;
    target.scheme = url.scheme.value_or(Scheme::kTftp);
    target.host = macro::Expand(url.host, variables);
    if (target.host.empty()) {
      if (options.kind == RuleKind::kUpgrade) {
        return absl::FailedPreconditionError("upgrade rule names no server");
      }
      if (options.dhcp_tftp_server.empty()) {
        return absl::FailedPreconditionError(
            "rule names no server and DHCP gave none (option 66)");
      }
      target.host = options.dhcp_tftp_server;
    }
    target.port = url.port.value_or(DefaultPort(target.scheme));
    target.path = macro::Expand(url.path, variables);
    auto credential = [&](const std::optional<std::string>& value) -> std::optional<std::string> {
      if (!value) return std::nullopt;
      return macro::Expand(*value, variables, macro::Context::kCredentials);
    };
    target.key = credential(o.key);
    if (auto uid = credential(o.uid)) target.uid = DecodeOctalEscapes(*uid);
    if (auto pwd = credential(o.pwd)) target.pwd = DecodeOctalEscapes(*pwd);
    if (o.post) target.post_parameter = GppName(*o.post);
    if (o.alias) target.alias_parameter = GppName(*o.alias);
    target.srv = o.srv;
    target.delta = o.delta;
    target.status = o.status;
    resolution.target = std::move(target);
    return resolution;
  }
  return std::nullopt;
}

}  // namespace onramp::rule
