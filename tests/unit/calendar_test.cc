// Calendar arithmetic: strict dates, month-end clamping, whole months between dates.
#include "conform/compiler/calendar.h"

#include <gtest/gtest.h>

namespace conform::cal {
namespace {

int64_t D(const char* s) {
  auto d = ParseDate(s);
  EXPECT_TRUE(d.has_value()) << s;
  return d.value_or(0);
}

TEST(Calendar, ParseDateAcceptsRealDays) {
  EXPECT_EQ(ParseDate("1970-01-01"), 0);
  EXPECT_EQ(ParseDate("1970-01-02"), 1);
  EXPECT_EQ(ParseDate("1969-12-31"), -1);
  EXPECT_TRUE(ParseDate("2024-02-29").has_value());  // leap year
  EXPECT_TRUE(ParseDate("2000-02-29").has_value());  // divisible by 400
  EXPECT_TRUE(ParseDate("2025-12-31").has_value());
}

TEST(Calendar, ParseDateRejectsImpossibleDays) {
  EXPECT_FALSE(ParseDate("2025-02-30").has_value());
  EXPECT_FALSE(ParseDate("2025-02-29").has_value());  // not a leap year
  EXPECT_FALSE(ParseDate("1900-02-29").has_value());  // divisible by 100, not by 400
  EXPECT_FALSE(ParseDate("2025-04-31").has_value());
  EXPECT_FALSE(ParseDate("2025-13-01").has_value());
  EXPECT_FALSE(ParseDate("2025-00-10").has_value());
  EXPECT_FALSE(ParseDate("2025-01-00").has_value());
  EXPECT_FALSE(ParseDate("2025-01-32").has_value());
}

TEST(Calendar, ParseDateIsStrictAboutTheFormat) {
  EXPECT_FALSE(ParseDate("2025-1-01").has_value());
  EXPECT_FALSE(ParseDate("2025/01/01").has_value());
  EXPECT_FALSE(ParseDate("25-01-01").has_value());
  EXPECT_FALSE(ParseDate("2025-01-01 ").has_value());
  EXPECT_FALSE(ParseDate("2025-01-0a").has_value());
  EXPECT_FALSE(ParseDate("").has_value());
}

TEST(Calendar, FormatDateRoundTrips) {
  for (const char* s : {"1970-01-01", "1999-12-31", "2000-02-29", "2024-02-29", "2025-09-15", "0001-01-01"})
    EXPECT_EQ(FormatDate(D(s)), s);
}

TEST(Calendar, AddDurationClampsToTheEndOfTheMonth) {
  EXPECT_EQ(FormatDate(AddDuration(D("2024-01-31"), {1, 0}, +1)), "2024-02-29");
  EXPECT_EQ(FormatDate(AddDuration(D("2023-01-31"), {1, 0}, +1)), "2023-02-28");
  EXPECT_EQ(FormatDate(AddDuration(D("2024-03-31"), {1, 0}, -1)), "2024-02-29");
  EXPECT_EQ(FormatDate(AddDuration(D("2024-05-31"), {1, 0}, +1)), "2024-06-30");
  EXPECT_EQ(FormatDate(AddDuration(D("2024-02-29"), {12, 0}, +1)), "2025-02-28");
  EXPECT_EQ(FormatDate(AddDuration(D("2024-08-31"), {6, 0}, +1)), "2025-02-28");
}

TEST(Calendar, AddDurationCrossesYears) {
  EXPECT_EQ(FormatDate(AddDuration(D("2024-11-15"), {3, 0}, +1)), "2025-02-15");
  EXPECT_EQ(FormatDate(AddDuration(D("2025-02-15"), {3, 0}, -1)), "2024-11-15");
  EXPECT_EQ(FormatDate(AddDuration(D("2025-01-15"), {12, 0}, -1)), "2024-01-15");
  EXPECT_EQ(FormatDate(AddDuration(D("2025-01-15"), {25, 0}, -1)), "2022-12-15");
}

TEST(Calendar, AddDurationDays) {
  EXPECT_EQ(FormatDate(AddDuration(D("2024-01-31"), {0, 30}, +1)), "2024-03-01");
  EXPECT_EQ(FormatDate(AddDuration(D("2024-03-01"), {0, 1}, -1)), "2024-02-29");
  EXPECT_EQ(FormatDate(AddDuration(D("2024-12-25"), {0, 14}, +1)), "2025-01-08");
}

TEST(Calendar, MonthsBetweenCountsWholeMonths) {
  EXPECT_EQ(MonthsBetween(D("2024-01-15"), D("2024-01-15")), 0);
  EXPECT_EQ(MonthsBetween(D("2024-01-15"), D("2024-02-14")), 0);
  EXPECT_EQ(MonthsBetween(D("2024-01-15"), D("2024-02-15")), 1);
  EXPECT_EQ(MonthsBetween(D("2024-01-15"), D("2024-03-14")), 1);
  EXPECT_EQ(MonthsBetween(D("2024-01-15"), D("2024-03-15")), 2);
  EXPECT_EQ(MonthsBetween(D("2023-06-01"), D("2025-06-01")), 24);
  EXPECT_EQ(MonthsBetween(D("2023-06-02"), D("2025-06-01")), 23);
}

TEST(Calendar, MonthsBetweenIsNegativeBackwards) {
  EXPECT_EQ(MonthsBetween(D("2024-03-15"), D("2024-01-15")), -2);
  EXPECT_EQ(MonthsBetween(D("2024-03-14"), D("2024-01-15")), -1);
  EXPECT_EQ(MonthsBetween(D("2024-02-14"), D("2024-01-15")), 0);
}

TEST(Calendar, UnitsAndDurations) {
  auto u = UnitOf("month");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->months, 1);
  EXPECT_EQ(u->days, 0);
  ASSERT_TRUE(UnitOf("years"));
  EXPECT_EQ(UnitOf("years")->months, 12);
  ASSERT_TRUE(UnitOf("weeks"));
  EXPECT_EQ(UnitOf("weeks")->days, 7);
  ASSERT_TRUE(UnitOf("day"));
  EXPECT_EQ(UnitOf("day")->days, 1);
  EXPECT_FALSE(UnitOf("fortnight"));
  EXPECT_FALSE(UnitOf("hrs"));
  ASSERT_TRUE(UnitOf("hours"));
  EXPECT_EQ(UnitOf("hours")->minutes, 60);
  ASSERT_TRUE(UnitOf("minute"));
  EXPECT_EQ(UnitOf("minute")->minutes, 1);

