// Calendar arithmetic (H. Hinnant's civil-date algorithms).
#include "conform/compiler/calendar.h"

#include <fmt/format.h>

#include <charconv>

namespace conform::cal {

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

static unsigned DaysInMonth(int64_t y, unsigned m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

std::optional<int64_t> ParseDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  unsigned m = (s[5] - '0') * 10 + (s[6] - '0');
  unsigned d = (s[8] - '0') * 10 + (s[9] - '0');
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) return std::nullopt;
  return DaysFromCivil(y, m, d);
}

std::string FormatDate(int64_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

Duration Normalize(int64_t months, int64_t days, int64_t minutes) {
  int64_t total = days * kMinutesPerDay + minutes;
  return {static_cast<int32_t>(months), static_cast<int32_t>(total / kMinutesPerDay),
          static_cast<int32_t>(total % kMinutesPerDay)};
}

std::optional<Duration> UnitOf(std::string_view u) {
  if (u == "minute" || u == "minutes") return Duration{0, 0, 1};
  if (u == "hour" || u == "hours") return Duration{0, 0, 60};
  if (u == "day" || u == "days") return Duration{0, 1, 0};
  if (u == "week" || u == "weeks") return Duration{0, 7, 0};
  if (u == "month" || u == "months") return Duration{1, 0, 0};
  if (u == "year" || u == "years") return Duration{12, 0, 0};
  return std::nullopt;
}

std::optional<Duration> ParseDuration(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  size_t start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == start || i - start > 6) return std::nullopt;
  int64_t n = 0;
  std::from_chars(s.data() + start, s.data() + i, n);
  while (i < s.size() && s[i] == ' ') ++i;
  size_t ustart = i;
  while (i < s.size() && s[i] != ' ') ++i;
  std::string_view unit = s.substr(ustart, i - ustart);
  while (i < s.size() && s[i] == ' ') ++i;
  if (i != s.size()) return std::nullopt;
  auto u = UnitOf(unit);
  if (!u) return std::nullopt;
  if (!Representable(u->months * n, u->days * n, u->minutes * n)) return std::nullopt;
  return Normalize(u->months * n, u->days * n, u->minutes * n);
}

std::string FormatDuration(Duration d) {
  // Months stay months and days stay days; a duration with a part of a day prints in hours
  // and minutes (`36 hours`, `1 hour 30 minutes`), as a recovery time objective is written.
  auto one = [](int64_t n, const char* unit) { return fmt::format("{} {}{}", n, unit, n == 1 || n == -1 ? "" : "s"); };
  if (d.months == 0 && d.days == 0 && d.minutes == 0) return "0 days";
  std::string out;
  auto add = [&](std::string part) {
    if (!out.empty()) out += " ";
    out += part;
  };
  if (d.months) add(one(d.months, "month"));
  if (d.minutes == 0) {
    if (d.days) add(one(d.days, "day"));
  } else {
    int64_t total = static_cast<int64_t>(d.days) * kMinutesPerDay + d.minutes;
    if (total / 60) add(one(total / 60, "hour"));
    if (total % 60) add(one(total % 60, "minute"));
  }
  return out;
}

Duration Add(Duration a, Duration b, int sign) {
  return Normalize(static_cast<int64_t>(a.months) + sign * static_cast<int64_t>(b.months),
                   static_cast<int64_t>(a.days) + sign * static_cast<int64_t>(b.days),
                   static_cast<int64_t>(a.minutes) + sign * static_cast<int64_t>(b.minutes));
}

Duration Scale(Duration a, int64_t k) {
  // Wraps like int64 arithmetic on overflow (both engines call this one function).
  auto mul = [](int64_t x, int64_t y) { return static_cast<int64_t>(static_cast<uint64_t>(x) * static_cast<uint64_t>(y)); };
  return Normalize(mul(a.months, k), mul(a.days, k), mul(a.minutes, k));
}

int Compare(Duration a, Duration b, int64_t anchor) {
  auto key = [&](Duration d) {
    int64_t month_days = d.months ? AddDuration(anchor, {d.months, 0, 0}, +1) - anchor : 0;
    return (month_days + d.days) * kMinutesPerDay + d.minutes;
  };
  int64_t x = key(a), y = key(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

int64_t AddDuration(int64_t date, Duration dur, int sign) {
  // Without months the calendar plays no part (the generated code inlines this case).
  if (dur.months == 0) return date + static_cast<int64_t>(sign) * dur.days;
  int64_t y;
  unsigned m, d;
  CivilFromDays(date, y, m, d);
  int64_t total = y * 12 + (m - 1) + static_cast<int64_t>(sign) * dur.months;
  int64_t ny = total >= 0 ? total / 12 : (total - 11) / 12;
  unsigned nm = static_cast<unsigned>(total - ny * 12) + 1;
  unsigned nd = std::min(d, DaysInMonth(ny, nm));
  return DaysFromCivil(ny, nm, nd) + static_cast<int64_t>(sign) * dur.days;
}

int64_t MonthsBetween(int64_t a, int64_t b) {
  int64_t ya, yb;
  unsigned ma, mb, da, db;
  CivilFromDays(a, ya, ma, da);
  CivilFromDays(b, yb, mb, db);
  int64_t months = (yb - ya) * 12 + (static_cast<int64_t>(mb) - ma);
  if (months > 0 && db < da) --months;
  if (months < 0 && db > da) ++months;
  return months;
}

}  // namespace conform::cal
