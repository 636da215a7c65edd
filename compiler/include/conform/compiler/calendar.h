// Dates (days since 1970-01-01, proleptic Gregorian) and durations (months + days).
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

// A duration is a number of months and a number of days; packed into one int64 slot.
struct Duration {
  int32_t months = 0;
  int32_t days = 0;
};
inline int64_t Pack(Duration d) {
  return static_cast<int64_t>((static_cast<uint64_t>(static_cast<uint32_t>(d.months)) << 32) |
                              static_cast<uint32_t>(d.days));
}
inline Duration Unpack(int64_t v) {
  return {static_cast<int32_t>(static_cast<uint64_t>(v) >> 32), static_cast<int32_t>(v & 0xffffffff)};
}
// "12 months", "30 days", "2 years", "6 weeks", "1 month"; nullopt if malformed.
std::optional<Duration> ParseDuration(std::string_view s);
// Unit word → (months per unit, days per unit); nullopt if unknown.
std::optional<Duration> UnitOf(std::string_view unit);
std::string FormatDuration(Duration d);
// Month arithmetic clamps to the end of the month (2024-01-31 + 1 month = 2024-02-29).
int64_t AddDuration(int64_t date, Duration d, int sign);
// Whole calendar months from a to b (negative if b < a).
int64_t MonthsBetween(int64_t a, int64_t b);

}  // namespace conform::cal
