// The builtin registry and the runtime helpers behind it.
#include "conform/compiler/builtins.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
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
// Rounding to int: out-of-range or NaN inputs saturate rather than invoke undefined behaviour.
int64_t ToInt(double d) {
  if (std::isnan(d)) return 0;
  if (d >= 9.2e18) return INT64_MAX;
  if (d <= -9.2e18) return INT64_MIN;
  return static_cast<int64_t>(d);
}
}  // namespace

// A builtin's runtime helper: `CONFORM_BUILTIN(len) { … }` defines extern "C" `conform_rt_len`
// with the one BuiltinFn prototype (arguments `c`, `a`); RT(len) names it in its registry entry
// (symbol and address), so the symbol cannot differ from the function.
#define CONFORM_BUILTIN(name)                                                              \
  extern "C" int64_t conform_rt_##name(EvalContext* c, const int64_t* a);                \
  extern "C" int64_t conform_rt_##name([[maybe_unused]] EvalContext* c, [[maybe_unused]] const int64_t* a)
#define RT(name) "conform_rt_" #name, &conform_rt_##name


CONFORM_BUILTIN(len) {
  // Length in characters (UTF-8 code points), not bytes.
  int64_t n = 0;
  for (unsigned char ch : Str(c, a[0])) n += (ch & 0xC0) != 0x80;
  return n;
}
// lower/upper: a string the mapping leaves as it is keeps its own id — a text has one id
// (LayeredStrings interns each text once, and string equality compares ids), so interning the
// unchanged copy would return it anyway, after a copy, a hash and a lookup per call.
namespace {
template <int (*Map)(int)>
int64_t MapCase(EvalContext* c, int64_t id) {
  std::string_view v = Str(c, id);
  size_t first = 0;
  while (first < v.size() && Map(static_cast<unsigned char>(v[first])) == static_cast<unsigned char>(v[first])) ++first;
  if (first == v.size()) return id;
  std::string s(v);
  for (size_t i = first; i < s.size(); ++i) s[i] = static_cast<char>(Map(static_cast<unsigned char>(s[i])));
  return c->strings->Intern(s);
}
int ToLower(int ch) { return std::tolower(ch); }
int ToUpper(int ch) { return std::toupper(ch); }
}  // namespace
CONFORM_BUILTIN(lower) { return MapCase<ToLower>(c, a[0]); }
CONFORM_BUILTIN(upper) { return MapCase<ToUpper>(c, a[0]); }
CONFORM_BUILTIN(contains) {
  return Str(c, a[0]).find(Str(c, a[1])) != std::string_view::npos;
}
CONFORM_BUILTIN(starts_with) {
  auto s = Str(c, a[0]);
  auto p = Str(c, a[1]);
  return s.substr(0, p.size()) == p;
}
CONFORM_BUILTIN(ends_with) {
  auto s = Str(c, a[0]);
  auto p = Str(c, a[1]);
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}
CONFORM_BUILTIN(matches) {
  // The pattern is a literal, validated at compile time and compiled once per program.
  const auto* re = c->patterns ? c->patterns->Find(a[1]) : nullptr;
  if (re) return conform::PatternSet::FullMatch(*re, Str(c, a[0]));
  return conform::PatternSet::MatchOnce(Str(c, a[1]), Str(c, a[0]));
}
CONFORM_BUILTIN(days_between) { return a[1] - a[0]; }
CONFORM_BUILTIN(months_between) { return conform::cal::MonthsBetween(a[0], a[1]); }
CONFORM_BUILTIN(year) {
  int64_t y;
  unsigned m, d;
  conform::cal::CivilFromDays(a[0], y, m, d);
  return y;
}
// abs of the smallest int is itself (wraps like unary minus; no undefined behaviour).
CONFORM_BUILTIN(abs_int) { return a[0] < 0 ? static_cast<int64_t>(0 - static_cast<uint64_t>(a[0])) : a[0]; }
CONFORM_BUILTIN(abs_dec) { return Bits(std::fabs(Dec(a[0]))); }
CONFORM_BUILTIN(sqrt) { return Bits(std::sqrt(Dec(a[0]))); }
CONFORM_BUILTIN(ceil) { return ToInt(std::ceil(Dec(a[0]))); }
CONFORM_BUILTIN(floor) { return ToInt(std::floor(Dec(a[0]))); }
CONFORM_BUILTIN(round) { return ToInt(std::round(Dec(a[0]))); }
CONFORM_BUILTIN(concat) {
  std::string s(Str(c, a[0]));
  s += Str(c, a[1]);
  return c->strings->Intern(s);
}
CONFORM_BUILTIN(trim) {
  // Leading and trailing white space (space, tab, line breaks) removed; inner space kept.
  std::string_view s = Str(c, a[0]);
  const char* ws = " \t\r\n\f\v";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return c->strings->Intern("");
  return c->strings->Intern(s.substr(b, s.find_last_not_of(ws) - b + 1));
}

