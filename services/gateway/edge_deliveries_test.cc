#include "services/gateway/edge_deliveries.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/clients/testing/mock_clients.h"

namespace onramp::gateway {
namespace {

using ::testing::_;
using ::testing::Return;

profile::v1::RenderRequest Resync(const std::string& mac) {
  profile::v1::RenderRequest request;
  request.mutable_device()->mutable_mac()->set_value(mac);
  request.mutable_device()->set_model("CP-8851-3PCC");
  request.set_source_address("192.0.2.7");
  return request;
}

// No periodic flush within a test: each flushes when it says.
constexpr absl::Duration kNever = absl::Hours(1);

TEST(EdgeDeliveriesTest, TheSameFetchWithinABatchIsToldOnce) {
  clients::MockProfileRender profiles;
  profile::v1::ConfirmDeliveriesRequest told;
  EXPECT_CALL(profiles, ConfirmDeliveries(_, _)).WillOnce([&](const auto& request, const auto&) {
    told = request;
    return profile::v1::ConfirmDeliveriesResponse();
  });
  EdgeDeliveries deliveries(profiles, kNever);
  for (int i = 0; i < 3; ++i) deliveries.Add(Resync("000e08aabbcc"), "\"a\"");
  deliveries.Add(Resync("000e08aabbcc"), "\"b\"");
  deliveries.Add(Resync("000e08aabbdd"), "\"a\"");
  deliveries.Flush();
  ASSERT_EQ(told.deliveries_size(), 3);
  EXPECT_EQ(told.deliveries(0).request().device().mac().value(), "000e08aabbcc");
  EXPECT_EQ(told.deliveries(0).request().device().model(), "CP-8851-3PCC");
  ::testing::Mock::VerifyAndClearExpectations(&profiles);
  EXPECT_CALL(profiles, ConfirmDeliveries(_, _)).Times(0);
  deliveries.Flush();  // nothing new
}

TEST(EdgeDeliveriesTest, WhatProfileRenderDidNotTakeGoesWithTheNextBatch) {
  clients::MockProfileRender profiles;
  std::vector<int> sizes;
  EXPECT_CALL(profiles, ConfirmDeliveries(_, _))
      .WillOnce(Return(absl::UnavailableError("profile-render is down")))
      .WillOnce([&](const auto& request, const auto&) {
        sizes.push_back(request.deliveries_size());
        return profile::v1::ConfirmDeliveriesResponse();
      });
  EdgeDeliveries deliveries(profiles, kNever);
  deliveries.Add(Resync("000e08aabbcc"), "\"a\"");
  deliveries.Flush();
  deliveries.Add(Resync("000e08aabbdd"), "\"a\"");
  deliveries.Flush();
  EXPECT_EQ(sizes, std::vector<int>{2});
  EXPECT_EQ(deliveries.dropped(), 0);
}

TEST(EdgeDeliveriesTest, WaitingDeliveriesAreBoundedThroughAnOutage) {
  clients::MockProfileRender profiles;
  EXPECT_CALL(profiles, ConfirmDeliveries(_, _)).WillRepeatedly(Return(absl::UnavailableError("down")));
  EdgeDeliveries deliveries(profiles, kNever, /*max_kept=*/10);
  for (int i = 0; i < 25; ++i) deliveries.Add(Resync(absl::StrCat("000e08aabb", 10 + i)), "\"a\"");
  deliveries.Flush();
  EXPECT_EQ(deliveries.dropped(), 15);
}

TEST(EdgeDeliveriesTest, LargeBatchesGoInCallsOfAtMostAThousand) {
  clients::MockProfileRender profiles;
  std::vector<int> sizes;
  EXPECT_CALL(profiles, ConfirmDeliveries(_, _)).WillRepeatedly([&](const auto& request, const auto&) {
    sizes.push_back(request.deliveries_size());
    return profile::v1::ConfirmDeliveriesResponse();
  });
  EdgeDeliveries deliveries(profiles, kNever);
  for (int i = 0; i < 2500; ++i) deliveries.Add(Resync(absl::StrCat("000e08", 100000 + i)), "\"a\"");
  deliveries.Flush();
  EXPECT_EQ(sizes, (std::vector<int>{1000, 1000, 500}));
}

TEST(EdgeDeliveriesTest, WhatIsWaitingIsToldWhenTheGatewayStops) {
  clients::MockProfileRender profiles;
  EXPECT_CALL(profiles, ConfirmDeliveries(_, _)).WillOnce(Return(profile::v1::ConfirmDeliveriesResponse()));
  EdgeDeliveries deliveries(profiles, kNever);
  deliveries.Add(Resync("000e08aabbcc"), "\"a\"");
}

}  // namespace
}  // namespace onramp::gateway
