// Firmware downloads through the gateway with curl: whole images streamed
// from firmware-catalog, byte ranges for resumed downloads, validators,
// HEAD, and the refusals.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/base/digest/digest.h"
#include "lib/testing/shell.h"
#include "services/gateway/http_server.h"
#include "tests/onboarding/gateway_fleet.h"

namespace onramp {
namespace {

using ::onramp::testing::Curl;
using ::onramp::testing::ReadFile;
using ::onramp::testing::RunShell;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kImage[] = "sip88xx.12-0-1MPP0001-245.loads";

class GatewayFirmwareTest : public ::onramp::testing::GatewayFleetTest {
 protected:
  void SetUp() override {
    GatewayFleetTest::SetUp();
    if (HasFatalFailure()) return;
    // 1.5 MiB: many 64 KiB pieces of the catalog's stream.
    bytes_.resize(1536 * 1024 + 17);
    std::mt19937 random(11);
    for (char& c : bytes_) c = static_cast<char>(random());
    sha256_ = digest::Sha256Hex(bytes_);
    UploadImage(kImage, bytes_);
    url_ = absl::StrCat(base_, "/firmware/", kImage);
  }

  // Downloads with curl `arguments`; returns the body, headers in headers_.
  std::string Download(const std::string& arguments) {
    const std::string body = dir_ + "/download";
    const std::string headers = dir_ + "/headers";
    RunShell(absl::StrCat("rm -f ", body, "; curl -s --max-time 20 -D ", headers, " -o ", body, " ", arguments));
    headers_ = ReadFile(headers);
    return ReadFile(body);
  }

