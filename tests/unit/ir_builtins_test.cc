// IR printing (deterministic, span-free) and the builtin registry (documented, one symbol each).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "conform/compiler/builtins.h"
#include "conform/compiler/calendar.h"
#include "conform/compiler/ir.h"
#include "conform/compiler/rt_helpers.h"
#include "test_util.h"

namespace conform {
namespace {

using test::CompileText;
using test::Compiled;

const char* kRules = R"(schema t {
  enum status { draft, approved }
  entity item { code: string  state: status  due: date?  tags: set<string> }
  root org { name: string  items: list<item>?  founded: date? }
}
standard s "S" {
  param window : duration = 6 months
  param floor : int = 2
  clause 1 "One" {
    requirement a : major {
      says "items are approved"
      pass all i in items where i.due is present : i.state == approved and i.due >= as_of - window
      else "item {i.code} is {i.state}"
    }
    clause 1.1 "Sub" {
      requirement b : minor {
        says "enough items"
        let n = count(i in items where "x" in i.tags)
        pass n >= floor and matches(name, "[A-Z].*") and default(founded, 2000-01-01) < as_of
        else "{n} items"
      }
    }
  }
}
)";

// The same rules with other whitespace and comments: spans differ, the IR must not.
const char* kRulesReformatted = R"(// a comment first
schema t { enum status { draft, approved }
  entity item { code: string state: status due: date? tags: set<string> }
  root org { name: string items: list<item>? founded: date? } }
standard s "S" { param window : duration = 6 months param floor : int = 2
  clause 1 "One" { requirement a : major { says "items are approved"
      /* block */ pass all i in items where i.due is present : i.state == approved and i.due >= as_of - window
      else "item {i.code} is {i.state}" }
    clause 1.1 "Sub" { requirement b : minor { says "enough items"
        let n = count(i in items where "x" in i.tags)
        pass n >= floor and matches(name, "[A-Z].*") and default(founded, 2000-01-01) < as_of
        else "{n} items" } } } }
)";

TEST(IrPrint, IsDeterministicAcrossSessions) {
  Compiled a = CompileText(kRules);
  Compiled b = CompileText(kRules);
  ASSERT_FALSE(a.diags().HasErrors()) << a.Rendered();
  ASSERT_EQ(a.programs.size(), 1u);
  ASSERT_EQ(b.programs.size(), 1u);
  std::string pa = ir::Print(*a.programs[0]);
  std::string pb = ir::Print(*b.programs[0]);
  EXPECT_FALSE(pa.empty());
  EXPECT_EQ(pa, pb);
  EXPECT_EQ(pa, ir::Print(*a.programs[0]));  // printing twice gives the same text
}

TEST(IrPrint, DoesNotDependOnSpans) {
  Compiled a = CompileText(kRules);
  Compiled b = CompileText(kRulesReformatted);
  ASSERT_FALSE(a.diags().HasErrors()) << a.Rendered();
  ASSERT_FALSE(b.diags().HasErrors()) << b.Rendered();
  EXPECT_EQ(ir::Print(*a.programs.at(0)), ir::Print(*b.programs.at(0)));
}

TEST(IrPrint, MentionsRequirementsClausesAndParams) {
  Compiled a = CompileText(kRules);
  ASSERT_FALSE(a.diags().HasErrors()) << a.Rendered();
  std::string text = ir::Print(*a.programs.at(0));
  for (const char* want : {"a", "b", "1.1", "window", "floor"})
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
}

TEST(IrPrint, CatalogueStandardIsDeterministic) {
  Compiled a = CompileText("use iso9001\n", {test::StandardsDir()});
  Compiled b = CompileText("use iso9001\n", {test::StandardsDir()});
  ASSERT_FALSE(a.diags().HasErrors()) << a.Rendered();
  ASSERT_FALSE(a.programs.empty());
  ASSERT_EQ(a.programs.size(), b.programs.size());
  for (size_t i = 0; i < a.programs.size(); ++i) EXPECT_EQ(ir::Print(*a.programs[i]), ir::Print(*b.programs[i]));
}

