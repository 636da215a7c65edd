// The builtin registry and the runtime helpers behind it.
#include "conform/compiler/builtins.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "conform/compiler/calendar.h"
#include "conform/compiler/patterns.h"

using conform::EvalContext;

namespace {
std::string_view Str(EvalContext* c, int64_t id) { return c->strings->Get(id); }
double Dec(int64_t bits) {
  double d;
  std::memcpy(&d, &bits, 8);
  return d;
}
int64_t Bits(double d) {
  int64_t b;
  std::memcpy(&b, &d, 8);
  return b;
}
}  // namespace

extern "C" {
int64_t conform_rt_len(EvalContext* c, const int64_t* a) {
  // Length in characters (UTF-8 code points), not bytes.
  int64_t n = 0;
  for (unsigned char ch : Str(c, a[0])) n += (ch & 0xC0) != 0x80;
  return n;
}
int64_t conform_rt_lower(EvalContext* c, const int64_t* a) {
  std::string s(Str(c, a[0]));
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return c->strings->Intern(s);
}
int64_t conform_rt_upper(EvalContext* c, const int64_t* a) {
  std::string s(Str(c, a[0]));
  for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return c->strings->Intern(s);
}
int64_t conform_rt_contains(EvalContext* c, const int64_t* a) {
  return Str(c, a[0]).find(Str(c, a[1])) != std::string_view::npos;
}
int64_t conform_rt_starts_with(EvalContext* c, const int64_t* a) {
  auto s = Str(c, a[0]);
  auto p = Str(c, a[1]);
  return s.substr(0, p.size()) == p;
}
int64_t conform_rt_ends_with(EvalContext* c, const int64_t* a) {
  auto s = Str(c, a[0]);
  auto p = Str(c, a[1]);
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}
int64_t conform_rt_matches(EvalContext* c, const int64_t* a) {
  // The pattern is a literal, validated at compile time and compiled once per program.
  const auto* re = c->patterns ? c->patterns->Find(a[1]) : nullptr;
  if (re) return conform::PatternSet::FullMatch(*re, Str(c, a[0]));
  return conform::PatternSet::MatchOnce(Str(c, a[1]), Str(c, a[0]));
}
int64_t conform_rt_days_between(EvalContext*, const int64_t* a) { return a[1] - a[0]; }
int64_t conform_rt_months_between(EvalContext*, const int64_t* a) { return conform::cal::MonthsBetween(a[0], a[1]); }
int64_t conform_rt_year(EvalContext*, const int64_t* a) {
  int64_t y;
  unsigned m, d;
  conform::cal::CivilFromDays(a[0], y, m, d);
  return y;
}
int64_t conform_rt_abs_int(EvalContext*, const int64_t* a) { return a[0] < 0 ? -a[0] : a[0]; }
int64_t conform_rt_abs_dec(EvalContext*, const int64_t* a) { return Bits(std::fabs(Dec(a[0]))); }
int64_t conform_rt_sqrt(EvalContext*, const int64_t* a) { return Bits(std::sqrt(Dec(a[0]))); }
// Rounding to int: out-of-range or NaN inputs saturate rather than invoke undefined behaviour.
static int64_t ToInt(double d) {
  if (std::isnan(d)) return 0;
  if (d >= 9.2e18) return INT64_MAX;
  if (d <= -9.2e18) return INT64_MIN;
  return static_cast<int64_t>(d);
}
int64_t conform_rt_ceil(EvalContext*, const int64_t* a) { return ToInt(std::ceil(Dec(a[0]))); }
int64_t conform_rt_floor(EvalContext*, const int64_t* a) { return ToInt(std::floor(Dec(a[0]))); }
int64_t conform_rt_round(EvalContext*, const int64_t* a) { return ToInt(std::round(Dec(a[0]))); }
int64_t conform_rt_concat(EvalContext* c, const int64_t* a) {
  std::string s(Str(c, a[0]));
  s += Str(c, a[1]);
  return c->strings->Intern(s);
}
}

