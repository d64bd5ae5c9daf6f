#include "lib/testing/scripted_http_server.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"

namespace onramp::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

ScriptedHttpServer::ScriptedHttpServer()
    : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
      port_(acceptor_.local_endpoint().port()) {
  Accept();
  thread_ = std::thread([this] { io_.run(); });
}

ScriptedHttpServer::~ScriptedHttpServer() {
  io_.stop();
  thread_.join();
}

std::string ScriptedHttpServer::base() const { return absl::StrCat("http://127.0.0.1:", port_); }

void ScriptedHttpServer::On(const std::string& method, const std::string& target, Answer answer) {
  std::lock_guard lock(mutex_);
  script_[absl::StrCat(method, " ", target)] = std::move(answer);
}

std::vector<ScriptedHttpServer::Request> ScriptedHttpServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

void ScriptedHttpServer::Accept() {
  acceptor_.async_accept([this](beast::error_code error, tcp::socket socket) {
    if (error) return;
    Serve(std::move(socket));
    Accept();
  });
}

// On the server's one thread: a client is served whole before the next is
// accepted, which is all a phone (one request at a time) needs.
void ScriptedHttpServer::Serve(tcp::socket socket) {
  beast::error_code error;
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  http::read(socket, buffer, request, error);
  if (error) return;
  Request seen{.method = std::string(request.method_string()),
               .target = std::string(request.target()),
               .body = request.body()};
  for (const auto& field : request) {
    seen.headers[absl::AsciiStrToLower(std::string(field.name_string()))] = std::string(field.value());
  }
  Answer answer{.status = 404, .body = "not scripted\n"};
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(seen);
    auto scripted = script_.find(absl::StrCat(seen.method, " ", seen.target));
    if (scripted != script_.end()) answer = scripted->second;
  }
  http::response<http::string_body> response(static_cast<http::status>(answer.status), 11);
  for (const auto& [name, value] : answer.headers) response.set(name, value);
  response.body() = std::move(answer.body);
  response.keep_alive(false);
  response.prepare_payload();
  http::write(socket, response, error);  // a client that stopped reading ends it early
  socket.shutdown(tcp::socket::shutdown_both, error);
}

}  // namespace onramp::testing
