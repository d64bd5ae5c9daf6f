#ifndef ONRAMP_LIB_KIT_CONFIG_FLAGS_H_
#define ONRAMP_LIB_KIT_CONFIG_FLAGS_H_

// Configuration from command-line flags and ONRAMP_* environment variables,
// validated at start. Each option is declared once, bound to a field of the
// binary's options struct whose current value is the default:
//
//   Flags flags("activation-code", "Serves activation codes over gRPC.");
//   flags.Port("grpc_port", &options.grpc_port, "gRPC listening port");
//   flags.Parse(argc, argv, Environment());
//
// `--grpc_port=8443` (or `--grpc_port 8443`) wins over ONRAMP_GRPC_PORT,
// which wins over the default, so a Kubernetes ConfigMap maps straight onto
// the environment. Unknown flags and malformed or out-of-range values are
// errors naming the option and where its value came from.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace onramp::config {

// Variable name -> value, as read from the process environment.
using EnvironmentMap = std::map<std::string, std::string, std::less<>>;

// The current process's environment.
EnvironmentMap Environment();

// What a successful parse asks the binary to do.
enum class ParseOutcome { kRun, kShowHelp };

class Flags {
 public:
  Flags(std::string program, std::string summary);

  void String(std::string name, std::string* value, std::string help);
  // A string that must not be empty after parsing.
  void RequiredString(std::string name, std::string* value, std::string help);
  // A required secret key: 64 or more hex digits (32+ bytes), an even
  // number of them.
  void HexSecret(std::string name, std::string* value, std::string help);
  // The same, but it may be left out (empty: the feature it keys is off).
  void OptionalHexSecret(std::string name, std::string* value, std::string help);
  void Int(std::string name, int64_t* value, int64_t min, int64_t max,
           std::string help);
  void Int(std::string name, int* value, int min, int max, std::string help);
  // A TCP/UDP port; 0 asks the kernel for a free one.
  void Port(std::string name, int* value, std::string help);
  // true/false, yes/no, 1/0, on/off; a bare `--name` means true.
  void Bool(std::string name, bool* value, std::string help);
  // One of `choices`, exactly as written.
  void Choice(std::string name, std::string* value, std::vector<std::string> choices,
              std::string help);
  // An absl duration string: "250ms", "30s", "1h30m".
  void Duration(std::string name, absl::Duration* value, std::string help);

  // A check across options, run after every value is read; its error message
  // is reported as is.
  void Check(std::function<absl::Status()> check);

  // Reads argv (argv[0] is the program) and then the environment for options
  // not given as flags. Positional arguments are refused unless
  // AllowPositional was called; they are then collected.
  absl::StatusOr<ParseOutcome> Parse(int argc, const char* const* argv,
                                     const EnvironmentMap& environment);
  void AllowPositional(std::string usage, std::vector<std::string>* args);

  // The --help text: every option with its variable, default and help.
  std::string Usage() const;

  // For main(): parses, prints usage and exits 0 on --help, prints the error
  // and exits 2 on a bad configuration.
  void ParseOrExit(int argc, const char* const* argv);

  // ONRAMP_ followed by the option name in upper case.
  static std::string EnvironmentName(std::string_view option);

 private:
  void CheckHexSecret(const std::string& name, const std::string* value, bool optional);
  struct Option {
    std::string name;
    std::string help;
    std::string default_text;
    bool is_bool = false;
    bool required = false;
    std::function<absl::Status(std::string_view)> set;
    std::function<bool()> empty = [] { return false; };
  };

  void Add(Option option);
  template <typename Integer>
  void AddInt(std::string name, Integer* value, int64_t min, int64_t max, std::string help);
  Option* Find(std::string_view name);

  std::string program_;
  std::string summary_;
  std::vector<Option> options_;
  std::vector<std::function<absl::Status()>> checks_;
  std::string positional_usage_;
  std::vector<std::string>* positional_ = nullptr;
};

}  // namespace onramp::config

#endif  // ONRAMP_LIB_KIT_CONFIG_FLAGS_H_
