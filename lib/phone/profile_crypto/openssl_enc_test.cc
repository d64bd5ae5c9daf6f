#include "lib/phone/profile_crypto/openssl_enc.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/status_matchers.h"
#include "lib/phone/profile_crypto/gzip.h"
#include "lib/testing/shell.h"

namespace onramp::profile_crypto {
namespace {

using ::onramp::testing::ReadFile;

using ::onramp::status::StatusIs;

const std::string kProfile =
    "<?xml version=\"1.0\"?>\n<flat-profile>\n  <Proxy_1_ ua=\"na\">sip.example.com</Proxy_1_>\n"
    "  <Password_1_ ua=\"na\">hunter2</Password_1_>\n</flat-profile>\n";

void WriteFile(const std::string& path, std::string_view data) {
  std::ofstream(path, std::ios::binary).write(data.data(), static_cast<std::streamsize>(data.size()));
}

TEST(OpensslEncTest, RoundTripsWithEitherDigest) {
  for (KeyDigest digest : {KeyDigest::kMd5, KeyDigest::kSha256}) {
    std::string file = EncryptOpensslEnc(kProfile, "VerySecretValue", digest);
    EXPECT_TRUE(file.starts_with("Salted__"));
    EXPECT_EQ((file.size() - 16) % 16, 0u);
    absl::StatusOr<DecryptedProfile> back = DecryptOpensslEnc(file, "VerySecretValue");
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->plaintext, kProfile);
    EXPECT_EQ(back->digest, digest);
  }
}

TEST(OpensslEncTest, FreshSaltEachTime) {
  EXPECT_NE(EncryptOpensslEnc(kProfile, "k"), EncryptOpensslEnc(kProfile, "k"));
}

TEST(OpensslEncTest, WrongKeyAndBrokenFilesAreRefused) {
  std::string file = EncryptOpensslEnc(kProfile, "right");
  EXPECT_THAT(DecryptOpensslEnc(file, "wrong"), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(DecryptOpensslEnc(kProfile, "right"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecryptOpensslEnc(file.substr(0, file.size() - 5), "right"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecryptOpensslEnc("Salted__12345678", "right"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  std::string tampered = file;
  tampered.back() ^= 0x01;
  EXPECT_THAT(DecryptOpensslEnc(tampered, "right"), StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST(OpensslEncTest, RawKeyAndIv) {
  CbcKey key = DeriveOpensslEncKey("k", {1, 2, 3, 4, 5, 6, 7, 8}, KeyDigest::kSha256);
  std::string ciphertext = EncryptAes256Cbc(kProfile, key);
  absl::StatusOr<std::string> back = DecryptAes256Cbc(ciphertext, key);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, kProfile);
}

// The file format is `openssl enc`'s own: check against the real binary.
class OpensslBinaryTest : public ::testing::TestWithParam<std::tuple<KeyDigest, bool>> {
 protected:
  std::string dir_ = ::testing::TempDir();
  const char* md() const { return std::get<0>(GetParam()) == KeyDigest::kMd5 ? "md5" : "sha256"; }
  bool gzip() const { return std::get<1>(GetParam()); }
  std::string Plaintext() const { return gzip() ? Gzip(kProfile) : kProfile; }
};

TEST_P(OpensslBinaryTest, OpensslDecryptsOurFiles) {
  WriteFile(dir_ + "/ours.enc",
            EncryptOpensslEnc(Plaintext(), "pass phrase!", std::get<0>(GetParam())));
  std::string command = std::string("openssl enc -d -aes-256-cbc -md ") + md() +
                        " -k 'pass phrase!' -in " + dir_ + "/ours.enc -out " + dir_ +
                        "/ours.out 2>/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  EXPECT_EQ(ReadFile(dir_ + "/ours.out"), Plaintext());
}

TEST_P(OpensslBinaryTest, WeDecryptOpensslFiles) {
  WriteFile(dir_ + "/plain", Plaintext());
  std::string command = std::string("openssl enc -e -aes-256-cbc -md ") + md() +
                        " -k 'pass phrase!' -in " + dir_ + "/plain -out " + dir_ +
                        "/theirs.enc 2>/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  absl::StatusOr<DecryptedProfile> back =
      DecryptOpensslEnc(ReadFile(dir_ + "/theirs.enc"), "pass phrase!");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->plaintext, Plaintext());
  EXPECT_EQ(back->digest, std::get<0>(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(DigestsAndGzip, OpensslBinaryTest,
                         ::testing::Combine(::testing::Values(KeyDigest::kMd5, KeyDigest::kSha256),
                                            ::testing::Bool()));

}  // namespace
}  // namespace onramp::profile_crypto
