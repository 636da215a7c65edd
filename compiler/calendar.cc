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

std::optional<Duration> UnitOf(std::string_view u) {
  if (u == "day" || u == "days") return Duration{0, 1};
  if (u == "week" || u == "weeks") return Duration{0, 7};
  if (u == "month" || u == "months") return Duration{1, 0};
  if (u == "year" || u == "years") return Duration{12, 0};
  return std::nullopt;
}

std::optional<Duration> ParseDuration(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  size_t start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == start || i - start > 6) return std::nullopt;
  int n = 0;
  std::from_chars(s.data() + start, s.data() + i, n);
  while (i < s.size() && s[i] == ' ') ++i;
  size_t ustart = i;
  while (i < s.size() && s[i] != ' ') ++i;
  std::string_view unit = s.substr(ustart, i - ustart);
  while (i < s.size() && s[i] == ' ') ++i;
  if (i != s.size()) return std::nullopt;
  auto u = UnitOf(unit);
  if (!u) return std::nullopt;
  return Duration{u->months * n, u->days * n};
}

std::string FormatDuration(Duration d) {
  // Printed as written in rules and evidence: months stay months, days stay days.
  auto one = [](int32_t n, const char* unit) { return fmt::format("{} {}{}", n, unit, n == 1 || n == -1 ? "" : "s"); };
  if (d.months == 0 && d.days == 0) return "0 days";
  std::string out;
  if (d.months) out = one(d.months, "month");
  if (d.days) {
    if (!out.empty()) out += " ";
    out += one(d.days, "day");
  }
  return out;
}

int64_t AddDuration(int64_t date, Duration dur, int sign) {
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