TEST(IrProgram, RecordsParamsAndWitness) {
  Compiled a = CompileText(kRules);
  ASSERT_FALSE(a.diags().HasErrors()) << a.Rendered();
  const ir::Program& p = *a.programs.at(0);
  EXPECT_EQ(p.standard, "s");
  EXPECT_EQ(p.title, "S");
  ASSERT_EQ(p.params.size(), 2u);
  EXPECT_EQ(p.FindParam("window"), 0);
  EXPECT_EQ(p.FindParam("floor"), 1);
  EXPECT_EQ(p.FindParam("nope"), -1);
  EXPECT_EQ(p.params[1].value, 2);
  ASSERT_EQ(p.requirements.size(), 2u);
  EXPECT_GE(p.requirements[0].witness_var, 0);  // top-level all
  EXPECT_EQ(p.requirements[1].witness_var, -1);
  EXPECT_EQ(p.requirements[1].clause, "1.1");
}

TEST(IrProgram, OpNamesAreDistinct) {
  std::set<std::string> names;
  for (int op = static_cast<int>(ir::Op::Const); op <= static_cast<int>(ir::Op::Call); ++op) {
    std::string n = ir::OpName(static_cast<ir::Op>(op));
    EXPECT_FALSE(n.empty());
    EXPECT_TRUE(names.insert(n).second) << "duplicate op name " << n;
  }
}

// ---- builtins ----------------------------------------------------------------------------

// A function's helper by its symbol, as the engines resolve it.
BuiltinFn Rt(const char* symbol) {
  const Builtin* b = BuiltinRegistry::Default().BySymbol(symbol);
  if (!b) ADD_FAILURE() << "no builtin " << symbol;
  return b ? b->fn : +[](EvalContext*, const int64_t*) -> int64_t { return -1; };
}

TEST(Builtins, TheRegistryIsConsistent) {
  auto problems = BuiltinRegistry::Default().Problems();
  for (const auto& p : problems) ADD_FAILURE() << p;
}

TEST(Builtins, EveryFunctionHasDocSymbolAndHelper) {
  const auto& reg = BuiltinRegistry::Default();
  ASSERT_FALSE(reg.all().empty());
  std::set<std::string> symbols;
  for (const auto& b : reg.all()) {
    SCOPED_TRACE(b.name);
    EXPECT_FALSE(b.name.empty());
    EXPECT_FALSE(b.doc.empty());
    EXPECT_FALSE(b.since.empty());
    if (b.form != Form::Function) {
      EXPECT_TRUE(b.symbol.empty());
      EXPECT_EQ(b.fn, nullptr);
      EXPECT_NE(b.op, ir::Op::Call);
      continue;
    }
    EXPECT_EQ(b.symbol.rfind("conform_rt_", 0), 0u) << b.symbol;
    EXPECT_NE(b.fn, nullptr);
    EXPECT_TRUE(symbols.insert(b.symbol).second) << "symbol used twice: " << b.symbol;
    for (TypeId t : b.params) EXPECT_LT(t, 7u) << "builtin parameters are scalar";
  }
}

// The IR names a function by its symbol; the symbol resolves to the registry entry and to the
// helper the JIT binds, with the one builtin prototype.
TEST(Builtins, SymbolsResolveToTheirHelper) {
  const auto& reg = BuiltinRegistry::Default();
  for (const auto& b : reg.all()) {
    if (b.form != Form::Function) continue;
    SCOPED_TRACE(b.symbol);
    EXPECT_EQ(reg.BySymbol(b.symbol), &b);
    const HelperSymbol* h = FindHelper(b.symbol);
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(h->address, reinterpret_cast<void*>(b.fn));
    EXPECT_EQ(h->sig, RtSignatureOf<BuiltinFn>::value);
  }
  EXPECT_EQ(reg.BySymbol("conform_rt_nosuch"), nullptr);
  EXPECT_EQ(reg.BySymbol("len"), nullptr);  // a symbol, not a name
}

// Helper prototypes come from their C declarations (rt_abi.h): the table codegen builds LLVM
// types from says what the C functions take.
static_assert(RtSignatureOf<decltype(&conform_rt_set_op)>::value ==
              RtSignature{RtType::Ptr, 6, {RtType::Ptr, RtType::Ptr, RtType::I64, RtType::Ptr, RtType::I64, RtType::I64}});
