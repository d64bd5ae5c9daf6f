// The gateway's copies of rendered profiles (services/gateway/edge_cache.h)
// through the real fleet: an unchanged phone is answered without asking
// profile-render, yet every write, key and refusal reaches its next resync
// as if there were no copies, and its delivery is still recorded.

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/proto/messages.h"
#include "tests/onboarding/gateway_fleet.h"

namespace onramp {
namespace {

using ::onramp::testing::Curl;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kAgent = ::onramp::testing::kPhoneAgent;

class EdgeCopiesTest : public ::onramp::testing::GatewayFleetTest {
 protected:
  std::string Resync(const std::string& extra = "") {
    return Curl(absl::StrCat(kAgent, " ", extra, " ", base_, "/profile/000e08aabbcc.xml"));
  }

  common::v1::DeviceActivity Activity() {
    grpc::ClientContext context;
    profile::v1::DeviceKeyRequest request;
    request.set_partner("acme");
    request.mutable_mac()->set_value(::onramp::testing::kPhoneMac);
    common::v1::DeviceActivity activity;
    grpc::Status status = profiles_->GetDeviceActivity(&context, request, &activity);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return activity;
  }

  void SetDisplayName(const std::string& value) {
    grpc::ClientContext context;
    profile::v1::SetParametersRequest request;
    request.mutable_ref()->set_partner("acme");
    request.mutable_ref()->set_scope(profile::v1::SCOPE_DEVICE);
    request.mutable_ref()->set_key(::onramp::testing::kPhoneMac);
    profile::v1::Parameter* parameter = request.add_parameters();
    parameter->set_name("Display_Name_1_");
    parameter->set_value(value);
    profile::v1::Layer layer;
    grpc::Status status = profiles_->SetParameters(&context, request, &layer);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
};

TEST_F(EdgeCopiesTest, AnUnchangedResyncIsAnsweredFromTheCopyAndStillRecordedAsDelivered) {
  ClaimAndProfile();
  std::string first = Resync();
  ASSERT_THAT(first, HasSubstr("HTTP/1.1 200"));
  edge_deliveries_->Flush();
  FlushDeliveries();
  absl::Time first_contact = proto::FromTimestamp(Activity().last_contact_time());

  std::string again = Resync();
  EXPECT_EQ(ProfilesFromCopies(), 1);
  EXPECT_EQ(again.substr(again.find("\r\n\r\n")), first.substr(first.find("\r\n\r\n")));
  size_t at = first.find("ETag: ");
  std::string etag = first.substr(at + 6, first.find('\r', at) - at - 6);
  EXPECT_THAT(Resync(absl::StrCat("-H 'If-None-Match: ", etag, "'")), HasSubstr("HTTP/1.1 304"));
  EXPECT_EQ(ProfilesFromCopies(), 2);

  // profile-render hears of both, and the phone's last contact moves.
  edge_deliveries_->Flush();
  FlushDeliveries();
  common::v1::DeviceActivity activity = Activity();
  EXPECT_GT(proto::FromTimestamp(activity.last_contact_time()), first_contact);
  EXPECT_EQ(activity.profile_etag(), etag);
}

TEST_F(EdgeCopiesTest, EveryWriteReachesTheVeryNextResync) {
  ClaimAndProfile();
  ASSERT_THAT(Resync(), HasSubstr("HTTP/1.1 200"));
  for (int i = 0; i < 20; ++i) {
    std::string name = absl::StrCat("Desk ", i);
    SetDisplayName(name);
    // No wait: the write returned only once the gateway dropped its copy.
    std::string answer = Resync();
    EXPECT_THAT(answer, HasSubstr(absl::StrCat("<Display_Name_1_>", name, "</Display_Name_1_>")))
        << "write " << i;
    EXPECT_THAT(Resync(), HasSubstr(name));  // and the copy of the new one serves
  }
  EXPECT_GE(ProfilesFromCopies(), 20);
}

TEST_F(EdgeCopiesTest, SomeoneWhoKnowsTheMacGetsNoCopyOfThePhonesOwnAnswer) {
  ClaimAndProfile(/*with_secret=*/true);
  // The phone itself, with its certificate: its secret in the clear.
  std::string owned = CurlAsFactoryPhone(absl::StrCat(kAgent, " ", tls_base_, "/profile/000e08aabbcc.xml"));
  ASSERT_THAT(owned, HasSubstr("s3cret-sip-password"));
  ASSERT_THAT(CurlAsFactoryPhone(absl::StrCat(kAgent, " ", tls_base_, "/profile/000e08aabbcc.xml")),
              HasSubstr("s3cret-sip-password"));
  // Anyone else, over HTTP or HTTPS without the certificate: never that copy.
  EXPECT_THAT(Resync(), Not(HasSubstr("s3cret-sip-password")));
  EXPECT_THAT(CurlTls(absl::StrCat(kAgent, " ", tls_base_, "/profile/000e08aabbcc.xml")),
              Not(HasSubstr("s3cret-sip-password")));
}

TEST_F(EdgeCopiesTest, APartnersHttpAuthenticationIsCheckedOnEveryResync) {
  ClaimAndProfile();
  RequireHttpAuth();
  ASSERT_THAT(Resync("-u 'phone:correct horse'"), HasSubstr("HTTP/1.1 200"));
  ASSERT_THAT(Resync("-u 'phone:correct horse'"), HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(Resync(), HasSubstr("HTTP/1.1 401"));
  EXPECT_THAT(Resync("-u 'phone:wrong horse'"), HasSubstr("HTTP/1.1 401"));
  EXPECT_EQ(ProfilesFromCopies(), 0);
}

TEST_F(EdgeCopiesTest, WithoutProfileRenderTheGatewayKeepsNoCopies) {
  ClaimAndProfile();
  ASSERT_THAT(Resync(), HasSubstr("HTTP/1.1 200"));
  ASSERT_THAT(Resync(), HasSubstr("HTTP/1.1 200"));
  ASSERT_EQ(ProfilesFromCopies(), 1);
  StopProfileRender();
  // Changes made meanwhile could not be told: a 503 to come back, no copy.
  std::string answer = Resync();
  EXPECT_THAT(answer, HasSubstr("HTTP/1.1 503"));
  EXPECT_THAT(answer, HasSubstr("Retry-After: "));
  StartProfileRender();
  absl::Time back = absl::Now();
  while (Resync().find("HTTP/1.1 200") == std::string::npos && absl::Now() - back < absl::Seconds(30)) {
  }
  // Copies again once it is back and watched.
  while (!edge_->watching() && absl::Now() - back < absl::Seconds(30)) {
  }
  ASSERT_THAT(Resync(), HasSubstr("HTTP/1.1 200"));
  ASSERT_THAT(Resync(), HasSubstr("HTTP/1.1 200"));
  EXPECT_GE(ProfilesFromCopies(), 2);
}

}  // namespace
}  // namespace onramp
