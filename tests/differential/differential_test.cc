// Randomized differential test: random well-typed rule sets over random evidence, evaluated by
// the interpreter (the oracle) and the JIT; verdicts and messages must agree exactly.
// Seeded (CONFORM_DIFF_SEED), bounded by a number of programs (CONFORM_DIFF_PROGRAMS) and a
// time cap, so it stays fast in the suite and can be run long by hand.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <random>

#include "conform/compiler/calendar.h"
#include "conform/compiler/driver.h"
#include "conform/compiler/jit.h"
#include "conform/runtime/evidence.h"
#include "conform/runtime/report.h"

namespace conform {
namespace {

const char* kSchema = R"(
schema fuzz {
  enum st { draft, approved, obsolete }
  entity sub { k: int  label: string? }
  entity item {
    code: string
    n: int
    x: decimal?
    d: date?
    dur: duration?
    st: st
    tags: set<string>
    flag: bool?
    subs: list<sub>?
  }
  root org {
    name: string
    headcount: int?
    ratio: decimal?
    since: date?
    status: st?
    tags: set<string>?
    items: list<item>?
  }
}
)";

enum class T { Bool, Int, Dec, Str, Date, Dur, Enum, Set };

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}

  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool Coin(int percent = 50) { return Pick(100) < percent; }

  std::string Str() {
    static const char* kStrs[] = {"\"8.3\"", "\"8.3.1\"", "\"8.30\"", "\"A-1\"", "\"a-1\"", "\"QP-01\"", "\"\"", "\"2\"", "\" QP-01 \""};
    return kStrs[Pick(9)];
  }
  std::string DateLit() { return fmt::format("2025-{:02}-{:02}", 1 + Pick(12), 1 + Pick(28)); }
  std::string DurLit() {
    static const char* kUnits[] = {"days", "months", "weeks", "years", "hours", "minutes"};
    int unit = Pick(6);
    return fmt::format("{} {}", unit == 5 ? 1 + Pick(3000) : unit == 4 ? 1 + Pick(80) : 1 + Pick(14), kUnits[unit]);
  }

  // An expression of type t. `item` is the name of a bound item variable, or "".
  std::string E(T t, int depth, const std::string& item) {
    bool leaf = depth <= 0;
    const std::string& x = item;
    switch (t) {
      case T::Int: {
        int k = leaf ? Pick(3) : Pick(15);
        switch (k) {
          case 0: return std::to_string(Pick(20) - 5);
          case 1: return x.empty() ? "default(headcount, 3)" : x + ".n";
          case 2: return "count(items)";
          case 3: return fmt::format("({} + {})", E(T::Int, depth - 1, x), E(T::Int, depth - 1, x));
          case 4: return fmt::format("({} - {})", E(T::Int, depth - 1, x), E(T::Int, depth - 1, x));
          case 5: return fmt::format("({} * {})", E(T::Int, depth - 1, x), std::to_string(Pick(4)));
          case 6: return fmt::format("({} / {})", E(T::Int, depth - 1, x), E(T::Int, depth - 1, x));
          case 7: return fmt::format("({} % {})", E(T::Int, depth - 1, x), E(T::Int, depth - 1, x));
          case 8: return fmt::format("count(y in items where {})", E(T::Bool, depth - 1, "y"));
          case 9: return fmt::format("sum(y.n for y in items where {})", E(T::Bool, depth - 1, "y"));
          case 10: return fmt::format("{}(y.n for y in items)", Coin() ? "min" : "max");
          case 11: return fmt::format("len({})", E(T::Str, depth - 1, x));
          case 12: return fmt::format("days_between({}, {})", E(T::Date, depth - 1, x), E(T::Date, depth - 1, x));
          case 13: return Coin() ? fmt::format("months_between({}, {})", E(T::Date, depth - 1, x), E(T::Date, depth - 1, x))
                                 : fmt::format("(if {} then {} else {})", E(T::Bool, depth - 1, x), E(T::Int, depth - 1, x),
                                               E(T::Int, depth - 1, x));
          default: return fmt::format("({} - {})", E(T::Date, depth - 1, x), E(T::Date, depth - 1, x));
        }
      }
      case T::Dec: {
        int k = leaf ? Pick(3) : Pick(8);
        switch (k) {
          case 0: return fmt::format("{}.{}", Pick(5), Pick(10));
          case 1: return x.empty() ? "ratio" : x + ".x";
          case 2: return "ratio";
          case 3: return fmt::format("({} + {})", E(T::Dec, depth - 1, x), E(T::Dec, depth - 1, x));
          case 4: return fmt::format("({} * {})", E(T::Dec, depth - 1, x), E(T::Int, depth - 1, x));
          case 5: return fmt::format("avg(y.n for y in items where {})", E(T::Bool, depth - 1, "y"));
          case 6: return fmt::format("sum(y.x for y in items)");
          default: return fmt::format("({} / {})", E(T::Dec, depth - 1, x), E(T::Dec, depth - 1, x));
        }
      }
      case T::Str: {
        int k = leaf ? Pick(3) : Pick(4);
        switch (k) {
          case 0: return Str();
          case 1: return x.empty() ? "name" : x + ".code";
          case 2: return "name";
          default: {
            static const char* kFns[] = {"lower", "upper", "trim"};
            return fmt::format("{}({})", kFns[Pick(3)], E(T::Str, depth - 1, x));
          }
        }
      }
      case T::Date: {
        int k = leaf ? Pick(3) : Pick(7);
        switch (k) {
          case 0: return DateLit();
          case 1: return x.empty() ? "since" : x + ".d";
          case 2: return "as_of";
          case 3: return fmt::format("({} + {})", E(T::Date, depth - 1, x), E(T::Dur, depth - 1, x));
          case 4: return fmt::format("({} - {})", E(T::Date, depth - 1, x), E(T::Dur, depth - 1, x));
          case 5: return fmt::format("{}(y.d for y in items where {})", Coin() ? "min" : "max", E(T::Bool, depth - 1, "y"));
          default: return fmt::format("default({}, {})", x.empty() ? "since" : x + ".d", DateLit());
        }
      }
      case T::Dur: {
        int k = leaf ? Pick(3) : Pick(7);
        switch (k) {
          case 0: return DurLit();
          case 1: return x.empty() ? "interval" : x + ".dur";
          case 2: return "interval";
          case 3: return fmt::format("({} + {})", E(T::Dur, depth - 1, x), E(T::Dur, depth - 1, x));
          case 4: return fmt::format("({} - {})", E(T::Dur, depth - 1, x), E(T::Dur, depth - 1, x));
          case 5: return fmt::format("{}(y.dur for y in items where {})", Coin() ? "min" : "max", E(T::Bool, depth - 1, "y"));
          default: return fmt::format("({} * {})", E(T::Dur, depth - 1, x), Pick(3));
        }
      }
      case T::Enum: {
        static const char* kMembers[] = {"draft", "approved", "obsolete"};
        int k = Pick(3);
        if (k == 0) return kMembers[Pick(3)];
        return x.empty() ? "status" : x + ".st";
      }
      case T::Set: {
        int k = leaf ? Pick(3) : Pick(8);
        switch (k) {
          case 0: return fmt::format("{{{}, {}}}", Str(), Str());
          case 1: return x.empty() ? "tags" : x + ".tags";
          case 2: return "tags";
          case 3: return fmt::format("distinct(y.code for y in items where {})", E(T::Bool, depth - 1, "y"));
          case 4: return "union(y.tags for y in items)";
          // Clause 0.2 set algebra (a list of scalars reads as a set).
          case 5: return fmt::format("({} - {})", E(T::Set, depth - 1, x), E(T::Set, depth - 1, x));
          case 6: return fmt::format("({} & {})", E(T::Set, depth - 1, x), E(T::Set, depth - 1, x));
          default: return fmt::format("({} + {})", E(T::Set, depth - 1, x), E(T::Set, depth - 1, x));
        }
      }
      case T::Bool: {
        int k = leaf ? Pick(4) : Pick(29);
        switch (k) {
          case 0: return Coin() ? "true" : "false";
          case 1: return x.empty() ? "headcount is present" : x + ".flag";
          case 2: return fmt::format("{} is {}", x.empty() ? "ratio" : x + ".d", Coin() ? "present" : "absent");
          case 3: return fmt::format("{} == {}", x.empty() ? "status" : x + ".st", E(T::Enum, 0, x));
          case 4: return fmt::format("({} and {})", E(T::Bool, depth - 1, x), E(T::Bool, depth - 1, x));
          case 5: return fmt::format("({} or {})", E(T::Bool, depth - 1, x), E(T::Bool, depth - 1, x));
          case 6: return fmt::format("not ({})", E(T::Bool, depth - 1, x));
          case 7: return fmt::format("({} implies {})", E(T::Bool, depth - 1, x), E(T::Bool, depth - 1, x));
          case 8: {
            static const char* kOps[] = {"==", "!=", "<", "<=", ">", ">="};
            return fmt::format("{} {} {}", E(T::Int, depth - 1, x), kOps[Pick(6)], E(T::Int, depth - 1, x));
          }
          case 9: {
            static const char* kOps[] = {"==", "<", ">="};
            return fmt::format("{} {} {}", E(T::Dec, depth - 1, x), kOps[Pick(3)], E(Coin() ? T::Dec : T::Int, depth - 1, x));
          }
          case 10: {
            static const char* kOps[] = {"==", "!=", "<", ">="};
            return fmt::format("{} {} {}", E(T::Date, depth - 1, x), kOps[Pick(4)], E(T::Date, depth - 1, x));
          }
          case 11: {
            static const char* kOps[] = {"==", "!=", "<", ">"};
            return fmt::format("{} {} {}", E(T::Str, depth - 1, x), kOps[Pick(4)], E(T::Str, depth - 1, x));
          }
          case 12: {
            static const char* kOps[] = {"==", "!=", "<", "<=", ">", ">="};
            return fmt::format("{} {} {}", E(T::Dur, depth - 1, x), kOps[Pick(6)], E(T::Dur, depth - 1, x));
          }
          case 13: return fmt::format("{} {}in {}", E(T::Str, depth - 1, x), Coin() ? "not " : "", E(T::Set, depth - 1, x));
          case 14: return fmt::format("{} in {{draft, obsolete}}", x.empty() ? "status" : x + ".st");
          case 15: return fmt::format("{} {}under {}", E(T::Str, depth - 1, x), Coin(30) ? "not " : "",
                                      Coin() ? E(T::Str, depth - 1, x) : E(T::Set, depth - 1, x));
          case 16: case 17: {
            static const char* kQ[] = {"exists", "all", "none"};
            std::string filter = Coin(40) ? fmt::format(" where {}", E(T::Bool, depth - 2, "z")) : "";
            return fmt::format("({} z in items{} : {})", kQ[Pick(3)], filter, E(T::Bool, depth - 1, "z"));
          }
          case 18: return fmt::format("(exists s in {} : s == {})", E(T::Set, depth - 1, x), Str());
          case 19: return fmt::format("{}({}, {})", Coin() ? "contains" : "starts_with", E(T::Str, depth - 1, x), E(T::Str, 0, x));
          case 20: return fmt::format("matches({}, \"[A-Z]+-[0-9]+\")", E(T::Str, depth - 1, x));
          case 21: return fmt::format("default({}, {})", x.empty() ? "headcount > 2" : x + ".flag", Coin() ? "true" : "false");
          case 22: return x.empty() ? "count(items) > 1" : fmt::format("(exists s in {}.subs : s.k > {})", x, Pick(4));
          case 23: return fmt::format("(if {} then {} else {})", E(T::Bool, depth - 1, x), E(T::Bool, depth - 1, x),
                                      E(T::Bool, depth - 1, x));
          // Clause 0.2: set relations, filtered lists, the standard-level let and the def.
          case 25: {
            static const char* kOps[] = {"==", "!=", "<", "<=", ">", ">="};
            return fmt::format("{} {} {}", E(T::Set, depth - 1, x), kOps[Pick(6)], E(T::Set, depth - 1, x));
          }
          case 26: return fmt::format("count([y in items where {}]) {} {}", E(T::Bool, depth - 1, "y"), Coin() ? ">" : "==", Pick(3));
          case 27: return fmt::format("(exists z in kept : {})", E(T::Bool, depth - 1, "z"));
          case 28: return x.empty() ? "count(kept) > 0" : fmt::format("big({})", x);
          default: return fmt::format("year({}) == 2025", E(T::Date, depth - 1, x));
        }
      }
    }
    return "true";
  }

  std::string Program(int requirements) {
    std::string out = std::string(kSchema) + "standard fz \"Fuzz\" {\n  param interval : duration = " + DurLit() + "\n";
    out += "  exclusions distinct(i.code for i in items where default(i.flag, false))\n";
    out += fmt::format("  def big(i: item) : bool = i.n > {} and i.flag != false\n", Pick(6));
    out += fmt::format("  let kept = [i in items where i.n > {} or i.flag == true]\n", Pick(6));
    for (int c = 1; c <= 3; ++c) {
      out += fmt::format("  clause {} \"C{}\" {{\n", c, c);
      for (int r = 0; r < requirements; ++r) {
        out += fmt::format("    requirement r{}_{} : minor {{\n      says \"random\"\n", c, r);
        // `depends on` an earlier requirement (acyclic by construction), sometimes two.
        if ((c > 1 || r > 0) && Coin(30)) {
          auto earlier = [&] {
            int k = Pick((c - 1) * requirements + r);
            return fmt::format("r{}_{}", 1 + k / requirements, k % requirements);
          };
          out += fmt::format("      depends on {}{}\n", earlier(), Coin(30) ? ", " + earlier() : "");
        }
        if (Coin(20)) out += fmt::format("      applies when {}\n", E(T::Bool, 2, ""));
        bool let = Coin(40);
        if (let) out += fmt::format("      let v = {}\n", E(T::Int, 2, ""));
        // Holes are inside a string literal: their own quotes are written \".
        auto esc = [](std::string e) {
          std::string out;
          for (char ch : e) out += ch == '"' ? std::string("\\\"") : std::string(1, ch);
          return out;
        };
        std::string msg = fmt::format("i={{{}}} d={{{}}} s={{{}}} u={{{}}}", let ? "v" : esc(E(T::Int, 1, "")),
                                      esc(E(T::Date, 1, "")), esc(E(T::Str, 1, "")), esc(E(T::Dur, 1, "")));
        if (Coin(35)) {
          out += fmt::format("      pass all w in items : {}\n", E(T::Bool, 3, "w"));
          msg += " w={w.code} n={w.n} t={w.tags} all={each w.code}";
        } else {
          out += fmt::format("      pass {}\n", E(T::Bool, 3, ""));
        }
        out += fmt::format("      else \"{}\"\n    }}\n", msg);
      }
      out += "  }\n";
    }
    return out + "}\n";
  }

  std::string Evidence() {
    std::string out = "name: " + std::string(Coin() ? "QP-01" : "acme") + "\n";
    if (Coin(70)) out += fmt::format("headcount: {}\n", Pick(10));
    if (Coin(60)) out += fmt::format("ratio: {}.{}\n", Pick(3), Pick(100));
    if (Coin(60)) out += "since: " + DateLit() + "\n";
    if (Coin(60)) out += std::string("status: ") + (Coin() ? "draft" : "approved") + "\n";
    if (Coin(60)) out += fmt::format("tags: [{}, {}]\n", Str(), Str());
    if (Coin(85)) {
      int n = Pick(5);
      out += n == 0 ? "items: []\n" : "items:\n";
      for (int i = 0; i < n; ++i) {
        out += fmt::format("  - code: {}\n    n: {}\n", Coin() ? Str() : std::string("\"") + "1" + "\"", Pick(12) - 3);
        if (Coin(70)) out += fmt::format("    x: {}.{}\n", Pick(4), Pick(10));
        if (Coin(70)) out += "    d: " + DateLit() + "\n";
        if (Coin(60)) out += "    dur: " + DurLit() + "\n";
        static const char* kSt[] = {"draft", "approved", "obsolete"};
        out += fmt::format("    st: {}\n    tags: [{}]\n", kSt[Pick(3)], Coin() ? Str() : "");
        if (Coin(60)) out += std::string("    flag: ") + (Coin(30) ? "true" : "false") + "\n";
        if (Coin(50)) out += fmt::format("    subs: [{{k: {}}}, {{k: {}, label: x}}]\n", Pick(5), Pick(5));
      }
    }
    return out;
  }

 private:
  std::mt19937_64 rng_;
};

