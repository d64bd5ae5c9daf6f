#ifndef ONRAMP_DEVICE_AGENT_CWMP_CPE_H_
#define ONRAMP_DEVICE_AGENT_CWMP_CPE_H_

// The phone's side of a CWMP (TR-069) session, decided without I/O: the
// Inform it opens a session with, and its answer to each request of the
// ACS. Its parameters have the paths of lib/phone/tr069; its identity is
// Device.DeviceInfo, read-only. What must wait for the end of the session
// (a Download, a Reboot, a FactoryReset) is recorded in the state for the
// caller (phone_cwmp.cc) to do then.

#include <map>
#include <string>
#include <vector>

#include "lib/phone/cwmp/cwmp.h"
#include "onramp/agent/v1/state.pb.h"

namespace onramp::agent {

// The phone's TR-069 parameter names, as its web page labels them.
inline constexpr char kEnableTr069[] = "Enable_TR-069";
inline constexpr char kAcsUrl[] = "ACS_URL";
inline constexpr char kCwmpV12Support[] = "CWMP_V1.2_Support";

// What the phone serves (TR-069 A.3.1, and the DIGEST's list).
const std::vector<std::string>& CpeMethods();

// The TR-069 path of a flat-profile parameter the phone's user changed,
// when the ACS asked to be told of it (notification on): recorded for the
// next Inform. Whether it was.
bool NoteValueChange(v1::PhoneState& state, const std::string& flat_name);

// Every path the phone answers for and its value: Device.DeviceInfo, the
// ManagementServer's ParameterKey and ConnectionRequestURL, and each of its
// parameters at its tr069 path (secrets read as "", as TR-069 has
// passwords read).
std::map<std::string, std::string> DataModel(const v1::PhoneState& state, const std::string& connection_request_url);

// The Inform that opens a session: its pending events (after "0 BOOTSTRAP"
// until the first session succeeded; "4 VALUE CHANGE" with the changed
// parameters whose notification is on; "2 PERIODIC" when there is nothing
// else to say), its identity and the forced parameters.
cwmp::Envelope InformOf(const v1::PhoneState& state, const std::string& connection_request_url, int retry_count,
                        const std::string& now);

// The phone's answer to one request of the ACS (its ID echoed), changing
// `state` as the request says: parameters set (all or none, with their
// ParameterKey), their names and attributes read, notification set, a line
// added or deleted (the one multi-instance object: TR-104's
// VoiceProfile.1.Line.), a Download, Reboot or FactoryReset recorded for
// after the session. Anything else is a 9000 fault (method not supported).
cwmp::Envelope Answer(v1::PhoneState& state, const cwmp::Envelope& request, const std::string& connection_request_url);

}  // namespace onramp::agent

#endif  // ONRAMP_DEVICE_AGENT_CWMP_CPE_H_