static_assert(RtSignatureOf<decltype(&conform_rt_buf_push)>::value == RtSignature{RtType::Void, 2, {RtType::Ptr, RtType::I64}});
TEST(RtHelpers, TheTableMatchesTheCDeclarations) {
  std::set<std::string> names;
  for (const auto& h : HelperSymbols()) {
    EXPECT_TRUE(names.insert(h.name).second) << "helper listed twice: " << h.name;
    EXPECT_NE(h.address, nullptr) << h.name;
    EXPECT_LE(h.sig.arity, 8u) << h.name;
  }
  const HelperSymbol* cmp = FindHelper("conform_rt_dur_cmp");
  ASSERT_NE(cmp, nullptr);
  EXPECT_EQ(cmp->address, reinterpret_cast<void*>(&conform_rt_dur_cmp));
  EXPECT_EQ(cmp->sig, (RtSignature{RtType::I64, 3, {RtType::I64, RtType::I64, RtType::I64}}));
  EXPECT_TRUE(cmp->pure);
  const HelperSymbol* probe = FindHelper("conform_rt_join_probe");
  ASSERT_NE(probe, nullptr);
  EXPECT_EQ(probe->sig, (RtSignature{RtType::Void, 3, {RtType::Ptr, RtType::I64, RtType::Ptr}}));
  EXPECT_FALSE(probe->pure);
  EXPECT_EQ(FindHelper("conform_rt_nosuch"), nullptr);
}

// The aggregates and other forms are registry entries, with a null policy and can_fail.
TEST(Builtins, AggregatesAreDeclaredWithTheirPolicies) {
  const auto& reg = BuiltinRegistry::Default();
  struct Want {
    const char* name;
    Form form;
    ir::Op op;
    NullPolicy nulls;
    bool can_fail;
  };
  const Want wants[] = {
      {"count", Form::OfCollection, ir::Op::Count, NullPolicy::Propagate, false},
      {"count", Form::Iteration, ir::Op::Count, NullPolicy::SkipUnknown, false},
      {"sum", Form::Comprehension, ir::Op::Sum, NullPolicy::SkipUnknown, false},
      {"min", Form::Comprehension, ir::Op::Min, NullPolicy::SkipUnknown, true},
      {"max", Form::Comprehension, ir::Op::Max, NullPolicy::SkipUnknown, true},
      {"avg", Form::Comprehension, ir::Op::Avg, NullPolicy::SkipUnknown, true},
      {"distinct", Form::Comprehension, ir::Op::Distinct, NullPolicy::SkipUnknown, false},
      {"union", Form::Comprehension, ir::Op::Union, NullPolicy::SkipUnknown, false},
      {"default", Form::Generic, ir::Op::Default, NullPolicy::Fallback, false},
      {"clauses", Form::CompileTime, ir::Op::SetLit, NullPolicy::Never, false},
  };
  for (const auto& w : wants) {
    SCOPED_TRACE(w.name);
    const Builtin* b = reg.FindForm(w.name, w.form);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->op, w.op);
    EXPECT_EQ(b->nulls, w.nulls);
    EXPECT_EQ(b->can_fail, w.can_fail);
    EXPECT_TRUE(reg.HasName(w.name));
  }
  EXPECT_EQ(reg.FindForm("sum", Form::Iteration), nullptr);
  EXPECT_EQ(reg.FindForm("len", Form::Comprehension), nullptr);
  EXPECT_EQ(reg.Named("count").size(), 2u);
  EXPECT_TRUE(reg.Overloads("count").empty());  // not a function
}

