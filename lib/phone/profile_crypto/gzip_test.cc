#include "lib/phone/profile_crypto/gzip.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/status_matchers.h"

namespace onramp::profile_crypto {
namespace {

using ::onramp::status::IsOkAndHolds;
using ::onramp::status::StatusIs;
using ::testing::Eq;

const std::string kProfile =
    "<flat-profile>\n  <Profile_Rule ua=\"na\">https://h/$MA.cfg</Profile_Rule>\n</flat-profile>\n";

TEST(GzipTest, RoundTripsAndIsDetectedByHeader) {
  std::string compressed = Gzip(kProfile);
  EXPECT_TRUE(LooksGzipped(compressed));
  EXPECT_FALSE(LooksGzipped(kProfile));
  EXPECT_THAT(Gunzip(compressed), IsOkAndHolds(Eq(kProfile)));
}

TEST(GzipTest, OneCompressorServesManyProfiles) {
  GzipCompressor compressor;
  std::string first = compressor.Compress(kProfile);
  std::string second = compressor.Compress("other");
  EXPECT_EQ(compressor.Compress(kProfile), first);  // deterministic after a reset
  EXPECT_THAT(Gunzip(second), IsOkAndHolds(Eq("other")));
  EXPECT_THAT(Gunzip(compressor.Compress("")), IsOkAndHolds(Eq("")));
}

TEST(GzipTest, RejectsBrokenData) {
  std::string compressed = Gzip(kProfile);
  EXPECT_THAT(Gunzip(kProfile), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Gunzip(compressed.substr(0, compressed.size() / 2)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  std::string corrupt = compressed;
  corrupt[compressed.size() - 6] ^= 0x55;  // inside the CRC32 trailer
  EXPECT_THAT(Gunzip(corrupt), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Gunzip(compressed + "junk"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(GzipTest, StopsCompressionBombs) {
  std::string bomb = Gzip(std::string(4 << 20, 'a'));
  EXPECT_THAT(Gunzip(bomb, 1 << 20), StatusIs(absl::StatusCode::kResourceExhausted));
}

}  // namespace
}  // namespace onramp::profile_crypto
