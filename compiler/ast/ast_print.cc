// Prints the AST as an indented tree (`conform compile --emit ast`).
#include <fmt/format.h>

#include "conform/compiler/ast.h"
#include "conform/compiler/calendar.h"

namespace conform::ast {
namespace {

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') { out += "\\n"; continue; }
    out += c;
  }
  return out + "\"";
}

std::string TypeText(const TypeRef& t) {
  std::string s = t.name;
  if (t.arg) s += "<" + TypeText(*t.arg) + ">";
  if (t.optional) s += "?";
  return s;
}

void Line(std::string& out, int indent, const std::string& text) {
  out.append(indent * 2, ' ');
  out += text;
  out += '\n';
}

void PrintRequirement(std::string& out, const RequirementDecl& r, int ind, const std::string& head);

void PrintClause(std::string& out, const ClauseDecl& c, int ind) {
  Line(out, ind, fmt::format("(clause {} {}", c.number, Quote(c.title)));
  size_t ci = 0, ri = 0;
  for (int kind : c.order) {
    if (kind == 0) {
      PrintClause(out, c.clauses[ci++], ind + 1);
      continue;
    }
    PrintRequirement(out, c.requirements[ri++], ind + 1, "requirement");
  }
  Line(out, ind, ")");
}

void PrintRequirement(std::string& out, const RequirementDecl& r, int ind, const std::string& head) {
  Line(out, ind, fmt::format("({}{}{}{}", head, head.back() == '.' ? "" : " ", r.id, r.grade.empty() ? "" : " " + r.grade));
  if (r.says_count) Line(out, ind + 1, fmt::format("(says {})", Quote(r.says)));
  if (r.applies) Line(out, ind + 1, fmt::format("(applies {})", PrintExpr(*r.applies)));
  for (const auto& l : r.lets) Line(out, ind + 1, fmt::format("(let {} {})", l.name, PrintExpr(*l.value)));
  if (r.pass) Line(out, ind + 1, fmt::format("(pass {})", PrintExpr(*r.pass)));
  if (r.message) {
    std::string m = "(else";
    for (const auto& p : r.message->pieces)
      m += " " + (p.expr ? "{" + std::string(p.each ? "each " : "") + PrintExpr(*p.expr) + "}" : Quote(p.text));
    Line(out, ind + 1, m + ")");
  }
  Line(out, ind, ")");
}

void PrintDefs(std::string& out, const std::vector<DefDecl>& defs, const std::vector<LetDecl>& lets, int ind) {
  for (const auto& d : defs) {
    std::string ps;
    for (const auto& p : d.params) ps += fmt::format("{}({} {})", ps.empty() ? "" : " ", p.name, TypeText(p.type));
    Line(out, ind, fmt::format("(def {} ({}){} {})", d.name, ps, d.result ? " " + TypeText(*d.result) : "", PrintExpr(*d.body)));
  }
  for (const auto& l : lets) Line(out, ind, fmt::format("(let {} {})", l.name, PrintExpr(*l.value)));
}

}  // namespace

const char* Spelling(Operator op) {
  switch (op) {
    case Operator::None: return "";
    case Operator::Mul: return "*";
    case Operator::Div: return "/";
    case Operator::Mod: return "%";
    case Operator::Add: return "+";
    case Operator::Sub: return "-";
    case Operator::Inter: return "&";
    case Operator::Eq: return "==";
    case Operator::Ne: return "!=";
    case Operator::Lt: return "<";
    case Operator::Le: return "<=";
    case Operator::Gt: return ">";
    case Operator::Ge: return ">=";
    case Operator::In: return "in";
    case Operator::Under: return "under";
    case Operator::And: return "and";
    case Operator::Or: return "or";
    case Operator::Implies: return "implies";
    case Operator::Exists: return "exists";
    case Operator::All: return "all";
    case Operator::NoneOf: return "none";
  }
  return "";
}

Operator OperatorOf(const std::string& text) {
  for (int i = 1; i <= static_cast<int>(Operator::NoneOf); ++i)
    if (text == Spelling(static_cast<Operator>(i))) return static_cast<Operator>(i);
  return Operator::None;
}

