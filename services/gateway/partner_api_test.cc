// PartnerApi against mocked services: the route table, what each route
// sends which service (the partner always from the key), and how answers
// become partner statuses. The real path (HTTPS, curl, the services) is
// tests/onboarding/partner_api_test.cc.

#include "services/gateway/partner_api.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/clients/testing/mock_clients.h"
#include "lib/kit/status/error_detail.h"

namespace onramp::gateway {
namespace {

namespace http = boost::beast::http;
using ::testing::_;
using ::testing::DoAll;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Return;
using ::testing::SaveArg;

const Peer kTls{.address = "203.0.113.5", .tls = true};

struct Answer {
  int status = 0;
  std::string body;
  std::string Header(http::field field) const {
    auto found = response.find(field);
    return found == response.end() ? std::string() : std::string(found->value());
  }
  Response response;
};

// Records what an upload's writer was given.
class RecordingWriter : public clients::ImageWriter {
 public:
  explicit RecordingWriter(std::string* written) : written_(written) {}
  bool Write(std::string_view piece) override {
    written_->append(piece);
    return true;
  }
  absl::StatusOr<firmware::v1::Image> Finish() override {
    firmware::v1::Image image;
    image.set_file_name("sip88xx.12-0-1MPP0001-245.loads");
    image.set_size(static_cast<int64_t>(written_->size()));
    return image;
  }

 private:
  std::string* written_;
};

class PartnerApiTest : public ::testing::Test {
 protected:
  PartnerApiTest()
      : api_(codes_, devices_, profiles_, firmware_, {.key_cache = absl::Hours(1), .partner_rate = 0}) {
    device::v1::ApiKey key;
    key.set_partner("acme");
    ON_CALL(devices_, AuthenticateApiKey("onr_acme", _)).WillByDefault(Return(key));
    EXPECT_CALL(devices_, AuthenticateApiKey).Times(::testing::AnyNumber());
  }

  Answer Call(http::verb verb, std::string target, std::string body = "",
              std::vector<std::pair<std::string, std::string>> headers = {}, const Peer& peer = kTls) {
    Request request(verb, target, 11);
    request.set(http::field::authorization, "Bearer onr_acme");
    if (!body.empty()) request.set(http::field::content_type, "application/json");
    for (auto& [name, value] : headers) request.set(name, value);
    request.body() = std::move(body);
    request.prepare_payload();
    Reply reply = api_.Handle(request, peer, "req-7");
    Answer answer;
    answer.status = static_cast<int>(reply.response.result());
    answer.body = reply.response.body();
    answer.response = std::move(reply.response);
    return answer;
  }

