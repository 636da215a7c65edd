// Dates (days since 1970-01-01, proleptic Gregorian) and durations (months + days + minutes).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace conform::cal {

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d);
// Strict YYYY-MM-DD with a real calendar day; nullopt otherwise.
std::optional<int64_t> ParseDate(std::string_view s);
std::string FormatDate(int64_t days);

// A duration is a number of months, a number of days and a part of a day in minutes. Months
// and days stay apart (a month has no fixed length); minutes carry into days, so `36 hours` is
// 1 day and 720 minutes and `24 hours` is `1 day`. Packed into one int64 slot: months in bits
// 48–63 (int16), days in bits 16–47 (int32), minutes in bits 0–15 (int16, |minutes| < 1440,
// with the sign of the days).
struct Duration {
  int32_t months = 0;
  int32_t days = 0;
  int32_t minutes = 0;
};
inline constexpr int32_t kMinutesPerDay = 1440;
inline constexpr int64_t kMaxMonths = 32767;
// Carries whole days out of `minutes` (truncating toward zero, so the parts share a sign).
Duration Normalize(int64_t months, int64_t days, int64_t minutes);
inline int64_t Pack(Duration d) {
  return static_cast<int64_t>((static_cast<uint64_t>(static_cast<uint16_t>(d.months)) << 48) |
                              (static_cast<uint64_t>(static_cast<uint32_t>(d.days)) << 16) |
                              static_cast<uint16_t>(d.minutes));
}
inline Duration Unpack(int64_t v) {
  uint64_t u = static_cast<uint64_t>(v);
  return {static_cast<int16_t>(u >> 48), static_cast<int32_t>(static_cast<uint32_t>(u >> 16)),
          static_cast<int16_t>(u & 0xffff)};
}
// Whether months fit the packed form (days and minutes always do after Normalize from int32).
inline bool Representable(int64_t months, int64_t days, int64_t minutes) {
  int64_t total_days = days + minutes / kMinutesPerDay;
  return months >= -kMaxMonths && months <= kMaxMonths && total_days >= INT32_MIN && total_days <= INT32_MAX;
}
// Duration arithmetic, shared by both engines (the JIT calls the packed forms in rt_helpers).
Duration Add(Duration a, Duration b, int sign);
Duration Scale(Duration a, int64_t k);
// Orders two durations by the point in time each reaches from `anchor` (a date): exact for
// durations without months, and calendar-true for months (1 month < 31 days from 2025-02-01,
// == 31 days from 2025-01-01). Returns -1, 0, 1.
int Compare(Duration a, Duration b, int64_t anchor);
// "12 months", "30 days", "2 years", "6 weeks", "1 month", "4 hours", "90 minutes"; nullopt if
// malformed or out of range.
std::optional<Duration> ParseDuration(std::string_view s);
// Unit word → one unit as a duration (months, days or minutes); nullopt if unknown.
std::optional<Duration> UnitOf(std::string_view unit);
std::string FormatDuration(Duration d);
// Month arithmetic clamps to the end of the month (2024-01-31 + 1 month = 2024-02-29). Dates are
// calendar days: the part of a day (minutes) is ignored (2025-01-01 + 36 hours = 2025-01-02).
int64_t AddDuration(int64_t date, Duration d, int sign);
// Whole calendar months from a to b (negative if b < a).
int64_t MonthsBetween(int64_t a, int64_t b);

}  // namespace conform::cal