namespace conform {

BuiltinRegistry::BuiltinRegistry() {
  using T = TypeTable;
  auto add = [&](std::string name, std::vector<TypeId> params, TypeId result, std::string symbol, BuiltinFn fn,
                 std::string doc) {
    Builtin b;
    b.name = std::move(name);
    b.params = std::move(params);
    b.result = result;
    b.symbol = std::move(symbol);
    b.fn = fn;
    b.doc = std::move(doc);
    builtins_.push_back(std::move(b));
  };
  add("len", {T::kString}, T::kInt, "conform_rt_len", conform_rt_len, "number of characters in the string");
  add("lower", {T::kString}, T::kString, "conform_rt_lower", conform_rt_lower, "the string in lower case (ASCII letters)");
  add("upper", {T::kString}, T::kString, "conform_rt_upper", conform_rt_upper, "the string in upper case (ASCII letters)");
  add("contains", {T::kString, T::kString}, T::kBool, "conform_rt_contains", conform_rt_contains,
      "true if the second string occurs in the first");
  add("starts_with", {T::kString, T::kString}, T::kBool, "conform_rt_starts_with", conform_rt_starts_with,
      "true if the first string begins with the second");
  add("ends_with", {T::kString, T::kString}, T::kBool, "conform_rt_ends_with", conform_rt_ends_with,
      "true if the first string ends with the second");
  add("matches", {T::kString, T::kString}, T::kBool, "conform_rt_matches", conform_rt_matches,
      "true if the whole string matches the regular expression (RE2 syntax, see below); the pattern must be a "
      "string literal and is checked at compile time");
  add("days_between", {T::kDate, T::kDate}, T::kInt, "conform_rt_days_between", conform_rt_days_between,
      "days from the first date to the second (negative if the second is earlier)");
  add("months_between", {T::kDate, T::kDate}, T::kInt, "conform_rt_months_between", conform_rt_months_between,
      "whole calendar months from the first date to the second");
  add("year", {T::kDate}, T::kInt, "conform_rt_year", conform_rt_year, "the calendar year of a date");
  add("abs", {T::kInt}, T::kInt, "conform_rt_abs_int", conform_rt_abs_int, "absolute value");
  add("abs", {T::kDecimal}, T::kDecimal, "conform_rt_abs_dec", conform_rt_abs_dec, "absolute value");
  add("sqrt", {T::kDecimal}, T::kDecimal, "conform_rt_sqrt", conform_rt_sqrt,
      "square root (of a negative number: NaN, which compares false); e.g. IAF MD 1 sample sizes");
  add("ceil", {T::kDecimal}, T::kInt, "conform_rt_ceil", conform_rt_ceil, "the smallest int not below the number");
  add("floor", {T::kDecimal}, T::kInt, "conform_rt_floor", conform_rt_floor, "the largest int not above the number");
  add("round", {T::kDecimal}, T::kInt, "conform_rt_round", conform_rt_round, "the nearest int (halves away from zero)");
  add("concat", {T::kString, T::kString}, T::kString, "conform_rt_concat", conform_rt_concat,
      "the two strings joined");

  special_ = {
      {"count(L) → int", "number of elements of a list or set"},
      {"count(x in L where p) → int", "number of elements for which `p` is true"},
      {"sum(e for x in L where p)", "sum of an int or decimal expression; unknown values are skipped; 0 if none"},
      {"min(e for x in L where p), max(…)", "smallest / largest int, decimal or date; unknown if there is none"},
      {"avg(e for x in L where p) → decimal", "mean of an int or decimal expression; unknown if there is none"},
      {"distinct(e for x in L where p) → set<T>", "the set of the values of a scalar expression"},
      {"union(e for x in L where p) → set<T>", "the union of a set-valued expression"},
      {"default(e, v) → T", "`e` if it is known, else `v` (never unknown if `v` is known)"},
      {"[x in L where p] → list<T>", "the elements of `L` for which `p` is true, in order (Clause 0.2)"},
      {"a - b, a & b, a + b → set<T>", "difference, intersection, union of sets or lists of scalars (Clause 0.2)"},
      {"a <= b, a < b, a >= b, a > b, a == b", "subset, strict subset, superset, strict superset, equality of sets (Clause 0.2)"},
      {"name(a, …)", "a `def` of the standard or a loaded module, inlined at the call (Clause 0.2)"},
      {"{each e} (in `else`)", "`e` for every failing element of a top-level `all`/`none`: the first 10, then `and N more`"},
      {"clauses(depth) → set<string>", "numbers of the current standard's clauses at nesting depth `depth` "
                                       "(an int literal; 1 = top-level clauses); a compile-time constant"},
  };
}

const BuiltinRegistry& BuiltinRegistry::Default() {
  static const BuiltinRegistry r;
  return r;
}

const Builtin* BuiltinRegistry::Find(const std::string& name, const std::vector<TypeId>& args) const {
  for (const auto& b : builtins_)
    if (b.name == name && b.params == args) return &b;
  return nullptr;
}

bool BuiltinRegistry::HasName(const std::string& name) const {
  return std::any_of(builtins_.begin(), builtins_.end(), [&](const Builtin& b) { return b.name == name; });
}

std::vector<const Builtin*> BuiltinRegistry::Overloads(const std::string& name) const {
  std::vector<const Builtin*> out;
  for (const auto& b : builtins_)
    if (b.name == name) out.push_back(&b);
  return out;
}

static std::string ScalarName(TypeId t) {
  static const char* kNames[] = {"<error>", "bool", "int", "decimal", "string", "date", "duration"};
  return t < 7 ? kNames[t] : "?";
}

std::string BuiltinRegistry::Markdown() const {
  std::string out =
      "# Builtins\n\nGenerated from the builtin registry (`conform builtins`). Every function propagates "
      "unknown: if any argument is unknown, so is the result. An `int` argument converts to `decimal` where a "
      "function takes a decimal.\n\n## Functions\n\n| function | returns | "
      "description | symbol | since |\n|---|---|---|---|---|\n";
  for (const auto& b : builtins_) {
    std::string sig = b.name + "(";
    for (size_t i = 0; i < b.params.size(); ++i) sig += (i ? ", " : "") + ScalarName(b.params[i]);
    sig += ")";
    out += fmt::format("| `{}` | {} | {} | `{}` | {} |\n", sig, ScalarName(b.result), b.doc, b.symbol, b.since);
  }
  out += "\n## Aggregates and special forms\n\n| form | description |\n|---|---|\n";
  for (const auto& s : special_) out += fmt::format("| `{}` | {} |\n", s.signature, s.doc);
  return out + PatternSet::SyntaxMarkdown();
}

std::string BuiltinRegistry::Canonical() const {
  std::string out;
  for (const auto& b : builtins_) {
    out += b.name + "(";
    for (TypeId p : b.params) out += ScalarName(p) + ",";
    out += ")->" + ScalarName(b.result) + ":" + b.symbol + ":" + b.since + "\n";
  }
  return out;
}

}  // namespace conform
