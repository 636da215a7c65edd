// Pass "language level" (runs on each parsed file whose package declares Clause 0.1).
//   input:  one ast::File and the Clause version its package's plugin.toml declares
//   output: E0210 for each construct of Clause 0.2 the file uses (no other effect)
// Constructs whose 0.2 meaning depends on types (`+`, `-` and comparisons between sets) are
// reported by the type checker (sema/typecheck.cc, CheckClause02SetOp), which knows the operand types.
#include <fmt/format.h>

#include <functional>

#include "conform/compiler/calendar.h"
#include "conform/compiler/sema.h"

namespace conform::sema {

bool IsClause01(const std::string& language) { return language == "0.1"; }

void ReportClause02(Diagnostics& diags, Span at, const std::string& construct) {
  for (const auto& d : diags.items())  // one report per place, however many programs include it
    if (d.code == "E0210" && d.span.file == at.file && d.span.begin == at.begin && d.span.end == at.end) return;
  diags.Error("E0210", at, fmt::format("{} is Clause 0.2, but this package declares language = \"0.1\"", construct),
              "declare language = \"0.2\" in plugin.toml (0.1 rules keep their meaning in 0.2)");
}

void CheckLanguageLevel(const ast::File& f, Diagnostics& diags) {
  if (!IsClause01(f.language)) return;
  std::function<void(const ast::Expr*)> expr = [&](const ast::Expr* e) {
    if (!e) return;
    if (e->kind == ast::ExprKind::Filter) ReportClause02(diags, e->span, "a filtered list `[x in L where …]`");
    if (e->kind == ast::ExprKind::Binary && e->op == ast::Operator::Inter) ReportClause02(diags, e->span, "the set intersection `&`");
    if (e->kind == ast::ExprKind::DurationLit) {
      auto u = cal::UnitOf(e->text);
      if (u && u->minutes != 0) ReportClause02(diags, e->span, fmt::format("the duration unit `{}`", e->text));
    }
    for (const ast::Expr* sub : {e->a.get(), e->b.get(), e->c.get()}) expr(sub);
    for (const auto& x : e->args) expr(x.get());
  };
  auto def = [&](const ast::DefDecl& d) {
    ReportClause02(diags, d.name_span, fmt::format("`def {}`", d.name));
  };
  auto let = [&](const ast::LetDecl& l, const char* level) {
    ReportClause02(diags, l.span, fmt::format("a {}-level `let {}`", level, l.name));
    expr(l.value.get());
  };
  std::function<void(const ast::RequirementDecl&)> requirement = [&](const ast::RequirementDecl& r) {
    for (const auto& [id, span] : r.depends) ReportClause02(diags, span, fmt::format("`depends on {}`", id));
    expr(r.applies.get());
    for (const auto& l : r.lets) expr(l.value.get());
    expr(r.pass.get());
    if (r.message)
      for (const auto& piece : r.message->pieces) {
        if (piece.each && piece.expr) ReportClause02(diags, piece.expr->span, "an `{each …}` hole");
        expr(piece.expr.get());
      }
  };
  std::function<void(const ast::ClauseDecl&)> clause = [&](const ast::ClauseDecl& c) {
    for (const auto& sub : c.clauses) clause(sub);
    for (const auto& r : c.requirements) requirement(r);
  };
  for (const auto& d : f.defs) def(d);
  for (const auto& l : f.lets) let(l, "module");
  for (const auto& s : f.standards) {
    for (const auto& d : s.defs) def(d);
    for (const auto& l : s.lets) let(l, "standard");
    for (const auto& x : s.exclusions) expr(x.get());
    for (const auto& c : s.clauses) clause(c);
  }
  for (const auto& x : f.extensions) {
    for (const auto& x2 : x.exclusions) expr(x2.get());
    for (const auto& c : x.clauses) clause(c);
    for (const auto& c : x.opened) clause(c);
    for (const auto& a : x.amends) requirement(a.body);
  }
}

}  // namespace conform::sema