std::string PrintExpr(const Expr& e) {
  auto sub = [](const ExprPtr& p) { return p ? PrintExpr(*p) : std::string("_"); };
  switch (e.kind) {
    case ExprKind::BoolLit: return e.int_value ? "true" : "false";
    case ExprKind::IntLit: return std::to_string(e.int_value);
    case ExprKind::DecimalLit: return e.text;
    case ExprKind::StringLit: return Quote(e.text);
    case ExprKind::DateLit: return cal::FormatDate(e.int_value);
    case ExprKind::DurationLit:
      return fmt::format("(duration {})", cal::FormatDuration({static_cast<int32_t>(e.int_value), static_cast<int32_t>(e.days), static_cast<int32_t>(e.minutes)}));
    case ExprKind::SetLit: {
      std::string s = "(set";
      for (const auto& a : e.args) s += " " + PrintExpr(*a);
      return s + ")";
    }
    case ExprKind::Name: return e.text;
    case ExprKind::Field: return fmt::format("(. {} {})", sub(e.a), e.text);
    case ExprKind::Presence: return fmt::format("({} {})", e.negated ? "absent" : "present", sub(e.a));
    case ExprKind::Neg: return fmt::format("(neg {})", sub(e.a));
    case ExprKind::Binary: return fmt::format("({} {} {})", Spelling(e.op), sub(e.a), sub(e.b));
    case ExprKind::Member: return fmt::format("({}{} {} {})", e.negated ? "not-" : "", Spelling(e.op), sub(e.a), sub(e.b));
    case ExprKind::Not: return fmt::format("(not {})", sub(e.a));
    case ExprKind::And: return fmt::format("(and {} {})", sub(e.a), sub(e.b));
    case ExprKind::Or: return fmt::format("(or {} {})", sub(e.a), sub(e.b));
    case ExprKind::Implies: return fmt::format("(implies {} {})", sub(e.a), sub(e.b));
    case ExprKind::Quant:
      return fmt::format("({} {} {}{} {})", Spelling(e.op), e.var, sub(e.a), e.b ? " (where " + sub(e.b) + ")" : "", sub(e.c));
    case ExprKind::Count:
      return fmt::format("({} {} {}{})", e.text, e.var, sub(e.a), e.b ? " (where " + sub(e.b) + ")" : "");
    case ExprKind::Comprehension:
      return fmt::format("({} {} (for {} {}){})", e.text, sub(e.c), e.var, sub(e.a), e.b ? " (where " + sub(e.b) + ")" : "");
    case ExprKind::If: return fmt::format("(if {} {} {})", sub(e.a), sub(e.b), sub(e.c));
    case ExprKind::Filter: return fmt::format("(filter {} {} {})", e.var, sub(e.a), sub(e.b));
    case ExprKind::Call: {
      std::string s = "(call " + e.text;
      for (const auto& a : e.args) s += " " + PrintExpr(*a);
      return s + ")";
    }
  }
  return "?";
}

std::string Print(const File& f) {
  std::string out;
  Line(out, 0, fmt::format("(file {}", Quote(f.path)));
  for (const auto& u : f.uses) Line(out, 1, fmt::format("(use {})", u.module));
  PrintDefs(out, f.defs, f.lets, 1);
  for (const auto& s : f.schemas) {
    Line(out, 1, fmt::format("(schema {}", s.name));
    for (const auto& e : s.enums) {
      std::string m;
      for (const auto& [name, span] : e.members) m += " " + name;
      Line(out, 2, fmt::format("(enum {}{})", e.name, m));
    }
    for (const auto& e : s.entities) {
      const char* kind = e.kind == EntityDecl::Root ? "root" : e.kind == EntityDecl::Extend ? "extend" : "entity";
      Line(out, 2, fmt::format("({} {}", kind, e.name));
      for (const auto& fd : e.fields) Line(out, 3, fmt::format("(field {} {})", fd.name, TypeText(fd.type)));
      Line(out, 2, ")");
    }
    Line(out, 1, ")");
  }
  for (const auto& s : f.standards) {
    Line(out, 1, fmt::format("(standard {} {}", s.name, Quote(s.title)));
    for (const auto& m : s.meta) Line(out, 2, fmt::format("(meta {} {})", m.key, PrintExpr(*m.value)));
    for (const auto& p : s.params) Line(out, 2, fmt::format("(param {} {} {})", p.name, TypeText(p.type), PrintExpr(*p.value)));
    for (const auto& x : s.exclusions) Line(out, 2, fmt::format("(exclusions {})", PrintExpr(*x)));
    PrintDefs(out, s.defs, s.lets, 2);
    for (const auto& c : s.clauses) PrintClause(out, c, 2);
    Line(out, 1, ")");
  }
  for (const auto& x : f.extensions) {
    std::string cons;
    for (const auto& t : x.constraint) cons += fmt::format(" {}{}", t.op.empty() ? "" : t.op + " ", Quote(t.edition));
    Line(out, 1, fmt::format("(extension {} {} (extends {}{})", x.name, Quote(x.title), x.base, cons));
    for (const auto& m : x.meta) Line(out, 2, fmt::format("(meta {} {})", m.key, PrintExpr(*m.value)));
    for (const auto& p : x.params) Line(out, 2, fmt::format("(param {} {} {})", p.name, TypeText(p.type), PrintExpr(*p.value)));
    for (const auto& p : x.param_sets) Line(out, 2, fmt::format("(set-param {}.{} {})", p.owner, p.name, PrintExpr(*p.value)));
    for (const auto& e : x.exclusions) Line(out, 2, fmt::format("(exclusions {})", PrintExpr(*e)));
    for (const auto& c : x.opened) PrintClause(out, c, 2);
    for (const auto& c : x.clauses) PrintClause(out, c, 2);
    for (const auto& a : x.amends)
      PrintRequirement(out, a.body, 2, fmt::format("amend {}.{}", a.owner, a.clause.empty() ? "" : a.clause + "."));
    Line(out, 1, ")");
  }
  Line(out, 0, ")");
  return out;
}

}  // namespace conform::ast
