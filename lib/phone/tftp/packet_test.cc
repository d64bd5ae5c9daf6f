#include "lib/phone/tftp/packet.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/status_matchers.h"

namespace onramp::tftp {
namespace {

using ::onramp::status::StatusIs;
using ::testing::ElementsAre;
using ::testing::Pair;
using namespace std::string_literals;
using namespace std::string_view_literals;

TEST(TftpPacketTest, ReadRequestsWithOptions) {
  // As atftp sends it: RRQ "CP-8851-3PCC.cfg" octet blksize 1428 tsize 0.
  auto packet = Parse("\0\1CP-8851-3PCC.cfg\0OCTET\0BlkSize\0" "1428\0tsize\0" "0\0"sv);
  ASSERT_TRUE(packet.ok()) << packet.status();
  const Request& request = std::get<Request>(*packet);
  EXPECT_EQ(request.opcode, Opcode::kRrq);
  EXPECT_EQ(request.file_name, "CP-8851-3PCC.cfg");
  EXPECT_EQ(request.mode, "octet");
  EXPECT_THAT(request.options, ElementsAre(Pair("blksize", "1428"), Pair("tsize", "0")));
  EXPECT_EQ(BuildRequest(request), "\0\1CP-8851-3PCC.cfg\0octet\0blksize\0" "1428\0tsize\0" "0\0"sv);
}

TEST(TftpPacketTest, DataAckErrorAndOackRoundTrip) {
  auto data = Parse(BuildData(7, "abc"));
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(std::get<Data>(*data).block, 7);
  EXPECT_EQ(std::get<Data>(*data).payload, "abc");
  EXPECT_EQ(std::get<Ack>(*Parse(BuildAck(65535))).block, 65535);
  auto error = Parse(BuildError(ErrorCode::kFileNotFound, "no such profile"));
  EXPECT_EQ(std::get<Error>(*error).code, ErrorCode::kFileNotFound);
  EXPECT_EQ(std::get<Error>(*error).message, "no such profile");
  auto oack = Parse(BuildOptionAck({{"blksize", "1428"}, {"tsize", "2048"}}));
  EXPECT_THAT(std::get<OptionAck>(*oack).options, ElementsAre(Pair("blksize", "1428"), Pair("tsize", "2048")));
  EXPECT_EQ(BuildError(ErrorCode::kNotDefined, "a\0b"sv), "\0\5\0\0a b\0"sv);
}

TEST(TftpPacketTest, MalformedDatagramsAreRefused) {
  for (std::string_view bad : {""sv, "\0"sv, "\0\x09x"sv, "\0\1file"sv, "\0\1\0octet\0"sv,
                               "\0\1file\0"sv, "\0\1file\0binary\0"sv, "\0\1file\0octet\0blksize\0"sv,
                               "\0\1file\0octet\0\0" "5\0"sv, "\0\3\0"sv, "\0\4\0\1\0"sv, "\0\5\0\1"sv,
                               "\0\5\0\1no nul"sv}) {
    EXPECT_THAT(Parse(bad), StatusIs(absl::StatusCode::kInvalidArgument)) << testing::PrintToString(std::string(bad));
  }
  std::string long_name = "\0\1"s + std::string(600, 'a') + "\0octet\0"s;
  EXPECT_THAT(Parse(long_name), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TftpPacketTest, NegotiationFollowsTheRfcs) {
  auto plain = Negotiate({}, 2048);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->block_size, 512);
  EXPECT_TRUE(plain->acknowledged.empty());

  auto asked = Negotiate({{"blksize", "65464"}, {"tsize", "0"}, {"timeout", "3"}, {"windowsize", "4"}}, 2048);
  ASSERT_TRUE(asked.ok());
  EXPECT_EQ(asked->block_size, 1468);  // clamped to one frame
  EXPECT_EQ(asked->timeout_seconds, 3);
  EXPECT_THAT(asked->acknowledged,
              ElementsAre(Pair("blksize", "1468"), Pair("timeout", "3"), Pair("tsize", "2048")));

  EXPECT_THAT(Negotiate({{"blksize", "7"}}, 0), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Negotiate({{"timeout", "0"}}, 0), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Negotiate({{"tsize", "12"}}, 0), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Negotiate({{"blksize", "big"}}, 0), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace onramp::tftp
