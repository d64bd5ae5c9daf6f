// The gateway's HTTPS listener with real TLS clients (openssl s_client,
// curl and a Boost.Beast client): protocols and suites offered, client
// certificates issued at registration as the phone's identity, and
// certificate reloads that drop no connection.

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "absl/strings/str_cat.h"
#include "boost/asio/connect.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/ssl.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/beast/ssl.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/phone/profile_crypto/openssl_enc.h"
#include "lib/testing/shell.h"
#include "tests/onboarding/gateway_fleet.h"

namespace onramp {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

using ::onramp::testing::Curl;
using ::onramp::testing::kPhoneAgent;
using ::onramp::testing::RunShell;
using ::onramp::testing::ShellResult;
using ::testing::HasSubstr;
using ::testing::Not;

class GatewayTlsTest : public ::onramp::testing::GatewayFleetTest {
 protected:
  // openssl s_client's one-line summary of a handshake with `arguments`.
  ShellResult Handshake(const std::string& arguments) {
    return RunShell(absl::StrCat("openssl s_client -brief -connect 127.0.0.1:", tls_gateway_->port(), " -CAfile ",
                                 dir_, "/ca.pem ", arguments, " </dev/null 2>&1"));
  }

  // The subject of the certificate a new connection is shown.
  std::string ServerSubject() {
    return RunShell(absl::StrCat("openssl s_client -connect 127.0.0.1:", tls_gateway_->port(),
                                 " </dev/null 2>/dev/null | openssl x509 -noout -subject"))
        .output;
  }
};

TEST_F(GatewayTlsTest, OffersOnlyTls12And13WithForwardSecretSuites) {
  ShellResult tls13 = Handshake("-tls1_3");
  EXPECT_EQ(tls13.exit_code, 0) << tls13.output;
  EXPECT_THAT(tls13.output, HasSubstr("Protocol version: TLSv1.3"));
  EXPECT_THAT(tls13.output, HasSubstr("Verification: OK"));

  ShellResult tls12 = Handshake("-tls1_2");
  EXPECT_EQ(tls12.exit_code, 0) << tls12.output;
  EXPECT_THAT(tls12.output, HasSubstr("Protocol version: TLSv1.2"));
  EXPECT_THAT(tls12.output, HasSubstr("Ciphersuite: ECDHE-RSA-"));

  // The client below is willing; the server must be the one refusing.
  EXPECT_NE(Handshake("-tls1_1 -cipher DEFAULT@SECLEVEL=0").exit_code, 0);
  EXPECT_NE(Handshake("-tls1 -cipher DEFAULT@SECLEVEL=0").exit_code, 0);
  // RSA key exchange (no forward secrecy) and CBC suites are not offered.
  EXPECT_NE(Handshake("-tls1_2 -cipher AES128-GCM-SHA256").exit_code, 0);
  EXPECT_NE(Handshake("-tls1_2 -cipher ECDHE-RSA-AES128-SHA").exit_code, 0);
  EXPECT_NE(Handshake("-tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256").exit_code, 0);

  EXPECT_THAT(CurlTls(absl::StrCat(tls_base_, "/healthz")), HasSubstr("HTTP/1.1 200"));
  // Plain HTTP on the TLS port goes nowhere.
  EXPECT_THAT(Curl(absl::StrCat("http://127.0.0.1:", tls_gateway_->port(), "/healthz")),
              Not(HasSubstr("HTTP/1.1 200")));
}

TEST_F(GatewayTlsTest, TheRegistrationCertificateFetchesItsOwnProfileUnderTheKeyItWasHanded) {
  ClaimAndProfile(/*with_secret=*/true);
  RegisterPhone();
  ASSERT_FALSE(phone_key_.empty());
  const std::string profile = absl::StrCat(tls_base_, "/profile/000e08aabbcc.xml");
  const std::string phone_cert = absl::StrCat("--cert ", dir_, "/phone.pem --key ", dir_, "/phone.key ");

  // The phone's rule says [--key $SA]: every profile it gets is encrypted
  // with that key, over mutual TLS too, and opens with it.
  std::string mutual = CurlTls(absl::StrCat(phone_cert, kPhoneAgent, " ", profile));
  EXPECT_THAT(mutual, HasSubstr("HTTP/1.1 200"));
  size_t body = mutual.find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos);
  absl::StatusOr<profile_crypto::DecryptedProfile> opened =
      profile_crypto::DecryptOpensslEnc(mutual.substr(body + 4), phone_key_);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_THAT(opened->plaintext, HasSubstr("<Password_1_ ua=\"na\">s3cret-sip-password</Password_1_>"));

