// The fleet's syslog intake from the phone's and the partner's side: lines
// sent by util-linux logger in both RFC formats land on the phone's log in
// order, shown to its partner only; lines naming no phone, or a phone
// nobody claimed, are dropped; a flood from one source costs that source
// its lines, never another's.

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/metrics/testing/counter_value.h"
#include "lib/kit/partner_json/partner_json.h"
#include "lib/testing/shell.h"
#include "tests/onboarding/gateway_fleet.h"

namespace onramp {
namespace {

using ::onramp::testing::kPhoneMac;
using ::onramp::testing::ReadFile;
using ::onramp::testing::RunShell;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class SyslogTest : public ::onramp::testing::GatewayFleetTest {
 protected:
  void SetUp() override {
    GatewayFleetTest::SetUp();
    if (HasFatalFailure()) return;
    acme_ = CreateApiKey("acme");
    globex_ = CreateApiKey("globex");
  }

  void Logger(const std::string& format, const std::string& text) {
    ::onramp::testing::ShellResult sent = RunShell(absl::StrCat("logger --", format, " -d -n 127.0.0.1 -P ",
                                                                syslog_->port(), " -t phone -p local0.warning '",
                                                                text, "' 2>&1"));
    ASSERT_EQ(sent.exit_code, 0) << sent.output;
  }

  // The phone's lines as its partner reads them; `status` the HTTP status.
  device::v1::ListLogsResponse Logs(const std::string& mac, const std::string& key, int* status = nullptr) {
    std::string output = RunShell(absl::StrCat("curl -s --cacert ", dir_, "/ca.pem -o ", dir_, "/logs -w '%{http_code}' ",
                                               "-H 'Authorization: Bearer ", key, "' '", tls_base_, "/api/v1/devices/",
                                               mac, "/logs?page_size=1000'"))
                             .output;
    if (status != nullptr) *status = std::atoi(output.c_str());
    device::v1::ListLogsResponse logs;
    (void)partner_json::Parse(ReadFile(dir_ + "/logs"), &logs);
    return logs;
  }

  // Waits until the phone's log holds `count` lines (UDP and the intake's
  // batches are asynchronous), at most 10 s.
  device::v1::ListLogsResponse WaitForLines(const std::string& mac, int count) {
    device::v1::ListLogsResponse logs;
    for (absl::Time give_up = absl::Now() + absl::Seconds(10); absl::Now() < give_up;) {
      syslog_->Flush();
      logs = Logs(mac, acme_);
      if (logs.lines_size() >= count) break;
      absl::SleepFor(absl::Milliseconds(50));
    }
    return logs;
  }

  std::string acme_;
  std::string globex_;
};

TEST_F(SyslogTest, LinesFromLoggerInBothFormatsReachThePhonesLogInOrder) {
  ClaimPhone("https://prov.acme.example/$MA.xml");
  Logger("rfc5424", absl::StrCat("CP-8851-3PCC ", kPhoneMac, " -- Requesting resync https://prov.acme.example/p.xml"));
  Logger("rfc3164", "CP-8851-3PCC 00:0E:08:AA:BB:CC -- Resync failed: 404");
  Logger("rfc3164", "CP-8851-3PCC 000e08ffffff -- a phone nobody claimed");
  Logger("rfc3164", "a line that names no phone");
  device::v1::ListLogsResponse logs = WaitForLines(kPhoneMac, 2);
  ASSERT_EQ(logs.lines_size(), 2) << logs.DebugString();
  EXPECT_THAT(logs.lines(0).text(), HasSubstr("Requesting resync"));
  EXPECT_TRUE(logs.lines(0).has_send_time());  // RFC 5424 carries the sender's time
  EXPECT_THAT(logs.lines(1).text(), HasSubstr("Resync failed: 404"));
  EXPECT_FALSE(logs.lines(1).has_send_time());
  for (const device::v1::LogLine& line : logs.lines()) {
    EXPECT_EQ(line.app_name(), "phone");
    EXPECT_EQ(line.facility(), 16);  // local0
    EXPECT_EQ(line.severity_name(), "warning");
    EXPECT_EQ(line.source_address(), "127.0.0.1");
  }
  EXPECT_EQ(metrics::testing::CounterValue(*syslog_registry_, "onramp_gateway_syslog_lines_total",
                                           {{"outcome", "no_phone"}}),
            1);

  // Only the phone's partner reads them; the timeline sums them up.
  int status = 0;
  Logs(kPhoneMac, globex_, &status);
  EXPECT_EQ(status, 404);
  EXPECT_THAT(TimelineKinds(kPhoneMac).back(), "syslog");
}

TEST_F(SyslogTest, AFloodFromOneSourceDoesNotDropAnothersLines) {
  ClaimPhone("https://prov.acme.example/$MA.xml");
  ClaimPhone("https://prov.acme.example/$MA.xml", "000e08aabbcd");
  // 5,000 lines from 127.0.0.2 as fast as Python sends them, then three
  // from 127.0.0.3.
  std::ofstream(dir_ + "/flood.py") << absl::StrCat(R"py(
import socket, sys
port = int(sys.argv[1])
flood = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
flood.bind(("127.0.0.2", 0))
for i in range(5000):
    flood.sendto(b"<14>1 - host phone - - - 000e08aabbcc flood line %d" % i, ("127.0.0.1", port))
quiet = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
quiet.bind(("127.0.0.3", 0))
for i in range(3):
    quiet.sendto(b"<11>1 - host phone - - - 000e08aabbcd quiet line %d" % i, ("127.0.0.1", port))
)py");
  ::onramp::testing::ShellResult sent = RunShell(absl::StrCat("python3 ", dir_, "/flood.py ", syslog_->port(), " 2>&1"));
  ASSERT_EQ(sent.exit_code, 0) << sent.output;
  device::v1::ListLogsResponse quiet = WaitForLines("000e08aabbcd", 3);
  ASSERT_EQ(quiet.lines_size(), 3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(quiet.lines(i).text(), absl::StrCat("000e08aabbcd quiet line ", i));
  EXPECT_GT(metrics::testing::CounterValue(*syslog_registry_, "onramp_gateway_syslog_lines_total",
                                           {{"outcome", "over_budget"}}),
            1000);
  // The flooded phone keeps its newest 500 at most.
  EXPECT_LE(Logs(kPhoneMac, acme_).lines_size(), 500);
}

}  // namespace
}  // namespace onramp
