#ifndef ONRAMP_LIB_HTTP_CLIENT_HTTP_CLIENT_H_
#define ONRAMP_LIB_HTTP_CLIENT_HTTP_CLIENT_H_

// An HTTP/1.1 client (Boost.Beast), the phone's and the services' (webhook
// deliveries): one request per connection, directly or through an HTTP
// proxy, plain or TLS with the server verified against a CA file and, once the
// phone is registered, its client certificate. Chunked and
// Content-Length responses alike; redirects are the caller's (the phone's
// status table decides).
//
// Requests are written once, as asynchronous operations run in a fiber:
// a phone of its own runs each request on an event loop of the request's
// own (its thread waits), while the simulator's phones share one loop and a
// request suspends only its phone's fiber.

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "boost/asio/io_context.hpp"
#include "boost/asio/spawn.hpp"
#include "lib/http/client/tls_sessions.h"

namespace onramp::http_client {

struct HttpRequest {
  bool tls = false;
  std::string host;  // for Host, SNI and the certificate check
  int port = 80;
  // Where to connect instead of resolving `host` (the phone's own DNS
  // answer); empty: resolve it.
  std::string connect_address;
  // The local address to connect from (the simulator's phones, each its
  // own loopback address); empty: the system chooses.
  std::string source_address;
  std::string method = "GET";
  std::string target = "/";  // path and query
  std::map<std::string, std::string> headers;
  std::string body;
  // TLS: the CA that must have signed the server's certificate (empty: the
  // system's), and the phone's own certificate and key (PEM), when it has
  // them.
  std::string ca_file;
  // More CAs to trust besides (PEM), e.g. one a phone was given to install.
  std::string extra_ca_pem;
  std::string client_cert_pem;  // the certificate, then its chain
  std::string client_key_pem;
  absl::Duration timeout = absl::Seconds(30);
  // A longer body ends the read with RESOURCE_EXHAUSTED (firmware images
  // fit; profiles ask for less).
  size_t max_body_bytes = 64 << 20;
  // An HTTP proxy, "host:port": plain requests go to it in absolute form,
  // TLS through a CONNECT tunnel. Empty: straight to the server.
  std::string proxy;
  // For the proxy, when it asked (407) and the phone has credentials.
  std::string proxy_authorization;
  // TLS: the client's sessions, offered to resume and kept for next time
  // (may be null: a full handshake each time).
  TlsSessions* tls_sessions = nullptr;
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case; repeats one per line
  std::string body;
};

class HttpClient {
 public:
  // Each request on an event loop of its own; the calling thread waits.
  HttpClient() = default;
  // Each request suspends the fiber `yield` belongs to, on its loop.
  explicit HttpClient(boost::asio::yield_context yield) : yield_(std::move(yield)) {}

  // UNAVAILABLE when the server cannot be reached or the exchange breaks
  // (TLS verification failures included, with OpenSSL's reason). A proxy
  // refusing a tunnel without credentials is a 407 response.
  absl::StatusOr<HttpResponse> Fetch(const HttpRequest& request);

  // Whether a TCP connection to host:port opens (UNAVAILABLE if not).
  absl::Status Probe(const std::string& host, int port);

 private:
  std::optional<boost::asio::yield_context> yield_;
};

// What a proxy sees of the request: CONNECT and the server's authority for
// TLS (a tunnel), else the request's method and its absolute URL.
std::string ProxyMethod(const HttpRequest& request);
// host:port, an IPv6 address in brackets: the Host header and a CONNECT's.
std::string Authority(const HttpRequest& request);
std::string ProxyTarget(const HttpRequest& request);

// Starts `body` as a fiber on `io`, with a stack fit for a phone's
// requests (OpenSSL's handshake included).
void SpawnFiber(boost::asio::io_context& io, std::function<void(boost::asio::yield_context)> body);

}  // namespace onramp::http_client

#endif  // ONRAMP_LIB_HTTP_CLIENT_HTTP_CLIENT_H_
