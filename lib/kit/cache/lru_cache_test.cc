#include "lib/kit/cache/lru_cache.h"

#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace onramp::cache {
namespace {

std::shared_ptr<const int> Value(int n) { return std::make_shared<const int>(n); }

TEST(LruCacheTest, KeepsTheMostRecentlyUsed) {
  LruCache<int> cache(2);
  cache.Put("a", Value(1));
  cache.Put("b", Value(2));
  ASSERT_NE(cache.Find("a"), nullptr);  // "a" is now more recent than "b"
  cache.Put("c", Value(3));
  EXPECT_EQ(cache.Find("b"), nullptr);
  EXPECT_EQ(*cache.Find("a"), 1);
  EXPECT_EQ(*cache.Find("c"), 3);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(LruCacheTest, PutReplacesAndEraseForgets) {
  LruCache<int> cache(4);
  cache.Put("a", Value(1));
  std::shared_ptr<const int> held = cache.Find("a");
  cache.Put("a", Value(2));
  EXPECT_EQ(*cache.Find("a"), 2);
  EXPECT_EQ(*held, 1);  // a reader keeps what it found
  cache.Erase("a");
  cache.Erase("never there");
  EXPECT_EQ(cache.Find("a"), nullptr);
  cache.Put("b", Value(3));
  cache.Clear();
  EXPECT_EQ(cache.size(), 0u);
}

TEST(LruCacheTest, ManyThreadsStayWithinCapacity) {
  LruCache<int> cache(100);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5000; ++i) {
        std::string key = absl::StrCat((i * 7 + t) % 300);
        if (std::shared_ptr<const int> hit = cache.Find(key)) {
          EXPECT_EQ(absl::StrCat(*hit), key);
        } else {
          cache.Put(key, Value((i * 7 + t) % 300));
        }
        if (i % 1000 == 0) cache.Erase(key);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_LE(cache.size(), 100u);
}

}  // namespace
}  // namespace onramp::cache
