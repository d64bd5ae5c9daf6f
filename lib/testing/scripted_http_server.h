#ifndef ONRAMP_LIB_TESTING_SCRIPTED_HTTP_SERVER_H_
#define ONRAMP_LIB_TESTING_SCRIPTED_HTTP_SERVER_H_

// An HTTP/1.1 server on a loopback port that answers as a test scripts it,
// to drive a client through status codes, redirects and bodies written
// from the spec rather than from the fleet. Every request is recorded; one
// connection per request (Connection: close).
//
//   ScriptedHttpServer server;
//   server.On("GET", "/p.xml", {.status = 302, .headers = {{"Location", "/q.xml"}}});
//   ... fetch http://127.0.0.1:<server.port()>/p.xml ...
//   EXPECT_EQ(server.requests()[0].headers.at("host"), ...);

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"

namespace onramp::testing {

class ScriptedHttpServer {
 public:
  struct Answer {
    int status = 200;
    std::map<std::string, std::string> headers;
    std::string body;
  };
  struct Request {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
  };

  ScriptedHttpServer();
  ~ScriptedHttpServer();
  ScriptedHttpServer(const ScriptedHttpServer&) = delete;
  ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:<port>"
  std::string base() const;

  // From now on `method target` (path and query) is answered so.
  // Anything unscripted is a 404.
  void On(const std::string& method, const std::string& target, Answer answer);
  std::vector<Request> requests() const;

 private:
  void Accept();
  void Serve(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::map<std::string, Answer> script_;  // "METHOD target" -> its answer
  std::vector<Request> requests_;
  std::thread thread_;
};

}  // namespace onramp::testing

#endif  // ONRAMP_LIB_TESTING_SCRIPTED_HTTP_SERVER_H_
