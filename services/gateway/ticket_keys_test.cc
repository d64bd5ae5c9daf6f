// Session tickets across replicas: gateways that share --tls_ticket_key_files
// resume each other's sessions; a key rotated out of first place still opens
// tickets while it is listed; a replica without the key makes a full
// handshake, never a failure.

#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/testing/shell.h"
#include "services/gateway/http_server.h"
#include "services/gateway/tls_context.h"

namespace onramp::gateway {
namespace {

namespace http = boost::beast::http;
using ::onramp::testing::RunShell;

struct Fetched {
  bool ok = false;
  bool resumed = false;
  SSL_SESSION* session = nullptr;  // owned by the caller
};

// GET /healthz on a new connection, offering `session` (may be null).
Fetched Fetch(int port, int max_version, SSL_SESSION* session) {
  Fetched fetched;
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_max_proto_version(context, max_version);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{.sin_family = AF_INET, .sin_port = htons(static_cast<uint16_t>(port))};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  SSL* ssl = SSL_new(context);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    SSL_set_fd(ssl, fd);
    if (session != nullptr) SSL_set_session(ssl, session);
    std::string request = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    if (SSL_connect(ssl) == 1 && SSL_write(ssl, request.data(), static_cast<int>(request.size())) > 0) {
      std::string reply;
      char buffer[4096];
      for (int n; (n = SSL_read(ssl, buffer, sizeof buffer)) > 0;) reply.append(buffer, static_cast<size_t>(n));
      fetched.ok = reply.starts_with("HTTP/1.1 200");
      fetched.resumed = SSL_session_reused(ssl) == 1;
      fetched.session = SSL_get1_session(ssl);
    }
    SSL_shutdown(ssl);
  }
  SSL_free(ssl);
  close(fd);
  SSL_CTX_free(context);
  return fetched;
}

class TicketKeysTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/ticket_keys";
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    ASSERT_EQ(RunShell(absl::StrCat("cd ", dir_,
                                    " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1"
                                    " -subj /CN=localhost -keyout key.pem -out cert.pem 2>/dev/null"
                                    " && openssl rand -out k1 80 && openssl rand -out k2 80"))
                  .exit_code,
              0);
  }

  // A replica with these ticket keys (files in dir_), newest first.
  int Replica(const std::vector<std::string>& keys) {
    TlsFiles files{.cert_file = dir_ + "/cert.pem", .key_file = dir_ + "/key.pem"};
    for (const std::string& key : keys) files.ticket_key_files.push_back(dir_ + "/" + key);
    absl::StatusOr<std::unique_ptr<TlsContext>> tls = TlsContext::Load(files);
    EXPECT_TRUE(tls.ok()) << tls.status();
    if (!tls.ok()) return 0;
    contexts_.push_back(*std::move(tls));
    Dispatcher healthy = [](const Request& request, const Peer&) {
      Response response(http::status::ok, request.version());
      response.body() = "ok\n";
      response.prepare_payload();
      return Dispatch{.now = Reply(std::move(response))};
    };
    absl::StatusOr<std::unique_ptr<HttpServer>> server =
        HttpServer::Start({.host = "127.0.0.1", .io_threads = 1, .tls = contexts_.back().get()}, healthy);
    EXPECT_TRUE(server.ok()) << server.status();
    if (!server.ok()) return 0;
    servers_.push_back(*std::move(server));
    return servers_.back()->port();
  }

  void TearDown() override {
    servers_.clear();
    for (SSL_SESSION* session : sessions_) SSL_SESSION_free(session);
  }

  // Fetches, keeping the session for TearDown to free.
  Fetched Fetch(int port, SSL_SESSION* session) {
    Fetched fetched = gateway::Fetch(port, GetParam(), session);
    if (fetched.session != nullptr) sessions_.push_back(fetched.session);
    return fetched;
  }

  std::string dir_;
  std::vector<std::unique_ptr<TlsContext>> contexts_;
  std::vector<std::unique_ptr<HttpServer>> servers_;
  std::vector<SSL_SESSION*> sessions_;
};

