#include "lib/kit/config/flags.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/status_matchers.h"

namespace onramp::config {
namespace {

using ::onramp::status::IsOk;
using ::onramp::status::IsOkAndHolds;
using ::onramp::status::StatusIs;
using ::testing::Eq;
using ::testing::HasSubstr;

struct Options {
  std::string database_url;
  std::string host = "0.0.0.0";
  int grpc_port = 8443;
  int64_t pool_size = 8;
  bool tls = false;
  absl::Duration drain_delay = absl::Seconds(5);
  std::string log_level = "info";
};

class FlagsTest : public ::testing::Test {
 protected:
  FlagsTest() : flags_("kit", "A test service.") {
    flags_.RequiredString("database_url", &options_.database_url, "PostgreSQL URL");
    flags_.String("host", &options_.host, "listening address");
    flags_.Port("grpc_port", &options_.grpc_port, "gRPC port");
    flags_.Int("pool_size", &options_.pool_size, 1, 64, "connections");
    flags_.Bool("tls", &options_.tls, "serve TLS");
    flags_.Duration("drain_delay", &options_.drain_delay, "drain delay");
    flags_.Choice("log_level", &options_.log_level, {"debug", "info", "warn"}, "level");
  }

  absl::StatusOr<ParseOutcome> Parse(std::vector<const char*> args,
                                     const EnvironmentMap& environment = {
                                         {"ONRAMP_DATABASE_URL", "postgresql:///x"}}) {
    args.insert(args.begin(), "kit");
    return flags_.Parse(static_cast<int>(args.size()), args.data(), environment);
  }

  Options options_;
  Flags flags_;
};

TEST_F(FlagsTest, DefaultsStandWhenNothingIsGiven) {
  EXPECT_THAT(Parse({}), IsOkAndHolds(Eq(ParseOutcome::kRun)));
  EXPECT_EQ(options_.host, "0.0.0.0");
  EXPECT_EQ(options_.grpc_port, 8443);
  EXPECT_EQ(options_.pool_size, 8);
  EXPECT_FALSE(options_.tls);
  EXPECT_EQ(options_.drain_delay, absl::Seconds(5));
}

TEST_F(FlagsTest, EnvironmentSetsEveryKind) {
  EXPECT_THAT(Parse({}, {{"ONRAMP_DATABASE_URL", "postgresql:///db"},
                         {"ONRAMP_HOST", "127.0.0.1"},
                         {"ONRAMP_GRPC_PORT", "9000"},
                         {"ONRAMP_POOL_SIZE", "16"},
                         {"ONRAMP_TLS", "yes"},
                         {"ONRAMP_DRAIN_DELAY", "1500ms"},
                         {"ONRAMP_LOG_LEVEL", "debug"}}),
              IsOk());
  EXPECT_EQ(options_.database_url, "postgresql:///db");
  EXPECT_EQ(options_.host, "127.0.0.1");
  EXPECT_EQ(options_.grpc_port, 9000);
  EXPECT_EQ(options_.pool_size, 16);
  EXPECT_TRUE(options_.tls);
  EXPECT_EQ(options_.drain_delay, absl::Milliseconds(1500));
  EXPECT_EQ(options_.log_level, "debug");
}

TEST_F(FlagsTest, FlagsWinOverEnvironment) {
  EXPECT_THAT(Parse({"--grpc_port=9100", "--pool_size", "4", "--tls"},
                    {{"ONRAMP_DATABASE_URL", "postgresql:///x"},
                     {"ONRAMP_GRPC_PORT", "9000"},
                     {"ONRAMP_POOL_SIZE", "16"},
                     {"ONRAMP_TLS", "false"}}),
              IsOk());
  EXPECT_EQ(options_.grpc_port, 9100);
  EXPECT_EQ(options_.pool_size, 4);
  EXPECT_TRUE(options_.tls);
}

TEST_F(FlagsTest, NoPrefixTurnsABooleanOff) {
  options_.tls = true;
  EXPECT_THAT(Parse({"--notls"}), IsOk());
  EXPECT_FALSE(options_.tls);
}

TEST_F(FlagsTest, BadValuesNameTheOptionAndTheRule) {
  struct Case {
    std::vector<const char*> args;
    EnvironmentMap environment;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--grpc_port=http"}, {}, "flag --grpc_port: \"http\" is not an integer"},
      {{"--grpc_port=70000"}, {}, "flag --grpc_port: 70000 is not in 0..65535"},
      {{"--pool_size=0"}, {}, "flag --pool_size: 0 is not in 1..64"},
      {{"--tls=maybe"}, {}, "flag --tls: \"maybe\" is not a boolean"},
      {{"--drain_delay=5"}, {}, "flag --drain_delay: \"5\" is not a duration"},
      {{"--drain_delay=-1s"}, {}, "flag --drain_delay: \"-1s\" is negative"},
      {{}, {{"ONRAMP_GRPC_PORT", "-1"}}, "environment ONRAMP_GRPC_PORT: -1 is not in 0..65535"},
      {{"--log_level=loud"}, {}, "flag --log_level: \"loud\" is not one of debug, info, warn"},
      {{"--grpc_prot=1"}, {}, "unknown flag --grpc_prot"},
      {{"extra"}, {}, "unexpected argument \"extra\""},
      {{"--host"}, {}, "flag --host needs a value"},
  };
  for (const Case& c : cases) {
    Options fresh;
    options_ = fresh;
    EnvironmentMap environment = c.environment;
    environment.emplace("ONRAMP_DATABASE_URL", "postgresql:///x");
    EXPECT_THAT(Parse(c.args, environment),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)))
        << c.message;
  }
}