TEST(Builtins, TheDocumentedFunctionsExist) {
  const auto& reg = BuiltinRegistry::Default();
  using T = TypeTable;
  EXPECT_NE(reg.Find("len", {T::kString}), nullptr);
  EXPECT_NE(reg.Find("lower", {T::kString}), nullptr);
  EXPECT_NE(reg.Find("upper", {T::kString}), nullptr);
  EXPECT_NE(reg.Find("contains", {T::kString, T::kString}), nullptr);
  EXPECT_NE(reg.Find("starts_with", {T::kString, T::kString}), nullptr);
  EXPECT_NE(reg.Find("ends_with", {T::kString, T::kString}), nullptr);
  EXPECT_NE(reg.Find("matches", {T::kString, T::kString}), nullptr);
  EXPECT_NE(reg.Find("days_between", {T::kDate, T::kDate}), nullptr);
  EXPECT_NE(reg.Find("months_between", {T::kDate, T::kDate}), nullptr);
  EXPECT_NE(reg.Find("year", {T::kDate}), nullptr);
  EXPECT_NE(reg.Find("abs", {T::kInt}), nullptr);
  EXPECT_NE(reg.Find("abs", {T::kDecimal}), nullptr);
  EXPECT_EQ(reg.Find("len", {T::kInt}), nullptr);
  EXPECT_EQ(reg.Find("nosuch", {}), nullptr);
  EXPECT_TRUE(reg.HasName("abs"));
  EXPECT_FALSE(reg.HasName("nosuch"));
  EXPECT_EQ(reg.Overloads("abs").size(), 2u);
}

// A Call node names its builtin by symbol through Program::builtins (not the registry's order).
TEST(Builtins, TheIrNamesBuiltinsBySymbol) {
  Compiled c = CompileText(std::string(test::kSchema) + R"(
standard s "S" {
  clause 1 "One" {
    requirement a : minor {
      pass all d in documents : len(trim(d.code)) > 0 and upper(d.code) != "" and len(d.code) < 200
      else "x"
    }
  }
})");
  ASSERT_TRUE(c.ErrorCodes().empty()) << c.Rendered();
  const ir::Program& p = *c.programs.at(0);
  EXPECT_EQ(p.builtins, (std::vector<std::string>{"conform_rt_trim", "conform_rt_len", "conform_rt_upper"}));
  std::string printed = ir::Print(p);
  EXPECT_NE(printed.find("(call conform_rt_trim"), std::string::npos) << printed;
  for (const auto& n : p.nodes)
    if (n.op == ir::Op::Call) {
      EXPECT_LT(static_cast<size_t>(n.imm), p.builtins.size());
    }
}

TEST(Builtins, MarkdownListsEveryBuiltinAndSpecialForm) {
  const auto& reg = BuiltinRegistry::Default();
  std::string md = reg.Markdown();
  EXPECT_EQ(md.rfind("# Builtins", 0), 0u);
  for (const auto& b : reg.all()) {
    EXPECT_NE(md.find("`" + b.Signature()), std::string::npos) << b.name;
    EXPECT_NE(md.find(b.symbol), std::string::npos) << b.symbol;
    EXPECT_NE(md.find(b.doc), std::string::npos) << b.doc;
  }
  // The null policy and can_fail are documented per form.
  EXPECT_NE(md.find("| `max(e for x in L where p) → T` | the list is (unknown values are skipped); or there is no value |"),
            std::string::npos);
  EXPECT_NE(md.find("| `default(e, v) → T` | both are |"), std::string::npos);
  EXPECT_NE(md.find("## Adding a builtin"), std::string::npos);
  ASSERT_FALSE(reg.special_forms().empty());
  for (const auto& s : reg.special_forms()) {
    EXPECT_FALSE(s.doc.empty()) << s.signature;
    EXPECT_NE(md.find(s.signature), std::string::npos) << s.signature;
  }
  for (const char* form : {"count(", "sum(", "min(", "max(", "avg(", "distinct(", "union(", "default(", "clauses("})
    EXPECT_NE(md.find(form), std::string::npos) << form;
  EXPECT_EQ(md, reg.Markdown());
}