TEST(Differential, InterpreterAndJitAgree) {
  uint64_t seed = std::getenv("CONFORM_DIFF_SEED") ? std::strtoull(std::getenv("CONFORM_DIFF_SEED"), nullptr, 10) : 20261122;
  int programs = std::getenv("CONFORM_DIFF_PROGRAMS") ? std::atoi(std::getenv("CONFORM_DIFF_PROGRAMS")) : 12;
  const int docs_per_program = 25;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  Gen g(seed);
  size_t compared = 0, programs_run = 0;
  std::map<Verdict, size_t> verdicts;
  for (int pi = 0; pi < programs && std::chrono::steady_clock::now() < deadline; ++pi) {
    std::string text = g.Program(4);
    Session s({});
    s.LoadText(fmt::format("fuzz{}.clause", pi), text);
    auto prog = s.Compile("fz");
    ASSERT_TRUE(prog && !s.diags().HasErrors())
        << "generator produced an ill-typed program (seed " << seed << ", program " << pi << "):\n"
        << RenderAll(s.diags(), s.sources()) << text;
    jit::JitOptions jo;
    jo.use_cache = false;
    Diagnostics jd;
    auto native = jit::Compile(prog, jo, jd);
    ASSERT_TRUE(native) << RenderAll(jd, s.sources());
    ++programs_run;
    for (int di = 0; di < docs_per_program; ++di) {
      std::string ev = g.Evidence();
      Diagnostics ed;
      auto doc = runtime::LoadEvidence("fuzz.yaml", ev, *s.Schema(), s.literals().get(), s.sources(), ed);
      ASSERT_TRUE(doc && !ed.HasErrors()) << RenderAll(ed, s.sources()) << ev;
      ParamValues pv = runtime::ResolveParameters(*prog, doc->parameters(), doc->strings(), s.sources(), ed);
      auto a = runtime::Evaluate(*prog, *doc, 20300, pv, runtime::Engine::Interp, false);
      auto b = runtime::Evaluate(*prog, *doc, 20300, pv, runtime::Engine::Jit, false, native.get());
      for (size_t i = 0; i < prog->requirements.size(); ++i) {
        ++compared;
        ++verdicts[a.results[i].verdict];
        ASSERT_EQ(VerdictName(a.results[i].verdict), std::string(VerdictName(b.results[i].verdict)))
            << "requirement " << prog->requirements[i].id << " (seed " << seed << ", program " << pi << ", doc " << di
            << ")\nrules:\n" << text << "\nevidence:\n" << ev;
        ASSERT_EQ(a.results[i].message, b.results[i].message)
            << "requirement " << prog->requirements[i].id << " (seed " << seed << ", program " << pi << ", doc " << di
            << ")\nrules:\n" << text << "\nevidence:\n" << ev;
      }
    }
  }
  // The generator must reach every verdict, or the comparison proves little.
  EXPECT_GT(verdicts[Verdict::Conform], 0u);
  EXPECT_GT(verdicts[Verdict::Nonconform], 0u);
  EXPECT_GT(verdicts[Verdict::NotEvidenced], 0u);
  EXPECT_GT(verdicts[Verdict::NotApplicable], 0u);
  EXPECT_GT(verdicts[Verdict::Blocked], 0u);
  RecordProperty("programs", static_cast<int>(programs_run));
  RecordProperty("comparisons", static_cast<int>(compared));
  std::printf("differential: seed %llu, %zu programs, %zu requirement evaluations compared\n",
              static_cast<unsigned long long>(seed), programs_run, compared);
}

