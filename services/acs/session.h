#ifndef ONRAMP_SERVICES_ACS_SESSION_H_
#define ONRAMP_SERVICES_ACS_SESSION_H_

// What the ACS says in a CWMP session, decided without I/O. A session
// opens with the phone's Inform: the ACS answers InformResponse and, when
// the ParameterKey the phone reports is not its profile's ETag, queues the
// profile as one SetParameterValues (TR-069 paths from lib/phone/tr069,
// ParameterKey = the ETag, so an unchanged phone costs one Inform). The
// phone's empty POST gets the queued request, or 204 to end the session;
// its SetParameterValuesResponse (or a Fault) is taken and the session
// goes on the same way. When the profile holds an Upgrade_Rule (the next
// hop of the phone's firmware plan), a Download of that image follows the
// parameters; the phone says how it went in a TransferComplete of a later
// session, which the caller counts as the phone's upgrade report. The state
// between messages is a SessionState, kept by the caller.

#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "lib/phone/cwmp/cwmp.h"
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

// What the phone said of a Download (TransferComplete).
struct TransferOutcome {
  bool success = false;
  std::string from_version;  // the Download's CommandKey
  std::string detail;        // the fault, on failure
};

// A later message's reply; `state` is the state to keep (nullopt: the
// session is over).
struct Step {
  std::optional<v1::SessionState> state;
  Reply reply;
  std::optional<TransferOutcome> transfer;
};

// The Inform's reply and the session's state. `profile` is the phone's
// profile now (its merged parameters and ETag).
std::pair<v1::SessionState, Reply> Start(const std::string& mac, const cwmp::Envelope& inform,
                                         const profile::v1::GetParametersResponse& profile);

Step Continue(v1::SessionState state, const cwmp::Envelope& message);

}  // namespace onramp::acs

#endif  // ONRAMP_SERVICES_ACS_SESSION_H_
