#include "lib/http/etag/etag.h"

#include "gtest/gtest.h"

namespace onramp::http_etag {
namespace {

TEST(EtagTest, IfNoneMatchComparesWeaklyOverTheList) {
  struct Case {
    const char* header;
    const char* etag;
    bool matches;
  };
  const Case cases[] = {
      {"\"abc\"", "\"abc\"", true},
      {"W/\"abc\"", "\"abc\"", true},   // weak comparison (RFC 9110 13.1.2)
      {"\"abc\"", "W/\"abc\"", true},
      {"\"x\", \"abc\"", "\"abc\"", true},
      {" \"x\" ,\t\"abc\" ", "\"abc\"", true},
      {"*", "\"abc\"", true},
      {"\"abd\"", "\"abc\"", false},
      {"abc", "\"abc\"", false},         // not a quoted tag
      {"", "\"abc\"", false},
      {",,", "\"abc\"", false},
      {"\"abc\"", "", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(NoneMatchFails(c.header, c.etag), c.matches) << "[" << c.header << "] vs [" << c.etag << "]";
  }
}

}  // namespace
}  // namespace onramp::http_etag
