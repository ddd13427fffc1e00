// Calendar dates as days since 1970-01-01 (proleptic Gregorian), with strict ISO-8601
// (YYYY-MM-DD) parsing and formatting. Years 0001 to 9999 are representable.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace clientrisk {
inline namespace v1 {

struct CivilDate {
  int year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

namespace detail {

constexpr bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr unsigned days_in_month(int y, unsigned m) {
  constexpr unsigned len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

// Days since 1970-01-01 of a valid civil date. Counts in 400-year eras of 146097 days,
// with years starting in March so that the leap day falls at the end of the year.
constexpr std::int32_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int32_t>(era * 146097 + static_cast<int>(doe) - 719468);
}

// A day as the year of years that start in March (March of year 0 is the first) and the day
// of that year, 0 for March 1st: the first steps of civil_from_days() and month_from_days().
struct MarchDay {
  std::int64_t year;
  unsigned day;
};

constexpr MarchDay march_day(std::int32_t z) {
  const std::int64_t zz = static_cast<std::int64_t>(z) + 719468;
  const std::int64_t era = (zz >= 0 ? zz : zz - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(zz - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  return {yoe + era * 400, doe - (365 * yoe + yoe / 4 - yoe / 100)};
}

constexpr CivilDate civil_from_days(std::int32_t z) {
  const MarchDay md = march_day(z);
  const unsigned mp = (5 * md.day + 2) / 153;
  const unsigned d = md.day - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const int y = static_cast<int>(md.year) + (m <= 2 ? 1 : 0);
  return {y, m, d};
}

// The first day of each month from January 1970 to January 2150: month_from_days() reads the
// months of those years from it.
inline constexpr int kTabledMonths = 180 * 12;
inline constexpr auto month_starts = [] {
  std::array<std::int32_t, kTabledMonths + 1> t{};
  for (int m = 0; m <= kTabledMonths; ++m)
    t[static_cast<std::size_t>(m)] = days_from_civil(1970 + m / 12, static_cast<unsigned>(m % 12 + 1), 1);
  return t;
}();

// Months since January 1970 of a day: civil_from_days() without the day of the month. In
// years that start in March, month mp (0 for March) of year y is month (y - 1970) * 12 + mp + 2
// of the calendar, in January and February of the next year too.
constexpr std::int32_t month_from_days(std::int32_t z) {
  if (z >= 0 && z < month_starts.back()) {
    // z / 30.436875 (days in a month on average) as z * 2153 / 2^16: the month or a neighbour.
    auto m = static_cast<std::size_t>((static_cast<std::uint32_t>(z) * 2153u) >> 16);
    if (month_starts[m + 1] <= z)
      ++m;
    else if (month_starts[m] > z)
      --m;
    return static_cast<std::int32_t>(m);
  }
  const MarchDay md = march_day(z);
  const unsigned mp = (5 * md.day + 2) / 153;
  return static_cast<std::int32_t>((md.year - 1970) * 12 + mp + 2);
}

}  // namespace detail

class Date {
 public:
  constexpr Date() = default;
  static constexpr Date from_days(std::int32_t days) { return Date(days); }
  // Throws nothing; returns nullopt for an impossible date (2024-02-30) or a year outside 1..9999.
  static constexpr std::optional<Date> from_civil(int year, unsigned month, unsigned day) {
    if (year < 1 || year > 9999 || month < 1 || month > 12) return std::nullopt;
    if (day < 1 || day > detail::days_in_month(year, month)) return std::nullopt;
    return Date(detail::days_from_civil(year, month, day));
  }

  // Strict YYYY-MM-DD: exactly ten characters, digits and dashes, a date that exists.
  static constexpr std::optional<Date> parse(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    int v[3] = {0, 0, 0};
    const int starts[3] = {0, 5, 8}, lens[3] = {4, 2, 2};
    for (int f = 0; f < 3; ++f) {
      for (int k = 0; k < lens[f]; ++k) {
        char c = s[static_cast<std::size_t>(starts[f] + k)];
        if (c < '0' || c > '9') return std::nullopt;
        v[f] = v[f] * 10 + (c - '0');
      }
    }
    return from_civil(v[0], static_cast<unsigned>(v[1]), static_cast<unsigned>(v[2]));
  }

  constexpr std::int32_t days() const { return days_; }
  constexpr CivilDate civil() const { return detail::civil_from_days(days_); }
  // Months since January 1970 (negative before): the index of monthly buckets.
  constexpr std::int32_t month_index() const { return detail::month_from_days(days_); }

  // YYYY-MM-DD; a date reached by arithmetic outside years 1..9999 prints its year in full.
  std::string to_string() const {
    CivilDate c = civil();
    if (c.year < 1 || c.year > 9999) {
      char out[32];
      std::snprintf(out, sizeof out, "%d-%02u-%02u", c.year, c.month, c.day);
      return out;
    }
    char buf[11];
    int y = c.year;
    for (int k = 3; k >= 0; --k) { buf[k] = static_cast<char>('0' + y % 10); y /= 10; }
    buf[4] = '-';
    buf[5] = static_cast<char>('0' + c.month / 10);
    buf[6] = static_cast<char>('0' + c.month % 10);
    buf[7] = '-';
    buf[8] = static_cast<char>('0' + c.day / 10);
    buf[9] = static_cast<char>('0' + c.day % 10);
    buf[10] = '\0';
    return std::string(buf, 10);
  }

  constexpr Date operator+(std::int32_t n) const { return Date(days_ + n); }
  constexpr Date operator-(std::int32_t n) const { return Date(days_ - n); }
  friend constexpr std::int32_t operator-(Date a, Date b) { return a.days_ - b.days_; }
  friend constexpr auto operator<=>(Date, Date) = default;
  friend constexpr bool operator==(Date, Date) = default;

 private:
  constexpr explicit Date(std::int32_t d) : days_(d) {}
  std::int32_t days_ = 0;
};

// Whether d falls in the years 0001 to 9999, the range of the event format and of every
// computation on dates.
constexpr bool in_calendar(Date d) {
  constexpr Date first = *Date::from_civil(1, 1, 1), last = *Date::from_civil(9999, 12, 31);  // folded at compile time
  return d >= first && d <= last;
}

}  // namespace v1
}  // namespace clientrisk