  clients::MockActivationCodes codes_;
  clients::MockDeviceActivation devices_;
  clients::MockProfileRender profiles_;
  clients::MockFirmwareCatalog firmware_;
  PartnerApi api_;
};

TEST_F(PartnerApiTest, TheRouteTableAnswersUnknownPathsAndMethods) {
  Answer unknown = Call(http::verb::get, "/api/v1/nothing-here");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_THAT(unknown.body, HasSubstr("no such API path"));
  EXPECT_EQ(unknown.Header(http::field::content_type), "application/json");
  Answer put = Call(http::verb::put, "/api/v1/devices");
  EXPECT_EQ(put.status, 405);
  EXPECT_EQ(put.Header(http::field::allow), "GET");
  EXPECT_EQ(Call(http::verb::post, "/api/v1/layers/site/hq").Header(http::field::allow), "PUT, GET, DELETE");
  EXPECT_EQ(Call(http::verb::get, "/api/v1/openapi.json").status, 200);
  EXPECT_TRUE(PartnerApi::Owns("/api/v1/devices?page_size=2"));
  EXPECT_TRUE(PartnerApi::Owns("/api/v1"));
  EXPECT_FALSE(PartnerApi::Owns("/api/v10/devices"));
  EXPECT_FALSE(PartnerApi::Owns("/profile/000e08aabbcc.xml"));
}

TEST_F(PartnerApiTest, NoKeyOrNoTlsGetsNowhere) {
  EXPECT_CALL(devices_, ListDevices).Times(0);
  EXPECT_EQ(Call(http::verb::get, "/api/v1/devices", "", {}, {.address = "203.0.113.5"}).status, 403);
  EXPECT_CALL(devices_, AuthenticateApiKey("onr_nobody", _))
      .WillRepeatedly(Return(absl::UnauthenticatedError("no")));
  Answer stranger = Call(http::verb::get, "/api/v1/devices", "", {{"Authorization", "Bearer onr_nobody"}});
  EXPECT_EQ(stranger.status, 401);
  EXPECT_EQ(stranger.Header(http::field::www_authenticate), "Bearer realm=\"onramp\"");
}

TEST_F(PartnerApiTest, ThePartnerIsTheKeysNeverTheBodys) {
  device::v1::ClaimDevicesRequest sent;
  EXPECT_CALL(devices_, ClaimDevices(_, "req-7"))
      .WillOnce(DoAll(SaveArg<0>(&sent), Return(device::v1::ClaimDevicesResponse())));
  Answer answer = Call(http::verb::post, "/api/v1/devices:claim",
                       R"({"partner":"globex","devices":[{"mac":"000e08aabbcc"}]})");
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(sent.partner(), "acme");
  // Without an Idempotency-Key the request id is the key: the client's own
  // retries of this call are safe, a new request is a new claim.
  EXPECT_EQ(sent.idempotency_key(), "request-req-7");

  EXPECT_CALL(devices_, ClaimDevices)
      .WillOnce(DoAll(SaveArg<0>(&sent), Return(device::v1::ClaimDevicesResponse())));
  Call(http::verb::post, "/api/v1/devices:claim", R"({"devices":[]})", {{"Idempotency-Key", "batch-42"}});
  EXPECT_EQ(sent.idempotency_key(), "batch-42");
}

TEST_F(PartnerApiTest, BadBodiesAndQueriesNameTheirField) {
  EXPECT_CALL(devices_, ClaimDevices).Times(0);
  EXPECT_CALL(devices_, ListDevices).Times(0);
  Answer typo = Call(http::verb::post, "/api/v1/devices:claim", R"({"devises":[]})");
  EXPECT_EQ(typo.status, 400);
  EXPECT_THAT(typo.body, HasSubstr(R"("field":"body")"));
  Answer query = Call(http::verb::get, "/api/v1/devices?colour=red");
  EXPECT_EQ(query.status, 400);
  EXPECT_THAT(query.body, HasSubstr(R"("field":"colour")"));
  Answer scope = Call(http::verb::get, "/api/v1/layers/global/-");
  EXPECT_EQ(scope.status, 400);
  EXPECT_THAT(scope.body, HasSubstr(R"("field":"scope")"));
}

TEST_F(PartnerApiTest, CsvClaimsTakeTheirRedirectFromTheQuery) {
  device::v1::ClaimDevicesRequest sent;
  EXPECT_CALL(devices_, ClaimDevices)
      .WillOnce(DoAll(SaveArg<0>(&sent), Return(device::v1::ClaimDevicesResponse())));
  Answer answer = Call(
      http::verb::post,
      "/api/v1/devices:claim?profile_rule=https%3A%2F%2Facme.example%2F%24MA.xml&trust=DEVICE_TRUST_MAC_ONLY",
      "mac,model\n000e08aabbcc,CP-8851-3PCC\n", {{"Content-Type", "text/csv"}});
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(sent.target().profile_rule(), "https://acme.example/$MA.xml");
  EXPECT_EQ(sent.trust(), device::v1::DEVICE_TRUST_MAC_ONLY);
  ASSERT_EQ(sent.devices_size(), 1);
  EXPECT_EQ(sent.devices(0).model(), "CP-8851-3PCC");

  EXPECT_THAT(Call(http::verb::post, "/api/v1/devices:claim?trust=SOMETIMES", "mac\n000e08aabbcc\n",
                   {{"Content-Type", "text/csv"}})
                  .body,
              HasSubstr(R"("field":"trust")"));
}

TEST_F(PartnerApiTest, ProfilesOfPhonesThePartnerDoesNotHoldAreNotThere) {
  EXPECT_CALL(devices_, GetDevice)
      .WillOnce(Return(absl::NotFoundError("no device 000e08aabbcc claimed by this partner")));
  EXPECT_CALL(profiles_, Preview).Times(0);
  EXPECT_EQ(Call(http::verb::get, "/api/v1/devices/000e08aabbcc/preview").status, 404);

  device::v1::DeviceRequest asked;
  EXPECT_CALL(devices_, GetDevice).WillOnce(DoAll(SaveArg<0>(&asked), Return(device::v1::Device())));
  profile::v1::PreviewRequest preview;
  EXPECT_CALL(profiles_, Preview)
      .WillOnce(DoAll(SaveArg<0>(&preview), Return(profile::v1::PreviewResponse())));
  EXPECT_EQ(Call(http::verb::get, "/api/v1/devices/000e08aabbcc/preview").status, 200);
  EXPECT_EQ(asked.partner(), "acme");
  EXPECT_EQ(preview.partner(), "acme");
  EXPECT_EQ(preview.mac().value(), "000e08aabbcc");
}

TEST_F(PartnerApiTest, ALayerWrittenWhileItsPhoneWasReleasedIsUndone) {
  // Owned at the check, released before the write was confirmed.
  EXPECT_CALL(devices_, GetDevice)
      .WillOnce(Return(device::v1::Device()))
      .WillOnce(Return(absl::NotFoundError("no device 000e08aabbcc claimed by this partner")));
  profile::v1::Layer written;
  written.set_version(9);
  EXPECT_CALL(profiles_, PutLayer).WillOnce(Return(written));
  profile::v1::DeleteLayerRequest undo;
  EXPECT_CALL(profiles_, DeleteLayer)
      .WillOnce(DoAll(SaveArg<0>(&undo), Return(profile::v1::DeleteLayerResponse())));
  Answer answer = Call(http::verb::put, "/api/v1/layers/device/000e08aabbcc",
                       R"({"if_version":0,"parameters":[{"name":"Display_Name_1_","value":"Desk"}]})");
  EXPECT_EQ(answer.status, 404);
  EXPECT_EQ(undo.ref().partner(), "acme");
  EXPECT_EQ(undo.ref().scope(), profile::v1::SCOPE_DEVICE);
  EXPECT_EQ(undo.ref().key(), "000e08aabbcc");
  EXPECT_EQ(undo.if_version(), 9);  // only its own write, never a later one
}

TEST_F(PartnerApiTest, BackendAnswersKeepTheirMeaning) {
  EXPECT_CALL(codes_, ListCodes)
      .WillOnce(Return(absl::InvalidArgumentError("page_token is not one this service issued")));
  EXPECT_EQ(Call(http::verb::get, "/api/v1/activation-codes?page_token=zz").status, 400);
  EXPECT_CALL(firmware_, PauseRollout)
      .WillOnce(Return(absl::FailedPreconditionError("rollout is completed")));
  EXPECT_EQ(Call(http::verb::post, "/api/v1/rollouts/6a3c0e0e-0000-4000-8000-000000000001:pause").status,
            412);
  EXPECT_CALL(devices_, CreateRedirectProfile).WillOnce(Return(absl::AlreadyExistsError("name taken")));
  EXPECT_EQ(Call(http::verb::post, "/api/v1/redirect-profiles", R"({"name":"hq"})").status, 409);

  firmware::v1::CreateRolloutRequest rollout;
  EXPECT_CALL(firmware_, CreateRollout)
      .WillOnce(DoAll(SaveArg<0>(&rollout), Return(firmware::v1::Rollout())));
  EXPECT_EQ(
      Call(http::verb::post, "/api/v1/rollouts", R"({"model":"CP-8851-3PCC"})", {{"Idempotency-Key", "r1"}})
          .status,
      201);
  EXPECT_EQ(rollout.partner(), "acme");
  EXPECT_EQ(rollout.idempotency_key(), "r1");
  EXPECT_CALL(firmware_, CreateRollout).WillOnce(DoAll(SaveArg<0>(&rollout), Return(firmware::v1::Rollout())));
  Call(http::verb::post, "/api/v1/rollouts", R"({"model":"CP-8851-3PCC"})");
  EXPECT_EQ(rollout.idempotency_key(), "request-req-7");
}

TEST_F(PartnerApiTest, FirmwareUploadsStreamToTheCatalog) {
  auto head = [](std::string target, std::string length) {
    Request request(http::verb::post, target, 11);
    request.set(http::field::authorization, "Bearer onr_acme");
    if (!length.empty()) request.set(http::field::content_length, length);
    return request;
  };
  UploadStart other = api_.StartUpload(head("/api/v1/devices:claim", "10"), kTls, "req-7");
  EXPECT_EQ(other.sink, nullptr);
  EXPECT_EQ(other.refusal, nullptr);

  UploadStart no_length = api_.StartUpload(head("/api/v1/firmware?file_name=a.loads", ""), kTls, "req-7");
  ASSERT_NE(no_length.refusal, nullptr);
  EXPECT_EQ(static_cast<int>(no_length.refusal->response.result()), 400);

  firmware::v1::ImageMetadata metadata;
  std::string written;
  EXPECT_CALL(firmware_, RegisterImage).WillOnce(DoAll(SaveArg<0>(&metadata), [&written] {
    return absl::StatusOr<std::unique_ptr<clients::ImageWriter>>(std::make_unique<RecordingWriter>(&written));
  }));
  UploadStart upload = api_.StartUpload(
      head("/api/v1/"
           "firmware?file_name=sip88xx.12-0-1MPP0001-245.loads&sha256=ab&models=CP-8851-3PCC,CP-8861-3PCC",
           "6"),
      kTls, "req-7");
  ASSERT_NE(upload.sink, nullptr);
  EXPECT_EQ(metadata.file_name(), "sip88xx.12-0-1MPP0001-245.loads");
  EXPECT_EQ(metadata.size(), 6);
  EXPECT_EQ(metadata.models_size(), 2);
  ASSERT_TRUE(upload.sink->Write("abc").ok());
  ASSERT_TRUE(upload.sink->Write("def").ok());
  Reply done = upload.sink->Finish();
  EXPECT_EQ(static_cast<int>(done.response.result()), 201);
  EXPECT_EQ(written, "abcdef");
}

}  // namespace
}  // namespace onramp::gateway

