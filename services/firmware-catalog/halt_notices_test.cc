// Halt notices when device-activation is down a while: nothing is marked
// told until it answers, and the notice sent again is the same event.

#include "services/firmware-catalog/halt_notices.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/clients/testing/mock_clients.h"

namespace onramp::firmware {
namespace {

using ::testing::_;
using ::testing::DoAll;
using ::testing::Return;
using ::testing::SaveArg;

using Page = std::pair<std::vector<RolloutRecord>, std::string>;
using ImagePage = std::pair<std::vector<ImageRecord>, std::string>;

class MockCatalogStore : public CatalogStore {
 public:
  MOCK_METHOD(absl::StatusOr<ImageRecord>, AddImage, (const ImageRecord&), (override));
  MOCK_METHOD(absl::StatusOr<ImageRecord>, GetImage, (const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<ImagePage>, ListImages, (const std::string&, int, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<UpgradeEdge>, AddEdge, (const std::string&, const UpgradeEdge&), (override));
  MOCK_METHOD(absl::Status, SetTarget, (const std::string&, const std::string&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<PlanInputs>, PlanInputsFor, (const std::string&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<RolloutRecord>, CreateRollout, (const RolloutRecord&, absl::Time, const std::string&),
              (override));
  MOCK_METHOD(absl::StatusOr<RolloutRecord>, GetRollout, (const std::string&, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<Page>, ListRollouts,
              (const std::string&, const RolloutFilter&, int, const std::string&), (override));
  MOCK_METHOD(absl::StatusOr<std::vector<HaltNotice>>, UnnoticedHalts, (), (override));
  MOCK_METHOD(absl::Status, MarkHaltNoticed, (const std::string&, absl::Time), (override));
  MOCK_METHOD(absl::StatusOr<int>, AdvanceRollouts, (absl::Time), (override));
  MOCK_METHOD(absl::StatusOr<RolloutRecord>, Apply, (const std::string&, const std::string&, Command, absl::Time),
              (override));
  MOCK_METHOD(absl::StatusOr<std::optional<RolloutRecord>>, Report, (const UpgradeReport&, absl::Time), (override));
};

TEST(HaltNoticesTest, AHaltIsMarkedToldOnlyOnceDeviceActivationTookItAndIsTheSameEventEachTime) {
  MockCatalogStore store;
  clients::MockDeviceActivation devices;
  CatalogStore::HaltNotice halt;
  halt.rollout.id = "3e72cb89-0800-4509-a558-56271a10f003";
  halt.rollout.partner = "acme";
  halt.rollout.model = "CP-8851-3PCC";
  halt.rollout.target_version = "12-0-2MPP0001-10";
  halt.rollout.progress.failures = 5;
  halt.halted = absl::FromUnixSeconds(1800000000);
  EXPECT_CALL(store, UnnoticedHalts).Times(2).WillRepeatedly(Return(std::vector<CatalogStore::HaltNotice>{halt}));

  device::v1::RecordPartnerEventRequest first, second;
  EXPECT_CALL(devices, RecordPartnerEvent)
      .WillOnce(DoAll(SaveArg<0>(&first), Return(absl::UnavailableError("device-activation down"))))
      .WillOnce(DoAll(SaveArg<0>(&second), Return(device::v1::RecordEventResponse())));
  HaltNotices notices(store, devices);
  {
    ::testing::InSequence told_after_taken;
    EXPECT_CALL(store, MarkHaltNoticed).Times(0);
    EXPECT_EQ(notices.SendUntold().code(), absl::StatusCode::kUnavailable);
  }
  EXPECT_CALL(store, MarkHaltNoticed(halt.rollout.id, halt.halted)).WillOnce(Return(absl::OkStatus()));
  EXPECT_TRUE(notices.SendUntold().ok());
  EXPECT_EQ(first.event_id(), second.event_id());  // device-activation records it once
  EXPECT_EQ(second.partner(), "acme");
  EXPECT_EQ(second.type(), "rollout.halted");
  EXPECT_EQ(second.subject(), halt.rollout.id);
}

}  // namespace
}  // namespace onramp::firmware
