// Pass "lower" (docs/design-notes.md, sema passes).
//   input:  a Plan, its Resolutions (resolve.cc) and Checked (typecheck.cc), the program the
//           checker filled (structure, type table)
//   output: the program's IR: nodes, parameter defaults, module lets, exclusions, and each
//           requirement's lets, `applies when`, `pass`, witness and message.
//   owns:   variable slots, `def` inlining (a def's body emitted at each call, its parameters
//           replaced by the arguments), the int → decimal conversions the checker asked for
//           (folded on literals), the choice of IR operation. It emits no diagnostic: what it
//           lowers has been checked; a node the checker failed becomes an error constant, as the
//           program of a failed compilation is never run.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <unordered_map>

#include "conform/compiler/builtins.h"
#include "conform/compiler/calendar.h"
#include "conform/compiler/sema.h"
#include "passes.h"

namespace conform::sema {
namespace {

using ast::Expr;
using ast::ExprKind;
using ir::Node;
using ir::Op;
constexpr TypeId kErr = TypeTable::kError;

class Lowerer {
 public:
  Lowerer(ir::Program& p, const SchemaModel& m, const Resolutions& res, const Checked& chk)
      : p_(p), m_(m), types_(p.types), reg_(BuiltinRegistry::Default()), res_(res), chk_(chk) {}

  void Run(const Plan& s);

 private:
  // ---- helpers -------------------------------------------------------------
  int32_t Emit(Node n) {
    p_.nodes.push_back(std::move(n));
    return static_cast<int32_t>(p_.nodes.size() - 1);
  }
  int32_t Make(Op op, TypeId t, Span s, int32_t a = -1, int32_t b = -1, int32_t c = -1) {
    Node n;
    n.op = op;
    n.type = t;
    n.a = a;
    n.b = b;
    n.c = c;
    n.span = s;
    return Emit(std::move(n));
  }
  int32_t Const(TypeId t, int64_t bits, Span s) {
    int32_t n = Make(Op::Const, t, s);
    p_.nodes[n].imm = bits;
    return n;
  }
  int32_t Error(Span s) { return Make(Op::Const, kErr, s); }
  TypeId T(int32_t n) const { return n < 0 ? kErr : p_.nodes[n].type; }
  TypeKind K(int32_t n) const { return types_.Kind(T(n)); }
  static bool IsNumeric(TypeKind k) { return k == TypeKind::Int || k == TypeKind::Decimal; }
  bool IsColl(int32_t n) const { return K(n) == TypeKind::List || K(n) == TypeKind::Set; }
  int32_t ToDec(int32_t n) {
    if (K(n) != TypeKind::Int) return n;
    if (p_.nodes[n].op == Op::Const) {
      double d = static_cast<double>(p_.nodes[n].imm);
      int64_t bits;
      std::memcpy(&bits, &d, 8);
      return Const(TypeTable::kDecimal, bits, p_.nodes[n].span);
    }
    return Make(Op::IntToDec, TypeTable::kDecimal, p_.nodes[n].span, n);
  }
  int32_t NewVar(const std::string& name) {
    int32_t v = static_cast<int32_t>(next_var_++);
    if (next_var_ > p_.num_vars) {
      p_.num_vars = next_var_;
      p_.var_names.resize(p_.num_vars);
    }
    p_.var_names[v] = name;
    return v;
  }
  int32_t VarNode(int32_t var, TypeId t, Span s) {
    int32_t n = Make(Op::Var, t, s);
    p_.nodes[n].var = var;
    return n;
  }
  // The index of a builtin's symbol in Program::builtins (what a Call node's imm holds).
  int64_t BuiltinRef(const Builtin& b) {
    auto it = std::find(p_.builtins.begin(), p_.builtins.end(), b.symbol);
    if (it != p_.builtins.end()) return it - p_.builtins.begin();
    p_.builtins.push_back(b.symbol);
    return static_cast<int64_t>(p_.builtins.size() - 1);
  }
  // Binds the variable of a quantifier, filter or aggregate over `list`.
  int32_t Bind(const Expr& e) {
    int32_t var = NewVar(e.var);
    bound_[e.id] = var;
    return var;
  }