namespace onramp::gateway {
namespace {

device::v1::Device AcmePhone() {
  device::v1::Device device;
  device.mutable_mac()->set_value("000e08aabbcc");
  device.set_model("CP-8851-3PCC");
  device.set_partner("acme");
  return device;
}

// profile-render's word on a phone: its site and what it last did.
profile::v1::ListDeviceActivitiesResponse ActivityOfAcmePhone() {
  profile::v1::ListDeviceActivitiesResponse activities;
  profile::v1::DeviceActivityEntry& entry = *activities.add_devices();
  entry.mutable_mac()->set_value("000e08aabbcc");
  entry.set_site("lisbon");
  entry.mutable_activity()->set_firmware_version("sip88xx.11-2-3MSR1-1");
  entry.mutable_activity()->mutable_last_contact_time()->set_seconds(1800000000);
  entry.mutable_activity()->mutable_last_report()->set_parameters(12);
  return activities;
}

TEST_F(PartnerApiTest, APhoneShowsWhatItLastDidAndStillItsClaimWithoutProfileRender) {
  EXPECT_CALL(devices_, GetDevice).WillRepeatedly(Return(AcmePhone()));
  profile::v1::ListDeviceActivitiesRequest asked;
  EXPECT_CALL(profiles_, ListDeviceActivities)
      .WillOnce(DoAll(SaveArg<0>(&asked), Return(ActivityOfAcmePhone())))
      .WillOnce(Return(absl::UnavailableError("profile-render down")));
  Answer answer = Call(http::verb::get, "/api/v1/devices/000e08aabbcc");
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(asked.partner(), "acme");
  ASSERT_EQ(asked.macs_size(), 1);
  EXPECT_EQ(asked.macs(0).value(), "000e08aabbcc");
  EXPECT_THAT(answer.body, HasSubstr(R"("firmware_version":"sip88xx.11-2-3MSR1-1")"));
  EXPECT_THAT(answer.body, HasSubstr(R"("last_contact_time":"2027-01-15T08:00:00Z")"));
  EXPECT_THAT(answer.body, HasSubstr(R"("parameters":12)"));
  EXPECT_THAT(answer.body, HasSubstr(R"("site":"lisbon")"));

  Answer degraded = Call(http::verb::get, "/api/v1/devices/000e08aabbcc");
  EXPECT_EQ(degraded.status, 200);
  EXPECT_THAT(degraded.body, HasSubstr(R"("model":"CP-8851-3PCC")"));
  EXPECT_THAT(degraded.body, Not(HasSubstr("firmware_version")));
}

TEST_F(PartnerApiTest, ASitesPhonesAreListedInTheSitesPagesWithTheirClaims) {
  profile::v1::ListSiteDevicesRequest site_asked;
  profile::v1::ListSiteDevicesResponse in_site;
  in_site.add_macs()->set_value("000e08aabbcc");
  in_site.mutable_page()->set_next_page_token("after-bbcc");
  EXPECT_CALL(profiles_, ListSiteDevices).WillOnce(DoAll(SaveArg<0>(&site_asked), Return(in_site)));
  device::v1::ListDevicesRequest devices_asked;
  device::v1::ListDevicesResponse listed;
  *listed.add_devices() = AcmePhone();
  listed.mutable_page()->set_next_page_token("device-activation's own");
  EXPECT_CALL(devices_, ListDevices).WillOnce(DoAll(SaveArg<0>(&devices_asked), Return(listed)));
  EXPECT_CALL(profiles_, ListDeviceActivities).WillOnce(Return(ActivityOfAcmePhone()));
  Answer answer = Call(http::verb::get, "/api/v1/devices?site=lisbon&page_size=5&page_token=t1&model=CP-8851-3PCC");
  EXPECT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(site_asked.partner(), "acme");
  EXPECT_EQ(site_asked.site(), "lisbon");
  EXPECT_EQ(site_asked.page().page_size(), 5);
  EXPECT_EQ(site_asked.page().page_token(), "t1");
  // device-activation is asked about exactly the site's page, with the
  // other filters kept.
  ASSERT_EQ(devices_asked.macs_size(), 1);
  EXPECT_EQ(devices_asked.macs(0).value(), "000e08aabbcc");
  EXPECT_EQ(devices_asked.model(), "CP-8851-3PCC");
  EXPECT_TRUE(devices_asked.page().page_token().empty());
  EXPECT_THAT(answer.body, HasSubstr(R"("next_page_token":"after-bbcc")"));
  EXPECT_THAT(answer.body, HasSubstr(R"("site":"lisbon")"));

  // An empty site asks device-activation nothing.
  EXPECT_CALL(profiles_, ListSiteDevices).WillOnce(Return(profile::v1::ListSiteDevicesResponse()));
  Answer empty = Call(http::verb::get, "/api/v1/devices?site=nowhere");
  EXPECT_EQ(empty.status, 200);
  EXPECT_THAT(empty.body, Not(HasSubstr("000e08aabbcc")));
}

TEST_F(PartnerApiTest, AnUpgradePlanStartsFromTheFirmwareThePhoneLastRan) {
  EXPECT_CALL(devices_, GetDevice).WillRepeatedly(Return(AcmePhone()));
  common::v1::DeviceActivity activity;
  activity.set_firmware_version("sip88xx.11-2-3MSR1-1");
  EXPECT_CALL(profiles_, GetDeviceActivity)
      .WillOnce(Return(activity))
      .WillOnce(Return(common::v1::DeviceActivity()));
  firmware::v1::PlanUpgradeRequest planned;
  firmware::v1::PlanUpgradeResponse plan;
  plan.mutable_next()->set_version("12-0-1MPP0001-245");
  EXPECT_CALL(firmware_, PlanUpgrade).Times(2).WillRepeatedly(DoAll(SaveArg<0>(&planned), Return(plan)));
  Answer answer = Call(http::verb::get, "/api/v1/devices/000e08aabbcc/upgrade-plan");
  EXPECT_EQ(answer.status, 200);
  EXPECT_THAT(answer.body, HasSubstr("12-0-1MPP0001-245"));
  EXPECT_EQ(planned.partner(), "acme");
  EXPECT_EQ(planned.model(), "CP-8851-3PCC");
  EXPECT_EQ(planned.current_version(), "sip88xx.11-2-3MSR1-1");

  // A phone that never resynced: its firmware is asked for.
  Answer unknown = Call(http::verb::get, "/api/v1/devices/000e08aabbcc/upgrade-plan");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_THAT(unknown.body, HasSubstr(R"("field":"current_version")"));
  Answer asked = Call(http::verb::get, "/api/v1/devices/000e08aabbcc/upgrade-plan?current_version=11-0-1MPP-1");
  EXPECT_EQ(asked.status, 200);
  EXPECT_EQ(planned.current_version(), "11-0-1MPP-1");
}

TEST_F(PartnerApiTest, OnlyThePhonesOwnerRotatesItsKey) {
  EXPECT_CALL(devices_, GetDevice)
      .WillOnce(Return(absl::NotFoundError("not yours")))
      .WillOnce(Return(AcmePhone()));
  profile::v1::DeviceKey key;
  key.set_key_id("k2");
  EXPECT_CALL(profiles_, RotateDeviceKey).WillOnce(Return(key));
  EXPECT_EQ(Call(http::verb::post, "/api/v1/devices/000e08aabbcd:rotate-key").status, 404);
  Answer rotated = Call(http::verb::post, "/api/v1/devices/000e08aabbcc:rotate-key");
  EXPECT_EQ(rotated.status, 200);
  EXPECT_THAT(rotated.body, HasSubstr(R"("key_id":"k2")"));
}

}  // namespace
}  // namespace onramp::gateway
