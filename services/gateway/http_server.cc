#include "services/gateway/http_server.h"

#include "absl/strings/str_cat.h"
#include "boost/asio/as_tuple.hpp"
#include "boost/asio/co_spawn.hpp"
#include "boost/asio/detached.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/use_awaitable.hpp"
#include "boost/beast/core.hpp"
#include "lib/log/log.h"

namespace onramp::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

Response Plain(unsigned version, http::status status, std::string_view text) {
  Response response(status, version);
  response.set(http::field::content_type, "text/plain");
  response.body() = std::string(text);
  response.keep_alive(false);
  response.prepare_payload();
  return response;
}

}  // namespace

struct HttpServer::Impl {
  HttpServerOptions options;
  Handler handler;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::atomic<int> connections{0};
  std::vector<std::thread> threads;

  asio::awaitable<void> Serve(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer(options.max_header_bytes + 1024);
    boost::system::error_code ignored;
    Peer peer{stream.socket().remote_endpoint(ignored).address().to_string()};
    bool first = true;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
      parser.body_limit(options.max_body_bytes);
      // The first request must arrive within the request timeout; later
      // ones may follow an idle keep-alive pause.
      stream.expires_after(absl::ToChronoMilliseconds(first ? options.request_timeout
                                                            : options.idle_timeout));
      auto [error, bytes] = co_await http::async_read(stream, buffer, parser,
                                                     asio::as_tuple(asio::use_awaitable));
      (void)bytes;
      first = false;
      if (error == http::error::end_of_stream || error == asio::error::eof ||
          error == beast::error::timeout || error == asio::error::connection_reset) {
        break;
      }
      Response response;
      if (error == http::error::header_limit) {
        response = Plain(11, http::status::request_header_fields_too_large, "headers too large\n");
      } else if (error == http::error::body_limit) {
        response = Plain(11, http::status::payload_too_large, "body too large\n");
      } else if (error) {
        response = Plain(11, http::status::bad_request, "malformed request\n");
      } else {
        Request request = parser.release();
        response = handler(request, peer);
        response.version(request.version());
        response.keep_alive(response.keep_alive() && request.keep_alive());
        if (request.method() == http::verb::head) response.body().clear();
      }
      stream.expires_after(absl::ToChronoMilliseconds(options.request_timeout));
      bool keep_alive = response.keep_alive();
      auto [write_error, written] = co_await http::async_write(stream, response,
                                                              asio::as_tuple(asio::use_awaitable));
      (void)written;
      if (write_error || !keep_alive) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    --connections;
  }

  asio::awaitable<void> Accept() {
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
      asio::co_spawn(io, Serve(std::move(socket)), asio::detached);
    }
  }
};

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                              Handler handler) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->handler = std::move(handler);
  boost::system::error_code error;
  tcp::endpoint endpoint(asio::ip::make_address(options.host, error),
                         static_cast<unsigned short>(options.port));
  if (error) return absl::InvalidArgumentError(absl::StrCat("bad host ", options.host));
  impl->acceptor.open(endpoint.protocol(), error);
  if (!error) impl->acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) impl->acceptor.bind(endpoint, error);
  if (!error) impl->acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.host, ":", options.port,
                                               ": ", error.message()));
  }
  int port = impl->acceptor.local_endpoint().port();
  asio::co_spawn(impl->io, impl->Accept(), asio::detached);
  for (int i = 0; i < options.threads; ++i) {
    impl->threads.emplace_back([raw = impl.get()] { raw->io.run(); });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl), port));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl, int port) : impl_(std::move(impl)), port_(port) {}

HttpServer::~HttpServer() {
  impl_->io.stop();
  for (std::thread& thread : impl_->threads) thread.join();
}

}  // namespace onramp::gateway
