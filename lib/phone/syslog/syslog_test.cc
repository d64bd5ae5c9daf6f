#include "lib/phone/syslog/syslog.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace onramp::syslog {
namespace {

TEST(SyslogTest, Rfc5424AsLoggerSendsIt) {
  absl::StatusOr<Message> message = Parse(
      "<14>1 2026-12-01T08:00:00.123456+00:00 desk-phone onramp-test - - [timeQuality tzKnown=\"1\" "
      "isSynced=\"0\"] CP-8851-3PCC 000e08aabbcc -- Requesting resync http://10.0.0.1:80/p.xml\n");
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->format, Format::kRfc5424);
  EXPECT_EQ(message->facility, 1);
  EXPECT_EQ(message->severity, 6);
  EXPECT_EQ(message->hostname, "desk-phone");
  EXPECT_EQ(message->app_name, "onramp-test");
  ASSERT_TRUE(message->time.has_value());
  EXPECT_EQ(absl::ToUnixSeconds(*message->time), 1796112000);
  EXPECT_EQ(message->text, "CP-8851-3PCC 000e08aabbcc -- Requesting resync http://10.0.0.1:80/p.xml");
  EXPECT_EQ(PhoneMac(*message), "000e08aabbcc");
}

TEST(SyslogTest, Rfc3164AsLoggerSendsIt) {
  absl::StatusOr<Message> message = Parse("<13>Dec  1 08:00:00 desk-phone root: 00:0E:08:AA:BB:CC rebooting");
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(message->format, Format::kRfc3164);
  EXPECT_EQ(message->severity, 5);
  EXPECT_EQ(message->hostname, "desk-phone");
  EXPECT_EQ(message->app_name, "root");
  EXPECT_EQ(message->text, "00:0E:08:AA:BB:CC rebooting");
  EXPECT_EQ(PhoneMac(*message), "000e08aabbcc");
}

TEST(SyslogTest, StructuredDataWithEscapesIsSkippedWhole) {
  absl::StatusOr<Message> message =
      Parse(R"(<165>1 - host app 12 ID47 [exampleSDID@32473 iut="3" eventSource="a \"]\" b"][x y="z"] the message)");
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(message->text, "the message");
  EXPECT_FALSE(message->time.has_value());
}

TEST(SyslogTest, WhatIsNotAHeaderIsTheMessage) {
  absl::StatusOr<Message> bare = Parse("<6>000e08aabbcc hello");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->text, "000e08aabbcc hello");
  EXPECT_EQ(PhoneMac(*bare), "000e08aabbcc");
  EXPECT_FALSE(PhoneMac(*Parse("<6>no phone named here, 12 digits 123456789012x")).has_value());
}

TEST(SyslogTest, ABadPriIsNotSyslog) {
  for (const char* bad : {"", "hello", "<>x", "<192>x", "<01>x", "<a>x", "<1234>x", "<6"}) {
    EXPECT_EQ(Parse(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(Parse(std::string(3000, 'x')).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SyslogTest, WhatAPhoneSendsIsReadBack) {
  Message line{.facility = 16, .severity = 3, .hostname = "000e08aabbcc", .app_name = "phone",
               .text = "CP-8851-3PCC 000e08aabbcc -- Requesting resync https://prov.example/p.xml"};
  for (Format format : {Format::kRfc3164, Format::kRfc5424}) {
    line.format = format;
    absl::StatusOr<Message> read = Parse(Line(line, absl::FromUnixSeconds(1796112000)));
    ASSERT_TRUE(read.ok());
    EXPECT_EQ(read->format, format);
    EXPECT_EQ(read->facility, 16);
    EXPECT_EQ(read->severity, 3);
    EXPECT_EQ(read->hostname, "000e08aabbcc");
    EXPECT_EQ(read->app_name, "phone");
    EXPECT_EQ(read->text, line.text);
  }
  EXPECT_EQ(SeverityName(3), "err");
}

}  // namespace
}  // namespace onramp::syslog
