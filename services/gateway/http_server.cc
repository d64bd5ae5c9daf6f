#include "services/gateway/http_server.h"

#include <openssl/ssl.h>
#include <sys/socket.h>
#include <openssl/x509.h>

#include <algorithm>
#include <optional>
#include <type_traits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/as_tuple.hpp"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/thread_pool.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/ssl.hpp"
#include "lib/kit/log/log.h"
#include "services/gateway/tls_context.h"

namespace onramp::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr auto kTlsShutdownTimeout = std::chrono::seconds(2);

Response Plain(unsigned version, http::status status, std::string_view text) {
  Response response(status, version);
  response.set(http::field::content_type, "text/plain");
  response.body() = std::string(text);
  response.keep_alive(false);
  response.prepare_payload();
  return response;
}

// Runs `work` (which may block) on `pool` and resumes the caller on its own
// event loop with the result.
template <typename Work>
asio::awaitable<std::invoke_result_t<Work&>> OffLoop(asio::thread_pool& pool, Work work) {
  using Result = std::invoke_result_t<Work&>;
  co_return co_await asio::co_spawn(
      pool, [&work]() -> asio::awaitable<Result> { co_return work(); }, asio::use_awaitable);
}

// Writes the headers, then each piece the source gives, each write within
// `timeout` (a long download may outlast any fixed total).
template <typename Stream>
asio::awaitable<bool> WriteStreamed(Stream& stream, Response head, BodySource& source, absl::Duration timeout,
                                    asio::thread_pool& pool) {
  // The access log said the status when the answer began; a body cut off
  // is said here, under the same request id.
  const std::string request_id(head["X-Request-Id"]);
  int64_t length = -1;
  if (!absl::SimpleAtoi(std::string(head[http::field::content_length]), &length)) length = -1;
  int64_t sent = 0;
  auto cut_off = [&](const std::string& why) {
    log::Warn("streamed body cut off",
              {{"request_id", request_id}, {"sent_bytes", sent}, {"content_length", length}, {"error", why}});
  };
  http::response<http::buffer_body> response(std::move(head.base()));
  response.body().data = nullptr;
  response.body().more = true;
  http::response_serializer<http::buffer_body> serializer(response);
  auto [header_error, header_bytes] =
      co_await http::async_write_header(stream, serializer, asio::as_tuple(asio::use_awaitable));
  (void)header_bytes;
  if (header_error) co_return false;
  for (;;) {
    absl::StatusOr<std::string> piece = co_await OffLoop(pool, [&source] { return source.Next(); });
    if (!piece.ok()) {
      cut_off(piece.status().ToString());
      co_return false;
    }
    response.body().data = piece->empty() ? nullptr : piece->data();
    response.body().size = piece->size();
    response.body().more = !piece->empty();
    beast::get_lowest_layer(stream).expires_after(absl::ToChronoMilliseconds(timeout));
    auto [error, written] = co_await http::async_write(stream, serializer, asio::as_tuple(asio::use_awaitable));
    (void)written;
    if (error && error != http::error::need_buffer) {
      cut_off(error == beast::error::timeout ? "the reader took nothing for the stream timeout" : error.message());
      co_return false;
    }
    sent += static_cast<int64_t>(piece->size());
    if (piece->empty()) co_return true;
  }
}

}  // namespace

struct HttpServer::Impl {
  HttpServerOptions options;
  Dispatcher dispatch;
  UploadRoute uploads;
  // One event loop per thread, each connection on one loop for its life:
  // no lock-step wake-ups of every thread for every event.
  std::vector<std::unique_ptr<asio::io_context>> loops;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  // One acceptor per event loop on the same port (SO_REUSEPORT): the kernel
  // spreads new connections over the loops, and each is served where it
  // was accepted, with no hand-over between threads.
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::atomic<int> connections{0};
  std::atomic<int> waiting{0};  // requests handed to the handler threads, not yet answered
  std::vector<std::thread> threads;
  std::unique_ptr<asio::thread_pool> handlers;

  // An upload's body into `sink`, a buffer at a time, each read within the
  // request timeout; the sink's reply, or why the upload broke off (the
  // connection then closes: the rest of the body was not read).
  template <typename Stream>
  asio::awaitable<Reply> Receive(Stream& stream, beast::flat_buffer& buffer,
                                 http::request_parser<http::string_body>& header_parser, BodySink& sink,
                                 const Peer& peer) {
    http::request_parser<http::buffer_body> parser(std::move(header_parser));
    parser.body_limit(options.max_upload_bytes);
    std::vector<char> piece(64 * 1024);
    bool complete = true;
    while (!parser.is_done()) {
      parser.get().body().data = piece.data();
      parser.get().body().size = piece.size();
      beast::get_lowest_layer(stream).expires_after(absl::ToChronoMilliseconds(options.request_timeout));
      auto [error, bytes] = co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
      (void)bytes;
      if (error && error != http::error::need_buffer) {
        if (error == http::error::body_limit) {
          Reply refused = Plain(11, http::status::payload_too_large, "upload too large\n");
          if (options.on_refused) options.on_refused(refused.response, peer);
          co_return refused;
        }
        complete = false;
        break;
      }
      size_t got = piece.size() - parser.get().body().size;
      if (got == 0) continue;
      absl::Status written =
          co_await OffLoop(*handlers, [&sink, &piece, got] { return sink.Write(std::string_view(piece.data(), got)); });
      if (!written.ok()) {
        complete = false;
        break;
      }
    }
    Reply reply = co_await OffLoop(*handlers, [&sink] { return sink.Finish(); });
    if (!complete) reply.response.keep_alive(false);
    co_return reply;
  }

