// A device-agent phone whose profile names the fleet's syslog server: the
// lines of what it does reach its log, in the order it did them, and its
// partner reads them through the API's gRPC service.

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "device-agent/phone.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/new_phone.h"
#include "tests/onboarding/gateway_fleet.h"

namespace onramp {
namespace {

using ::onramp::testing::kPhoneMac;
using ::testing::HasSubstr;

class AgentSyslogTest : public ::onramp::testing::GatewayFleetTest {
 protected:
  device::v1::ListLogsResponse Logs() {
    grpc::ClientContext context;
    device::v1::ListLogsRequest request;
    request.set_partner("acme");
    request.mutable_mac()->set_value(kPhoneMac);
    request.mutable_page()->set_page_size(1000);
    device::v1::ListLogsResponse logs;
    EXPECT_TRUE(devices_->ListLogs(&context, request, &logs).ok());
    return logs;
  }
};

TEST_F(AgentSyslogTest, APhonesOwnLinesReachItsLogInOrder) {
  ClaimAndProfile(/*with_secret=*/false, base_ + "/profile/$MA.xml");
  // Every phone of the partner logs to the fleet.
  grpc::ClientContext context;
  profile::v1::SetParametersRequest set;
  set.mutable_ref()->set_partner("acme");
  set.mutable_ref()->set_scope(profile::v1::SCOPE_PARTNER);
  profile::v1::Parameter* server = set.add_parameters();
  server->set_name("Syslog_Server");
  server->set_value(absl::StrCat("127.0.0.1:", syslog_->port()));
  profile::v1::Layer layer;
  ASSERT_TRUE(profiles_->SetParameters(&context, set, &layer).ok());

  std::vector<std::string> steps;
  agent::PhoneOptions options{.state_dir = ::onramp::testing::NewPhone("phone", kPhoneMac, dir_),
                              .activation_url = tls_base_,
                              .ca_file = dir_ + "/ca.pem"};
  agent::Phone phone = ::onramp::testing::LoadPhone(options, &steps);
  ASSERT_TRUE(phone.Provision().ok());  // onboards; its profile names the server
  steps.clear();
  agent::Phone again = ::onramp::testing::LoadPhone(options, &steps);
  ASSERT_TRUE(again.Provision().ok());  // its next resync logs what it does
  ASSERT_FALSE(steps.empty());

  // The log ends with the second pass's lines (the first pass's, from the
  // moment its profile named the server, come before them).
  auto line_of = [](const std::string& step) { return absl::StrCat("CP-8851-3PCC ", kPhoneMac, " -- ", step); };
  device::v1::ListLogsResponse logs;
  for (absl::Time give_up = absl::Now() + absl::Seconds(10); absl::Now() < give_up;) {
    syslog_->Flush();
    logs = Logs();
    if (logs.lines_size() > 0 && logs.lines(logs.lines_size() - 1).text() == line_of(steps.back())) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_GE(logs.lines_size(), static_cast<int>(steps.size())) << logs.DebugString();
  int first = logs.lines_size() - static_cast<int>(steps.size());
  for (size_t i = 0; i < steps.size(); ++i) {
    EXPECT_EQ(logs.lines(first + static_cast<int>(i)).text(), line_of(steps[i]));
    EXPECT_EQ(logs.lines(first + static_cast<int>(i)).app_name(), "phone");
  }
  EXPECT_THAT(logs.lines(first).text(), HasSubstr("resync"));
}

}  // namespace
}  // namespace onramp
