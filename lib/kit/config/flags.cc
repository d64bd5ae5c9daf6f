#include "lib/kit/config/flags.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "lib/base/strings/strings.h"

extern char** environ;

namespace onramp::config {
namespace {

using strings::ToAbsl;

absl::Status Invalid(std::string_view what) {
  return absl::InvalidArgumentError(std::string(what));
}

absl::StatusOr<int64_t> ParseInt(std::string_view text, int64_t min, int64_t max) {
  int64_t value = 0;
  if (!absl::SimpleAtoi(ToAbsl(text), &value)) {
    return Invalid(absl::StrFormat("\"%s\" is not an integer", ToAbsl(text)));
  }
  if (value < min || value > max) {
    return Invalid(absl::StrFormat("%d is not in %d..%d", value, min, max));
  }
  return value;
}

}  // namespace

EnvironmentMap Environment() {
  EnvironmentMap environment;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    size_t equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    environment.emplace(text.substr(0, equals), text.substr(equals + 1));
  }
  return environment;
}

Flags::Flags(std::string program, std::string summary)
    : program_(std::move(program)), summary_(std::move(summary)) {}

std::string Flags::EnvironmentName(std::string_view option) {
  std::string name = "ONRAMP_";
  for (char c : option) {
    name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return name;
}

void Flags::Add(Option option) { options_.push_back(std::move(option)); }

Flags::Option* Flags::Find(std::string_view name) {
  for (Option& option : options_) {
    if (option.name == name) return &option;
  }
  return nullptr;
}

void Flags::String(std::string name, std::string* value, std::string help) {
  Add({.name = std::move(name),
       .help = std::move(help),
       .default_text = *value,
       .set = [value](std::string_view text) {
         *value = std::string(text);
         return absl::OkStatus();
       },
       .empty = [value] { return value->empty(); }});
}

void Flags::RequiredString(std::string name, std::string* value, std::string help) {
  String(std::move(name), value, std::move(help));
  options_.back().required = true;
}

void Flags::HexSecret(std::string name, std::string* value, std::string help) {
  CheckHexSecret(name, value, /*optional=*/false);
  RequiredString(std::move(name), value, std::move(help));
}

void Flags::OptionalHexSecret(std::string name, std::string* value, std::string help) {
  CheckHexSecret(name, value, /*optional=*/true);
  String(std::move(name), value, std::move(help));
}

void Flags::CheckHexSecret(const std::string& name, const std::string* value, bool optional) {
  Check([name, value, optional]() -> absl::Status {
    if (optional && value->empty()) return absl::OkStatus();
    if (value->size() < 64 || value->size() % 2 != 0 || !strings::IsHex(*value)) {
      return absl::InvalidArgumentError(absl::StrCat("--", name, " must be 64 or more hex digits"));
    }
    return absl::OkStatus();
  });
}

template <typename Integer>
void Flags::AddInt(std::string name, Integer* value, int64_t min, int64_t max,
                   std::string help) {
  Add({.name = std::move(name),
       .help = absl::StrCat(help, " (", min, "..", max, ")"),
       .default_text = absl::StrCat(*value),
       .set = [value, min, max](std::string_view text) -> absl::Status {
         absl::StatusOr<int64_t> parsed = ParseInt(text, min, max);
         if (!parsed.ok()) return parsed.status();
         *value = static_cast<Integer>(*parsed);
         return absl::OkStatus();
       }});
}

void Flags::Int(std::string name, int64_t* value, int64_t min, int64_t max,
                std::string help) {
  AddInt(std::move(name), value, min, max, std::move(help));
}

void Flags::Int(std::string name, int* value, int min, int max, std::string help) {
  AddInt(std::move(name), value, min, max, std::move(help));
}

void Flags::Port(std::string name, int* value, std::string help) {
  Int(std::move(name), value, 0, 65535, std::move(help));
}

void Flags::Bool(std::string name, bool* value, std::string help) {
  Add({.name = std::move(name),
       .help = std::move(help),
       .default_text = *value ? "true" : "false",
       .is_bool = true,
       .set = [value](std::string_view text) -> absl::Status {
         std::string lower = absl::AsciiStrToLower(ToAbsl(text));
         if (lower == "true" || lower == "yes" || lower == "1" || lower == "on") {
           *value = true;
         } else if (lower == "false" || lower == "no" || lower == "0" || lower == "off") {
           *value = false;
         } else {
           return Invalid(absl::StrFormat(
               "\"%s\" is not a boolean (true/false, yes/no, 1/0, on/off)",
               ToAbsl(text)));
         }
         return absl::OkStatus();
       }});
}

void Flags::Choice(std::string name, std::string* value, std::vector<std::string> choices,
                   std::string help) {
  std::string listed = absl::StrJoin(choices, ", ");
  Add({.name = std::move(name),
       .help = absl::StrCat(help, " (", listed, ")"),
       .default_text = *value,
       .set = [value, choices = std::move(choices), listed](std::string_view text) -> absl::Status {
         if (std::find(choices.begin(), choices.end(), text) == choices.end()) {
           return Invalid(absl::StrFormat("\"%s\" is not one of %s", ToAbsl(text), listed));
         }
         *value = std::string(text);
         return absl::OkStatus();
       }});
}

void Flags::Duration(std::string name, absl::Duration* value, std::string help) {
  Add({.name = std::move(name),
       .help = std::move(help),
       .default_text = absl::FormatDuration(*value),
       .set = [value](std::string_view text) -> absl::Status {
         absl::Duration parsed;
         if (!absl::ParseDuration(ToAbsl(text), &parsed)) {
           return Invalid(absl::StrFormat(
               "\"%s\" is not a duration (e.g. 250ms, 30s, 1h30m)", ToAbsl(text)));
         }
         if (parsed < absl::ZeroDuration()) {
           return Invalid(absl::StrFormat("\"%s\" is negative", ToAbsl(text)));
         }
         *value = parsed;
         return absl::OkStatus();
       }});
}

void Flags::Check(std::function<absl::Status()> check) {
  checks_.push_back(std::move(check));
}

void Flags::AllowPositional(std::string usage, std::vector<std::string>* args) {
  positional_usage_ = std::move(usage);
  positional_ = args;
}

absl::StatusOr<ParseOutcome> Flags::Parse(int argc, const char* const* argv,
                                          const EnvironmentMap& environment) {
  std::set<std::string, std::less<>> given;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") return ParseOutcome::kShowHelp;
    if (arg == "--") {
      for (++i; i < argc; ++i) {
        if (positional_ == nullptr) {
          return Invalid(absl::StrFormat("unexpected argument \"%s\"", argv[i]));
        }
        positional_->emplace_back(argv[i]);
      }
      break;
    }
    if (!arg.starts_with("--")) {
      if (positional_ == nullptr) {
        return Invalid(absl::StrFormat("unexpected argument \"%s\"", ToAbsl(arg)));
      }
      positional_->emplace_back(arg);
      continue;
    }
    std::string_view body = arg.substr(2);
    size_t equals = body.find('=');
    std::string_view name = body.substr(0, equals);
    Option* option = Find(name);
    std::optional<std::string_view> text;
    if (equals != std::string_view::npos) text = body.substr(equals + 1);
    if (option == nullptr && !text.has_value() && name.starts_with("no")) {
      // --nofoo turns a boolean off.
      Option* negated = Find(name.substr(2));
      if (negated != nullptr && negated->is_bool) {
        option = negated;
        name = negated->name;
        text = "false";
      }
    }
    if (option == nullptr) {
      return Invalid(absl::StrFormat("unknown flag --%s (see --help)", ToAbsl(name)));
    }
    if (!text.has_value()) {
      if (option->is_bool) {
        text = "true";
      } else if (i + 1 < argc) {
        text = argv[++i];
      } else {
        return Invalid(absl::StrFormat("flag --%s needs a value", ToAbsl(name)));
      }
    }
    if (absl::Status status = option->set(*text); !status.ok()) {
      return Invalid(absl::StrFormat("flag --%s: %s", ToAbsl(name), status.message()));
    }
    given.emplace(name);
  }
  for (Option& option : options_) {
    if (given.contains(option.name)) continue;
    std::string variable = EnvironmentName(option.name);
    auto found = environment.find(variable);
    if (found == environment.end()) continue;
    if (absl::Status status = option.set(found->second); !status.ok()) {
      return Invalid(absl::StrFormat("environment %s: %s", variable, status.message()));
    }
  }
  for (const Option& option : options_) {
    if (option.required && option.empty()) {
      return Invalid(absl::StrFormat("--%s (or %s) is required", option.name,
                                     EnvironmentName(option.name)));
    }
  }
  for (const auto& check : checks_) {
    if (absl::Status status = check(); !status.ok()) return status;
  }
  return ParseOutcome::kRun;
}

