#ifndef ONRAMP_SERVICES_ACS_SESSION_H_
#define ONRAMP_SERVICES_ACS_SESSION_H_

// What the ACS says in a CWMP session, decided without I/O. A session
// opens with the phone's Inform: the ACS answers InformResponse and, when
// the ParameterKey the phone reports is not the one of its profile (with
// the connection-request credentials the ACS gives it), queues the profile
// as one SetParameterValues (TR-069 paths from lib/phone/tr069), so an
// unchanged phone costs one Inform. The phone's empty POST gets the first
// queued request, or 204 to end the session; each response (or Fault) is
// taken and the session goes on the same way. In order: the profile; when
// the profile holds an Upgrade_Rule (the next hop of the phone's firmware
// plan), a Download of that image; then partners' tasks, one request each.
// The phone says how a Download went in a TransferComplete of a later
// session, which the caller counts as the phone's upgrade report. A phone
// that reports a "4 VALUE CHANGE" is set its profile again. The state
// between messages is a SessionState, kept by the caller.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/phone/cwmp/cwmp.h"
#include "lib/phone/tr069/credentials.h"
#include "onramp/acs/v1/acs.pb.h"
#include "onramp/profile/v1/profile.pb.h"

namespace onramp::acs {

// The ParameterKey a phone reports in its Inform.
inline constexpr char kParameterKeyPath[] = "Device.ManagementServer.ParameterKey";
inline constexpr char kSoftwareVersionPath[] = "Device.DeviceInfo.SoftwareVersion";

struct Reply {
  int http_status = 204;
  std::string body;  // CWMP XML, or empty
};

// The credentials a phone's connection-request listener takes (set on it
// with its profile); empty: none given.
using ConnectionRequestCredentials = tr069::Credentials;

// What the ACS knows of the phone when its Inform arrives.
struct SessionInputs {
  // Its profile now (merged parameters and ETag).
  profile::v1::GetParametersResponse profile;
  // Partners' tasks still to run, in order (queued, or sent in a session
  // that died).
  std::vector<v1::Task> tasks;
  ConnectionRequestCredentials connection_request;
  // False over plain HTTP: the profile's secrets (and the credentials the
  // ACS gives) are left out.
  bool secrets_allowed = true;
};

// The ParameterKey of a profile and the credentials given with it (none
// over plain HTTP, `with_secrets` false): at most 32 characters (TR-069's
// bound), changing when any of them does.
std::string ParameterKeyOf(const std::string& etag, const ConnectionRequestCredentials& credentials,
                           bool with_secrets = true);

// What the phone said of a Download (TransferComplete).
struct TransferOutcome {
  bool success = false;
  std::string from_version;  // the Download's CommandKey
  std::string detail;        // the fault, on failure
};

// The CommandKey of a task's Download and Reboot starts so; the rest is the
// start of the task's id.
inline constexpr char kTaskCommandKeyPrefix[] = "task-";

// What the phone said of a task's Download (TransferComplete).
struct TaskTransfer {
  std::string command_key;
  int fault_code = 0;  // 0: done
  std::string fault_string;
};

// What the caller stores after a message, besides the session's state.
struct Effects {
  std::optional<TaskTransfer> task_transfer;
  bool profile_applied = false;             // the phone took its profile: a delivery
  std::optional<TransferOutcome> transfer;  // count it as an upgrade report
  std::optional<std::string> task_sent;     // the reply carries this task's request
  std::optional<v1::Task> task_finished;    // answered: its state, result or fault set
};

// A later message's reply; `state` is the state to keep (nullopt: the
// session is over).
struct Step {
  std::optional<v1::SessionState> state;
  Reply reply;
  Effects effects;
};

// What a task says on the phone's timeline ("REBOOT <id>: done",
// "GET_PARAMETER_VALUES <id>: 3 values", "... fault 9005 ...").
std::string TaskSummary(const v1::Task& task);

// The Inform's reply and the session's state.
std::pair<v1::SessionState, Reply> Start(const std::string& mac, const cwmp::Envelope& inform,
                                         const SessionInputs& inputs);

Step Continue(v1::SessionState state, const cwmp::Envelope& message);

}  // namespace onramp::acs

#endif  // ONRAMP_SERVICES_ACS_SESSION_H_
