#ifndef ONRAMP_SERVICES_GATEWAY_HTTP_SERVER_H_
#define ONRAMP_SERVICES_GATEWAY_HTTP_SERVER_H_

// The gateway's HTTP/1.0 and 1.1 listener (Boost.Beast over Asio, C++20
// coroutines), plain or over TLS: keep-alive, chunked request bodies,
// bodies streamed from a source too large to hold (firmware), and limits
// that a slow or hostile client cannot get around — header and body sizes,
// a deadline for the TLS handshake and for each request to arrive, an idle
// limit between requests and a cap on open connections.

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "boost/beast/http.hpp"
#include "services/gateway/peer.h"

namespace onramp::gateway {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

// A body pulled piece by piece while it is written, so it is never held
// whole. Next() may block; it returns the next piece, an empty string at
// the end, or an error, upon which the connection is closed (the status
// line is long gone).
class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual absl::StatusOr<std::string> Next() = 0;
};

// What a handler answers: a whole response, or headers (Content-Length
// set) whose body comes from `source`.
struct Reply {
  Reply() = default;
  Reply(Response whole) : response(std::move(whole)) {}  // NOLINT: most replies are whole
  Reply(Response head, std::unique_ptr<BodySource> body) : response(std::move(head)), source(std::move(body)) {}

  Response response;
  std::unique_ptr<BodySource> source;
};

// Runs on the handler threads, never on an event loop, so it may block on
// backends.
using Handler = std::function<Reply(const Request&, const Peer&)>;

// What a request comes to on its event loop: a reply at once (answered from
// memory, no hop to another thread), or work that may block, which runs on
// the handler threads. The request and peer outlive `later`.
struct Dispatch {
  std::optional<Reply> now;
  std::function<Reply()> later;
};
// Runs on the event loops, so it must not block.
using Dispatcher = std::function<Dispatch(const Request&, const Peer&)>;
// Every request to `handler` on the handler threads.
Dispatcher OnHandlerThreads(Handler handler);

// Where an upload's body goes, piece by piece as it arrives, so it is never
// held whole. Both calls run on the handler threads and may block.
class BodySink {
 public:
  virtual ~BodySink() = default;
  // An error ends the upload (the rest is not read; the connection closes).
  virtual absl::Status Write(std::string_view piece) = 0;
  // After the last piece or a failed Write: the reply.
  virtual Reply Finish() = 0;
};

// What an UploadRoute makes of a request's head: not an upload (neither
// set: the Handler gets it whole), refused at once (the body is never read
// and the connection closes), or a sink for the body.
struct UploadStart {
  std::unique_ptr<BodySink> sink;
  std::unique_ptr<Reply> refusal;
};
using UploadRoute = std::function<UploadStart(const Request& head, const Peer&)>;

// A request refused before any handler saw it (malformed, its head or body
// too large): its reply, to stamp and log as handled requests are.
using RefusalObserver = std::function<void(Response& reply, const Peer&)>;

// What each TLS handshake came to, for metrics: the protocol
// ("TLSv1.3") when it succeeded, empty when it failed, and whether it
// resumed a session (a ticket) rather than making a full handshake.
using HandshakeObserver = std::function<void(std::string_view protocol, bool resumed)>;

class TlsContext;

struct HttpServerOptions {
  std::string host = "0.0.0.0";
  int port = 0;
  int io_threads = 0;        // event loops (TLS, parsing, writing); 0: one per core
  int handler_threads = 16;  // for handlers and body sources, which may block
  // Requests waiting for or on a handler thread at most; past it a request
  // is answered `busy` at once on its loop instead of queueing (a tail
  // that grows with the queue helps nobody: phones come back when told).
  int max_waiting = 256;
  // That answer (503 with Retry-After); stamped and logged by on_refused.
  std::function<Response()> busy;
  size_t max_header_bytes = 8 * 1024;
  size_t max_body_bytes = 64 * 1024;
  // Paths under this prefix (the partner API's bulk uploads) may send
  // bodies up to max_bulk_body_bytes; only they are offered to the
  // UploadRoute.
  std::string bulk_path_prefix = "/api/";
  size_t max_bulk_body_bytes = 8 * 1024 * 1024;
  uint64_t max_upload_bytes = uint64_t{4} << 30;  // through an UploadRoute
  absl::Duration request_timeout = absl::Seconds(10);  // to receive one whole request
  absl::Duration idle_timeout = absl::Seconds(30);     // between keep-alive requests
  // How long a streamed body (a firmware image) waits on a reader that
  // takes nothing before the connection is cut (and the cut logged).
  absl::Duration stream_timeout = absl::Seconds(60);
  int max_connections = 10000;
  // With a context the listener speaks only TLS; each connection uses the
  // context current when it was accepted.
  const TlsContext* tls = nullptr;
  HandshakeObserver on_handshake;
  RefusalObserver on_refused;
};

class HttpServer {
 public:
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options, Dispatcher dispatch,
                                                           UploadRoute uploads = nullptr);
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
