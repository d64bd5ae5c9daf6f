#include "lib/kit/partner_json/partner_json.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "onramp/device/v1/device.pb.h"
#include "onramp/firmware/v1/firmware.pb.h"

namespace onramp::partner_json {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(PartnerJsonTest, AMacIsAPlainStringInRequests) {
  device::v1::ClaimDevicesRequest request;
  ASSERT_TRUE(Parse(R"({"devices":[{"mac":"000e08aabbcc","model":"CP-8851-3PCC"},{"mac":"000e08aabbcd"}]})",
                    &request)
                  .ok());
  ASSERT_EQ(request.devices_size(), 2);
  EXPECT_EQ(request.devices(0).mac().value(), "000e08aabbcc");
  EXPECT_EQ(request.devices(0).model(), "CP-8851-3PCC");
  EXPECT_EQ(request.devices(1).mac().value(), "000e08aabbcd");
}

TEST(PartnerJsonTest, TheProtobufObjectFormOfAMacIsStillRead) {
  device::v1::ClaimDevicesRequest request;
  ASSERT_TRUE(Parse(R"({"devices":[{"mac":{"value":"000e08aabbcc"}}]})", &request).ok());
  EXPECT_EQ(request.devices(0).mac().value(), "000e08aabbcc");
}

TEST(PartnerJsonTest, UnknownFieldsAndWrongTypesAreRefusedWithoutNamingProtobufTypes) {
  device::v1::ClaimDevicesRequest request;
  absl::Status typo = Parse(R"({"devises":[]})", &request);
  EXPECT_EQ(typo.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(typo.message(), HasSubstr("devises"));
  absl::Status number = Parse(R"({"devices":[{"mac":12}]})", &request);
  EXPECT_EQ(number.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(number.message(), Not(HasSubstr("type.googleapis.com")));
  EXPECT_EQ(Parse("{", &request).code(), absl::StatusCode::kInvalidArgument);
}

TEST(PartnerJsonTest, RepliesPrintMacsAsStringsAndEveryZero) {
  device::v1::ClaimDevicesResponse response;
  device::v1::ClaimResult* first = response.add_results();
  first->set_row(0);
  first->set_mac("000e08aabbcc");
  first->set_outcome(device::v1::CLAIM_OUTCOME_CLAIMED);
  response.mutable_counts()->set_claimed(1);
  absl::StatusOr<std::string> json = Print(response);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_THAT(*json, HasSubstr(R"("row":0)"));
  EXPECT_THAT(*json, HasSubstr(R"("conflicts":0)"));
  EXPECT_THAT(*json, HasSubstr(R"("field":"")"));

  device::v1::Device device;
  device.mutable_mac()->set_value("000e08aabbcc");
  json = Print(device);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_THAT(*json, HasSubstr(R"("mac":"000e08aabbcc")"));
  EXPECT_THAT(*json, HasSubstr(R"("state":"CUSTOMIZATION_STATE_UNSPECIFIED")"));
  EXPECT_THAT(*json, HasSubstr(R"("registered":false)"));
}

TEST(PartnerJsonTest, WhatIsPrintedIsReadBackTheSame) {
  device::v1::ListDevicesResponse listed;
  device::v1::Device* device = listed.add_devices();
  device->mutable_mac()->set_value("000e08aabbcc");
  device->set_state(device::v1::CUSTOMIZATION_STATE_ACQUIRED);
  device->mutable_claim_time()->set_seconds(1700000000);
  listed.mutable_page()->set_next_page_token("next");
  absl::StatusOr<std::string> json = Print(listed);
  ASSERT_TRUE(json.ok());
  device::v1::ListDevicesResponse read;
  ASSERT_TRUE(Parse(*json, &read).ok()) << *json;
  EXPECT_EQ(read.SerializeAsString(), listed.SerializeAsString());
}

}  // namespace
}  // namespace onramp::partner_json