namespace conform {

BuiltinRegistry::BuiltinRegistry() {
  using T = TypeTable;
  using K = TypeKind;
  using ir::Op;
  // ---- functions: one entry and one CONFORM_BUILTIN helper each ----
  auto fn = [&](std::string name, std::vector<TypeId> params, TypeId result, const char* symbol, BuiltinFn f,
                std::string doc, std::string since = "0.1") {
    Builtin b;
    b.name = std::move(name);
    b.params = std::move(params);
    b.result = result;
    b.symbol = symbol;
    b.fn = f;
    b.doc = std::move(doc);
    b.since = std::move(since);
    builtins_.push_back(std::move(b));
  };
  fn("len", {T::kString}, T::kInt, RT(len), "number of characters in the string");
  fn("lower", {T::kString}, T::kString, RT(lower), "the string in lower case (ASCII letters)");
  fn("upper", {T::kString}, T::kString, RT(upper), "the string in upper case (ASCII letters)");
  fn("trim", {T::kString}, T::kString, RT(trim),
     "the string without leading and trailing white space (`trim(\" QM-01 \") == \"QM-01\"`)", "0.2");
  fn("contains", {T::kString, T::kString}, T::kBool, RT(contains), "true if the second string occurs in the first");
  fn("starts_with", {T::kString, T::kString}, T::kBool, RT(starts_with), "true if the first string begins with the second");
  fn("ends_with", {T::kString, T::kString}, T::kBool, RT(ends_with), "true if the first string ends with the second");
  fn("matches", {T::kString, T::kString}, T::kBool, RT(matches),
     "true if the whole string matches the regular expression (RE2 syntax, see below); the pattern must be a "
     "string literal and is checked at compile time");
  fn("days_between", {T::kDate, T::kDate}, T::kInt, RT(days_between),
     "days from the first date to the second (negative if the second is earlier)");
  fn("months_between", {T::kDate, T::kDate}, T::kInt, RT(months_between),
     "whole calendar months from the first date to the second");
  fn("year", {T::kDate}, T::kInt, RT(year), "the calendar year of a date");
  fn("abs", {T::kInt}, T::kInt, RT(abs_int), "absolute value");
  fn("abs", {T::kDecimal}, T::kDecimal, RT(abs_dec), "absolute value");
  fn("sqrt", {T::kDecimal}, T::kDecimal, RT(sqrt),
     "square root (of a negative number: NaN, which compares false); e.g. IAF MD 1 sample sizes");
  fn("ceil", {T::kDecimal}, T::kInt, RT(ceil), "the smallest int not below the number");
  fn("floor", {T::kDecimal}, T::kInt, RT(floor), "the largest int not above the number");
  fn("round", {T::kDecimal}, T::kInt, RT(round), "the nearest int (halves away from zero)");
  fn("concat", {T::kString, T::kString}, T::kString, RT(concat), "the two strings joined");

  // ---- aggregates and other forms: evaluated by an IR operation both engines implement ----
  auto form = [&](std::string name, Form f, Op op, std::string signature, std::string doc) -> Builtin& {
    Builtin b;
    b.name = std::move(name);
    b.form = f;
    b.op = op;
    b.signature = std::move(signature);
    b.doc = std::move(doc);
    b.nulls = f == Form::Generic ? NullPolicy::Fallback : f == Form::CompileTime ? NullPolicy::Never
              : f == Form::OfCollection                  ? NullPolicy::Propagate
                                                         : NullPolicy::SkipUnknown;
    builtins_.push_back(std::move(b));
    return builtins_.back();
  };
  const uint32_t kLists = Kinds({K::List, K::Set});
  const uint32_t kNumbers = Kinds({K::Int, K::Decimal});
  const uint32_t kScalars = Kinds({K::Bool, K::Int, K::Decimal, K::String, K::Date, K::Duration, K::Enum});
  Builtin* b = &form("count", Form::OfCollection, Op::Count, "count(L) → int", "number of elements of a list or set");
  b->accepts = kLists;
  b->accepts_doc = "a list or set";
  b->mistake = "for the length of a string use `len(s)`";
  b->result = T::kInt;
  b = &form("count", Form::Iteration, Op::Count, "count(x in L where p) → int",
            "number of elements for which `p` is true (unknown counts as not kept)");
  b->result = T::kInt;
  b = &form("sum", Form::Comprehension, Op::Sum, "sum(e for x in L where p) → T",
            "sum of an int or decimal expression; unknown values are skipped; 0 if none");
  b->accepts = kNumbers;
  b->accepts_doc = "an int or decimal";
  b->rule = ResultRule::Value;
  for (auto [name, op] : {std::pair{"min", Op::Min}, std::pair{"max", Op::Max}}) {
    b = &form(name, Form::Comprehension, op, fmt::format("{}(e for x in L where p) → T", name),
              fmt::format("{} int, decimal, date or duration; unknown values are skipped; unknown if there is none",
                          op == Op::Min ? "smallest" : "largest"));
    b->accepts = Kinds({K::Int, K::Decimal, K::Date, K::Duration});
    b->accepts_doc = "an int, decimal, date or duration";
    b->rule = ResultRule::Value;
    b->can_fail = true;
  }
  b = &form("avg", Form::Comprehension, Op::Avg, "avg(e for x in L where p) → decimal",
            "mean of an int or decimal expression; unknown values are skipped; unknown if there is none");
  b->accepts = kNumbers;
  b->accepts_doc = "an int or decimal";
  b->result = T::kDecimal;
  b->can_fail = true;
  b = &form("distinct", Form::Comprehension, Op::Distinct, "distinct(e for x in L where p) → set<T>",
            "the set of the known values of a scalar expression");
  b->accepts = Kinds({K::String, K::Int, K::Date, K::Enum, K::Bool});
  b->accepts_doc = "a string, int, date, bool or enum";
  b->rule = ResultRule::SetOfValue;
  b = &form("union", Form::Comprehension, Op::Union, "union(e for x in L where p) → set<T>",
            "the union of a set-valued expression (unknown values are skipped)");
  b->accepts = kLists;
  b->elem_accepts = kScalars;
  b->accepts_doc = "a set or list of scalars";
  b->rule = ResultRule::SetOfElement;
  b = &form("default", Form::Generic, Op::Default, "default(e, v) → T",
            "`e` if it is known, else `v` (never unknown if `v` is known)");
  b->accepts = kScalars | Kinds({K::Entity, K::List, K::Set});
  b->accepts_doc = "two values of one type";
  b->rule = ResultRule::Value;
  b = &form("clauses", Form::CompileTime, Op::SetLit, "clauses(depth) → set<string>",
            "numbers of the current standard's clauses at nesting depth `depth` (an int literal; 1 = top-level "
            "clauses); a compile-time constant");
  b->result = T::kString;
  b->rule = ResultRule::SetOfValue;

  special_ = {
      {"[x in L where p] → list<T>", "the elements of `L` for which `p` is true, in order (Clause 0.2)"},
      {"a - b, a & b, a + b → set<T>", "difference, intersection, union of sets or lists of scalars (Clause 0.2)"},
      {"a <= b, a < b, a >= b, a > b, a == b", "subset, strict subset, superset, strict superset, equality of sets (Clause 0.2)"},
      {"name(a, …)", "a `def` of the standard or a loaded module, inlined at the call (Clause 0.2)"},
      {"{each e} (in `else`)", "`e` for every failing element of a top-level `all`/`none`: the first 10, then `and N more`"},
  };
}

const BuiltinRegistry& BuiltinRegistry::Default() {
  static const BuiltinRegistry r;
  return r;
}

const Builtin* BuiltinRegistry::Find(const std::string& name, const std::vector<TypeId>& args) const {
  for (const auto& b : builtins_)
    if (b.form == Form::Function && b.name == name && b.params == args) return &b;
  return nullptr;
}

const Builtin* BuiltinRegistry::FindForm(const std::string& name, Form form) const {
  for (const auto& b : builtins_)
    if (b.form == form && b.name == name) return &b;
  return nullptr;
}

const Builtin* BuiltinRegistry::BySymbol(std::string_view symbol) const {
  for (const auto& b : builtins_)
    if (b.form == Form::Function && b.symbol == symbol) return &b;
  return nullptr;
}

bool BuiltinRegistry::HasName(const std::string& name) const {
  return std::any_of(builtins_.begin(), builtins_.end(), [&](const Builtin& b) { return b.name == name; });
}

std::vector<const Builtin*> BuiltinRegistry::Overloads(const std::string& name) const {
  std::vector<const Builtin*> out;
  for (const auto& b : builtins_)
    if (b.form == Form::Function && b.name == name) out.push_back(&b);
  return out;
}

std::vector<const Builtin*> BuiltinRegistry::Named(const std::string& name) const {
  std::vector<const Builtin*> out;
  for (const auto& b : builtins_)
    if (b.name == name) out.push_back(&b);
  return out;
}

const char* FormName(Form f) {
  switch (f) {
    case Form::Function: return "function";
    case Form::Generic: return "generic";
    case Form::OfCollection: return "of-collection";
    case Form::Iteration: return "iteration";
    case Form::Comprehension: return "comprehension";
    case Form::CompileTime: return "compile-time";
  }
  return "?";
}

const char* NullPolicyName(NullPolicy n) {
  switch (n) {
    case NullPolicy::Propagate: return "propagate";
    case NullPolicy::SkipUnknown: return "skip-unknown";
    case NullPolicy::Fallback: return "fallback";
    case NullPolicy::Never: return "never";
  }
  return "?";
}

static std::string ScalarName(TypeId t) {
  static const char* kNames[] = {"<error>", "bool", "int", "decimal", "string", "date", "duration"};
  return t < 7 ? kNames[t] : "?";
}

std::string Builtin::Signature() const {
  if (form != Form::Function) return signature;
  std::string sig = name + "(";
  for (size_t i = 0; i < params.size(); ++i) sig += (i ? ", " : "") + ScalarName(params[i]);
  return sig + ")";
}

std::vector<std::string> BuiltinRegistry::Problems() const {
  std::vector<std::string> out;
  for (size_t i = 0; i < builtins_.size(); ++i) {
    const Builtin& b = builtins_[i];
    auto bad = [&](const std::string& why) { out.push_back(fmt::format("{} ({}): {}", b.Signature(), FormName(b.form), why)); };
    if (b.name.empty() || b.doc.empty() || b.since.empty()) bad("needs a name, a doc and a `since`");
    for (size_t k = 0; k < i; ++k) {
      const Builtin& o = builtins_[k];
      if (b.form == Form::Function && o.form == Form::Function && b.symbol == o.symbol) bad("symbol used twice");
      if (b.name == o.name && b.form == o.form && (b.form != Form::Function || b.params == o.params))
        bad("declared twice");
    }
    if (b.form == Form::Function) {
      // Both engines call a helper only with known arguments (Op::Call): no other policy.
      if (b.nulls != NullPolicy::Propagate) bad("a function's helper only sees known arguments: nulls must be Propagate");
      if (b.op != ir::Op::Call || !b.fn || b.symbol.rfind("conform_rt_", 0) != 0) bad("needs a conform_rt_ helper");
      if (b.params.size() > 8) bad("at most 8 parameters");
      for (TypeId t : b.params)
        if (t == TypeTable::kError || t > TypeTable::kDuration) bad("parameters are scalar");
    } else {
      if (b.op == ir::Op::Call || b.fn || !b.symbol.empty()) bad("a form is an IR operation, not a helper");
      if (b.signature.rfind(b.name + "(", 0) != 0) bad("its documented signature must start with the name");
      bool policy_fits = b.form == Form::Generic       ? b.nulls == NullPolicy::Fallback || b.nulls == NullPolicy::Propagate
                         : b.form == Form::CompileTime ? b.nulls == NullPolicy::Never
                         : b.form == Form::OfCollection ? b.nulls == NullPolicy::Propagate
                                                        : b.nulls == NullPolicy::SkipUnknown;
      if (!policy_fits) bad(fmt::format("null policy {} does not fit the form", NullPolicyName(b.nulls)));
      if ((b.form == Form::Comprehension || b.form == Form::OfCollection || b.form == Form::Generic) && !b.accepts)
        bad("accepts no value type");
      if (b.rule == ResultRule::SetOfElement && !b.elem_accepts) bad("accepts no element type");
    }
  }
  return out;
}

// When the result is unknown, from the null policy and can_fail.
static std::string UnknownWhen(const Builtin& b) {
  std::string s;
  switch (b.nulls) {
    case NullPolicy::Propagate: s = b.form == Form::OfCollection ? "the list is" : "an argument is"; break;
    case NullPolicy::SkipUnknown: s = "the list is (unknown values are skipped)"; break;
    case NullPolicy::Fallback: s = "both are"; break;
    case NullPolicy::Never: s = "never"; break;
  }
  if (b.can_fail) s += "; or there is no value";
  return s;
}

std::string BuiltinRegistry::Markdown() const {
  std::string out =
      "# Builtins\n\nGenerated from the builtin registry (`conform builtins`; compiler/builtins.cc). Each builtin is "
      "declared once there: its name, signature, null policy (when the result is unknown), whether it may be "
      "unknown on known inputs, and how the engines evaluate it. An `int` argument converts to `decimal` where a "
      "function takes a decimal.\n\n## Functions\n\nA function's result is unknown if an argument is unknown (the "
      "function never sees an unknown value).\n\n| function | returns | description | symbol | since |\n"
      "|---|---|---|---|---|\n";
  for (const auto& b : builtins_)
    if (b.form == Form::Function)
      out += fmt::format("| `{}` | {} | {} | `{}` | {} |\n", b.Signature(), ScalarName(b.result), b.doc, b.symbol, b.since);
  out += "\n## Aggregates and other forms\n\n| form | unknown when | description | since |\n|---|---|---|---|\n";
  for (const auto& b : builtins_)
    if (b.form != Form::Function) out += fmt::format("| `{}` | {} | {} | {} |\n", b.signature, UnknownWhen(b), b.doc, b.since);
  out += "\n## Other syntax documented here\n\n| form | description |\n|---|---|\n";
  for (const auto& s : special_) out += fmt::format("| `{}` | {} |\n", s.signature, s.doc);
  out += R"md(
## Adding a builtin

A builtin is one registry entry plus, for a function, its runtime helper; both are in
compiler/builtins.cc. The type checker, both engines (the interpreter calls the helper, the
JIT calls it by its symbol), the IR (which names it by symbol), the compile cache key, the
language server and this page all read the entry. `trim` (Clause 0.2) was added this way:

```cpp
CONFORM_BUILTIN(trim) {  // extern "C" int64_t conform_rt_trim(EvalContext* c, const int64_t* a)
  std::string_view s = Str(c, a[0]);
  …
  return c->strings->Intern(s.substr(b, e - b));
}
// in BuiltinRegistry::BuiltinRegistry():
fn("trim", {T::kString}, T::kString, RT(trim), "the string without leading and trailing white space", "0.2");
```

Then regenerate this page (`conform builtins > docs/builtins.md`; a test compares them) and add
conformance cases (tests/conformance/cases, run on both engines). A function's helper has the
one prototype `int64_t(EvalContext*, const int64_t* args)`: arguments and result in slot
encoding (strings are ids in `c->strings`, decimals are double bits, dates are days). Its
result is unknown when an argument is (null policy *propagate*, the only one a helper can
have). An aggregate or another form is an entry with its form, accepted value kinds, result
rule, null policy, `can_fail` and the IR operation both engines already evaluate (`sum` is
`Op::Sum`); a new IR operation also needs a case in each engine.
)md";
  return out + PatternSet::SyntaxMarkdown();
}

std::string BuiltinRegistry::Canonical() const {
  std::string out;
  for (const auto& b : builtins_) {
    out += fmt::format("{} {}(", FormName(b.form), b.name);
    for (TypeId p : b.params) out += ScalarName(p) + ",";
    out += fmt::format(")->{} rule={} accepts={:x}/{:x} op={} nulls={} can_fail={} {} {}\n", ScalarName(b.result),
                       static_cast<int>(b.rule), b.accepts, b.elem_accepts, ir::OpName(b.op), NullPolicyName(b.nulls),
                       b.can_fail, b.symbol, b.since);
  }
  return out;
}

}  // namespace conform
