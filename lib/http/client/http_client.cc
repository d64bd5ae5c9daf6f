#include "lib/http/client/http_client.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <filesystem>
#include <memory>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/detached.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/ssl.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/beast/ssl.hpp"
#include "boost/context/protected_fixedsize_stack.hpp"
#include "lib/base/digest/digest.h"
#include "lib/kit/cache/lru_cache.h"
#include "lib/kit/status/status_macros.h"

namespace onramp::http_client {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::map<std::string, std::string> HeadersOf(const http::fields& fields) {
  std::map<std::string, std::string> headers;
  for (const auto& field : fields) {
    // A repeated header (WWW-Authenticate with several challenges) keeps
    // each value, one per line.
    std::string& kept = headers[absl::AsciiStrToLower(std::string(field.name_string()))];
    kept += (kept.empty() ? "" : "\n") + std::string(field.value());
  }
  return headers;
}

std::string FileStamp(const std::string& path) {
  if (path.empty()) return "";
  std::error_code error;
  auto written = std::filesystem::last_write_time(path, error);
  return absl::StrCat(path, "@", error ? 0 : written.time_since_epoch().count());
}

// TLS client contexts by the CA file they load (its time part of the key,
// so a replaced file is read again). The simulator's phones share one (its
// CA parsed once, not per request); each connection adds its phone's own
// certificate.
absl::StatusOr<std::shared_ptr<asio::ssl::context>> ClientContext(const HttpRequest& request) {
  static std::mutex mutex;
  static auto* contexts = new std::map<std::string, std::shared_ptr<asio::ssl::context>>;
  std::string key = request.extra_ca_pem.empty()
                        ? FileStamp(request.ca_file)
                        : absl::StrCat(FileStamp(request.ca_file), "+", digest::Sha256Hex(request.extra_ca_pem));
  std::lock_guard lock(mutex);
  if (auto found = contexts->find(key); found != contexts->end()) return found->second;
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  beast::error_code error;
  if (request.ca_file.empty()) {
    context->set_default_verify_paths(error);
  } else {
    context->load_verify_file(request.ca_file, error);
  }
  if (error) return absl::FailedPreconditionError(absl::StrCat("CA file ", request.ca_file, ": ", error.message()));
  if (!request.extra_ca_pem.empty()) {
    context->add_certificate_authority(asio::buffer(request.extra_ca_pem), error);
    if (error) return absl::FailedPreconditionError(absl::StrCat("extra CA: ", error.message()));
  }
  context->set_verify_mode(asio::ssl::verify_peer);
  if (contexts->size() >= 64) contexts->clear();  // a CA file replaced many times over
  contexts->emplace(key, context);
  return context;
}

// A client identity parsed from PEM.
struct Identity {
  std::shared_ptr<X509> leaf;
  std::vector<std::shared_ptr<X509>> chain;
  std::shared_ptr<EVP_PKEY> key;
};

absl::StatusOr<std::shared_ptr<const Identity>> ParseIdentity(const std::string& cert_pem, const std::string& key_pem) {
  auto identity = std::make_shared<Identity>();
  std::unique_ptr<BIO, decltype(&BIO_free)> certs(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())),
                                                  &BIO_free);
  identity->leaf.reset(PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr), &X509_free);
  if (identity->leaf == nullptr) return absl::FailedPreconditionError("client certificate: not a PEM certificate");
  while (X509* link = PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr)) {
    identity->chain.emplace_back(link, &X509_free);
  }
  ERR_clear_error();  // the end of the chain reads as an error
  std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())),
                                                    &BIO_free);
  identity->key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  if (identity->key == nullptr) return absl::FailedPreconditionError("client certificate: its key is missing");
  return identity;
}