TEST_P(TicketKeysTest, ReplicasSharingAKeyResumeEachOthersSessions) {
  int first = Replica({"k1"});
  int second = Replica({"k1"});
  Fetched full = Fetch(first, nullptr);
  ASSERT_TRUE(full.ok);
  EXPECT_FALSE(full.resumed);
  Fetched resumed = Fetch(second, full.session);
  EXPECT_TRUE(resumed.ok);
  EXPECT_TRUE(resumed.resumed);
}

std::string TicketOf(SSL_SESSION* session) {
  const unsigned char* ticket = nullptr;
  size_t length = 0;
  SSL_SESSION_get0_ticket(session, &ticket, &length);
  return std::string(reinterpret_cast<const char*>(ticket), length);
}

TEST_P(TicketKeysTest, EveryTls13ResumptionBringsANewTicket) {
  if (GetParam() != TLS1_3_VERSION) GTEST_SKIP() << "TLS 1.2 tickets may be used again";
  int port = Replica({"k1"});
  Fetched fetched = Fetch(port, nullptr);
  ASSERT_TRUE(fetched.ok);
  // TLS 1.3 clients use a ticket once (RFC 8446 C.4; wrk and OpenSSL's own
  // session reuse do): without a new one after each resumption, every
  // other connection would be a full handshake.
  for (int i = 0; i < 3; ++i) {
    Fetched next = Fetch(port, fetched.session);
    EXPECT_TRUE(next.resumed);
    ASSERT_NE(next.session, nullptr);
    EXPECT_NE(TicketOf(next.session), TicketOf(fetched.session)) << "resumption " << i + 1;
    fetched = next;
  }
}

TEST_P(TicketKeysTest, AReplicaWithoutTheKeyMakesAFullHandshake) {
  int first = Replica({"k1"});
  int other = Replica({"k2"});
  Fetched full = Fetch(first, nullptr);
  ASSERT_TRUE(full.ok);
  Fetched again = Fetch(other, full.session);
  EXPECT_TRUE(again.ok);
  EXPECT_FALSE(again.resumed);
}

TEST_P(TicketKeysTest, ARotatedOutKeyOpensTicketsWhileListedAndNewTicketsUseTheNewKey) {
  int before = Replica({"k1"});
  int rotated = Replica({"k2", "k1"});
  int only_new = Replica({"k2"});
  Fetched old_ticket = Fetch(before, nullptr);
  ASSERT_TRUE(old_ticket.ok);
  Fetched renewed = Fetch(rotated, old_ticket.session);
  EXPECT_TRUE(renewed.resumed);
  // The ticket it was given (again) is under k2, which the newest replicas open.
  Fetched after = Fetch(only_new, renewed.session);
  EXPECT_TRUE(after.ok);
  EXPECT_TRUE(after.resumed);
}

TEST_P(TicketKeysTest, AKeyFileOfTheWrongSizeIsRefusedByName) {
  std::ofstream(dir_ + "/short") << "too short";
  absl::StatusOr<std::unique_ptr<TlsContext>> tls = TlsContext::Load(
      {.cert_file = dir_ + "/cert.pem", .key_file = dir_ + "/key.pem", .ticket_key_files = {dir_ + "/short"}});
  EXPECT_EQ(tls.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(tls.status().message()), ::testing::HasSubstr("short: 9 bytes"));
  EXPECT_EQ(TlsContext::Load({.cert_file = dir_ + "/cert.pem",
                              .key_file = dir_ + "/key.pem",
                              .ticket_key_files = {dir_ + "/missing"}})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Tls12And13, TicketKeysTest, ::testing::Values(TLS1_2_VERSION, TLS1_3_VERSION));

}  // namespace
}  // namespace onramp::gateway
