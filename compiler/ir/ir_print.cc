// Canonical text of the IR (`--emit ir`); also the cache key's main input.
#include <fmt/format.h>

#include <cstring>

#include "conform/compiler/builtins.h"
#include "conform/compiler/calendar.h"
#include "conform/compiler/ir.h"

namespace conform::ir {

const char* OpName(Op op) {
  switch (op) {
    case Op::Const: return "const";
    case Op::Param: return "param";
    case Op::AsOf: return "as_of";
    case Op::Root: return "root";
    case Op::Var: return "var";
    case Op::Field: return "field";
    case Op::IsPresent: return "is_present";
    case Op::IsAbsent: return "is_absent";
    case Op::Default: return "default";
    case Op::Neg: return "neg";
    case Op::Add: return "add";
    case Op::Sub: return "sub";
    case Op::Mul: return "mul";
    case Op::Div: return "div";
    case Op::Mod: return "mod";
    case Op::IntToDec: return "int_to_dec";
    case Op::DateAdd: return "date_add";
    case Op::DateSub: return "date_sub";
    case Op::DateDiff: return "date_diff";
    case Op::DurMul: return "dur_mul";
    case Op::DurAdd: return "dur_add";
    case Op::DurSub: return "dur_sub";
    case Op::Eq: return "eq";
    case Op::Ne: return "ne";
    case Op::Lt: return "lt";
    case Op::Le: return "le";
    case Op::Gt: return "gt";
    case Op::Ge: return "ge";
    case Op::And: return "and";
    case Op::Or: return "or";
    case Op::Not: return "not";
    case Op::Implies: return "implies";
    case Op::In: return "in";
    case Op::Under: return "under";
    case Op::SetLit: return "set";
    case Op::Exists: return "exists";
    case Op::All: return "all";
    case Op::None: return "none";
    case Op::Count: return "count";
    case Op::Sum: return "sum";
    case Op::Min: return "min";
    case Op::Max: return "max";
    case Op::Avg: return "avg";
    case Op::Distinct: return "distinct";
    case Op::Union: return "union";
    case Op::Call: return "call";
    case Op::Filter: return "filter";
    case Op::SetUnion: return "set_union";
    case Op::SetInter: return "set_inter";
    case Op::SetDiff: return "set_diff";
    case Op::SetRel: return "set_rel";
    case Op::If: return "if";
  }
  return "?";
}

std::string Requirement::Provenance() const {
  if (amended_by.empty()) return origin;
  std::string out = "amended by ";
  for (size_t i = 0; i < amended_by.size(); ++i) out += (i ? ", " : "") + amended_by[i];
  return out;
}

const char* GradeName(Grade g) {
  switch (g) {
    case Grade::Major: return "major";
    case Grade::Minor: return "minor";
    case Grade::Observation: return "observation";
  }
  return "?";
}

namespace {

class Printer {
 public:
  explicit Printer(const Program& p) : p_(p), m_(*p.schema) {}

  std::string Expr(int32_t idx) {
    if (idx < 0) return "_";
    const Node& n = p_.nodes[idx];
    std::string t = p_.TypeName(n.type);
    switch (n.op) {
      case Op::Const: return Const(n);
      case Op::Param: return fmt::format("(param {})", p_.params[n.imm].name);
      case Op::AsOf: return "as_of";
      case Op::Root: return "root";
      case Op::Var: return fmt::format("%{}", n.var);
      case Op::Field: {
        const auto& ent = m_.entities[p_.types[p_.nodes[n.a].type].ref];
        return fmt::format("(field {} {}#{}:{})", Expr(n.a), ent.fields[n.imm].name, n.imm, t);
      }
      case Op::If: return fmt::format("(if:{} {} {} {})", t, Expr(n.a), Expr(n.b), Expr(n.c));
      case Op::Call: {
        std::string s = fmt::format("(call {}", p_.builtins.at(static_cast<size_t>(n.imm)));
        for (int32_t a : n.args) s += " " + Expr(a);
        return s + ")";
      }
      case Op::SetLit: {
        std::string s = fmt::format("(set:{}", t);
        for (int32_t a : n.args) s += " " + Expr(a);
        return s + ")";
      }
      case Op::Exists: case Op::All: case Op::None: case Op::Count: case Op::Sum: case Op::Min: case Op::Max:
      case Op::Avg: case Op::Distinct: case Op::Union: case Op::Filter: {
        std::string s = fmt::format("({}:{}", OpName(n.op), t);
        if (n.var >= 0) s += fmt::format(" %{}", n.var);
        s += " in " + Expr(n.a);
        if (n.b >= 0) s += " where " + Expr(n.b);
        if (n.c >= 0) s += " : " + Expr(n.c);
        return s + ")";
      }
      default: {
        std::string s = fmt::format("({}", OpName(n.op));
        if (n.op >= Op::Eq && n.op <= Op::Ge) s += n.aux == 1 ? ".dec" : n.aux == 2 ? ".str" : n.aux == 3 ? ".dur" : "";
        else if (n.op == Op::SetRel) s += n.aux == 0 ? ".subset" : n.aux == 1 ? ".strict" : ".equal";
        else s += ":" + t;
        if (n.a >= 0) s += " " + Expr(n.a);
        if (n.b >= 0) s += " " + Expr(n.b);
        return s + ")";
      }
    }
  }