// Reading PEM (OpenSSL 3's decoders) costs more than a handshake's own
// crypto: a phone's identity is parsed once and kept for its next
// connections (the simulator's thousands of phones share this).
absl::StatusOr<std::shared_ptr<const Identity>> IdentityOf(const std::string& cert_pem, const std::string& key_pem) {
  static auto* parsed = new cache::LruCache<Identity>(4096);
  std::string key = digest::Sha256Hex(absl::StrCat(cert_pem, "\n", key_pem));
  if (std::shared_ptr<const Identity> found = parsed->Find(key)) return found;
  absl::StatusOr<std::shared_ptr<const Identity>> identity = ParseIdentity(cert_pem, key_pem);
  if (identity.ok()) parsed->Put(key, *identity);
  return identity;
}

// `cert_pem` (a certificate, then its chain) and its key on one connection.
absl::Status UseCertificate(SSL* ssl, const std::string& cert_pem, const std::string& key_pem) {
  ASSIGN_OR_RETURN(std::shared_ptr<const Identity> identity, IdentityOf(cert_pem, key_pem));
  if (SSL_use_certificate(ssl, identity->leaf.get()) != 1) {
    return absl::FailedPreconditionError("client certificate: not a PEM certificate");
  }
  for (const std::shared_ptr<X509>& link : identity->chain) SSL_add1_chain_cert(ssl, link.get());
  if (SSL_use_PrivateKey(ssl, identity->key.get()) != 1 || SSL_check_private_key(ssl) != 1) {
    return absl::FailedPreconditionError("client certificate: its key is missing or does not match");
  }
  return absl::OkStatus();
}

template <typename Stream>
absl::StatusOr<HttpResponse> Exchange(Stream& stream, const HttpRequest& request, bool absolute_form,
                                      asio::yield_context yield) {
  // Through a proxy a plain request names the whole URL.
  std::string target = absolute_form ? ProxyTarget(request) : request.target;
  http::request<http::string_body> message(http::string_to_verb(request.method), target, 11);
  message.set(http::field::host, Authority(request));
  if (absolute_form && !request.proxy_authorization.empty()) {
    message.set(http::field::proxy_authorization, request.proxy_authorization);
  }
  for (const auto& [name, value] : request.headers) message.set(name, value);
  message.body() = request.body;
  message.prepare_payload();
  beast::error_code error;
  http::async_write(stream, message, yield[error]);
  if (error) return absl::UnavailableError(absl::StrCat("sending to ", request.host, ": ", error.message()));
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(request.max_body_bytes);
  http::async_read(stream, buffer, parser, yield[error]);
  if (error == http::error::body_limit) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the body from ", request.host, " is over ", request.max_body_bytes, " bytes"));
  }
  if (error) return absl::UnavailableError(absl::StrCat("reading from ", request.host, ": ", error.message()));
  return HttpResponse{.status = static_cast<int>(parser.get().result_int()),
                      .headers = HeadersOf(parser.get()),
                      .body = std::move(parser.get().body())};
}

absl::StatusOr<tcp::resolver::results_type> Resolve(const std::string& host, const std::string& port,
                                                    asio::yield_context yield) {
  tcp::resolver resolver(yield.get_executor());
  beast::error_code error;
  auto endpoints = resolver.async_resolve(host, port, yield[error]);
  if (error) return absl::UnavailableError(absl::StrCat("cannot resolve ", host, ": ", error.message()));
  return endpoints;
}

// A tunnel through the proxy to the server; TLS then runs end to end
// through it. A 407 comes back as the response (with its challenge), for
// the caller to answer.
absl::StatusOr<std::optional<HttpResponse>> OpenTunnel(beast::tcp_stream& stream, const HttpRequest& request,
                                                       asio::yield_context yield) {
  std::string authority = ProxyTarget(request);
  http::request<http::empty_body> connect(http::verb::connect, authority, 11);
  connect.set(http::field::host, authority);
  if (!request.proxy_authorization.empty()) {
    connect.set(http::field::proxy_authorization, request.proxy_authorization);
  }
  beast::error_code error;
  http::async_write(stream, connect, yield[error]);
  beast::flat_buffer buffer;
  http::response_parser<http::empty_body> answer;
  answer.skip(true);  // a CONNECT answer has no body
  if (!error) http::async_read(stream, buffer, answer, yield[error]);
  if (error) return absl::UnavailableError(absl::StrCat("proxy ", request.proxy, ": ", error.message()));
  int status = static_cast<int>(answer.get().result_int());
  if (status == 407) return HttpResponse{.status = 407, .headers = HeadersOf(answer.get())};
  if (status != 200) {
    return absl::UnavailableError(absl::StrCat("proxy ", request.proxy, " refused the tunnel: ", status));
  }
  return std::nullopt;
}