std::string Flags::Usage() const {
  std::string usage = absl::StrCat("Usage: ", program_, " [flags]");
  if (positional_ != nullptr) absl::StrAppend(&usage, " ", positional_usage_);
  absl::StrAppend(&usage, "\n\n", summary_, "\n\nFlags (each also read from its environment variable):\n");
  for (const Option& option : options_) {
    absl::StrAppendFormat(&usage, "  --%s  (%s)\n      %s", option.name,
                          EnvironmentName(option.name), option.help);
    if (option.required) {
      absl::StrAppend(&usage, " [required]");
    } else if (!option.default_text.empty()) {
      absl::StrAppend(&usage, " [default: ", option.default_text, "]");
    }
    absl::StrAppend(&usage, "\n");
  }
  absl::StrAppend(&usage, "  --help\n      Print this text and exit.\n");
  return usage;
}

void Flags::ParseOrExit(int argc, const char* const* argv) {
  absl::StatusOr<ParseOutcome> outcome = Parse(argc, argv, Environment());
  if (!outcome.ok()) {
    std::cerr << program_ << ": " << outcome.status().message() << "\n";
    std::exit(2);
  }
  if (*outcome == ParseOutcome::kShowHelp) {
    std::cout << Usage();
    std::exit(0);
  }
}

}  // namespace onramp::config