  // ---- expressions -------------------------------------------------------------
  // Lowers `e` and converts it to decimal where the checker said so.
  int32_t Lower(const Expr& e) {
    const Typed& t = chk_.Of(e);
    if (t.type == kErr) return Error(e.span);
    int32_t n = LowerChecked(e, t);
    return t.to_dec ? ToDec(n) : n;
  }
  int32_t LowerChecked(const Expr& e, const Typed& t);
  int32_t LowerName(const Expr& e, const Typed& t);
  int32_t LowerBinary(const Expr& e, const Typed& t);
  int32_t LowerCall(const Expr& e, const Typed& t);
  int32_t LowerCollectionOp(const Expr& e, const Typed& t);
  std::pair<int32_t, int32_t> LowerPair(const Typed& t, const Expr& a, const Expr& b) {
    if (t.rhs_first) {
      int32_t r = Lower(b);
      return {Lower(a), r};
    }
    int32_t l = Lower(a);
    return {l, Lower(b)};
  }
  int32_t InlineDef(const Expr& call, const ast::DefDecl& d);
  void LowerParamDefault(const Expr& value, TypeId t, int64_t& out, std::vector<int64_t>& set_out);
  void LowerGlobals(const Plan& s);
  void LowerRequirements(const Plan& s);

  // `base` in layer k is layer k-1, lowered where it is used; a null layer is the empty default.
  int32_t LowerBase(const Expr& e) {
    int saved = base_level_;
    --base_level_;
    const Expr* b = (*base_layers_)[base_level_];
    int32_t n;
    if (b) n = Lower(*b);
    else if (types_.Kind(base_empty_type_) == TypeKind::Set) n = Make(Op::SetLit, base_empty_type_, e.span);
    else n = Const(TypeTable::kBool, 1, e.span);
    base_level_ = saved;
    return n;
  }
  int32_t LowerLayers(const std::vector<const ast::Expr*>& layers, TypeId empty_type) {
    if (layers.size() == 1) return Lower(*layers[0]);
    base_layers_ = &layers;
    base_level_ = static_cast<int>(layers.size()) - 1;
    base_empty_type_ = empty_type;
    int32_t n = Lower(*layers.back());
    base_layers_ = nullptr;
    base_level_ = -1;
    return n;
  }