  // Without a client certificate the same profile: nothing anyone else can read.
  std::string anonymous = CurlTls(absl::StrCat(kPhoneAgent, " ", profile));
  EXPECT_THAT(anonymous, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(anonymous, Not(HasSubstr("s3cret-sip-password")));
  EXPECT_THAT(anonymous, Not(HasSubstr("<flat-profile>")));

  // The certificate names one phone: another phone's profile is refused,
  // as is a certificate of the CA that names no phone.
  EXPECT_THAT(CurlTls(absl::StrCat(phone_cert, kPhoneAgent, " ", tls_base_, "/profile/000e08aabbdd.xml")),
              HasSubstr("HTTP/1.1 403"));
  EXPECT_THAT(CurlTls(absl::StrCat("--cert ", dir_, "/client.pem --key ", dir_, "/client.key ", kPhoneAgent, " ",
                                   profile)),
              HasSubstr("HTTP/1.1 403"));

  // A certificate from elsewhere fails the handshake.
  ASSERT_EQ(RunShell(absl::StrCat("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 ",
                                  "-subj /CN=000e08aabbcc -keyout ", dir_, "/forged.key -out ", dir_,
                                  "/forged.pem 2>&1"))
                .exit_code,
            0);
  EXPECT_THAT(CurlTls(absl::StrCat("--cert ", dir_, "/forged.pem --key ", dir_, "/forged.key ", kPhoneAgent, " ",
                                   profile)),
              Not(HasSubstr("HTTP/1.1 200")));
}

TEST_F(GatewayTlsTest, ReloadServesTheNewCertificateAndKeepsOpenConnections) {
  EXPECT_THAT(ServerSubject(), HasSubstr("CN = localhost"));

  asio::io_context io;
  asio::ssl::context client_context(asio::ssl::context::tls_client);
  client_context.load_verify_file(dir_ + "/ca.pem");
  client_context.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(io, client_context);
  asio::ip::tcp::resolver resolver(io);
  beast::get_lowest_layer(stream).connect(resolver.resolve("127.0.0.1", std::to_string(tls_gateway_->port())));
  stream.handshake(asio::ssl::stream_base::client);
  auto get_health = [&stream] {
    http::request<http::empty_body> request(http::verb::get, "/healthz", 11);
    request.set(http::field::host, "localhost");
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    return response.result_int();
  };
  ASSERT_EQ(get_health(), 200);

  WriteServerCertificate("rotated.example");
  ASSERT_TRUE(tls_->Reload().ok());
  EXPECT_EQ(get_health(), 200);  // the connection opened before the reload goes on
  EXPECT_THAT(ServerSubject(), HasSubstr("CN = rotated.example"));

  // A broken file is refused and the listener keeps what it had.
  ASSERT_EQ(RunShell(absl::StrCat("echo garbage > ", dir_, "/https.key")).exit_code, 0);
  absl::Status broken = tls_->Reload();
  EXPECT_FALSE(broken.ok());
  EXPECT_THAT(std::string(broken.message()), HasSubstr("https.key"));
  EXPECT_THAT(ServerSubject(), HasSubstr("CN = rotated.example"));
  EXPECT_EQ(get_health(), 200);
}

}  // namespace
}  // namespace onramp
