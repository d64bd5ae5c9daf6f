#include "services/profile-render/report.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/error_detail.h"
#include "lib/phone/profile_crypto/aes128gcm.h"
#include "lib/phone/profile_crypto/openssl_enc.h"

namespace onramp::profile {
namespace {

TEST(ReportTest, AFlatProfileIsCountedAnythingElseIsNot) {
  ReportContents report = ReadReport(
      "<flat-profile><Software_Version>sip88xx.12-0-1MPP0001-245</Software_Version><Upgrade_Status>success"
      "</Upgrade_Status><Empty/></flat-profile>");
  EXPECT_EQ(report.parameters, 3);
  EXPECT_EQ(report.values["Upgrade_Status"], "success");
  EXPECT_EQ(report.values["Empty"], "");
  EXPECT_EQ(ReadReport("status=ok").parameters, 0);
  EXPECT_EQ(ReadReport("").parameters, 0);
}

TEST(ReportTest, UpgradeOutcomesAsPhonesStateThem) {
  struct Case {
    std::map<std::string, std::string> values;
    std::optional<bool> success;
    std::string to;
  };
  for (const Case& c : std::vector<Case>{
           {{{"Upgrade_Status", "success"}, {"Upgrade_To", "b"}, {"Software_Version", "a"}}, true, "b"},
           {{{"Upgrade_Status", "OK"}, {"Software_Version", "a"}}, true, "a"},
           {{{"Upgrade_Status", "failed: checksum mismatch"}, {"Upgrade_To", "b"}}, false, "b"},
           {{{"Upgrade_Status", "Error 7"}}, false, ""},
           {{{"Upgrade_Status", "in progress"}}, std::nullopt, ""},
           {{{"Software_Version", "a"}}, std::nullopt, ""},
       }) {
    std::optional<UpgradeOutcome> outcome = UpgradeOutcomeOf({.parameters = 1, .values = c.values});
    ASSERT_EQ(outcome.has_value(), c.success.has_value());
    if (!outcome) continue;
    EXPECT_EQ(outcome->success, *c.success);
    EXPECT_EQ(outcome->to, c.to);
  }
}

TEST(ReportTest, OnlyThePhonesKeyOpensItsReport) {
  profile_crypto::DeviceKey key = *profile_crypto::DeviceKey::Generate();
  profile_crypto::DeviceKey other = *profile_crypto::DeviceKey::Generate();
  const std::string plain = "<flat-profile><A>1</A></flat-profile>";
  std::string gcm = *profile_crypto::EncodeAes128Gcm(plain, key.Ikm());
  std::string cbc = profile_crypto::EncryptOpensslEnc(plain, key.Passphrase());
  EXPECT_TRUE(IsEncryptedReport(gcm, "aes128gcm"));
  EXPECT_TRUE(IsEncryptedReport(cbc, ""));
  EXPECT_FALSE(IsEncryptedReport(plain, ""));
  EXPECT_EQ(*OpenReport(gcm, "aes128gcm", key, 65536), plain);
  EXPECT_EQ(*OpenReport(cbc, "", key, 65536), plain);
  absl::Status wrong = OpenReport(gcm, "aes128gcm", other, 65536).status();
  EXPECT_EQ(wrong.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status::FieldOf(wrong), "body");
  EXPECT_FALSE(OpenReport(cbc, "", other, 65536).ok());
  EXPECT_FALSE(OpenReport(gcm, "aes128gcm", key, 10).ok());  // bigger than allowed
}

}  // namespace
}  // namespace onramp::profile
