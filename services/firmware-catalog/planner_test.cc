#include "services/firmware-catalog/planner.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/status_matchers.h"

namespace onramp::firmware {

using firmware_version::ParseVersion;
using firmware_version::Version;

namespace {

using ::onramp::status::StatusIs;
using ::testing::HasSubstr;

Version V(const char* text) { return *ParseVersion(text); }

UpgradeEdge Edge(int64_t id, const char* from_min, const char* from_max, const char* to) {
  return {id, V(from_min), V(from_max), V(to)};
}

std::vector<std::string> Steps(const std::vector<Hop>& hops) {
  std::vector<std::string> steps;
  for (const Hop& hop : hops) steps.push_back(hop.to.ToString());
  return steps;
}

// 10.x must pass 11.0 before anything later; 11.0-11.2 may go straight to
// 11.3 or 12.0; 11.3 to 12.0.
const std::vector<UpgradeEdge> kEdges = {
    Edge(1, "10-0-0MPP-1", "10-9-9MPP-999", "11-0-0MPP-256"),
    Edge(2, "11-0-0MPP-1", "11-2-9MSR9-999", "11-3-1MPP-100"),
    Edge(3, "11-0-0MPP-1", "11-2-9MSR9-999", "12-0-1MPP0001-245"),
    Edge(4, "11-3-1MPP-1", "11-3-9MPP-999", "12-0-1MPP0001-245"),
};
const std::vector<Version> kVersions = {V("10-4-1MPP-100"), V("11-0-0MPP-256"), V("11-2-3MSR1-1"),
                                        V("11-3-1MPP-100"), V("12-0-1MPP0001-245")};

TEST(PlannerTest, MultiHopTakesTheFewestSteps) {
  auto plan = PlanPath(kEdges, kVersions, V("10-4-1MPP-100"), V("12-0-1MPP0001-245"));
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_TRUE(plan->has_value());
  EXPECT_THAT(Steps(**plan), ::testing::ElementsAre("11-0-0MPP-256", "12-0-1MPP0001-245"));
}

TEST(PlannerTest, UpToDateIsNoPlan) {
  auto plan = PlanPath(kEdges, kVersions, V("12-0-1MPP0001-245"), V("12-0-1MPP0001-245"));
  ASSERT_TRUE(plan.ok());
  EXPECT_FALSE(plan->has_value());
}

TEST(PlannerTest, TiesGoToTheHighestNextHopThenTheOldestEdge) {
  // Two two-hop paths from 10.4 to 13.0: via 11.0 (edge 10) or via 11.1
  // (edge 11): the higher next hop, 11.1, wins.
  std::vector<UpgradeEdge> edges = {
      Edge(10, "10-0-0MPP-1", "10-9-9MPP-999", "11-0-0MPP-256"),
      Edge(11, "10-0-0MPP-1", "10-9-9MPP-999", "11-1-0MPP-1"),
      Edge(12, "11-0-0MPP-1", "11-9-9MPP-999", "13-0-0MPP-1"),
  };
  auto plan = PlanPath(edges, {}, V("10-4-1MPP-100"), V("13-0-0MPP-1"));
  ASSERT_TRUE(plan.ok() && plan->has_value());
  EXPECT_THAT(Steps(**plan), ::testing::ElementsAre("11-1-0MPP-1", "13-0-0MPP-1"));
  edges.push_back(Edge(9, "10-0-0MPP-1", "10-9-9MPP-999", "11-1-0MPP-1"));
  plan = PlanPath(edges, {}, V("10-4-1MPP-100"), V("13-0-0MPP-1"));
  EXPECT_EQ((**plan)[0].edge_id, 9);
}

TEST(PlannerTest, UnreachableTargetsAreNotFound) {
  EXPECT_THAT(PlanPath(kEdges, kVersions, V("9-0-0MPP-1"), V("12-0-1MPP0001-245")),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("no upgrade path from 9-0-0MPP-1")));
  EXPECT_THAT(PlanPath(kEdges, kVersions, V("12-0-1MPP0001-245"), V("11-3-1MPP-100")),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(PlannerTest, EdgesThatCloseALoopAreRefused) {
  // 12.0 back to 11.0 would loop: 11.0 -> 12.0 -> 11.0.
  EXPECT_THAT(CheckNoCycle(kEdges, kVersions, Edge(5, "12-0-0MPP-1", "12-9-9MPP-999", "11-0-0MPP-256")),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("loop")));
  // An edge onto its own range is a loop of one.
  EXPECT_THAT(CheckNoCycle(kEdges, kVersions, Edge(6, "11-0-0MPP-1", "11-9-9MPP-999", "11-2-3MSR1-1")),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  // A downgrade path that loops nowhere is fine.
  EXPECT_TRUE(CheckNoCycle(kEdges, kVersions, Edge(7, "12-5-0MPP-1", "12-9-9MPP-999", "12-0-1MPP0001-245")).ok());
}

}  // namespace
}  // namespace onramp::firmware
