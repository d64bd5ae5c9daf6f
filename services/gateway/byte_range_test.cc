#include "services/gateway/byte_range.h"

#include "gtest/gtest.h"

namespace onramp::gateway {
namespace {

struct Case {
  const char* header;
  int64_t size;
  RangeKind kind;
  int64_t offset = 0;
  int64_t length = 0;
};

TEST(ByteRangeTest, ResolvesSingleRangesAsRfc9110Says) {
  const Case cases[] = {
      {"", 1000, RangeKind::kWhole},
      {"bytes=0-99", 1000, RangeKind::kPartial, 0, 100},
      {"bytes=500-", 1000, RangeKind::kPartial, 500, 500},
      {"bytes=900-5000", 1000, RangeKind::kPartial, 900, 100},  // clipped to the end
      {"bytes=-100", 1000, RangeKind::kPartial, 900, 100},      // the last 100
      {"bytes=-5000", 1000, RangeKind::kPartial, 0, 1000},
      {"BYTES=0-0", 1000, RangeKind::kPartial, 0, 1},
      {" bytes=10-19 ", 1000, RangeKind::kPartial, 10, 10},
      {"bytes=1000-", 1000, RangeKind::kUnsatisfiable},  // starts past the end
      {"bytes=-0", 1000, RangeKind::kUnsatisfiable},
      {"bytes=0-", 0, RangeKind::kUnsatisfiable},
      // Ignored, so the whole body: bad syntax, other units, several ranges.
      {"bytes=9-3", 1000, RangeKind::kWhole},
      {"bytes=a-b", 1000, RangeKind::kWhole},
      {"bytes=+1-2", 1000, RangeKind::kWhole},
      {"bytes=1", 1000, RangeKind::kWhole},
      {"items=0-9", 1000, RangeKind::kWhole},
      {"bytes=0-9,20-29", 1000, RangeKind::kWhole},
      {"bytes=99999999999999999999-", 1000, RangeKind::kWhole},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.header);
    RangeAnswer answer = ResolveRange(c.header, c.size);
    EXPECT_EQ(answer.kind, c.kind);
    if (c.kind == RangeKind::kPartial) {
      EXPECT_EQ(answer.range.offset, c.offset);
      EXPECT_EQ(answer.range.length, c.length);
    }
  }
}

}  // namespace
}  // namespace onramp::gateway
