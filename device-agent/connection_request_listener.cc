#include "device-agent/connection_request_listener.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "lib/base/random/random.h"
#include "lib/http/auth/digest_check.h"

namespace onramp::agent {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr char kRealm[] = "phone connection request";

// One client: its request read (5 s at most), answered, closed.
class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(tcp::socket socket, std::function<http::response<http::string_body>(const http::request<http::string_body>&)> answer)
      : stream_(std::move(socket)), answer_(std::move(answer)) {}

  void Run() {
    stream_.expires_after(std::chrono::seconds(5));
    http::async_read(stream_, buffer_, request_, [self = shared_from_this()](beast::error_code error, size_t) {
      if (error) return;
      self->response_ = self->answer_(self->request_);
      http::async_write(self->stream_, self->response_, [self](beast::error_code, size_t) {
        beast::error_code ignored;
        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      });
    });
  }

 private:
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  std::function<http::response<http::string_body>(const http::request<http::string_body>&)> answer_;
};

}  // namespace

ConnectionRequestListener::ConnectionRequestListener(std::string path,
                                                     std::function<ListenerCredentials()> credentials,
                                                     std::function<void()> on_request, profile_crypto::Sealer sealer)
    : path_(std::move(path)),
      credentials_(std::move(credentials)),
      on_request_(std::move(on_request)),
      sealer_(std::move(sealer)) {}

absl::StatusOr<std::unique_ptr<ConnectionRequestListener>> ConnectionRequestListener::Start(
    const std::string& host, int port, std::string path, std::function<ListenerCredentials()> credentials,
    std::function<void()> on_request) {
  absl::StatusOr<std::string> key = random::Bytes(32);
  if (!key.ok()) return key.status();
  absl::StatusOr<profile_crypto::Sealer> sealer = profile_crypto::Sealer::Create(*key, "connection request nonces");
  if (!sealer.ok()) return sealer.status();
  std::unique_ptr<ConnectionRequestListener> listener(new ConnectionRequestListener(
      std::move(path), std::move(credentials), std::move(on_request), *std::move(sealer)));
  beast::error_code error;
  asio::ip::address address = asio::ip::make_address(host, error);
  if (error) return absl::InvalidArgumentError(absl::StrCat("not an IP address: ", host));
  tcp::endpoint endpoint(address, static_cast<uint16_t>(port));
  listener->acceptor_.open(endpoint.protocol(), error);
  if (!error) listener->acceptor_.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) listener->acceptor_.bind(endpoint, error);
  if (!error) listener->acceptor_.listen(asio::socket_base::max_listen_connections, error);
  if (error) return absl::UnavailableError(absl::StrCat("cannot listen on ", host, ":", port, ": ", error.message()));
  int bound = listener->acceptor_.local_endpoint().port();
  listener->url_ = absl::StrCat("http://", address.is_v6() ? absl::StrCat("[", host, "]") : host, ":", bound,
                                listener->path_);
  listener->Accept();
  listener->thread_ = std::thread([raw = listener.get()] { raw->io_.run(); });
  return listener;
}

ConnectionRequestListener::~ConnectionRequestListener() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

void ConnectionRequestListener::Accept() {
  acceptor_.async_accept([this](beast::error_code error, tcp::socket socket) {
    if (error) return;
    auto answer = [this](const http::request<http::string_body>& request) {
      http::response<http::string_body> response(http::status::ok, request.version());
      response.keep_alive(false);
      if (request.target() != path_) {
        response.result(http::status::not_found);
      } else if (request.method() != http::verb::get) {
        response.result(http::status::method_not_allowed);
        response.set(http::field::allow, "GET");
      } else {
        ListenerCredentials credentials = credentials_();
        http_auth::HttpAuthSettings settings{.realm = kRealm,
                                             .username = credentials.username,
                                             .ha1 = http_auth::Ha1(credentials.username, kRealm, credentials.password)};
        absl::Time now = absl::Now();
        http_auth::AuthCheck check =
            credentials.password.empty()
                ? http_auth::AuthCheck::kRefused
                : http_auth::CheckAuthorization(settings, std::string(request[http::field::authorization]), "GET",
                                                path_, sealer_, now);
        if (check == http_auth::AuthCheck::kAccepted) {
          on_request_();
        } else {
          response.result(http::status::unauthorized);
          for (const std::string& challenge :
               http_auth::Challenges(settings, sealer_, now, check == http_auth::AuthCheck::kStale)) {
            response.insert(http::field::www_authenticate, challenge);
          }
        }
      }
      response.prepare_payload();
      return response;
    };
    std::make_shared<Exchange>(std::move(socket), std::move(answer))->Run();
    Accept();
  });
}

}  // namespace onramp::agent
