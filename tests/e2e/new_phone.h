#ifndef ONRAMP_TESTS_E2E_NEW_PHONE_H_
#define ONRAMP_TESTS_E2E_NEW_PHONE_H_

// A phone straight out of the box for the e2e tests: a fresh state
// directory under the test's temporary directory, factory reset.

#include <string>
#include <vector>

#include "device-agent/phone.h"

namespace onramp::testing {

// Returns the phone's state directory, <TempDir>/<name>. With
// `factory_dir` (a folder holding factory-ca.pem and factory-ca.key, as
// GatewayFleetTest's dir_ does) the phone was born with a factory
// certificate from that manufacturer; with "" it is an old phone without one.
std::string NewPhone(const std::string& name, const std::string& mac, const std::string& factory_dir,
                     const std::string& model = "CP-8851-3PCC",
                     const std::string& firmware = "sip88xx.12-0-1MPP0001-245.loads");

// The phone whose flash is options.state_dir, each step it logs appended to
// `steps`. A flash that cannot be read fails the test (and gives a blank
// phone in memory, so the test goes on to its assertions).
agent::Phone LoadPhone(agent::PhoneOptions options, std::vector<std::string>* steps);

// A new phone set up before it left the warehouse to go through the HTTP
// proxy on 127.0.0.1:`proxy_port` (HTTP_Proxy_Host_Address/Port) with
// `user` and `password` (HTTP_Proxy_Username/Password).
std::string NewPhoneBehindProxy(const std::string& name, const std::string& mac, const std::string& factory_dir,
                                int proxy_port, const std::string& user, const std::string& password);

}  // namespace onramp::testing

#endif  // ONRAMP_TESTS_E2E_NEW_PHONE_H_
