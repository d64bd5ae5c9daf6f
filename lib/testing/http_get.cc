#include "lib/testing/http_get.h"

#include <exception>

#include "absl/strings/str_cat.h"
#include "boost/asio/connect.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"

namespace onramp::testing {

namespace http = boost::beast::http;

absl::StatusOr<HttpResponse> HttpGet(const std::string& host, int port,
                                     const std::string& target) {
  try {
    boost::asio::io_context io;
    boost::asio::ip::tcp::resolver resolver(io);
    boost::beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(10));
    stream.connect(resolver.resolve(host, std::to_string(port)));
    http::request<http::empty_body> request(http::verb::get, target, 11);
    request.set(http::field::host, absl::StrCat(host, ":", port));
    http::write(stream, request);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    return HttpResponse{.status = static_cast<int>(response.result_int()),
                        .body = std::move(response.body())};
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("GET http://", host, ":", port, target, ": ", e.what()));
  }
}

}  // namespace onramp::testing
