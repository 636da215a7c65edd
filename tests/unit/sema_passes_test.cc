// The side tables of sema's passes (compiler/sema/passes.h): what the resolve pass says each
// name denotes, by node id, where scopes nest (def bodies, filters, quantifiers, messages).
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "conform/compiler/builtins.h"
#include "passes.h"
#include "test_util.h"

namespace conform {
namespace {

struct Resolved {
  test::Compiled c;
  sema::Plan plan;
  sema::Resolutions res;
  ir::Program program;  // what the type checker fills
  Diagnostics check_diags;
  sema::Checked checked;

  explicit Resolved(const std::string& text) {
    c.session = std::make_unique<Session>(std::vector<std::string>{});
    c.session->LoadText("test.clause", text);
    auto schema = c.session->Schema();
    std::vector<const ast::File*> fs;
    for (const auto& f : c.session->files()) fs.push_back(f.get());
    plan = sema::PlanStandard(fs.at(0)->standards.at(0));
    sema::AddModuleDecls(plan, fs);
    res = sema::Resolve(plan, *schema, BuiltinRegistry::Default());
    program.schema = schema;
    program.types = schema->types;
    program.literals = c.session->literals();
    checked = sema::TypeCheck(plan, program, res, c.session->sources(), check_diags);
    c.programs = c.session->CompileAll();  // the whole pipeline, for its diagnostics
  }
  const ast::StandardDecl& Std() const { return c.session->files().at(0)->standards.at(0); }
};

// Every expression under `e` (pre-order) that satisfies `pred`.
std::vector<const ast::Expr*> FindAll(const ast::Expr& e, const std::function<bool(const ast::Expr&)>& pred) {
  std::vector<const ast::Expr*> out;
  std::function<void(const ast::Expr&)> walk = [&](const ast::Expr& x) {
    if (pred(x)) out.push_back(&x);
    for (const ast::Expr* s : {x.a.get(), x.b.get(), x.c.get()})
      if (s) walk(*s);
    for (const auto& a : x.args) walk(*a);
  };
  walk(e);
  return out;
}
std::vector<const ast::Expr*> Names(const ast::Expr& e, const std::string& n) {
  return FindAll(e, [&](const ast::Expr& x) { return x.kind == ast::ExprKind::Name && x.text == n; });
}

TEST(SemaResolve, QuantifierVariableInAFilterInADefShadowsTheParameter) {
  Resolved r(std::string(test::kSchema) + R"(standard s "S" {
  def some_approved(d: list<document>) : bool = count([d in d where d.status == approved]) > 0
  clause 1 "One" {
    requirement r : minor {
      says "x"
      pass some_approved(documents)
    }
  }
}
)");
  ASSERT_TRUE(r.c.ErrorCodes().empty()) << r.c.Rendered();
  const ast::DefDecl& def = r.Std().defs.at(0);
  auto filters = FindAll(*def.body, [](const ast::Expr& x) { return x.kind == ast::ExprKind::Filter; });
  ASSERT_EQ(filters.size(), 1u);
  const ast::Expr& filter = *filters[0];
  // The list is the parameter; inside the filter, `d` is the filter's variable.
  const sema::NameRes& list = r.res.Of(*filter.a);
  EXPECT_EQ(list.kind, sema::Denotes::DefParam);
  EXPECT_EQ(list.index, 0);
  auto inner = Names(*filter.b, "d");
  ASSERT_EQ(inner.size(), 1u);
  EXPECT_EQ(r.res.Of(*inner[0]).kind, sema::Denotes::Binder);
  EXPECT_EQ(r.res.Of(*inner[0]).binder, filter.id);
  // `approved` denotes nothing in scope: the checker reads it as a member of the enum it is
  // compared with (no diagnostic above), the prepared E0201 stays unused.
  auto approved = Names(*filter.b, "approved");
  ASSERT_EQ(approved.size(), 1u);
  EXPECT_EQ(r.res.Of(*approved[0]).kind, sema::Denotes::Unresolved);
  // The call of the def resolves to its declaration; the argument is a root field.
  const ast::Expr& pass = *r.Std().clauses.at(0).requirements.at(0).pass;
  EXPECT_EQ(r.res.DefOf(pass), &def);
  EXPECT_EQ(r.res.Of(*pass.args.at(0)).kind, sema::Denotes::RootField);
}

TEST(SemaResolve, ADefBodySeesOnlyItsParameters) {
  Resolved r(std::string(test::kSchema) + R"(standard s "S" {
  let limit = 3
  def many(n: int) : bool = n > limit
  clause 1 "One" {
    requirement r : minor {
      says "x"
      let n = 2
      pass many(n)
    }
  }
}
)");
  auto limit = Names(*r.Std().defs.at(0).body, "limit");
  ASSERT_EQ(limit.size(), 1u);
  EXPECT_EQ(r.res.Of(*limit[0]).kind, sema::Denotes::Unresolved);
  ASSERT_TRUE(r.c.Has("E0201")) << r.c.Rendered();
  EXPECT_EQ(r.c.SpanText(*r.c.Find("E0201")), "limit");
  const ast::Expr& arg = *r.Std().clauses.at(0).requirements.at(0).pass->args.at(0);
  EXPECT_EQ(r.res.Of(arg).kind, sema::Denotes::Let);
}

