// The CA against certificates made by openssl's own tools: what it issues
// reads back with the right name, serial and issuer; a certificate from
// another CA, or one made by its holder, is not taken for the CA's.

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/phone/pki/certificate.h"
#include "lib/phone/pki/certificate_authority.h"
#include "lib/phone/pki/enrollment.h"
#include "lib/testing/shell.h"

namespace onramp::pki {
namespace {

using ::onramp::testing::ReadFile;
using ::onramp::testing::RunShell;

class PkiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/pki";
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    ASSERT_EQ(RunShell("lib/testing/make_test_certs.sh " + dir_).exit_code, 0);
  }

  Certificate One(const std::string& file) {
    absl::StatusOr<std::vector<Certificate>> read = ReadCertificates(ReadFile(dir_ + "/" + file), file);
    EXPECT_TRUE(read.ok()) << read.status();
    return read.ok() ? std::move(read->front()) : nullptr;
  }

  std::string dir_;
};

TEST_F(PkiTest, AnIssuedCertificateNamesThePhoneAndItsIssuer) {
  absl::StatusOr<std::unique_ptr<CertificateAuthority>> ca =
      CertificateAuthority::Load(ReadFile(dir_ + "/factory-ca.pem"), ReadFile(dir_ + "/factory-ca.key"));
  ASSERT_TRUE(ca.ok()) << ca.status();
  absl::StatusOr<Enrollment> enrollment = MakeEnrollment("000e08aabbcc");
  ASSERT_TRUE(enrollment.ok());
  absl::StatusOr<CertificateAuthority::Issued> issued =
      (*ca)->Issue(enrollment->csr_pem, "000e08aabbcc", absl::Hours(1), "Stand-in Phone Maker");
  ASSERT_TRUE(issued.ok()) << issued.status();

  absl::StatusOr<std::vector<Certificate>> read = ReadCertificates(issued->certificate_pem, "issued");
  ASSERT_TRUE(read.ok());
  const X509* certificate = read->front().get();
  EXPECT_EQ(CommonName(certificate), "000e08aabbcc");
  EXPECT_EQ(SerialHex(certificate), issued->serial_hex);
  EXPECT_TRUE(IssuedBy(certificate, One("factory-ca.pem").get()));
  EXPECT_FALSE(IssuedBy(certificate, One("ca.pem").get()));
  // openssl verifies the chain the same way.
  std::ofstream(dir_ + "/issued.pem") << issued->certificate_pem;
  EXPECT_EQ(RunShell("openssl verify -CAfile " + dir_ + "/factory-ca.pem " + dir_ + "/issued.pem").exit_code, 0);
}

TEST_F(PkiTest, AFactoryCertificateMadeByOpensslIsTheFactoryCasAndTheImpostorsIsNot) {
  Certificate factory_ca = One("factory-ca.pem");
  Certificate factory = One("factory.pem");
  Certificate impostor = One("impostor.pem");
  EXPECT_EQ(CommonName(factory.get()), "000e08aabbcc");
  EXPECT_EQ(CommonName(impostor.get()), "000e08aabbcc");
  EXPECT_TRUE(IssuedBy(factory.get(), factory_ca.get()));
  EXPECT_FALSE(IssuedBy(impostor.get(), factory_ca.get()));
  EXPECT_FALSE(IssuedBy(factory.get(), One("ca.pem").get()));
}

TEST_F(PkiTest, SerialsKeepTheirLeadingZeros) {
  Certificate server = One("server.pem");
  std::string serial = SerialHex(server.get());
  EXPECT_GE(serial.size(), 32u);
  EXPECT_EQ(serial.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST_F(PkiTest, ABundleReadsWholeAndGarbageIsRefusedByName) {
  absl::StatusOr<std::vector<Certificate>> both =
      ReadCertificates(ReadFile(dir_ + "/ca.pem") + ReadFile(dir_ + "/factory-ca.pem"), "bundle");
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->size(), 2u);
  absl::StatusOr<std::vector<Certificate>> none = ReadCertificates("not a certificate", "factory_ca_file");
  EXPECT_EQ(none.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(none.status().message()), ::testing::HasSubstr("factory_ca_file"));
  std::string cut = ReadFile(dir_ + "/ca.pem");
  absl::StatusOr<std::vector<Certificate>> truncated =
      ReadCertificates(cut + cut.substr(0, cut.size() / 2), "truncated");
  EXPECT_EQ(truncated.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace onramp::pki
