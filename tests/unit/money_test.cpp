#include "clientrisk/money.hpp"

#include <gtest/gtest.h>

using clientrisk::Money;

TEST(Money, ParsesWholeAndFractionalAmounts) {
  EXPECT_EQ(Money::parse("0")->cents(), 0);
  EXPECT_EQ(Money::parse("12")->cents(), 1200);
  EXPECT_EQ(Money::parse("12.3")->cents(), 1230);
  EXPECT_EQ(Money::parse("12.34")->cents(), 1234);
  EXPECT_EQ(Money::parse("0.05")->cents(), 5);
  EXPECT_EQ(Money::parse("92233720368547758.07")->cents(), 9223372036854775807LL);
}

TEST(Money, RejectsWhatTheFormatForbids) {
  for (const char* bad : {"", "-1", "+1", "1.234", "1.", ".5", "1,000", "1e3", "12a", "1 000", "1.2.3",
                          "92233720368547758.08", "999999999999999999999"}) {
    const char* why = nullptr;
    EXPECT_FALSE(Money::parse(bad, &why)) << bad;
    EXPECT_NE(why, nullptr) << bad;
  }
  const char* why = nullptr;
  Money::parse("1.234", &why);
  EXPECT_STREQ(why, "amount has more than two decimals");
  Money::parse("-5", &why);
  EXPECT_STREQ(why, "amount must be unsigned");
}

TEST(Money, FormatsWithTwoDecimals) {
  EXPECT_EQ(Money::from_cents(0).to_string(), "0.00");
  EXPECT_EQ(Money::from_cents(5).to_string(), "0.05");
  EXPECT_EQ(Money::from_cents(123456).to_string(), "1234.56");
  EXPECT_EQ(Money::from_cents(-250).to_string(), "-2.50");
  EXPECT_EQ(Money::from_cents(INT64_MIN).to_string(), "-92233720368547758.08");
}

TEST(Money, ArithmeticIsExact) {
  Money a = *Money::parse("0.10"), b = *Money::parse("0.20");
  EXPECT_EQ(a + b, *Money::parse("0.30"));
  EXPECT_EQ((b - a).cents(), 10);
  EXPECT_LT(a, b);
}
