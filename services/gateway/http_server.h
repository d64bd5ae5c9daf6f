#ifndef ONRAMP_SERVICES_GATEWAY_HTTP_SERVER_H_
#define ONRAMP_SERVICES_GATEWAY_HTTP_SERVER_H_

// The gateway's HTTP/1.0 and 1.1 listener (Boost.Beast over Asio, C++20
// coroutines): keep-alive, chunked request bodies, and limits that a
// slow or hostile client cannot get around — header and body sizes, a
// deadline for each request to arrive, an idle limit between requests and
// a cap on open connections.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "boost/beast/http.hpp"

namespace onramp::gateway {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

struct Peer {
  std::string address;  // the client's IP
};

// Runs on the server's threads; may block on backends.
using Handler = std::function<Response(const Request&, const Peer&)>;

struct HttpServerOptions {
  std::string host = "0.0.0.0";
  int port = 0;
  int threads = 8;
  size_t max_header_bytes = 8 * 1024;
  size_t max_body_bytes = 64 * 1024;
  absl::Duration request_timeout = absl::Seconds(10);  // to receive one whole request
  absl::Duration idle_timeout = absl::Seconds(30);     // between keep-alive requests
  int max_connections = 10000;
};

class HttpServer {
 public:
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                           Handler handler);
  ~HttpServer();  // stops accepting, closes connections, joins threads

  int port() const { return port_; }

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl, int port);
  std::unique_ptr<Impl> impl_;
  int port_;
};

}  // namespace onramp::gateway

#endif  // ONRAMP_SERVICES_GATEWAY_HTTP_SERVER_H_
