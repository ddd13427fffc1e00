#include "clientrisk/date.hpp"

#include <gtest/gtest.h>

using clientrisk::Date;

TEST(Date, EpochAndKnownDays) {
  EXPECT_EQ(Date::parse("1970-01-01")->days(), 0);
  EXPECT_EQ(Date::parse("1970-01-02")->days(), 1);
  EXPECT_EQ(Date::parse("1969-12-31")->days(), -1);
  EXPECT_EQ(Date::parse("2000-03-01")->days(), 11017);
  EXPECT_EQ(Date::parse("2024-02-29")->days(), 19782);
}

TEST(Date, RoundTripsEveryDayOfFourCenturies) {
  const Date first = *Date::parse("1900-01-01");
  const Date last = *Date::parse("2300-12-31");
  for (Date d = first; d <= last; d = d + 1) {
    auto again = Date::parse(d.to_string());
    ASSERT_TRUE(again) << d.to_string();
    ASSERT_EQ(*again, d);
  }
}

TEST(Date, RejectsImpossibleAndMalformedDates) {
  for (const char* bad : {"2024-02-30", "2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10", "2024-04-31",
                          "2024-1-01", "24-01-01", "2024/01/01", "2024-01-01T00:00", " 2024-01-01", "",
                          "0000-01-01", "2024-01-0a"}) {
    EXPECT_FALSE(Date::parse(bad)) << bad;
  }
  EXPECT_TRUE(Date::parse("2000-02-29"));
}

TEST(Date, MonthIndexCountsFromJanuary1970) {
  EXPECT_EQ(Date::parse("1970-01-31")->month_index(), 0);
  EXPECT_EQ(Date::parse("1971-03-01")->month_index(), 14);
  EXPECT_EQ(Date::parse("1969-12-15")->month_index(), -1);
}

// month_index() skips the day of the month; on every day of the calendar, and well past it, it
// is the month of civil().
TEST(Date, MonthIndexIsTheMonthOfTheCivilDate) {
  const std::int32_t first = Date::from_civil(1, 1, 1)->days() - 1000;
  const std::int32_t last = Date::from_civil(9999, 12, 31)->days() + 1000;
  std::int64_t wrong = 0;
  for (std::int32_t z = first; z <= last; ++z) {
    const clientrisk::CivilDate c = Date::from_days(z).civil();
    wrong += Date::from_days(z).month_index() != (c.year - 1970) * 12 + static_cast<std::int32_t>(c.month) - 1;
  }
  EXPECT_EQ(wrong, 0);
}