  ir::Program& p_;
  const SchemaModel& m_;
  TypeTable& types_;  // the program's (p_.types), never the schema's
  const BuiltinRegistry& reg_;
  const Resolutions& res_;
  const Checked& chk_;
  // The variables in scope, by what the resolve pass says a name denotes.
  std::unordered_map<uint64_t, int32_t> bound_;  // by binder (the quantifier's, filter's … node id)
  std::vector<int32_t> lets_;                    // the requirement's lets
  std::vector<int32_t> globals_;                 // standard- and module-level lets, parallel to Plan::globals
  std::vector<int32_t> def_args_;                // the arguments of the def being inlined
  int32_t witness_ = -1;                         // in an `else` message: the witness …
  uint8_t witness_mode_ = 0;                     // … as NameRes::witness (1 in force, 2 poisoned), 0 none
  uint32_t num_globals_ = 0;                     // the globals' variable slots come first
  uint32_t next_var_ = 0;
  const std::vector<const ast::Expr*>* base_layers_ = nullptr;
  int base_level_ = -1;
  TypeId base_empty_type_ = kErr;
};

int32_t Lowerer::LowerChecked(const Expr& e, const Typed& t) {
  switch (e.kind) {
    case ExprKind::BoolLit: return Const(TypeTable::kBool, e.int_value, e.span);
    case ExprKind::IntLit: return Const(TypeTable::kInt, e.int_value, e.span);
    case ExprKind::DecimalLit: {
      int64_t bits;
      std::memcpy(&bits, &e.dec_value, 8);
      return Const(TypeTable::kDecimal, bits, e.span);
    }
    case ExprKind::StringLit: return Const(TypeTable::kString, p_.literals->Intern(e.text), e.span);
    case ExprKind::DateLit: return Const(TypeTable::kDate, e.int_value, e.span);
    case ExprKind::DurationLit:
      return Const(TypeTable::kDuration,
                   cal::Pack({static_cast<int32_t>(e.int_value), static_cast<int32_t>(e.days), static_cast<int32_t>(e.minutes)}), e.span);
    case ExprKind::SetLit: {
      std::vector<int32_t> items;
      for (const auto& a : e.args) items.push_back(Lower(*a));
      int32_t n = Make(Op::SetLit, t.type, e.span);
      p_.nodes[n].args = std::move(items);
      return n;
    }
    case ExprKind::Name: return LowerName(e, t);
    case ExprKind::Field: {
      int32_t obj = Lower(*e.a);
      const EntityDef& ent = m_.entities[types_[T(obj)].ref];
      const FieldDef* f = ent.Find(e.text);
      int32_t n = Make(Op::Field, f->type, e.span, obj);
      p_.nodes[n].imm = f->index;
      p_.nodes[n].aux = ent.presence_words();
      return n;
    }
    case ExprKind::Presence: return Make(e.negated ? Op::IsAbsent : Op::IsPresent, TypeTable::kBool, e.span, Lower(*e.a));
    case ExprKind::Neg: {
      int32_t a = Lower(*e.a);
      return Make(Op::Neg, T(a), e.span, a);
    }
    case ExprKind::Binary: return LowerBinary(e, t);
    case ExprKind::Member: {
      auto [l, r] = LowerPair(t, *e.a, *e.b);
      int32_t n = Make(e.op == ast::Operator::Under ? Op::Under : Op::In, TypeTable::kBool, e.span, l, r);
      if (e.negated) n = Make(Op::Not, TypeTable::kBool, e.span, n);
      return n;
    }
    case ExprKind::Not: return Make(Op::Not, TypeTable::kBool, e.span, Lower(*e.a));
    case ExprKind::And:
    case ExprKind::Or:
    case ExprKind::Implies: {
      int32_t a = Lower(*e.a);
      int32_t b = Lower(*e.b);
      Op op = e.kind == ExprKind::And ? Op::And : e.kind == ExprKind::Or ? Op::Or : Op::Implies;
      return Make(op, TypeTable::kBool, e.span, a, b);
    }
    case ExprKind::Quant:
    case ExprKind::Count:
    case ExprKind::Comprehension: return LowerCollectionOp(e, t);
    case ExprKind::Call: return LowerCall(e, t);
    case ExprKind::Filter: {
      int32_t list = Lower(*e.a);
      int32_t var = Bind(e);
      int32_t filter = Lower(*e.b);
      bound_.erase(e.id);
      int32_t n = Make(Op::Filter, T(list), e.span, list, filter);
      p_.nodes[n].var = var;
      return n;
    }
    case ExprKind::If: {
      int32_t c = Lower(*e.a);
      int32_t a = Lower(*e.b);
      int32_t b = Lower(*e.c);
      return Make(Op::If, T(a), e.span, c, a, b);
    }
  }
  return Error(e.span);
}

int32_t Lowerer::LowerName(const Expr& e, const Typed& t) {
  const NameRes& r = res_.Of(e);
  if (r.kind == Denotes::Base) return LowerBase(e);
  if (r.witness & witness_mode_) return VarNode(witness_, t.type, e.span);
  switch (r.kind) {
    case Denotes::Binder: {
      auto it = bound_.find(r.binder);
      return it == bound_.end() ? Error(e.span) : VarNode(it->second, t.type, e.span);
    }
    case Denotes::Let: return VarNode(lets_[r.index], t.type, e.span);
    case Denotes::Global: return VarNode(globals_[r.index], t.type, e.span);
    case Denotes::DefParam: return def_args_[r.index];
    case Denotes::Param: {
      int32_t n = Make(Op::Param, t.type, e.span);
      p_.nodes[n].imm = r.index;
      return n;
    }
    case Denotes::AsOf: return Make(Op::AsOf, TypeTable::kDate, e.span);
    default: break;
  }
  if (t.member >= 0) return Const(t.type, t.member, e.span);
  if (r.kind != Denotes::RootField) return Error(e.span);  // the checker accepted nothing else
  const EntityDef& root = m_.entities[m_.root];
  const FieldDef& f = root.fields[r.index];
  int32_t rn = Make(Op::Root, types_.Entity(m_.root), e.span);
  int32_t n = Make(Op::Field, f.type, e.span, rn);
  p_.nodes[n].imm = f.index;
  p_.nodes[n].aux = root.presence_words();
  return n;
}

int32_t Lowerer::LowerBinary(const Expr& e, const Typed& t) {
  using O = ast::Operator;
  const O op = e.op;
  auto [l, r] = LowerPair(t, *e.a, *e.b);  // converted to decimal as checked
  TypeKind lk = K(l), rk = K(r);
  bool cmp = ast::IsComparison(op);
  if (op == O::Inter || (!cmp && (op == O::Add || op == O::Sub) && (IsColl(l) || IsColl(r)))) {
    Op o = op == O::Add ? Op::SetUnion : op == O::Sub ? Op::SetDiff : Op::SetInter;
    return Make(o, t.type, e.span, l, r);
  }
  if (cmp && IsColl(l) && IsColl(r)) {
    auto rel = [&](int32_t a, int32_t b, uint32_t aux) {
      int32_t n = Make(Op::SetRel, TypeTable::kBool, e.span, a, b);
      p_.nodes[n].aux = aux;
      return n;
    };
    if (op == O::Eq) return rel(l, r, 2);
    if (op == O::Ne) return Make(Op::Not, TypeTable::kBool, e.span, rel(l, r, 2));
    if (op == O::Le) return rel(l, r, 0);
    if (op == O::Lt) return rel(l, r, 1);
    if (op == O::Ge) return rel(r, l, 0);
    return rel(r, l, 1);
  }
  if (cmp) {
    bool ordering = op != O::Eq && op != O::Ne;
    Op o = op == O::Eq ? Op::Eq : op == O::Ne ? Op::Ne : op == O::Lt ? Op::Lt : op == O::Le ? Op::Le : op == O::Gt ? Op::Gt : Op::Ge;
    int32_t n = Make(o, TypeTable::kBool, e.span, l, r);
    // Durations compare by the point in time each reaches from as_of (exact without months).
    p_.nodes[n].aux = lk == TypeKind::Decimal ? 1 : lk == TypeKind::Duration ? 3 : (lk == TypeKind::String && ordering) ? 2 : 0;
    return n;
  }
  if (IsNumeric(lk) && IsNumeric(rk)) {
    Op o = op == O::Add ? Op::Add : op == O::Sub ? Op::Sub : op == O::Mul ? Op::Mul : op == O::Div ? Op::Div : Op::Mod;
    return Make(o, t.type, e.span, l, r);
  }
  if (op == O::Add && lk == TypeKind::Date) return Make(Op::DateAdd, TypeTable::kDate, e.span, l, r);
  if (op == O::Add && rk == TypeKind::Date) return Make(Op::DateAdd, TypeTable::kDate, e.span, r, l);
  if (op == O::Sub && rk == TypeKind::Duration && lk == TypeKind::Date) return Make(Op::DateSub, TypeTable::kDate, e.span, l, r);
  if (op == O::Sub && lk == TypeKind::Date) return Make(Op::DateDiff, TypeTable::kInt, e.span, l, r);
  if (op == O::Mul && lk == TypeKind::Duration) return Make(Op::DurMul, TypeTable::kDuration, e.span, l, r);
  if (op == O::Mul) return Make(Op::DurMul, TypeTable::kDuration, e.span, r, l);
  return Make(op == O::Add ? Op::DurAdd : Op::DurSub, TypeTable::kDuration, e.span, l, r);
}

int32_t Lowerer::LowerCollectionOp(const Expr& e, const Typed& t) {
  int32_t list = Lower(*e.a);
  int32_t var = Bind(e);
  int32_t filter = e.b ? Lower(*e.b) : -1;
  int32_t body = e.c ? Lower(*e.c) : -1;
  bound_.erase(e.id);
  int32_t n;
  if (e.kind == ExprKind::Quant) {
    Op op = e.op == ast::Operator::Exists ? Op::Exists : e.op == ast::Operator::All ? Op::All : Op::None;
    n = Make(op, TypeTable::kBool, e.span, list, filter, body);
  } else if (t.builtin->form == Form::Iteration) {
    n = Make(t.builtin->op, t.type, e.span, list, filter);
  } else {
    n = Make(t.builtin->op, t.type, e.span, list, filter, body);
  }
  p_.nodes[n].var = var;
  return n;
}

int32_t Lowerer::LowerCall(const Expr& e, const Typed& t) {
  if (const ast::DefDecl* d = res_.DefOf(e)) return InlineDef(e, *d);
  const Builtin& b = *t.builtin;
  switch (b.form) {
    case Form::OfCollection: return Make(b.op, t.type, e.span, Lower(*e.args[0]));
    case Form::Generic: {
      auto [x, y] = LowerPair(t, *e.args[0], *e.args[1]);
      return Make(b.op, t.type, e.span, x, y);
    }
    case Form::CompileTime: {  // `clauses(depth)`: the clause numbers of the standard at a depth
      int32_t n = Make(b.op, t.type, e.span);
      for (const auto& c : p_.clauses)
        if (c.depth == e.args[0]->int_value) {
          int32_t k = Const(TypeTable::kString, p_.literals->Intern(c.number), e.span);  // grows nodes: index after
          p_.nodes[n].args.push_back(k);
        }
      return n;
    }
    default: break;
  }
  std::vector<int32_t> args;
  for (const auto& a : e.args) args.push_back(Lower(*a));
  int32_t n = Make(Op::Call, b.result, e.span);
  p_.nodes[n].imm = BuiltinRef(b);
  p_.nodes[n].args = std::move(args);
  return n;
}

// A def's body, its parameters replaced by the arguments (converted as checked), in a scope of
// its own: nothing of the caller's is visible.
int32_t Lowerer::InlineDef(const Expr& call, const ast::DefDecl& d) {
  std::vector<int32_t> args;
  for (const auto& a : call.args) args.push_back(Lower(*a));
  std::vector<int32_t> saved = std::move(def_args_);
  def_args_ = std::move(args);
  int saved_base = base_level_;
  base_level_ = -1;
  uint8_t saved_witness = witness_mode_;
  witness_mode_ = 0;
  const auto first_body_node = static_cast<int32_t>(p_.nodes.size());
  int32_t body = Lower(*d.body);  // converted to decimal when the def gives a decimal
  def_args_ = std::move(saved);
  base_level_ = saved_base;
  witness_mode_ = saved_witness;
  // The body's root stands for the call (its text in explanations is `name(args)`); a body that
  // is only a parameter is the caller's own node.
  if (body >= first_body_node) {
    p_.nodes[body].span = call.span;
    p_.inline_calls.push_back(body);
  }
  return body;
}

// Standard- and module-level lets: variable slots 0 … n-1 (the i-th let is slot i, as the IR
// promises and the cache loader checks), in scope for everything after them. The variables a
// let's own value binds (a filter's, a quantifier's) take slots after every let's.
void Lowerer::LowerGlobals(const Plan& s) {
  next_var_ = 0;
  for (const ast::LetDecl* l : s.globals) NewVar(l->name);  // reserve slots 0 … n-1
  globals_.assign(s.globals.size(), -1);
  for (size_t i = 0; i < s.globals.size(); ++i) {
    const ast::LetDecl* l = s.globals[i];
    if (res_.globals[i] != GlobalStatus::Ok) continue;
    int32_t val = Lower(*l->value);
    const auto var = static_cast<int32_t>(p_.globals.size());
    p_.var_names[var] = l->name;
    p_.globals.push_back({l->name, var, val});
    globals_[i] = var;
  }
  num_globals_ = next_var_;
}

// A parameter's default, as a value in slot encoding (the checker made sure it is a literal).
void Lowerer::LowerParamDefault(const Expr& value, TypeId t, int64_t& out, std::vector<int64_t>& set_out) {
  int32_t v = Lower(value);
  if (T(v) != t) return;
  const Node& n = p_.nodes[v];
  if (n.op == Op::Const) {
    out = n.imm;
  } else if (n.op == Op::SetLit) {
    for (int32_t a : n.args)
      if (p_.nodes[a].op == Op::Const) set_out.push_back(p_.nodes[a].imm);
  }
}

void Lowerer::Run(const Plan& s) {
  for (size_t i = 0; i < s.params.size(); ++i) {
    const PlanParam& pp = s.params[i];
    if (chk_.param_of[i] < 0) continue;
    ir::ParamInfo& info = p_.params[chk_.param_of[i]];
    if (info.type == kErr) continue;
    if (pp.base_value) LowerParamDefault(*pp.base_value, info.type, info.base_value, info.base_set_value);
    LowerParamDefault(*pp.value, info.type, info.value, info.set_value);
  }
  LowerGlobals(s);
  if (!s.exclusions.empty() && s.exclusions.back() && chk_.exclusions_ok)
    p_.exclusions = LowerLayers(s.exclusions, types_.Set(TypeTable::kString));
  LowerRequirements(s);
}

// Requirements, in clause order (the order of the checker's p_.requirements).
void Lowerer::LowerRequirements(const Plan& s) {
  size_t k = 0;
  ForEachRequirement(s, [&](const PlanClause&, int32_t, const PlanRequirement& v) {
    const ast::RequirementDecl& r = *v.decl;
    ir::Requirement& out = p_.requirements[k++];
    next_var_ = num_globals_;
    lets_.clear();
    witness_mode_ = 0;
    for (const ast::LetDecl* l : v.lets) {
      int32_t val = Lower(*l->value);
      int32_t var = NewVar(l->name);
      out.lets.push_back({l->name, var, val});
      lets_.push_back(var);
    }
    if (!v.applies.empty() && v.applies.back()) {
      out.applies = LowerLayers(v.applies, TypeTable::kBool);
      if (T(out.applies) != TypeTable::kBool) out.applies = -1;
    }
    if (!v.pass.empty() && v.pass.back()) {
      out.pass = LowerLayers(v.pass, TypeTable::kBool);
      if (T(out.pass) != TypeTable::kBool) out.pass = -1;
    }
    if (out.pass >= 0) {
      const Node& pn = p_.nodes[out.pass];
      if (pn.op == Op::All || pn.op == Op::None) {
        out.witness_var = pn.var;
        witness_ = pn.var;
        witness_mode_ = 1;
      }
    } else if (r.pass && r.pass->kind == ExprKind::Quant && (r.pass->op == ast::Operator::All || r.pass->op == ast::Operator::NoneOf)) {
      witness_ = NewVar(r.pass->var);  // poisoned: the checker reported the `pass`
      witness_mode_ = 2;
    }
    if (v.message) {
      for (const auto& piece : v.message->pieces) {
        if (!piece.expr) out.message.push_back({piece.text, -1});
        else if (piece.each && out.witness_var < 0) out.message.push_back({{}, Error(piece.expr->span), true});
        else out.message.push_back({{}, Lower(*piece.expr), piece.each});
      }
    }
    lets_.clear();
    witness_mode_ = 0;
  });
}

}  // namespace

bool UsesBase(const ast::Expr* e, std::vector<Span>* spans) {
  if (!e) return false;
  bool found = e->kind == ExprKind::Name && e->text == "base";
  if (found && spans) spans->push_back(e->span);
  for (const ast::Expr* sub : {e->a.get(), e->b.get(), e->c.get()}) found = UsesBase(sub, spans) || found;
  for (const auto& x : e->args) found = UsesBase(x.get(), spans) || found;
  return found;
}

std::shared_ptr<ir::Program> Lower(const Plan& plan, std::shared_ptr<const SchemaModel> schema,
                                   std::shared_ptr<StringPool> literals, const SourceManager& sm, Diagnostics& diags) {
  auto p = std::make_shared<ir::Program>();
  p->schema = schema;
  p->types = schema->types;  // the program's own table: the shared schema stays read-only
  p->literals = std::move(literals);
  Resolutions res = Resolve(plan, *schema, BuiltinRegistry::Default());  // pass 1: names
  Checked checked = TypeCheck(plan, *p, res, sm, diags);                 // pass 2: types, diagnostics
  Lowerer(*p, *schema, res, checked).Run(plan);                          // pass 3: IR
  std::sort(p->inline_calls.begin(), p->inline_calls.end());
  p->inline_calls.erase(std::unique(p->inline_calls.begin(), p->inline_calls.end()), p->inline_calls.end());
  p->node_text.reserve(p->nodes.size());
  for (const auto& n : p->nodes) p->node_text.emplace_back(sm.Text(n.span));
  return p;
}

std::shared_ptr<ir::Program> CompileStandard(const ast::StandardDecl& std_decl,
                                             std::shared_ptr<const SchemaModel> schema,
                                             std::shared_ptr<StringPool> literals, const SourceManager& sm,
                                             Diagnostics& diags, const std::vector<const ast::File*>& files) {
  Plan plan = PlanStandard(std_decl);
  AddModuleDecls(plan, files);
  return Lower(plan, std::move(schema), std::move(literals), sm, diags);
}

}  // namespace conform::sema
