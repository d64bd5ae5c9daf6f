#ifndef ONRAMP_DEVICE_AGENT_HTTP_CLIENT_H_
#define ONRAMP_DEVICE_AGENT_HTTP_CLIENT_H_

// The phone's HTTP/1.1 client (Boost.Beast): one request per connection,
// directly or through an HTTP proxy,
// plain or TLS with the server verified against a CA file and, once the
// phone is registered, its client certificate. Chunked and
// Content-Length responses alike; redirects are the caller's (the phone's
// status table decides).

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace onramp::agent {

struct HttpRequest {
  bool tls = false;
  std::string host;  // for Host, SNI and the certificate check
  int port = 80;
  // Where to connect instead of resolving `host` (the phone's own DNS
  // answer); empty: resolve it.
  std::string connect_address;
  std::string method = "GET";
  std::string target = "/";  // path and query
  std::map<std::string, std::string> headers;
  std::string body;
  // TLS: the CA that must have signed the server's certificate (empty: the
  // system's), and the phone's own certificate and key, when it has them.
  std::string ca_file;
  std::string client_cert_file;
  std::string client_key_file;
  absl::Duration timeout = absl::Seconds(30);
  // An HTTP proxy, "host:port": plain requests go to it in absolute form,
  // TLS through a CONNECT tunnel. Empty: straight to the server.
  std::string proxy;
  // "Basic ..." for the proxy, when it asks (407) and the phone has them.
  std::string proxy_authorization;
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case; repeats one per line
  std::string body;
};

// Whether a TCP connection to host:port opens (UNAVAILABLE if not).
absl::Status Probe(const std::string& host, int port);

// UNAVAILABLE when the server cannot be reached or the exchange breaks
// (TLS verification failures included, with OpenSSL's reason).
absl::StatusOr<HttpResponse> Fetch(const HttpRequest& request);

}  // namespace onramp::agent

#endif  // ONRAMP_DEVICE_AGENT_HTTP_CLIENT_H_