  template <typename Stream>
  asio::awaitable<void> Exchange(Stream& stream, const Peer& peer) {
    beast::flat_buffer buffer(options.max_header_bytes + 1024);
    bool first = true;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
      // Beast judges a declared length against this when the head arrives;
      // each route's own limit is applied once it is known (below).
      parser.body_limit(std::max<uint64_t>(options.max_upload_bytes, options.max_bulk_body_bytes));
      // The first request must arrive within the request timeout; later
      // ones may follow an idle keep-alive pause.
      beast::get_lowest_layer(stream).expires_after(
          absl::ToChronoMilliseconds(first ? options.request_timeout : options.idle_timeout));
      auto [error, bytes] =
          co_await http::async_read_header(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
      std::optional<Reply> upload_reply;
      unsigned version = 11;
      if (!error) {
        const Request& head = parser.get();
        version = head.version();
        // Clients holding a large body back until told to send it are told
        // only once it will be read; a refusal goes instead, so no body
        // arrives to be cut off.
        bool expects_continue = head[http::field::expect] == "100-continue";
        auto go_on = [&]() -> asio::awaitable<bool> {
          if (!expects_continue) co_return true;
          http::response<http::empty_body> go(http::status::continue_, head.version());
          auto [continue_error, sent] = co_await http::async_write(stream, go, asio::as_tuple(asio::use_awaitable));
          (void)sent;
          co_return !continue_error;
        };
        std::string_view target(head.target().data(), head.target().size());
        bool bulk = !options.bulk_path_prefix.empty() && target.starts_with(options.bulk_path_prefix);
        UploadStart upload;
        if (uploads && bulk) {
          upload = co_await OffLoop(*handlers, [this, &head, &peer] { return uploads(head, peer); });
        }
        if (upload.refusal != nullptr) {
          upload_reply = std::move(*upload.refusal);
          upload_reply->response.keep_alive(false);
        } else if (upload.sink != nullptr) {
          if (!co_await go_on()) co_return;
          upload_reply = co_await Receive(stream, buffer, parser, *upload.sink, peer);
        } else {
          uint64_t limit = bulk ? options.max_bulk_body_bytes : options.max_body_bytes;
          boost::optional<uint64_t> declared = parser.content_length();
          if (declared && *declared > limit) {
            error = http::error::body_limit;  // refused before reading it
          } else {
            if (!co_await go_on()) co_return;
            parser.body_limit(limit);
            std::tie(error, bytes) =
                co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
          }
        }
      }
      (void)bytes;
      first = false;
      if (error == http::error::end_of_stream || error == asio::error::eof || error == beast::error::timeout ||
          error == asio::error::connection_reset || error == asio::ssl::error::stream_truncated) {
        co_return;
      }
      Reply reply = Response();
      bool head = false;
      if (upload_reply) {
        reply = std::move(*upload_reply);
        reply.response.version(version);
      } else if (error) {
        if (error == http::error::header_limit) {
          reply = Plain(11, http::status::request_header_fields_too_large, "headers too large\n");
        } else if (error == http::error::body_limit) {
          reply = Plain(11, http::status::payload_too_large, "body too large\n");
        } else {
          reply = Plain(11, http::status::bad_request, "malformed request\n");
        }
        if (options.on_refused) options.on_refused(reply.response, peer);
      } else {
        Request request = parser.release();
        head = request.method() == http::verb::head;
        Dispatch dispatched = dispatch(request, peer);
        if (dispatched.now) {
          reply = std::move(*dispatched.now);
        } else if (waiting.load() >= options.max_waiting) {
          reply = options.busy ? options.busy() : Plain(11, http::status::service_unavailable, "busy\n");
          if (options.on_refused) options.on_refused(reply.response, peer);
        } else {
          ++waiting;
          reply = co_await OffLoop(*handlers, std::move(dispatched.later));
          --waiting;
        }
        reply.response.version(request.version());
        reply.response.keep_alive(reply.response.keep_alive() && request.keep_alive());
        if (head) reply.response.body().clear();
      }
      beast::get_lowest_layer(stream).expires_after(absl::ToChronoMilliseconds(options.request_timeout));
      bool keep_alive = reply.response.keep_alive();
      if (reply.source != nullptr && !head) {
        if (!co_await WriteStreamed(stream, std::move(reply.response), *reply.source, options.stream_timeout,
                                   *handlers)) {
          co_return;
        }
      } else {
        auto [write_error, written] =
            co_await http::async_write(stream, reply.response, asio::as_tuple(asio::use_awaitable));
        (void)written;
        if (write_error) co_return;
      }
      if (!keep_alive) co_return;
    }
  }

