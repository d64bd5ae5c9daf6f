#include "lib/phone/identity/mac_address.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/status_matchers.h"

namespace onramp::identity {
namespace {

using ::onramp::status::StatusIs;
using ::testing::HasSubstr;

TEST(MacAddressTest, AcceptsTheThreeSpellingsInAnyCase) {
  for (const char* text : {"00562b043615", "00562B043615", "00:56:2B:04:36:15",
                           "00:56:2b:04:36:15", "0056.2b04.3615", "0056.2B04.3615"}) {
    absl::StatusOr<MacAddress> mac = MacAddress::Parse(text);
    ASSERT_TRUE(mac.ok()) << text << ": " << mac.status();
    EXPECT_EQ(mac->Lower(), "00562b043615") << text;
    EXPECT_EQ(mac->Upper(), "00562B043615") << text;
    EXPECT_EQ(mac->WithColons(), "00:56:2b:04:36:15") << text;
  }
}

TEST(MacAddressTest, RejectsEverythingElseNamingTheInput) {
  for (const char* text :
       {"", "00562b04361", "00562b0436155", "00562b04361g", "00-56-2b-04-36-15",
        "00:56:2b:04:36-15", "0056:2b04:3615", "00:562b:04:36:15", "0056.2b04.361",
        " 00562b043615", "00562b043615 ", "0:56:2b:04:36:15:", "00562b04\n615"}) {
    EXPECT_THAT(MacAddress::Parse(text),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is not 12 hex digits")))
        << text;
  }
  EXPECT_THAT(MacAddress::Parse("00:11"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("mac \"00:11\"")));
}

TEST(MacAddressTest, OrdersAndComparesByBytes) {
  MacAddress a = *MacAddress::Parse("000e08aabbcc");
  MacAddress b = *MacAddress::Parse("00:0E:08:AA:BB:CD");
  EXPECT_LT(a, b);
  EXPECT_EQ(a, *MacAddress::Parse("000e.08aa.bbcc"));
}

}  // namespace
}  // namespace onramp::identity