absl::StatusOr<HttpResponse> FetchIn(const HttpRequest& request, asio::yield_context yield) {
  std::string host = request.connect_address.empty() ? request.host : request.connect_address;
  std::string port = std::to_string(request.port);
  if (!request.proxy.empty()) {
    size_t colon = request.proxy.rfind(':');
    if (colon == std::string::npos) return absl::InvalidArgumentError(absl::StrCat("proxy ", request.proxy, " is not host:port"));
    host = request.proxy.substr(0, colon);
    port = request.proxy.substr(colon + 1);
  }
  absl::StatusOr<tcp::resolver::results_type> endpoints = Resolve(host, port, yield);
  if (!endpoints.ok()) return endpoints.status();
  beast::tcp_stream stream(yield.get_executor());
  // The whole exchange, connection to last byte, within the timeout.
  stream.expires_after(absl::ToChronoNanoseconds(request.timeout));
  beast::error_code error;
  if (request.source_address.empty()) {
    stream.async_connect(*endpoints, yield[error]);
  } else {
    // From this address: bound before connecting, to the first endpoint of
    // its family (connecting to a range would reopen the socket unbound).
    asio::ip::address source = asio::ip::make_address(request.source_address, error);
    if (error) return absl::InvalidArgumentError(absl::StrCat("source address ", request.source_address, " is not an IP"));
    auto same_family = std::find_if(endpoints->begin(), endpoints->end(), [&source](const auto& entry) {
      return entry.endpoint().address().is_v4() == source.is_v4();
    });
    if (same_family == endpoints->end()) return absl::UnavailableError(absl::StrCat(host, " has no address like ", request.source_address));
    stream.socket().open(same_family->endpoint().protocol(), error);
    if (!error) stream.socket().bind(tcp::endpoint(source, 0), error);
    if (error) return absl::UnavailableError(absl::StrCat("cannot bind ", request.source_address, ": ", error.message()));
    stream.async_connect(same_family->endpoint(), yield[error]);
  }
  if (error) return absl::UnavailableError(absl::StrCat("cannot connect to ", host, ":", port, ": ", error.message()));
  stream.socket().set_option(tcp::no_delay(true), error);
  if (!request.tls) return Exchange(stream, request, /*absolute_form=*/!request.proxy.empty(), yield);
  if (!request.proxy.empty()) {
    absl::StatusOr<std::optional<HttpResponse>> refusal = OpenTunnel(stream, request, yield);
    if (!refusal.ok()) return refusal.status();
    if (*refusal) return **refusal;
  }

  absl::StatusOr<std::shared_ptr<asio::ssl::context>> context = ClientContext(request);
  if (!context.ok()) return context.status();
  beast::ssl_stream<beast::tcp_stream> tls(std::move(stream), **context);
  if (!request.client_cert_pem.empty()) {
    // On this connection only: the context is shared by many phones.
    RETURN_IF_ERROR(UseCertificate(tls.native_handle(), request.client_cert_pem, request.client_key_pem));
  }
  // The server's name: for SNI (names only, RFC 6066) and checked against
  // its certificate (an address against its IP SANs).
  beast::error_code not_an_address;
  asio::ip::make_address(request.host, not_an_address);
  if (not_an_address) SSL_set_tlsext_host_name(tls.native_handle(), request.host.c_str());
  tls.set_verify_callback(asio::ssl::host_name_verification(request.host));
  std::string session_key;
  if (request.tls_sessions != nullptr) {
    session_key = TlsSessions::KeyOf(request);
    if (SSL_SESSION* session = request.tls_sessions->Find(session_key)) {
      SSL_set_session(tls.native_handle(), session);
      SSL_SESSION_free(session);
    }
  }
  tls.async_handshake(asio::ssl::stream_base::client, yield[error]);
  if (error) {
    if (request.tls_sessions != nullptr) request.tls_sessions->Forget(session_key);
    return absl::UnavailableError(absl::StrCat("TLS with ", request.host, ": ", error.message()));
  }
  absl::StatusOr<HttpResponse> response = Exchange(tls, request, /*absolute_form=*/false, yield);
  // After the exchange: a TLS 1.3 server's ticket comes after its handshake.
  if (request.tls_sessions != nullptr && response.ok()) {
    request.tls_sessions->Keep(session_key, SSL_get1_session(tls.native_handle()));
  }
  // The close_notify; a server that does not answer it is not waited for long.
  beast::get_lowest_layer(tls).expires_after(std::chrono::seconds(5));
  tls.async_shutdown(yield[error]);
  return response;
}