  std::string bytes_;
  std::string sha256_;
  std::string url_;
  std::string headers_;
};

TEST_F(GatewayFirmwareTest, StreamsTheWholeImageWithAStrongEtag) {
  std::string whole = Download(url_);
  EXPECT_THAT(headers_, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(headers_, HasSubstr(absl::StrCat("Content-Length: ", bytes_.size())));
  EXPECT_THAT(headers_, HasSubstr(absl::StrCat("ETag: \"", sha256_, "\"")));
  EXPECT_THAT(headers_, HasSubstr("Accept-Ranges: bytes"));
  EXPECT_EQ(whole.size(), bytes_.size());
  EXPECT_EQ(digest::Sha256Hex(whole), sha256_);
  // HTTP/1.0 and over TLS, the same bytes.
  EXPECT_EQ(digest::Sha256Hex(Download("-0 " + url_)), sha256_);
  EXPECT_THAT(headers_, HasSubstr("HTTP/1.0 200"));
  EXPECT_EQ(digest::Sha256Hex(Download(absl::StrCat("--cacert ", dir_, "/ca.pem ", tls_base_,
                                                            "/firmware/", kImage))),
            sha256_);

  // HEAD: the headers of the whole image, no body.
  std::string head = Curl("-I " + url_);
  EXPECT_THAT(head, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(head, HasSubstr(absl::StrCat("Content-Length: ", bytes_.size())));
  // The phone has it already.
  EXPECT_THAT(Curl(absl::StrCat("-H 'If-None-Match: \"", sha256_, "\"' ", url_)), HasSubstr("HTTP/1.1 304"));
}

TEST_F(GatewayFirmwareTest, AReaderThatPausesLongerThanARequestMayTakeIsNotCutOff) {
  // 8 MiB, more than the kernel buffers between the two ends hold, so the
  // gateway must wait for the phone.
  std::string large(8 << 20, 'x');
  for (size_t i = 0; i < large.size(); i += 4096) large[i] = static_cast<char>(i / 4096);
  UploadImage("sip88xx.12-5-1MPP-100.loads", large);
  std::unique_ptr<gateway::HttpServer> server = *gateway::HttpServer::Start(
      {.host = "127.0.0.1", .request_timeout = absl::Seconds(1), .stream_timeout = absl::Seconds(30)},
      handlers_.dispatch);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int small = 16 * 1024;  // the phone's small receive window
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  timeval bound{.tv_sec = 20, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
  sockaddr_in address{.sin_family = AF_INET, .sin_port = htons(static_cast<uint16_t>(server->port()))};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  const std::string request = "GET /firmware/sip88xx.12-5-1MPP-100.loads HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  std::string received;
  char buffer[65536];
  auto read_some = [&] {
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n > 0) received.append(buffer, static_cast<size_t>(n));
    return n;
  };
  while (received.size() < 100000 && read_some() > 0) {
  }
  // The phone stops reading for three times what a request may take.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  while (read_some() > 0) {
  }
  close(fd);
  size_t body = received.find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos);
  EXPECT_THAT(received.substr(0, body), HasSubstr("HTTP/1.1 200"));
  EXPECT_EQ(received.size() - body - 4, large.size());
  EXPECT_EQ(digest::Sha256Hex(received.substr(body + 4)), digest::Sha256Hex(large));
}

TEST_F(GatewayFirmwareTest, RangesResumeDownloads) {
  const std::string size = absl::StrCat(bytes_.size());
  EXPECT_EQ(Download("-r 1000-1999 " + url_), bytes_.substr(1000, 1000));
  EXPECT_THAT(headers_, HasSubstr("HTTP/1.1 206"));
  EXPECT_THAT(headers_, HasSubstr("Content-Range: bytes 1000-1999/" + size));
  EXPECT_EQ(Download("-r -100 " + url_), bytes_.substr(bytes_.size() - 100));
  // A download cut at 700,000 bytes, resumed with If-Range as browsers and phones do.
  std::string rest = Download(absl::StrCat("-r 700000- -H 'If-Range: \"", sha256_, "\"' ", url_));
  EXPECT_THAT(headers_, HasSubstr("HTTP/1.1 206"));
  EXPECT_EQ(bytes_.substr(0, 700000) + rest, bytes_);
  // If-Range naming other bytes: the whole image instead.
  EXPECT_EQ(Download(absl::StrCat("-r 700000- -H 'If-Range: \"0000\"' ", url_)).size(), bytes_.size());
  EXPECT_THAT(headers_, HasSubstr("HTTP/1.1 200"));
  // Past the end.
  std::string beyond = Curl(absl::StrCat("-r 99999999- ", url_));
  EXPECT_THAT(beyond, HasSubstr("HTTP/1.1 416"));
  EXPECT_THAT(beyond, HasSubstr("Content-Range: bytes */" + size));
}

TEST_F(GatewayFirmwareTest, PartnersUploadImagesStreamedToTheCatalog) {
  // 3 MiB: dozens of pieces, and curl waits for 100 Continue first.
  std::string image(3 * 1024 * 1024, '\0');
  std::mt19937 random(5);
  for (char& c : image) c = static_cast<char>(random());
  const std::string sha = digest::Sha256Hex(image);
  std::ofstream(dir_ + "/upload.loads", std::ios::binary) << image;
  const std::string key = CreateApiKey("acme");
  auto upload = [&](const std::string& name, const std::string& digest, const std::string& auth) {
    return CurlTls(absl::StrCat("-H 'Authorization: Bearer ", auth, "' -H 'Content-Type: application/octet-stream' ",
                                "--data-binary @", dir_, "/upload.loads '", tls_base_, "/api/v1/firmware?file_name=",
                                name, "&sha256=", digest, "&models=CP-8851-3PCC'"));
  };
  std::string stored = upload("sip88xx.12-5-1MPP-100.loads", sha, key);
  EXPECT_THAT(stored, HasSubstr("HTTP/1.1 201"));
  EXPECT_THAT(stored, HasSubstr(absl::StrCat("\"sha256\":\"", sha, "\"")));
  EXPECT_EQ(digest::Sha256Hex(Download(base_ + "/firmware/sip88xx.12-5-1MPP-100.loads")), sha);

  // The wrong checksum keeps nothing; no key reads no body.
  EXPECT_THAT(upload("sip88xx.12-5-2MPP-100.loads", std::string(64, '0'), key), HasSubstr("HTTP/1.1 400"));
  EXPECT_THAT(Curl(base_ + "/firmware/sip88xx.12-5-2MPP-100.loads"), HasSubstr("HTTP/1.1 404"));
  EXPECT_THAT(upload("sip88xx.12-5-2MPP-100.loads", sha, "onr_0000000000000000_nothing"), HasSubstr("HTTP/1.1 401"));
  // It is listed.
  EXPECT_THAT(CurlTls(absl::StrCat("-H 'Authorization: Bearer ", key, "' '", tls_base_, "/api/v1/firmware'")),
              HasSubstr("sip88xx.12-5-1MPP-100.loads"));
}

TEST_F(GatewayFirmwareTest, UnknownImagesAndWrongMethodsAreRefused) {
  EXPECT_THAT(Curl(base_ + "/firmware/sip88xx.1-0-0MPP-1.loads"), HasSubstr("HTTP/1.1 404"));
  EXPECT_THAT(Curl(absl::StrCat("-X POST ", url_)), HasSubstr("HTTP/1.1 405"));
  // Images are too large for TFTP here; phones fetch them over HTTP(S).
  ::onramp::testing::ShellResult tftp =
      RunShell(absl::StrCat("atftp -g -r firmware/", kImage, " -l /dev/null 127.0.0.1 ", tftp_->port()));
  EXPECT_NE(tftp.exit_code, 0);
  EXPECT_THAT(tftp.output, HasSubstr("HTTP and HTTPS only"));
  EXPECT_THAT(Curl(base_ + "/healthz"), HasSubstr("HTTP/1.1 200"));
}

}  // namespace
}  // namespace onramp