TEST(SemaResolve, TheMessageSeesTheWitnessUnlessABinderShadowsIt) {
  Resolved r(std::string(test::kSchema) + R"(standard s "S" {
  clause 1 "One" {
    requirement r : minor {
      says "x"
      pass all x in documents : x.status == approved
      else "{each x.code}: {count([x in documents where x.status == draft])}"
    }
  }
}
)");
  ASSERT_TRUE(r.c.ErrorCodes().empty()) << r.c.Rendered();
  const auto& pieces = r.Std().clauses.at(0).requirements.at(0).message->pieces;
  std::vector<const ast::Expr*> xs;
  for (const auto& p : pieces)
    if (p.expr)
      for (const ast::Expr* x : Names(*p.expr, "x")) xs.push_back(x);
  ASSERT_EQ(xs.size(), 2u);
  EXPECT_EQ(r.res.Of(*xs[0]).witness, 3);  // the witness, as written and as in force
  EXPECT_EQ(r.res.Of(*xs[1]).witness, 0);  // the filter's own variable
  EXPECT_EQ(r.res.Of(*xs[1]).kind, sema::Denotes::Binder);
}

TEST(SemaResolve, ClashingLetsAreRecorded) {
  Resolved r(std::string(test::kSchema) + R"(standard s "S" {
  param budget_cap : int = 3
  let a = 1
  let a = 2
  let budget_cap = 4
  clause 1 "One" {
    requirement r : minor {
      says "x"
      let a = 5
      let b = 6
      let b = 7
      pass b > a
    }
  }
}
)");
  ASSERT_EQ(r.res.globals.size(), 3u);
  EXPECT_EQ(r.res.globals[0], sema::GlobalStatus::Ok);
  EXPECT_EQ(r.res.globals[1], sema::GlobalStatus::Duplicate);
  EXPECT_EQ(r.res.globals[2], sema::GlobalStatus::ParamName);
  const auto& lets = r.Std().clauses.at(0).requirements.at(0).lets;
  EXPECT_EQ(r.res.let_clash.at(&lets.at(0)), sema::LetClash::Global);
  EXPECT_EQ(r.res.let_clash.at(&lets.at(1)), sema::LetClash::None);
  EXPECT_EQ(r.res.let_clash.at(&lets.at(2)), sema::LetClash::Let);
  // `pass b > a`: the second `b` (the innermost binding) and the requirement's `a`.
  const ast::Expr& pass = *r.Std().clauses.at(0).requirements.at(0).pass;
  EXPECT_EQ(r.res.Of(*pass.a).kind, sema::Denotes::Let);
  EXPECT_EQ(r.res.Of(*pass.a).index, 2);
  EXPECT_EQ(r.res.Of(*pass.b).index, 0);
}

TEST(SemaTypeCheck, ABareMemberInADefBodyIsReadFromTheParameterType) {
  Resolved r(std::string(test::kSchema) + R"(standard s "S" {
  def settled(st: status) : bool = st == approved or obsolete == st
  clause 1 "One" {
    requirement r : minor {
      says "x"
      pass all d in documents : settled(d.status)
    }
  }
}
)");
  ASSERT_TRUE(r.check_diags.empty()) << RenderAll(r.check_diags, r.c.sources());
  const ast::Expr& body = *r.Std().defs.at(0).body;
  const sema::Typed& approved = r.checked.Of(*Names(body, "approved").at(0));
  const sema::Typed& obsolete = r.checked.Of(*Names(body, "obsolete").at(0));
  int status = r.c.session->Schema()->FindEnum("status");
  ASSERT_GE(status, 0);
  EXPECT_EQ(approved.type, r.program.types.Enum(status));
  EXPECT_EQ(approved.member, 1);  // draft, approved, obsolete
  EXPECT_EQ(obsolete.member, 2);  // on the left: typed from the parameter on the right
  EXPECT_TRUE(r.checked.Of(body).type == TypeTable::kBool);
  // The parameter itself is a def parameter of the declared type; the call is a bool.
  const sema::Typed& st = r.checked.Of(*Names(body, "st").at(0));
  EXPECT_EQ(st.type, r.program.types.Enum(status));
  EXPECT_EQ(r.checked.Of(*r.Std().clauses.at(0).requirements.at(0).pass).type, TypeTable::kBool);
}

TEST(SemaTypeCheck, AnIntArgumentOfADecimalParameterIsConvertedWhereItIsPassed) {
  Resolved r(std::string(test::kSchema) + R"(standard s "S" {
  def half(x: decimal) : decimal = x / 2
  clause 1 "One" {
    requirement r : minor {
      says "x"
      pass half(headcount) > 1
    }
  }
}
)");
  ASSERT_TRUE(r.check_diags.empty()) << RenderAll(r.check_diags, r.c.sources());
  const ast::Expr& call = *r.Std().clauses.at(0).requirements.at(0).pass->a;
  const sema::Typed& arg = r.checked.Of(*call.args.at(0));
  EXPECT_EQ(arg.type, TypeTable::kInt);
  EXPECT_TRUE(arg.to_dec);
  EXPECT_EQ(r.checked.Of(call).type, TypeTable::kDecimal);
  // In the body, `2` is converted to divide a decimal.
  EXPECT_TRUE(r.checked.Of(*r.Std().defs.at(0).body->b).to_dec);
}

// A def's body is checked once, where it is declared: its warnings are reported once, not again
// at every call (before the passes were split, the body was checked again at each call).
TEST(SemaTypeCheck, AWarningInADefBodyIsReportedOnceWhateverTheCalls) {
  test::Compiled c = test::CompileText(std::string(test::kSchema) + R"(standard s "S" {
  def deep() : set<string> = clauses(5)
  clause 1 "One" {
    requirement r : minor {
      says "x"
      pass count(deep()) == 0 and count(deep()) < 1
    }
  }
}
)");
  size_t w = 0;
  for (const auto& d : c.diags().items()) w += d.code == "W0403";
  EXPECT_EQ(w, 1u) << c.Rendered();
  EXPECT_FALSE(c.diags().HasErrors()) << c.Rendered();
}

}  // namespace
}  // namespace conform