  std::string Const(const Node& n) {
    const TypeInfo& t = p_.types[n.type];
    switch (t.kind) {
      case TypeKind::Bool: return n.imm ? "true" : "false";
      case TypeKind::Int: return std::to_string(n.imm);
      case TypeKind::Decimal: {
        double d;
        std::memcpy(&d, &n.imm, 8);
        return fmt::format("{}d", d);
      }
      case TypeKind::String: return fmt::format("\"{}\"", p_.literals->Get(n.imm));
      case TypeKind::Date: return cal::FormatDate(n.imm);
      case TypeKind::Duration: return fmt::format("'{}'", cal::FormatDuration(cal::Unpack(n.imm)));
      case TypeKind::Enum: return fmt::format("{}.{}", m_.enums[t.ref].name, m_.enums[t.ref].members.at(n.imm));
      default: return "<error>";
    }
  }

 private:
  const Program& p_;
  const SchemaModel& m_;
};

}  // namespace

std::string Print(const Program& p) {
  Printer pr(p);
  std::string out = fmt::format("program {} \"{}\"\n", p.standard, p.title);
  for (const auto& [k, v] : p.meta) out += fmt::format("  meta {} \"{}\"\n", k, v);
  for (const auto& l : p.layers) out += fmt::format("  layer {} \"{}\"\n", l.id, l.edition);
  const bool layered = !p.layers.empty();
  for (size_t i = 0; i < p.params.size(); ++i)
    out += fmt::format("  param {} {}: {}{}\n", i, p.params[i].name, p.TypeName(p.params[i].type),
                       !layered ? "" : p.params[i].set_by.empty() ? " from " + p.params[i].origin
                                                                   : " set by " + p.params[i].set_by);
  if (p.exclusions >= 0) out += fmt::format("  exclusions {}\n", pr.Expr(p.exclusions));
  for (const auto& g : p.globals) out += fmt::format("  let %{} {} = {}\n", g.var, g.name, pr.Expr(g.value));
  out += fmt::format("  vars {}\n", p.num_vars);
  for (const auto& r : p.requirements) {
    out += fmt::format("  requirement {}/{} {}{}\n", r.clause, r.id, GradeName(r.grade),
                       layered ? (r.amended_by.empty() ? " from " : " ") + r.Provenance() : "");
    for (int32_t d : r.depends) out += fmt::format("    depends {}\n", p.requirements[d].id);
    if (r.applies >= 0) out += fmt::format("    applies {}\n", pr.Expr(r.applies));
    for (const auto& l : r.lets) out += fmt::format("    let %{} {} = {}\n", l.var, l.name, pr.Expr(l.value));
    out += fmt::format("    pass {}\n", pr.Expr(r.pass));
    if (r.witness_var >= 0) out += fmt::format("    witness %{}\n", r.witness_var);
    if (!r.message.empty()) {
      out += "    else";
      for (const auto& m : r.message)
        out += m.expr >= 0 ? " {" + std::string(m.each ? "each " : "") + pr.Expr(m.expr) + "}" : fmt::format(" \"{}\"", m.text);
      out += "\n";
    }
  }
  return out;
}

}  // namespace conform::ir
