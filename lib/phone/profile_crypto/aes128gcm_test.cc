#include "lib/phone/profile_crypto/aes128gcm.h"

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/status_matchers.h"

namespace onramp::profile_crypto {
namespace {

using ::onramp::status::IsOkAndHolds;
using ::onramp::status::StatusIs;
using ::testing::Eq;

std::string Unbase64Url(const char* text) {
  std::string out;
  EXPECT_TRUE(absl::WebSafeBase64Unescape(text, &out)) << text;
  return out;
}

std::array<uint8_t, 16> Salt(const std::string& bytes) {
  std::array<uint8_t, 16> salt;
  std::copy_n(bytes.begin(), 16, salt.begin());
  return salt;
}

// RFC 8188 section 3.1: one record, rs 4096, empty keyid.
const char* kExample1Ikm = "yqdlZ-tYemfogSmv7Ws5PQ";
const char* kExample1Body =
    "I1BsxtFttlv3u_Oo94xnmwAAEAAA-NAVub2qFgBEuQKRapoZu-IxkIva3MEB1PD-ly8Thjg";
// RFC 8188 section 3.2: two records with padding, rs 25, keyid "a1".
const char* kExample2Ikm = "BO3ZVPxUlnLORbVGMpbT1Q";
const char* kExample2Body =
    "uNCkWiNYzKTnBN9ji3-qWAAAABkCYTHOG8chz_gnvgOqdGYovxyjuqRyJFjEDyoF1Fvkj6hQPdPHI51OEUKEpgz3SsLWIqS_uA";

TEST(Aes128GcmTest, DecodesTheRfcExamples) {
  EXPECT_THAT(DecodeAes128Gcm(Unbase64Url(kExample1Body), Unbase64Url(kExample1Ikm)),
              IsOkAndHolds(Eq("I am the walrus")));
  EXPECT_THAT(DecodeAes128Gcm(Unbase64Url(kExample2Body), Unbase64Url(kExample2Ikm)),
              IsOkAndHolds(Eq("I am the walrus")));
  absl::StatusOr<Aes128GcmHeader> header = ReadAes128GcmHeader(Unbase64Url(kExample2Body));
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->record_size, 25u);
  EXPECT_EQ(header->keyid, "a1");
}

TEST(Aes128GcmTest, EncodesTheFirstRfcExampleExactly) {
  std::string body = Unbase64Url(kExample1Body);
  absl::StatusOr<std::string> encoded =
      EncodeAes128Gcm("I am the walrus", Unbase64Url(kExample1Ikm),
                      {.record_size = 4096, .salt = Salt(body)});
  ASSERT_TRUE(encoded.ok()) << encoded.status();
  EXPECT_EQ(*encoded, body);
}

TEST(Aes128GcmTest, RoundTripsAcrossRecordBoundaries) {
  const std::string ikm = "0123456789abcdef";
  for (uint32_t rs : {18u, 19u, 25u, 100u, 4096u}) {
    for (size_t size : {0ul, 1ul, 8ul, 9ul, 83ul, 84ul, 85ul, 5000ul}) {
      std::string plaintext(size, 'x');
      for (size_t i = 0; i < size; ++i) plaintext[i] = static_cast<char>('a' + i % 26);
      absl::StatusOr<std::string> encoded =
          EncodeAes128Gcm(plaintext, ikm, {.record_size = rs, .keyid = "k1"});
      ASSERT_TRUE(encoded.ok()) << encoded.status();
      EXPECT_THAT(DecodeAes128Gcm(*encoded, ikm), IsOkAndHolds(Eq(plaintext)))
          << "rs " << rs << " size " << size;
    }
  }
}

TEST(Aes128GcmTest, PaddingIsStripped) {
  absl::StatusOr<std::string> encoded =
      EncodeAes128Gcm("short", "0123456789abcdef", {.record_size = 64, .padding = 20});
  ASSERT_TRUE(encoded.ok());
  EXPECT_THAT(DecodeAes128Gcm(*encoded, "0123456789abcdef"), IsOkAndHolds(Eq("short")));
  EXPECT_THAT(EncodeAes128Gcm("short", "0123456789abcdef", {.record_size = 20, .padding = 5}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Aes128GcmTest, RefusesWrongKeysTamperingAndTruncation) {
  const std::string ikm = "0123456789abcdef";
  std::string plaintext(200, 'p');
  std::string encoded = *EncodeAes128Gcm(plaintext, ikm, {.record_size = 50});
  EXPECT_THAT(DecodeAes128Gcm(encoded, "fedcba9876543210"),
              StatusIs(absl::StatusCode::kPermissionDenied));
  std::string tampered = encoded;
  tampered[40] ^= 0x01;
  EXPECT_THAT(DecodeAes128Gcm(tampered, ikm), StatusIs(absl::StatusCode::kPermissionDenied));
  // Dropping whole records at the end must not pass as a shorter message.
  size_t header = 21;
  EXPECT_THAT(DecodeAes128Gcm(encoded.substr(0, header + 2 * 50), ikm),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("truncated")));
  EXPECT_THAT(DecodeAes128Gcm(encoded.substr(0, 10), ikm),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecodeAes128Gcm(encoded.substr(0, header), ikm),
              StatusIs(absl::StatusCode::kInvalidArgument));
  std::string small_rs = encoded;
  small_rs[19] = 5;  // rs = 5
  small_rs[16] = small_rs[17] = small_rs[18] = 0;
  EXPECT_THAT(DecodeAes128Gcm(small_rs, ikm), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecodeAes128Gcm(encoded, ""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecodeAes128Gcm(encoded, ikm, 100), StatusIs(absl::StatusCode::kResourceExhausted));
}

TEST(Aes128GcmTest, RejectsBadParameters) {
  EXPECT_THAT(EncodeAes128Gcm("x", ""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(EncodeAes128Gcm("x", "k", {.record_size = 17}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(EncodeAes128Gcm("x", "k", {.keyid = std::string(256, 'i')}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace onramp::profile_crypto
