#include "services/profile-render/layer_edits.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/kit/status/status_matchers.h"
#include "services/profile-render/layer_proto.h"

namespace onramp::profile {
namespace {

using ::onramp::status::IsOk;
using ::onramp::status::StatusIs;

std::vector<std::string> Names(const std::vector<LayerParameter>& parameters) {
  std::vector<std::string> names;
  for (const LayerParameter& p : parameters) names.push_back(p.name + "=" + p.value);
  return names;
}

TEST(LayerEditsTest, AnEditReplacesByNameAddsAtTheEndAndRemoves) {
  std::vector<LayerParameter> current = {{"Proxy_1_", "old.example"}, {"Time_Zone", "GMT"}, {"Station_Name", "x"}};
  absl::StatusOr<std::vector<LayerParameter>> merged =
      MergeParameters(current, {{"Proxy_1_", "sip.example.com"}, {"Dial_Plan_1_", "(x.)"}}, {"Time_Zone"});
  ASSERT_THAT(merged.status(), IsOk());
  EXPECT_THAT(Names(*merged),
              ::testing::ElementsAre("Proxy_1_=sip.example.com", "Station_Name=x", "Dial_Plan_1_=(x.)"));
  EXPECT_THAT(MergeParameters(current, {{"Proxy_1_", "a"}}, {"Proxy_1_"}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
  // Removing what is not there changes nothing.
  EXPECT_EQ(MergeParameters(current, {}, {"Nothing"})->size(), 3u);
}

TEST(LayerEditsTest, AMaskedSecretWrittenBackKeepsItsValue) {
  std::vector<LayerParameter> current = {{"Password_1_", "hunter2", std::nullopt, true}};
  absl::StatusOr<std::vector<LayerParameter>> merged =
      MergeParameters(current, {{"Password_1_", kMasked, std::nullopt, true}, {"Proxy_1_", "p"}}, {});
  ASSERT_THAT(merged.status(), IsOk());
  EXPECT_EQ((*merged)[0].value, "hunter2");
  // A masked value for a secret that has none is refused, naming it.
  EXPECT_THAT(MergeParameters({}, {{"Password_2_", kMasked, std::nullopt, true}}, {}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(LayerEditsTest, AssignmentRowsAreCheckedOneByOne) {
  v1::AssignSitesRequest request;
  auto add = [&request](const std::string& mac, const std::string& site) {
    v1::SiteAssignment* row = request.add_assignments();
    row->mutable_mac()->set_value(mac);
    row->set_site(site);
  };
  add("00:0E:08:AA:BB:CC", "lisbon");
  add("not-a-mac", "lisbon");
  add("000e08aabbcd", "no spaces allowed");
  add("000e08aabbcc", "porto");  // the first row's phone again
  add("000e08aabbce", "");        // out of its site
  absl::StatusOr<CheckedAssignments> checked = CheckAssignments(request.assignments());
  ASSERT_THAT(checked.status(), IsOk());
  ASSERT_EQ(checked->valid.size(), 2u);
  EXPECT_EQ(checked->valid[0].mac, "000e08aabbcc");
  EXPECT_EQ(checked->valid[0].site, "lisbon");
  EXPECT_EQ(checked->valid[1].row, 4);
  ASSERT_EQ(checked->invalid.size(), 3u);
  EXPECT_EQ(checked->invalid[0].row(), 1);
  EXPECT_EQ(checked->invalid[0].field(), "assignments[1].mac");
  EXPECT_EQ(checked->invalid[1].field(), "assignments[2].site");
  EXPECT_EQ(checked->invalid[2].field(), "assignments[3].mac");
  EXPECT_EQ(checked->invalid[2].outcome(), v1::ASSIGN_OUTCOME_INVALID);

  v1::AssignSitesRequest too_many;
  for (int i = 0; i <= kMaxAssignments; ++i) too_many.add_assignments();
  EXPECT_THAT(CheckAssignments(too_many.assignments()).status(), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace onramp::profile