  auto d = ParseDuration("12 months");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->months, 12);
  EXPECT_EQ(d->days, 0);
  d = ParseDuration("30 days");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->months, 0);
  EXPECT_EQ(d->days, 30);
  d = ParseDuration("2 years");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->months, 24);
  d = ParseDuration("6 weeks");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->days, 42);
  EXPECT_FALSE(ParseDuration("months"));
  EXPECT_FALSE(ParseDuration("12"));
  EXPECT_FALSE(ParseDuration("12 parsecs"));
  EXPECT_FALSE(ParseDuration("12 months extra"));
  EXPECT_FALSE(ParseDuration("-3 days"));
  d = ParseDuration("4 hours");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->days, 0);
  EXPECT_EQ(d->minutes, 240);
  d = ParseDuration("36 hours");  // minutes carry into days
  ASSERT_TRUE(d);
  EXPECT_EQ(d->days, 1);
  EXPECT_EQ(d->minutes, 720);
  d = ParseDuration("1440 minutes");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->days, 1);
  EXPECT_EQ(d->minutes, 0);
  EXPECT_FALSE(ParseDuration("999999 years"));  // beyond 32767 months
}

TEST(Calendar, DurationArithmeticAndOrder) {
  Duration four_h{0, 0, 240}, two_d{0, 2, 0}, month{1, 0, 0};
  Duration sum = Add(four_h, two_d, +1);
  EXPECT_EQ(sum.days, 2);
  EXPECT_EQ(sum.minutes, 240);
  Duration diff = Add(two_d, Duration{0, 1, 720}, -1);  // 2 days - 36 hours = 12 hours
  EXPECT_EQ(diff.days, 0);
  EXPECT_EQ(diff.minutes, 720);
  Duration neg = Add(four_h, two_d, -1);  // parts share a sign
  EXPECT_EQ(neg.days, -1);
  EXPECT_EQ(neg.minutes, -1200);
  EXPECT_EQ(Scale(Duration{0, 0, 720}, 3).days, 1);
  EXPECT_EQ(Scale(Duration{0, 0, 720}, 3).minutes, 720);
  int64_t jan1 = *ParseDate("2025-01-01"), feb1 = *ParseDate("2025-02-01");
  EXPECT_EQ(Compare(four_h, two_d, jan1), -1);
  EXPECT_EQ(Compare(Duration{0, 1, 0}, Duration{0, 0, 1440}, jan1), 0);
  // Months are measured on the calendar from the anchor.
  EXPECT_EQ(Compare(month, Duration{0, 31, 0}, jan1), 0);
  EXPECT_EQ(Compare(month, Duration{0, 31, 0}, feb1), -1);
  EXPECT_EQ(Compare(month, Duration{0, 28, 0}, feb1), 0);
  EXPECT_EQ(Compare(Duration{12, 0, 0}, Duration{0, 365, 0}, jan1), 0);
  // A date plus a part of a day stays on its calendar day.
  EXPECT_EQ(FormatDate(AddDuration(jan1, Duration{0, 1, 720}, +1)), "2025-01-02");
}

TEST(Calendar, PackUnpackRoundTrips) {
  for (Duration d : {Duration{0, 0}, Duration{12, 0}, Duration{0, 30}, Duration{3, 10}, Duration{-1, -5},
                     Duration{0, 0, 240}, Duration{0, -3, -90}, Duration{32767, INT32_MAX, 1439},
                     Duration{-32767, INT32_MIN, -1439}}) {
    Duration r = Unpack(Pack(d));
    EXPECT_EQ(r.months, d.months);
    EXPECT_EQ(r.days, d.days);
    EXPECT_EQ(r.minutes, d.minutes);
  }
}

TEST(Calendar, FormatDurationSpellsUnits) {
  EXPECT_EQ(FormatDuration({6, 0}), "6 months");
  EXPECT_EQ(FormatDuration({1, 0}), "1 month");
  EXPECT_EQ(FormatDuration({0, 30}), "30 days");
  EXPECT_EQ(FormatDuration({0, 1}), "1 day");
  EXPECT_EQ(FormatDuration({0, 0, 240}), "4 hours");
  EXPECT_EQ(FormatDuration({0, 1, 720}), "36 hours");
  EXPECT_EQ(FormatDuration({0, 0, 90}), "1 hour 30 minutes");
  EXPECT_EQ(FormatDuration({0, 0, 45}), "45 minutes");
  EXPECT_EQ(FormatDuration({1, 1, 60}), "1 month 25 hours");
  EXPECT_EQ(FormatDuration({0, -1, -720}), "-36 hours");
}

}  // namespace
}  // namespace conform::cal
