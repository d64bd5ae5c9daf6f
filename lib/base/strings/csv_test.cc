#include "lib/base/strings/csv.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace onramp::strings {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(CsvTest, ReadsRfc4180RecordsWithQuotesAndBothLineEnds) {
  absl::StatusOr<std::vector<CsvRecord>> records =
      ParseCsv("mac,model,serial\r\n000e08aabbcc,CP-8851-3PCC,FCH1\n\n\"00:0e:08:aa:bb:cd\",\"CP-8851, 3PCC\",\"say \"\"hi\"\"\"\n"
               "000e08aabbce,,\n\"multi\nline\",x,y");
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 5u);
  EXPECT_THAT((*records)[0].fields, ElementsAre("mac", "model", "serial"));
  EXPECT_THAT((*records)[1].fields, ElementsAre("000e08aabbcc", "CP-8851-3PCC", "FCH1"));
  EXPECT_THAT((*records)[2].fields, ElementsAre("00:0e:08:aa:bb:cd", "CP-8851, 3PCC", "say \"hi\""));
  EXPECT_EQ((*records)[2].line, 4);  // the blank line 3 is skipped
  EXPECT_THAT((*records)[3].fields, ElementsAre("000e08aabbce", "", ""));
  EXPECT_THAT((*records)[4].fields, ElementsAre("multi\nline", "x", "y"));
  EXPECT_EQ((*records)[4].line, 6);
}

TEST(CsvTest, NamesTheLineOfABrokenQuote) {
  absl::StatusOr<std::vector<CsvRecord>> open = ParseCsv("mac\n\"000e08aabbcc\n");
  ASSERT_FALSE(open.ok());
  EXPECT_THAT(std::string(open.status().message()), HasSubstr("line 2: unterminated quote"));
  absl::StatusOr<std::vector<CsvRecord>> trailing = ParseCsv("a,b\n\"x\"y,z\n");
  ASSERT_FALSE(trailing.ok());
  EXPECT_THAT(std::string(trailing.status().message()), HasSubstr("line 2"));
  EXPECT_TRUE(ParseCsv("").ok());
}

}  // namespace
}  // namespace onramp::strings
