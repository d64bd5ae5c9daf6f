#include "device-agent/http_client.h"

#include <sys/socket.h>
#include <sys/time.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/connect.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/ssl.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/beast/ssl.hpp"

namespace onramp::agent {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Blocking reads and writes that give up after `timeout`.
void SetTimeouts(tcp::socket& socket, absl::Duration timeout) {
  timeval value = absl::ToTimeval(timeout);
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &value, sizeof value);
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &value, sizeof value);
}

template <typename Stream>
absl::StatusOr<HttpResponse> Exchange(Stream& stream, const HttpRequest& request, bool absolute_form = false) {
  // Through a proxy a plain request names the whole URL.
  std::string target = absolute_form ? absl::StrCat("http://", request.host, ":", request.port, request.target)
                                     : request.target;
  http::request<http::string_body> message(http::string_to_verb(request.method), target, 11);
  message.set(http::field::host, request.host);
  if (absolute_form && !request.proxy_authorization.empty()) {
    message.set(http::field::proxy_authorization, request.proxy_authorization);
  }
  for (const auto& [name, value] : request.headers) message.set(name, value);
  message.body() = request.body;
  message.prepare_payload();
  beast::error_code error;
  http::write(stream, message, error);
  if (error) return absl::UnavailableError(absl::StrCat("sending to ", request.host, ": ", error.message()));
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  http::read(stream, buffer, parser, error);
  if (error) return absl::UnavailableError(absl::StrCat("reading from ", request.host, ": ", error.message()));
  HttpResponse response;
  response.status = static_cast<int>(parser.get().result_int());
  for (const auto& field : parser.get()) {
    // A repeated header (WWW-Authenticate with several challenges) keeps
    // each value, one per line.
    std::string& kept = response.headers[absl::AsciiStrToLower(std::string(field.name_string()))];
    kept += (kept.empty() ? "" : "\n") + std::string(field.value());
  }
  response.body = std::move(parser.get().body());
  return response;
}

}  // namespace

absl::Status Probe(const std::string& host, int port) {
  asio::io_context io;
  tcp::resolver resolver(io);
  beast::error_code error;
  auto endpoints = resolver.resolve(host, std::to_string(port), error);
  tcp::socket socket(io);
  if (!error) asio::connect(socket, endpoints, error);
  if (error) return absl::UnavailableError(absl::StrCat(host, ":", port, ": ", error.message()));
  return absl::OkStatus();
}

absl::StatusOr<HttpResponse> Fetch(const HttpRequest& request) {
  asio::io_context io;
  tcp::resolver resolver(io);
  beast::error_code error;
  std::string host = request.connect_address.empty() ? request.host : request.connect_address;
  std::string port = std::to_string(request.port);
  if (!request.proxy.empty()) {
    size_t colon = request.proxy.rfind(':');
    if (colon == std::string::npos) return absl::InvalidArgumentError(absl::StrCat("proxy ", request.proxy, " is not host:port"));
    host = request.proxy.substr(0, colon);
    port = request.proxy.substr(colon + 1);
  }
  auto endpoints = resolver.resolve(host, port, error);
  if (error) return absl::UnavailableError(absl::StrCat("cannot resolve ", host, ": ", error.message()));
  tcp::socket socket(io);
  asio::connect(socket, endpoints, error);
  if (error) return absl::UnavailableError(absl::StrCat("cannot connect to ", host, ":", port, ": ", error.message()));
  SetTimeouts(socket, request.timeout);
  if (!request.tls) return Exchange(socket, request, /*absolute_form=*/!request.proxy.empty());
  if (!request.proxy.empty()) {
    // A tunnel to the server; TLS then runs end to end through it.
    std::string authority = absl::StrCat(request.host, ":", request.port);
    http::request<http::empty_body> connect(http::verb::connect, authority, 11);
    connect.set(http::field::host, authority);
    if (!request.proxy_authorization.empty()) {
      connect.set(http::field::proxy_authorization, request.proxy_authorization);
    }
    http::write(socket, connect, error);
    beast::flat_buffer buffer;
    http::response_parser<http::empty_body> answer;
    answer.skip(true);  // a CONNECT answer has no body
    if (!error) http::read(socket, buffer, answer, error);
    if (error) return absl::UnavailableError(absl::StrCat("proxy ", request.proxy, ": ", error.message()));
    if (answer.get().result_int() == 407) {
      // As a response, so the caller can answer with credentials.
      return HttpResponse{.status = 407};
    }
    if (answer.get().result_int() != 200) {
      return absl::UnavailableError(
          absl::StrCat("proxy ", request.proxy, " refused the tunnel: ", answer.get().result_int()));
    }
  }

  asio::ssl::context context(asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  if (request.ca_file.empty()) {
    context.set_default_verify_paths(error);
  } else {
    context.load_verify_file(request.ca_file, error);
  }
  if (error) return absl::FailedPreconditionError(absl::StrCat("CA file ", request.ca_file, ": ", error.message()));
  if (!request.client_cert_file.empty()) {
    context.use_certificate_chain_file(request.client_cert_file, error);
    if (!error) context.use_private_key_file(request.client_key_file, asio::ssl::context::pem, error);
    if (error) return absl::FailedPreconditionError(absl::StrCat("client certificate: ", error.message()));
  }
  context.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<tcp::socket&> stream(socket, context);
  // The server's name: for SNI and checked against its certificate.
  SSL_set_tlsext_host_name(stream.native_handle(), request.host.c_str());
  stream.set_verify_callback(asio::ssl::host_name_verification(request.host));
  stream.handshake(asio::ssl::stream_base::client, error);
  if (error) return absl::UnavailableError(absl::StrCat("TLS with ", request.host, ": ", error.message()));
  absl::StatusOr<HttpResponse> response = Exchange(stream, request);
  stream.shutdown(error);  // the close_notify; the server may not answer it
  return response;
}

}  // namespace onramp::agent