// Native code of `prog`, compiled without the cache; null (and a test failure) if it does not compile.
std::unique_ptr<jit::CompiledProgram> NativeOf(const std::shared_ptr<ir::Program>& prog, Session& s) {
  jit::JitOptions jo;
  jo.use_cache = false;
  Diagnostics jd;
  auto native = jit::Compile(prog, jo, jd);
  EXPECT_TRUE(native) << RenderAll(jd, s.sources());
  return native;
}

// Evidence and the verdict each requirement must get on both engines.
struct VerdictCase {
  const char* evidence;
  std::vector<Verdict> expected;
};

// Date arithmetic by a duration without months is an add in the generated code (no calendar
// helper call, none at all for a constant such as `as_of - 365 days`); with months, or with a
// duration known only at run time whose months are not zero, it is still the calendar's
// (cal::AddDuration): end-of-month dates clamp. Both engines give the same verdicts.
TEST(Differential, MonthFreeDateArithmeticIsInlineAndAgrees) {
  const std::string schema = "schema dt { root org { d: date  dur: duration? } }\n";
  auto program = [&](const std::vector<std::string>& passes) {
    std::string text = schema + "standard dt \"Dates\" {\n  edition \"1\"\n  clause 1 \"Dates\" {\n";
    for (size_t i = 0; i < passes.size(); ++i)
      text += fmt::format("    requirement r{} : minor {{ says \"r{}\" pass {} }}\n", i + 1, i + 1, passes[i]);
    return text + "  }\n}\n";
  };
  auto calls = [](const std::string& ir) {
    size_t n = 0;
    for (size_t at = ir.find("call i64 @conform_rt_date_add("); at != std::string::npos;
         at = ir.find("call i64 @conform_rt_date_add(", at + 1))
      ++n;
    return n;
  };
  auto compile = [](Session& s, const std::string& text) {
    s.LoadText("dt.clause", text);
    auto prog = s.Compile("dt");
    EXPECT_TRUE(prog && !s.diags().HasErrors()) << RenderAll(s.diags(), s.sources()) << text;
    return prog;
  };
  {
    Session s({});
    auto prog = compile(s, program({"d - 365 days <= as_of", "d + 2 weeks > d", "as_of - 1000 days < d + 36 hours"}));
    ASSERT_TRUE(prog);
    for (int level : {0, 2}) EXPECT_EQ(calls(jit::EmitLLVM(*prog, level)), 0u) << level;
  }
  {
    Session s({});
    auto prog = compile(s, program({"d + 1 months > d"}));
    ASSERT_TRUE(prog);
    EXPECT_EQ(calls(jit::EmitLLVM(*prog, 0)), 1u);
  }
  const std::vector<std::string> passes = {
      "d + 31 days == d + 1 months",  // 2024-01-31: 03-02 against 02-29 (clamped)
      "d - 365 days == 2023-01-31",    // no 29 February in between
      "d + dur > d",
      "d + dur == d + 3 days",
      "d - dur == 2023-12-31",
      "as_of - 1 years + dur < d",
  };
  Session s({});
  auto prog = compile(s, program(passes));
  ASSERT_TRUE(prog);
  EXPECT_GE(calls(jit::EmitLLVM(*prog, 0)), 4u);  // 1 months, 1 years and the three run-time durations
  auto native = NativeOf(prog, s);
  ASSERT_TRUE(native);
  const Verdict C = Verdict::Conform, N = Verdict::Nonconform, E = Verdict::NotEvidenced;
  const std::vector<VerdictCase> cases = {
      {"d: 2024-01-31\ndur: 3 days\n", {N, C, C, C, N, C}},
      {"d: 2024-01-31\ndur: 1 months\n", {N, C, C, N, C, C}},
      {"d: 2024-01-31\ndur: 36 hours\n", {N, C, C, N, N, C}},  // one day and 12 hours: moves by the day
      {"d: 2024-01-31\n", {N, C, E, E, E, E}},
  };
  for (const VerdictCase& c : cases) {
    Diagnostics ed;
    auto doc = runtime::LoadEvidence("dt.yaml", c.evidence, *s.Schema(), s.literals().get(), s.sources(), ed);
    ASSERT_TRUE(doc && !ed.HasErrors()) << RenderAll(ed, s.sources());
    ParamValues pv = runtime::ResolveParameters(*prog, doc->parameters(), doc->strings(), s.sources(), ed);
    const int64_t as_of = cal::ParseDate("2024-10-04").value();
    auto a = runtime::Evaluate(*prog, *doc, as_of, pv, runtime::Engine::Interp, false);
    auto b = runtime::Evaluate(*prog, *doc, as_of, pv, runtime::Engine::Jit, false, native.get());
    for (size_t i = 0; i < passes.size(); ++i) {
      EXPECT_EQ(VerdictName(a.results[i].verdict), std::string(VerdictName(c.expected[i]))) << passes[i] << " | " << c.evidence;
      EXPECT_EQ(VerdictName(b.results[i].verdict), std::string(VerdictName(c.expected[i]))) << passes[i] << " | " << c.evidence;
    }
  }
}

