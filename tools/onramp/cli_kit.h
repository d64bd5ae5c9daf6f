#ifndef ONRAMP_TOOLS_ONRAMP_CLI_KIT_H_
#define ONRAMP_TOOLS_ONRAMP_CLI_KIT_H_

// What every `onramp` command shares: where options come from (flags, then
// the environment, then the local fleet's .fleet/endpoints.env, never a
// silent default address), how replies print (-o table, the default, or
// -o json) and what the exit code says.

#include <string>

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "grpcpp/support/status.h"
#include "lib/kit/config/flags.h"

namespace onramp::cli {

// Exit codes, as scripts can tell them apart.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;     // anything else
inline constexpr int kExitUsage = 2;      // bad flags or bad input
inline constexpr int kExitNotFound = 3;
inline constexpr int kExitDenied = 4;     // no key, a wrong key, not allowed
inline constexpr int kExitConflict = 5;   // exists already, stale version, wrong state
inline constexpr int kExitTryAgain = 6;   // rate-limited or unavailable: retry later
inline constexpr int kExitPartial = 7;    // a bulk request with rows refused

int ExitCodeFor(absl::StatusCode code);
int ExitCodeForHttp(int status);

// The local fleet's folder: $ONRAMP_FLEET_DIR, else ./.fleet if it holds
// endpoints.env; "" when there is none.
std::string FleetDir();

// The process environment, and for names it lacks, the fleet's
// endpoints.env.
config::EnvironmentMap CliEnvironment();

enum class Output { kTable, kJson };

// What -o / --output (or ONRAMP_OUTPUT) asked for (table unless json).
Output OutputFormat();

// Takes -o/--output out of argv, then parses; exits 2 with the reason on
// bad usage, 0 after --help.
void ParseOrExit(config::Flags& flags, int argc, char** argv);

// A reply as -o asked, or an error as "onramp: CODE: message" on stderr;
// the exit code.
int Print(const grpc::Status& status, const google::protobuf::Message& reply);
int PrintError(const absl::Status& status);

// A message as a table: for a list reply (its first repeated field of
// messages) one row per item and a column per scalar field; otherwise
// "field  value" lines.
std::string Table(const google::protobuf::Message& message);

}  // namespace onramp::cli

#endif  // ONRAMP_TOOLS_ONRAMP_CLI_KIT_H_