TEST(Builtins, CanonicalIsStableAndComplete) {
  const auto& reg = BuiltinRegistry::Default();
  std::string c = reg.Canonical();
  EXPECT_EQ(c, reg.Canonical());
  for (const auto& b : reg.all()) {
    EXPECT_NE(c.find(b.symbol), std::string::npos) << b.symbol;
    EXPECT_NE(c.find(std::string(FormName(b.form)) + " " + b.name + "("), std::string::npos) << b.name;
  }
  // Policies are part of the fingerprint: a release that changed one must miss the cache.
  EXPECT_NE(c.find("comprehension max()-><error> rule=1 accepts=6c/0 op=max nulls=skip-unknown can_fail=true"),
            std::string::npos) << c;
  EXPECT_NE(c.find("op=default nulls=fallback"), std::string::npos) << c;
}

TEST(Builtins, HelpersComputeTheDocumentedValues) {
  StringPool pool;
  LayeredStrings strings(&pool);
  EvalContext ctx{&strings, 0, nullptr};
  int64_t hello = strings.Intern("Héllo");
  int64_t args1[] = {hello};
  EXPECT_EQ(Rt("conform_rt_len")(&ctx, args1), 5);  // characters, not bytes
  EXPECT_EQ(strings.Get(Rt("conform_rt_upper")(&ctx, args1)), "HéLLO");
  EXPECT_EQ(strings.Get(Rt("conform_rt_lower")(&ctx, args1)), "héllo");
  // A string the mapping does not change keeps its id, and nothing new is interned.
  const int64_t upper_id = Rt("conform_rt_upper")(&ctx, args1);
  int64_t args_up[] = {upper_id};
  const int64_t end = strings.Intern("end-marker");
  EXPECT_EQ(Rt("conform_rt_upper")(&ctx, args_up), upper_id);
  int64_t args_lo[] = {Rt("conform_rt_lower")(&ctx, args1)};
  EXPECT_EQ(Rt("conform_rt_lower")(&ctx, args_lo), args_lo[0]);
  EXPECT_EQ(strings.Intern("end-marker-2"), end + 1);
  // Literal ids (the base pool) stay literal ids: `upper(x) == "DE"` compares ids.
  StringPool base;
  const int64_t de = base.Intern("DE");
  LayeredStrings layered(&base);
  EvalContext lctx{&layered, 0, nullptr};
  int64_t args_de[] = {layered.Intern("de")};
  EXPECT_EQ(Rt("conform_rt_upper")(&lctx, args_de), de);
  int64_t args_de2[] = {layered.Intern("DE")};
  EXPECT_EQ(args_de2[0], de);
  EXPECT_EQ(Rt("conform_rt_upper")(&lctx, args_de2), de);
  int64_t ll[] = {hello, strings.Intern("ll")};
  EXPECT_EQ(Rt("conform_rt_contains")(&ctx, ll), 1);
  EXPECT_EQ(Rt("conform_rt_starts_with")(&ctx, ll), 0);
  EXPECT_EQ(Rt("conform_rt_ends_with")(&ctx, ll), 0);
  int64_t lo[] = {hello, strings.Intern("llo")};
  EXPECT_EQ(Rt("conform_rt_ends_with")(&ctx, lo), 1);
  int64_t re_ok[] = {strings.Intern("QM-12"), strings.Intern("[A-Z]{2}-[0-9]+")};
  EXPECT_EQ(Rt("conform_rt_matches")(&ctx, re_ok), 1);
  int64_t re_partial[] = {strings.Intern("xQM-12"), strings.Intern("[A-Z]{2}-[0-9]+")};
  EXPECT_EQ(Rt("conform_rt_matches")(&ctx, re_partial), 0);  // whole-string match
  int64_t dates[] = {*cal::ParseDate("2024-01-01"), *cal::ParseDate("2024-12-31")};
  EXPECT_EQ(Rt("conform_rt_days_between")(&ctx, dates), 365);
  int64_t back[] = {dates[1], dates[0]};
  EXPECT_EQ(Rt("conform_rt_days_between")(&ctx, back), -365);
  EXPECT_EQ(Rt("conform_rt_months_between")(&ctx, dates), 11);
  EXPECT_EQ(Rt("conform_rt_year")(&ctx, dates + 1), 2024);
  int64_t neg[] = {-7};
  EXPECT_EQ(Rt("conform_rt_abs_int")(&ctx, neg), 7);
}

}  // namespace
}  // namespace conform
