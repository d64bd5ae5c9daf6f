// The gateway's list of revoked registration certificates against a fake
// device-activation: closed until first read, pages followed, each read
// starting where the last one's clock stood (less the commit slack),
// expired certificates forgotten, a failed read keeping the last list.

#include "services/gateway/revoked_certificates.h"

#include <vector>

#include "gtest/gtest.h"
#include "lib/kit/proto/messages.h"

namespace onramp::gateway {
namespace {

device::v1::RevokedCertificate Revoked(const std::string& serial, absl::Time expires) {
  device::v1::RevokedCertificate certificate;
  certificate.set_serial(serial);
  proto::SetTimestamp(expires, certificate.mutable_expire_time());
  return certificate;
}

class FakeDeviceActivation {
 public:
  absl::StatusOr<device::v1::ListRevokedCertificatesResponse> operator()(
      const device::v1::ListRevokedCertificatesRequest& request) {
    requests.push_back(request);
    if (!failure.ok()) return failure;
    if (pages.empty()) return device::v1::ListRevokedCertificatesResponse();
    device::v1::ListRevokedCertificatesResponse page = pages.front();
    pages.erase(pages.begin());
    return page;
  }
  std::vector<device::v1::ListRevokedCertificatesResponse> pages;
  std::vector<device::v1::ListRevokedCertificatesRequest> requests;
  absl::Status failure;
};

TEST(RevokedCertificatesTest, NothingIsTakenUntilTheListIsRead) {
  FakeDeviceActivation backend;
  backend.failure = absl::UnavailableError("device-activation is down");
  RevokedCertificates revoked([&](const auto& request) { return backend(request); }, absl::ZeroDuration());
  EXPECT_FALSE(revoked.Current("aa"));
  EXPECT_FALSE(revoked.Refresh().ok());
  EXPECT_FALSE(revoked.Current("aa"));
  backend.failure = absl::OkStatus();
  ASSERT_TRUE(revoked.Refresh().ok());
  EXPECT_TRUE(revoked.Current("aa"));
}

TEST(RevokedCertificatesTest, PagesAreFollowedAndTheNextReadStartsAtTheLastClockLessTheSlack) {
  FakeDeviceActivation backend;
  absl::Time later = absl::Now() + absl::Hours(24);
  absl::Time clock = absl::FromUnixSeconds(1800000000);
  device::v1::ListRevokedCertificatesResponse first;
  *first.add_certificates() = Revoked("01", later);
  first.mutable_page()->set_next_page_token("more");
  proto::SetTimestamp(clock, first.mutable_as_of());
  device::v1::ListRevokedCertificatesResponse second;
  *second.add_certificates() = Revoked("02", later);
  backend.pages = {first, second};
  RevokedCertificates revoked([&](const auto& request) { return backend(request); }, absl::ZeroDuration(),
                              absl::Seconds(10));
  ASSERT_TRUE(revoked.Refresh().ok());
  EXPECT_FALSE(revoked.Current("01"));
  EXPECT_FALSE(revoked.Current("02"));
  EXPECT_TRUE(revoked.Current("03"));
  ASSERT_EQ(backend.requests.size(), 2u);
  EXPECT_EQ(proto::FromTimestamp(backend.requests[0].since()), absl::UnixEpoch());
  EXPECT_EQ(backend.requests[1].page().page_token(), "more");

  ASSERT_TRUE(revoked.Refresh().ok());
  ASSERT_EQ(backend.requests.size(), 3u);
  EXPECT_EQ(proto::FromTimestamp(backend.requests[2].since()), clock - absl::Seconds(10));
  EXPECT_TRUE(backend.requests[2].page().page_token().empty());
  // Nothing new read: what was revoked stays revoked.
  EXPECT_FALSE(revoked.Current("01"));
}

TEST(RevokedCertificatesTest, ExpiredCertificatesAreForgottenAndAFailedReadKeepsTheList) {
  FakeDeviceActivation backend;
  device::v1::ListRevokedCertificatesResponse page;
  *page.add_certificates() = Revoked("old", absl::Now() - absl::Seconds(1));
  *page.add_certificates() = Revoked("live", absl::Now() + absl::Hours(1));
  backend.pages = {page};
  RevokedCertificates revoked([&](const auto& request) { return backend(request); }, absl::ZeroDuration());
  ASSERT_TRUE(revoked.Refresh().ok());
  EXPECT_EQ(revoked.size(), 1u);
  backend.failure = absl::UnavailableError("down for a minute");
  EXPECT_FALSE(revoked.Refresh().ok());
  EXPECT_FALSE(revoked.Current("live"));
  EXPECT_TRUE(revoked.Current("someone-else"));
}

TEST(RevokedCertificatesTest, ThePollerReadsOnItsOwn) {
  FakeDeviceActivation backend;
  std::mutex mutex;
  std::condition_variable read;
  int reads = 0;
  RevokedCertificates revoked(
      [&](const auto& request) {
        std::lock_guard lock(mutex);
        ++reads;
        read.notify_all();
        return backend(request);
      },
      absl::Milliseconds(10));
  std::unique_lock lock(mutex);
  ASSERT_TRUE(read.wait_for(lock, std::chrono::seconds(10), [&] { return reads >= 3; }));
}

}  // namespace
}  // namespace onramp::gateway