  asio::awaitable<void> ServePlain(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    boost::system::error_code ignored;
    Peer peer{.address = stream.socket().remote_endpoint(ignored).address().to_string()};
    co_await Exchange(stream, peer);
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    --connections;
  }

  asio::awaitable<void> ServeTls(tcp::socket socket, std::shared_ptr<const TlsContext::Loaded> tls) {
    TlsStream stream(std::move(socket), *tls->ssl);
    boost::system::error_code ignored;
    Peer peer{.address = beast::get_lowest_layer(stream).socket().remote_endpoint(ignored).address().to_string(),
              .tls = true};
    beast::get_lowest_layer(stream).expires_after(absl::ToChronoMilliseconds(options.request_timeout));
    auto [handshake_error] =
        co_await stream.async_handshake(asio::ssl::stream_base::server, asio::as_tuple(asio::use_awaitable));
    if (options.on_handshake) {
      options.on_handshake(handshake_error ? "" : SSL_get_version(stream.native_handle()),
                           !handshake_error && SSL_session_reused(stream.native_handle()) == 1);
    }
    if (!handshake_error) {
      tls->Identify(stream.native_handle(), &peer);
      co_await Exchange(stream, peer);
      // close_notify, so the client can tell an end from a cut; not waiting
      // for the client's (TLS 1.1 on allows closing at once, and many
      // clients never send one): marked as received, the shutdown only
      // sends ours.
      SSL_set_shutdown(stream.native_handle(), SSL_RECEIVED_SHUTDOWN);
      beast::get_lowest_layer(stream).expires_after(kTlsShutdownTimeout);
      auto [shutdown_error] = co_await stream.async_shutdown(asio::as_tuple(asio::use_awaitable));
      (void)shutdown_error;
    }
    beast::get_lowest_layer(stream).socket().close(ignored);
    --connections;
  }

  asio::awaitable<void> Accept(tcp::acceptor& acceptor) {
    for (;;) {
      auto [error, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (error == asio::error::operation_aborted) co_return;
      if (error) continue;
      if (connections.load() >= options.max_connections) {
        // Over the cap: refuse at once rather than queue.
        boost::system::error_code ignored;
        socket.close(ignored);
        continue;
      }
      ++connections;
      // Replies go out whole at once; Nagle would hold a reply's last
      // segment (or one after TLS session tickets) for the client's
      // delayed ACK.
      boost::system::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      if (options.tls != nullptr) {
        asio::co_spawn(acceptor.get_executor(), ServeTls(std::move(socket), options.tls->Current()), asio::detached);
      } else {
        asio::co_spawn(acceptor.get_executor(), ServePlain(std::move(socket)), asio::detached);
      }
    }
  }
};

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options, Dispatcher dispatch,
                                                              UploadRoute uploads) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->dispatch = std::move(dispatch);
  impl->uploads = std::move(uploads);
  int io_threads = options.io_threads > 0 ? options.io_threads
                                         : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  impl->handlers = std::make_unique<asio::thread_pool>(std::max(1, options.handler_threads));
  for (int i = 0; i < io_threads; ++i) {
    impl->loops.push_back(std::make_unique<asio::io_context>(1));
    impl->keep_running.push_back(asio::make_work_guard(*impl->loops.back()));
  }
  boost::system::error_code error;
  tcp::endpoint endpoint(asio::ip::make_address(options.host, error),
                         static_cast<unsigned short>(options.port));
  if (error) return absl::InvalidArgumentError(absl::StrCat("bad host ", options.host));
  for (auto& loop : impl->loops) {
    auto acceptor = std::make_unique<tcp::acceptor>(*loop);
    acceptor->open(endpoint.protocol(), error);
    if (!error) acceptor->set_option(asio::socket_base::reuse_address(true), error);
    if (!error) {
      int one = 1;
      if (setsockopt(acceptor->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
        error = boost::system::error_code(errno, boost::system::system_category());
      }
    }
    if (!error) acceptor->bind(endpoint, error);
    if (!error) acceptor->listen(asio::socket_base::max_listen_connections, error);
    if (error) {
      return absl::UnavailableError(absl::StrCat("cannot listen on ", options.host, ":", endpoint.port(), ": ",
                                                 error.message()));
    }
    // Port 0 picked a free port; the other loops listen on that one.
    endpoint.port(acceptor->local_endpoint().port());
    impl->acceptors.push_back(std::move(acceptor));
  }
  int port = endpoint.port();
  for (auto& acceptor : impl->acceptors) {
    asio::co_spawn(acceptor->get_executor(), impl->Accept(*acceptor), asio::detached);
  }
  for (auto& loop : impl->loops) {
    impl->threads.emplace_back([raw = loop.get()] { raw->run(); });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl), port));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl, int port) : impl_(std::move(impl)), port_(port) {}

HttpServer::~HttpServer() {
  for (auto& loop : impl_->loops) loop->stop();
  for (std::thread& thread : impl_->threads) thread.join();
  impl_->handlers->join();
}

}  // namespace onramp::gateway