// `lower(x) == "text"` and `upper(x) != "text"` (literal on either side) compare the mapped
// bytes in conform_rt_case_eq: no lower/upper call, no string interned during evaluation.
// Other uses of lower/upper keep the builtin. Both engines give the same verdicts.
TEST(Differential, CaseMappedEqualityWithALiteralInternsNothing) {
  const std::string text = R"(schema ce { root org { name: string  code: string?  alias: string? } }
standard ce "Case" {
  edition "1"
  clause 1 "Case" {
    requirement r1 : minor { says "r1" pass lower(name) == "acme" }
    requirement r2 : minor { says "r2" pass "QP-01" != upper(code) }
    requirement r3 : minor { says "r3" pass upper(name) == "ACMÉ" }
    requirement r4 : minor { says "r4" pass lower(name) == lower(alias) }
    requirement r5 : minor { says "r5" pass lower(name) != "" }
  }
}
)";
  Session s({});
  s.LoadText("ce.clause", text);
  auto prog = s.Compile("ce");
  ASSERT_TRUE(prog && !s.diags().HasErrors()) << RenderAll(s.diags(), s.sources());
  const std::string ir = jit::EmitLLVM(*prog, 0);
  size_t case_eq = 0, lower = 0, upper = 0;
  for (size_t at = ir.find("call i64 @conform_rt_"); at != std::string::npos; at = ir.find("call i64 @conform_rt_", at + 1)) {
    std::string_view name = std::string_view(ir).substr(at + 10, 20);
    case_eq += name.starts_with("conform_rt_case_eq(");
    lower += name.starts_with("conform_rt_lower(");
    upper += name.starts_with("conform_rt_upper(");
  }
  EXPECT_EQ(case_eq, 4u) << ir;  // r1, r2, r3, r5
  EXPECT_EQ(lower, 2u) << ir;    // r4's two calls
  EXPECT_EQ(upper, 0u) << ir;
  auto native = NativeOf(prog, s);
  ASSERT_TRUE(native);
  const Verdict C = Verdict::Conform, N = Verdict::Nonconform, E = Verdict::NotEvidenced;
  const std::vector<VerdictCase> cases = {
      {"name: AcMe\ncode: qp-01\nalias: ACME\n", {C, N, N, C, C}},
      {"name: acme\ncode: QP-02\n", {C, C, N, E, C}},
      {"name: acmé\nalias: x\n", {N, E, N, N, C}},  // bytewise: é is not mapped
      {"name: ACMÉ\n", {N, E, C, E, C}},
      {"name: \"\"\ncode: \"\"\n", {N, C, N, E, N}},
  };
  for (const VerdictCase& c : cases) {
    Diagnostics ed;
    auto doc = runtime::LoadEvidence("ce.yaml", c.evidence, *s.Schema(), s.literals().get(), s.sources(), ed);
    ASSERT_TRUE(doc && !ed.HasErrors()) << RenderAll(ed, s.sources());
    ParamValues pv = runtime::ResolveParameters(*prog, doc->parameters(), doc->strings(), s.sources(), ed);
    // The native code interns no string here except r4's mapped name (when lower changes it).
    const int64_t before = doc->strings().Intern("probe before");
    auto b = runtime::Evaluate(*prog, *doc, 20000, pv, runtime::Engine::Jit, false, native.get());
    const int64_t after = doc->strings().Intern("probe after");
    const std::string name(doc->strings().Get(RecordView{static_cast<const uint64_t*>(doc->root())}.Slot(
        s.Schema()->entities[s.Schema()->root].presence_words(), s.Schema()->entities[s.Schema()->root].Find("name")->index)));
    std::string lowered = name;
    for (auto& ch : lowered) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const bool r4_interns = lowered != name && doc->strings().Get(after - 1) == lowered;
    EXPECT_EQ(after, before + 1 + (r4_interns ? 1 : 0)) << c.evidence;
    auto a = runtime::Evaluate(*prog, *doc, 20000, pv, runtime::Engine::Interp, false);
    for (size_t i = 0; i < c.expected.size(); ++i) {
      EXPECT_EQ(VerdictName(a.results[i].verdict), std::string(VerdictName(c.expected[i]))) << "r" << i + 1 << " | " << c.evidence;
      EXPECT_EQ(VerdictName(b.results[i].verdict), std::string(VerdictName(c.expected[i]))) << "r" << i + 1 << " | " << c.evidence;
    }
  }
}

}  // namespace
}  // namespace conform
