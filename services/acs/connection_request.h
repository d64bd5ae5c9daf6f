#ifndef ONRAMP_SERVICES_ACS_CONNECTION_REQUEST_H_
#define ONRAMP_SERVICES_ACS_CONNECTION_REQUEST_H_

// A connection request (TR-069 3.2.2): an HTTP GET to the phone's
// ConnectionRequestURL, answered with Digest (or Basic) credentials the ACS
// gave the phone, after which the phone opens a session ("6 CONNECTION
// REQUEST"). The ACS only ever connects to the address the phone's own
// Inform came from: a phone's certificate does not let it point the ACS at
// anything else (no request forgery through the URL it reports).

#include <string>

#include "services/acs/session.h"
#include "services/acs/task_store.h"

namespace onramp::acs {

class ConnectionRequester {
 public:
  virtual ~ConnectionRequester() = default;
  // "accepted", or why not ("no connection request URL yet", "HTTP 401", ...).
  virtual std::string Request(const PhoneAddress& phone, const ConnectionRequestCredentials& credentials) = 0;
};

// Over this host's network, blocking the calling thread for at most a few
// seconds.
class HttpConnectionRequester final : public ConnectionRequester {
 public:
  std::string Request(const PhoneAddress& phone, const ConnectionRequestCredentials& credentials) override;
};

}  // namespace onramp::acs

#endif  // ONRAMP_SERVICES_ACS_CONNECTION_REQUEST_H_