// `body` in a fiber on an event loop of its own, run to its end.
template <typename Result, typename Body>
Result OnOwnLoop(Body body) {
  asio::io_context io;
  std::optional<Result> result;
  SpawnFiber(io, [&](asio::yield_context yield) { result.emplace(body(yield)); });
  io.run();
  if (!result) return absl::InternalError("the request's fiber ended without an answer");
  return *std::move(result);
}

absl::Status ProbeIn(const std::string& host, int port, asio::yield_context yield) {
  absl::StatusOr<tcp::resolver::results_type> endpoints = Resolve(host, std::to_string(port), yield);
  if (!endpoints.ok()) return endpoints.status();
  beast::tcp_stream stream(yield.get_executor());
  stream.expires_after(std::chrono::seconds(10));
  beast::error_code error;
  stream.async_connect(*endpoints, yield[error]);
  if (error) return absl::UnavailableError(absl::StrCat(host, ":", port, ": ", error.message()));
  return absl::OkStatus();
}

}  // namespace

std::string ProxyMethod(const HttpRequest& request) { return request.tls ? "CONNECT" : request.method; }

std::string Authority(const HttpRequest& request) {
  // An IPv6 literal goes in brackets (RFC 3986 IP-literal).
  bool ipv6 = request.host.find(':') != std::string::npos;
  return absl::StrCat(ipv6 ? "[" : "", request.host, ipv6 ? "]" : "", ":", request.port);
}

std::string ProxyTarget(const HttpRequest& request) {
  if (request.tls) return Authority(request);
  return absl::StrCat("http://", Authority(request), request.target);
}

void SpawnFiber(asio::io_context& io, std::function<void(asio::yield_context)> body) {
  // OpenSSL's handshake runs on the fiber's stack; the guard page turns an
  // overflow into a crash rather than corruption. Untouched pages cost no RSS.
  constexpr size_t kStackBytes = 256 * 1024;
  asio::spawn(io, std::allocator_arg, boost::context::protected_fixedsize_stack(kStackBytes), std::move(body),
              asio::detached);
}

absl::StatusOr<HttpResponse> HttpClient::Fetch(const HttpRequest& request) {
  if (yield_) return FetchIn(request, *yield_);
  return OnOwnLoop<absl::StatusOr<HttpResponse>>([&](asio::yield_context yield) { return FetchIn(request, yield); });
}

absl::Status HttpClient::Probe(const std::string& host, int port) {
  if (yield_) return ProbeIn(host, port, *yield_);
  return OnOwnLoop<absl::Status>([&](asio::yield_context yield) { return ProbeIn(host, port, yield); });
}

}  // namespace onramp::http_client
