#ifndef ONRAMP_DEVICE_AGENT_CONNECTION_REQUEST_LISTENER_H_
#define ONRAMP_DEVICE_AGENT_CONNECTION_REQUEST_LISTENER_H_

// The phone's connection-request listener (TR-069 3.2.2): an HTTP server
// on the phone's address taking a GET of its path from the ACS, with the
// credentials the ACS gave the phone (Connection_Request_Username and
// _Password), Digest (or Basic) as RFC 7616/7617. A request that proves
// them is answered 200 and told to `on_request` (the phone then opens a
// session with "6 CONNECTION REQUEST"); anything else gets 401 with a
// challenge, or 404/405, and nothing happens. One request at a time, each
// given 5 seconds, so a client that sends nothing holds nothing.

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "lib/phone/profile_crypto/sealer.h"

namespace onramp::agent {

struct ListenerCredentials {
  std::string username;
  std::string password;  // empty: the phone has none yet, so nothing is accepted
};

class ConnectionRequestListener {
 public:
  // Listens on host:port (0: a free one), serving `path`; `credentials` is
  // asked at each request (the phone's current ones).
  static absl::StatusOr<std::unique_ptr<ConnectionRequestListener>> Start(
      const std::string& host, int port, std::string path, std::function<ListenerCredentials()> credentials,
      std::function<void()> on_request);
  ~ConnectionRequestListener();

  // "http://host:port/path": the phone's ConnectionRequestURL.
  const std::string& url() const { return url_; }

 private:
  ConnectionRequestListener(std::string path, std::function<ListenerCredentials()> credentials,
                            std::function<void()> on_request, profile_crypto::Sealer sealer);
  void Accept();

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_{io_};
  std::string path_;
  std::string url_;
  std::function<ListenerCredentials()> credentials_;
  std::function<void()> on_request_;
  profile_crypto::Sealer sealer_;  // its Digest nonces
  std::thread thread_;
};

}  // namespace onramp::agent

#endif  // ONRAMP_DEVICE_AGENT_CONNECTION_REQUEST_LISTENER_H_
