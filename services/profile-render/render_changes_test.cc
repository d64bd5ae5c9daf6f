#include "services/profile-render/render_changes.h"

#include <atomic>
#include <thread>

#include "gtest/gtest.h"

namespace onramp::profile {
namespace {

constexpr absl::Duration kWait = absl::Seconds(10);

TEST(RenderChangesTest, AWatcherFirstHearsTheCurrentGeneration) {
  RenderChanges changes;
  changes.Publish(7);
  auto watcher = changes.Watch([] {});
  std::optional<RenderChange> first = watcher->Next(absl::Now() + kWait);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->generation, 7);
  EXPECT_TRUE(first->forgotten_macs.empty());
  watcher->Close();
}

TEST(RenderChangesTest, PublishReturnsOnlyOnceTheWatcherAcknowledged) {
  RenderChanges changes(absl::Seconds(30));
  auto watcher = changes.Watch([] {});
  ASSERT_TRUE(watcher->Next(absl::Now() + kWait).has_value());
  std::atomic<bool> published = false;
  std::thread writer([&] {
    changes.Publish(3, {"000e08aabbcc"});
    published = true;
  });
  std::optional<RenderChange> change = watcher->Next(absl::Now() + kWait);
  ASSERT_TRUE(change.has_value());
  EXPECT_EQ(change->generation, 3);
  EXPECT_EQ(change->forgotten_macs, std::vector<std::string>{"000e08aabbcc"});
  // Not acknowledged yet: the write is still waiting.
  EXPECT_FALSE(published.load());
  watcher->Acknowledge(change->sequence);
  writer.join();
  EXPECT_TRUE(published.load());
  watcher->Close();
}

TEST(RenderChangesTest, AWatcherThatDoesNotAcknowledgeIsCutOffAndHearsNoMore) {
  RenderChanges changes(absl::Milliseconds(50));
  int cut = 0;
  auto watcher = changes.Watch([&cut] { ++cut; });
  ASSERT_TRUE(watcher->Next(absl::Now() + kWait).has_value());
  changes.Publish(2);  // returns after the timeout
  EXPECT_EQ(cut, 1);
  EXPECT_FALSE(watcher->Next(absl::Now() + kWait).has_value());
  changes.Publish(3);  // nobody left to wait for
  EXPECT_EQ(cut, 1);
  watcher->Close();
}

TEST(RenderChangesTest, CuttingAllOffEndsEveryWatch) {
  RenderChanges changes;
  int cut = 0;
  auto first = changes.Watch([&cut] { ++cut; });
  auto second = changes.Watch([&cut] { ++cut; });
  changes.CutOffAll();
  EXPECT_EQ(cut, 2);
  first->Next(absl::Now() + kWait);  // the current generation, if still pending, is not sent
  EXPECT_FALSE(first->Next(absl::Now() + kWait).has_value());
  EXPECT_FALSE(second->Next(absl::Now() + kWait).has_value());
  first->Close();
  second->Close();
}

TEST(RenderChangesTest, GenerationsOnlyMoveForward) {
  RenderChanges changes;
  changes.Publish(5);
  changes.Publish(4, {"000e08aabbcc"});
  auto watcher = changes.Watch([] {});
  EXPECT_EQ(watcher->Next(absl::Now() + kWait)->generation, 5);
  watcher->Close();
}

TEST(RenderChangesTest, AClosedWatcherIsNotWaitedFor) {
  RenderChanges changes(absl::Seconds(30));
  auto watcher = changes.Watch([] { ADD_FAILURE() << "cut off"; });
  watcher->Close();
  absl::Time before = absl::Now();
  changes.Publish(2);
  EXPECT_LT(absl::Now() - before, absl::Seconds(5));
}

}  // namespace
}  // namespace onramp::profile