TEST_F(FlagsTest, MissingRequiredOptionIsAnError) {
  EXPECT_THAT(Parse({}, {}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("--database_url (or ONRAMP_DATABASE_URL) is required")));
}

TEST_F(FlagsTest, CrossChecksRunAfterValuesAreRead) {
  flags_.Check([this]() -> absl::Status {
    if (options_.tls && options_.grpc_port == 80) {
      return absl::InvalidArgumentError("--tls on port 80 is refused");
    }
    return absl::OkStatus();
  });
  EXPECT_THAT(Parse({"--tls", "--grpc_port=80"}),
              StatusIs(absl::StatusCode::kInvalidArgument, Eq("--tls on port 80 is refused")));
}

TEST_F(FlagsTest, HelpListsEveryOptionWithItsVariable) {
  EXPECT_THAT(Parse({"--help"}, {}), IsOkAndHolds(Eq(ParseOutcome::kShowHelp)));
  std::string usage = flags_.Usage();
  EXPECT_THAT(usage, HasSubstr("--grpc_port  (ONRAMP_GRPC_PORT)"));
  EXPECT_THAT(usage, HasSubstr("[default: 8443]"));
  EXPECT_THAT(usage, HasSubstr("--database_url  (ONRAMP_DATABASE_URL)"));
  EXPECT_THAT(usage, HasSubstr("[required]"));
}

TEST_F(FlagsTest, PositionalArgumentsAreCollectedWhenAllowed) {
  std::vector<std::string> rest;
  flags_.AllowPositional("<command>", &rest);
  EXPECT_THAT(Parse({"status", "--tls", "--", "--not-a-flag"}), IsOk());
  EXPECT_THAT(rest, ::testing::ElementsAre("status", "--not-a-flag"));
}

TEST(HexSecretTest, SixtyFourOrMoreHexDigits) {
  for (const std::string& good : {std::string(64, 'a'), std::string(128, 'F'), std::string(66, '0')}) {
    std::string key;
    Flags flags("kit", "A test service.");
    flags.HexSecret("key", &key, "a key");
    std::vector<const char*> args = {"kit"};
    EXPECT_THAT(flags.Parse(1, args.data(), {{"ONRAMP_KEY", good}}), IsOk()) << good;
    EXPECT_EQ(key, good);
  }
  for (const std::string& bad : {std::string(62, 'a'), std::string(65, 'a'), std::string(63, 'a') + "g", std::string()}) {
    std::string key;
    Flags flags("kit", "A test service.");
    flags.HexSecret("key", &key, "a key");
    std::vector<const char*> args = {"kit"};
    EXPECT_THAT(flags.Parse(1, args.data(), {{"ONRAMP_KEY", bad}}), StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
  }
}

TEST(HexSecretTest, AnOptionalOneMayBeLeftOutButNotBeShort) {
  for (const auto& [given, ok] : std::vector<std::pair<std::string, bool>>{
           {"", true}, {std::string(64, 'a'), true}, {std::string(62, 'a'), false}}) {
    std::string key;
    Flags flags("kit", "A test service.");
    flags.OptionalHexSecret("key", &key, "a key");
    std::vector<const char*> args = {"kit"};
    EXPECT_EQ(flags.Parse(1, args.data(), {{"ONRAMP_KEY", given}}).ok(), ok) << given;
  }
}

}  // namespace
}  // namespace onramp::config
