// Pass "type-check, lower" (one walk; docs/design-notes.md, compiler passes). Names are the
// resolve pass's (resolve.cc): this walk reads what each denotes from its side table.
//   input:  a Plan (sema/plan.h) and the frozen, shared schema
//   output: an ir::Program with its own type table (the schema's types, then those created
//           here); diagnostics E02xx, E03xx, E04xx. The schema is only read.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "conform/compiler/builtins.h"
#include "conform/compiler/calendar.h"
#include "conform/compiler/patterns.h"
#include "conform/compiler/sema.h"
#include "passes.h"

namespace conform::sema {
namespace {

using ast::Expr;
using ast::ExprKind;
using ir::Node;
using ir::Op;
constexpr TypeId kErr = TypeTable::kError;

const std::vector<std::string> kMetaKeys = {"edition", "published", "publisher", "structure", "withdrawn", "transition_end"};

class Lowerer {
 public:
  Lowerer(ir::Program& p, const SchemaModel& m, const SourceManager& sm, Diagnostics& d)
      : p_(p), m_(m), types_(p.types), sm_(sm), diags_(d),
        reg_(BuiltinRegistry::Default()) {}

  void Run(const Plan& s);
  // A set operator written in a Clause 0.1 package (E0210).
  void CheckClause02SetOp(const Expr& e, const char* construct) {
    if (std::find(clause01_files_.begin(), clause01_files_.end(), e.span.file) != clause01_files_.end())
      ReportClause02(diags_, e.span, fmt::format("{} `{}`", construct, ast::Spelling(e.op)));
  }
  void LowerParamDefault(const std::string& name, const Expr& value, TypeId t, ir::ParamInfo& info);
  void LowerRequirements(const Plan& s);

 private:
  // A bound variable: its slot and type.
  struct Local {
    int32_t var = -1;
    TypeId type = kErr;
  };

  // A `def`, checked once (with its parameters as placeholders) and inlined at every call.
  struct DefInfo {
    const ast::DefDecl* decl = nullptr;
    std::vector<TypeId> params;
    TypeId result = kErr;  // declared result type, or kErr when none is declared
    bool ok = true, checked = false, checking = false;
  };

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
  std::string Name(TypeId t) const { return p_.TypeName(t); }
  static bool IsNumeric(TypeKind k) { return k == TypeKind::Int || k == TypeKind::Decimal; }
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
  bool ExpectBool(int32_t n, const char* what) {
    if (T(n) == kErr || K(n) == TypeKind::Bool) return T(n) != kErr;
    diags_.Error("E0301", p_.nodes[n].span, fmt::format("{} must be a bool, found `{}`", what, Name(T(n))),
                 K(n) == TypeKind::List || K(n) == TypeKind::Set ? "use a quantifier such as `exists x in L : …` or `count(L) > 0`" : "");
    return false;
  }

  // ---- names (what each denotes: the resolve pass, passes.h) ---------------------------
  const FieldDef* RootField(const std::string& n) const {
    if (m_.root < 0) return nullptr;
    return m_.entities[m_.root].Find(n);
  }
  // The witness of the `else` message being lowered, when `r` names it.
  const Local* Witness(const NameRes& r) const {
    if (r.witness & witness_mode_) return &witness_;
    return nullptr;
  }
  int32_t VarNode(const Local& l, Span s) {
    int32_t n = Make(Op::Var, l.type, s);
    p_.nodes[n].var = l.var;
    return n;
  }

  int32_t LowerName(const Expr& e, TypeId hint) {
    const NameRes& r = res_.Of(e);
    if (r.kind == Denotes::Base) return base_level_ > 0 ? LowerBase(e, hint) : Error(e.span);
    if (const Local* w = Witness(r)) return VarNode(*w, e.span);
    switch (r.kind) {
      case Denotes::Binder:
        if (auto it = bound_.find(r.binder); it != bound_.end()) return VarNode(it->second, e.span);
        return Error(e.span);  // not in scope where it is lowered again (a note's type only)
      case Denotes::Let: return VarNode(lets_[r.index], e.span);
      case Denotes::Global: return VarNode(globals_[r.index], e.span);
      case Denotes::DefParam: return def_args_[r.index];
      case Denotes::Param: {
        int32_t n = Make(Op::Param, p_.params[r.index].type, e.span);
        p_.nodes[n].imm = r.index;
        return n;
      }
      case Denotes::AsOf: return Make(Op::AsOf, TypeTable::kDate, e.span);
      default: break;
    }
    // Where the context expects an enum, its member wins over a root field of the same name.
    TypeId et = hint;
    if (types_.Kind(et) == TypeKind::Set || types_.Kind(et) == TypeKind::List) et = types_[et].elem;
    if (hint != kErr && types_.Kind(et) == TypeKind::Enum) {
      int idx = m_.enums[types_[et].ref].Find(e.text);
      if (idx >= 0) return Const(et, idx, e.span);
    }
    if (r.kind == Denotes::RootField) {
      const EntityDef& root = m_.entities[m_.root];
      const FieldDef& f = root.fields[r.index];
      int32_t rn = Make(Op::Root, types_.Entity(m_.root), e.span);
      int32_t n = Make(Op::Field, f.type, e.span, rn);
      p_.nodes[n].imm = f.index;
      p_.nodes[n].aux = root.presence_words();
      return n;
    }
    // An enum member where the context says which enum.
    if (hint != kErr && types_.Kind(et) == TypeKind::Enum) {
      const EnumDef& en = m_.enums[types_[et].ref];
      std::string near = ClosestMatch(e.text, en.members);
      std::string members;
      for (size_t i = 0; i < en.members.size() && i < 12; ++i) members += (i ? ", " : "") + en.members[i];
      diags_.Error("E0206", e.span, fmt::format("`{}` is not a member of enum `{}`", e.text, en.name),
                   near.empty() ? fmt::format("members: {}", members) : fmt::format("did you mean `{}`?", near));
      return Error(e.span);
    }
    if (m_.root < 0 && !root_reported_) {
      root_reported_ = true;
      diags_.Error("E0410", e.span, fmt::format("unknown name `{}`, and no root entity is declared", e.text),
                   "add `use core` (the core evidence schema) or declare `root organization { … }`");
      return Error(e.span);
    }
    if (auto it = res_.unknown.find(e.id); it != res_.unknown.end()) diags_.items().push_back(it->second);
    return Error(e.span);
  }

  // Lowers a pair where either side may be an enum member named by the other side's type.
  bool IsLocalName(const Expr& e) const {
    if (e.kind != ExprKind::Name) return false;
    const NameRes& r = res_.Of(e);
    if (Witness(r)) return true;
    switch (r.kind) {
      case Denotes::Binder: return bound_.count(r.binder) > 0;
      case Denotes::Let: case Denotes::Global: case Denotes::DefParam: case Denotes::Param: case Denotes::AsOf: return true;
      default: return false;
    }
  }
  // A bare name that may be an enum member, to be read in the light of the other operand.
  bool MaybeMember(const Expr& e) const {
    if (e.kind != ExprKind::Name || IsLocalName(e)) return false;
    if (!RootField(e.text)) return true;
    for (const auto& en : m_.enums)
      if (en.Find(e.text) >= 0) return true;
    return false;
  }
  // The one enum that has every name of `names` as a member, or -1.
  int EnumOfMembers(const std::vector<const Expr*>& names) const {
    int found = -1;
    for (size_t i = 0; i < m_.enums.size(); ++i) {
      bool all = !names.empty();
      for (const Expr* n : names) all = all && n->kind == ExprKind::Name && !IsLocalName(*n) && m_.enums[i].Find(n->text) >= 0;
      if (!all) continue;
      if (found >= 0) return -1;  // ambiguous
      found = static_cast<int>(i);
    }
    return found;
  }

  // A bare name that is only an enum member: read against an operand that is already an error,
  // it is poisoned too (one root cause, one diagnostic) instead of an E0201 of its own.
  bool OnlyAMember(const Expr& e) const {
    return e.kind == ExprKind::Name && !IsLocalName(e) && !RootField(e.text) &&
           std::any_of(m_.enums.begin(), m_.enums.end(), [&](const EnumDef& en) { return en.Find(e.text) >= 0; });
  }
  int32_t LowerAgainst(const Expr& e, int32_t other, TypeId hint) {
    if (T(other) == kErr && OnlyAMember(e)) return Error(e.span);
    if (T(other) == kErr && e.kind == ExprKind::SetLit && std::all_of(e.args.begin(), e.args.end(), [&](const ast::ExprPtr& x) {
          return OnlyAMember(*x);
        }))
      return Error(e.span);
    return Lower(e, hint);
  }

  // Lowers a pair where either side may be an enum member named by the other side's type.
  std::pair<int32_t, int32_t> LowerPair(const Expr& a, const Expr& b, bool set_rhs) {
    if (MaybeMember(a) && !MaybeMember(b)) {
      int32_t r = Lower(b);
      TypeId hint = T(r);
      if (set_rhs && (types_.Kind(hint) == TypeKind::Set || types_.Kind(hint) == TypeKind::List))
        hint = types_[hint].elem;
      int32_t l = LowerAgainst(a, r, hint);
      return {l, r};
    }
    int32_t l = Lower(a);
    TypeId hint = T(l);
    if (set_rhs && hint != kErr) hint = types_.Set(hint);
    int32_t r = LowerAgainst(b, l, hint);
    return {l, r};
  }

  // ---- expressions -------------------------------------------------------------
  int32_t Lower(const Expr& e, TypeId hint = kErr);
  int32_t LowerBinary(const Expr& e);
  int32_t LowerMember(const Expr& e);
  int32_t LowerCall(const Expr& e, TypeId hint);
  int32_t LowerCollectionOp(const Expr& e);
  // Builtins other than functions, one path per form (BuiltinRegistry).
  int32_t LowerOfCollection(const Expr& e, const Builtin& b);
  int32_t LowerGeneric(const Expr& e, const Builtin& b);
  int32_t LowerCompileTime(const Expr& e, const Builtin& b);
  int32_t LowerFunction(const Expr& e, const std::string& fn);
  TypeId ResultOf(const Builtin& b, TypeId value);
  bool Accepts(const Builtin& b, TypeId value) const;
  // The index of a builtin's symbol in Program::builtins (what a Call node's imm holds).
  int64_t BuiltinRef(const Builtin& b);
  // Whether node n is known whatever the evidence, from the builtins' null policies and can_fail
  // (conservative: false when in doubt).
  bool NeverUnknown(int32_t n) const;
  TypeId ResolveParamType(const ast::TypeRef& t);
  TypeId ResolveDefType(const ast::TypeRef& t);
  // ---- definitions (`def`, standard- and module-level `let`) -----------------------------
  void CollectDefs(const Plan& s);
  void CheckDef(DefInfo& d);
  int32_t InlineDef(const Expr& call, DefInfo& d);
  int32_t LowerDefBody(const DefInfo& d, const std::vector<int32_t>& args);
  void LowerGlobals(const Plan& s);
  int32_t LowerFilter(const Expr& e);
  int32_t LowerSetOp(const Expr& e, int32_t l, int32_t r);
  int32_t LowerSetRel(const Expr& e, int32_t l, int32_t r);
  bool IsColl(int32_t n) const { return K(n) == TypeKind::List || K(n) == TypeKind::Set; }
  // The type a set literal beside a collection of type `t` should take (`{…} - covered`).
  TypeId SetHint(TypeId t) {
    TypeKind k = types_.Kind(t);
    if (k == TypeKind::Set) return t;
    if (k == TypeKind::List && types_.Kind(types_[t].elem) != TypeKind::Entity) return types_.Set(types_[t].elem);
    return kErr;
  }
  void MergeRepeatedUnknowns(size_t first);

  int32_t BindIter(const Expr& e, int32_t list, int32_t& var) {
    TypeId lt = T(list);
    TypeKind lk = types_.Kind(lt);
    if (lt != kErr && lk != TypeKind::List && lk != TypeKind::Set) {
      diags_.Error("E0301", e.a->span, fmt::format("`{}` ranges over a list or set, found `{}`", e.var, Name(lt)));
      lt = kErr;
    }
    TypeId elem = lt == kErr ? kErr : types_[lt].elem;
    var = NewVar(e.var);
    bound_[e.id] = {var, elem};
    return elem;
  }

  ir::Program& p_;
  const SchemaModel& m_;
  TypeTable& types_;  // the program's (p_.types), never the schema's
  const SourceManager& sm_;
  Diagnostics& diags_;
  const BuiltinRegistry& reg_;
  Resolutions res_;
  // The variables in scope, by what the resolve pass says a name denotes.
  std::unordered_map<uint64_t, Local> bound_;  // by binder (the quantifier's, filter's … node id)
  std::vector<Local> lets_;                    // the requirement's lets
  std::vector<Local> globals_;                 // standard- and module-level lets, parallel to Plan::globals
  std::vector<int32_t> def_args_;              // the arguments of the def being inlined
  Local witness_;                              // in an `else` message: the witness …
  uint8_t witness_mode_ = 0;                   // … as NameRes::witness (1 in force, 2 poisoned), 0 none
  uint32_t num_globals_ = 0;                   // the globals' variable slots come first
  std::unordered_map<std::string, DefInfo> defs_;
  std::vector<std::string> def_stack_;  // defs being checked (for the recursion error)
  uint32_t next_var_ = 0;
  bool root_reported_ = false;
  int depth_limit_ = 1;  // for clauses(): max nesting depth seen
  int in_def_body_ = 0;  // > 0 while a def's body is inlined (its warnings belong to the def)
  std::vector<uint32_t> clause01_files_;

  // ---- extensions: `base` in an amended criterion ------------------------------------------
  // While lowering layer k of `base_layers_`, `base` is layer k-1 (itself lowered with its own
  // `base` = layer k-2, …). A null layer is the empty default (`true`, or an empty set).
  const std::vector<const ast::Expr*>* base_layers_ = nullptr;
  int base_level_ = -1;
  TypeId base_empty_type_ = kErr;
  std::string base_what_;  // "the criterion of iso9001.x", for notes
  int32_t LowerBase(const Expr& e, TypeId hint) {
    int saved = base_level_;
    --base_level_;
    const Expr* b = (*base_layers_)[base_level_];
    int32_t n;
    if (b) {
      n = Lower(*b, hint);
    } else if (types_.Kind(base_empty_type_) == TypeKind::Set) {
      n = Make(Op::SetLit, base_empty_type_, e.span);
    } else {
      n = Const(TypeTable::kBool, 1, e.span);
    }
    base_level_ = saved;
    return n;
  }
  // Lowers the layer in force of `layers`; a type error around a `base` becomes E0424.
  int32_t LowerLayers(const std::vector<const ast::Expr*>& layers, TypeId empty_type, const std::string& what) {
    if (layers.size() == 1) return Lower(*layers[0]);
    base_layers_ = &layers;
    base_level_ = static_cast<int>(layers.size()) - 1;
    base_empty_type_ = empty_type;
    base_what_ = what;
    size_t before = diags_.items().size();
    int32_t n = Lower(*layers.back());
    std::vector<Span> uses;
    UsesBase(layers.back(), &uses);
    for (size_t i = before; i < diags_.items().size(); ++i) {
      Diagnostic& d = diags_.items()[i];
      if (d.severity != Severity::Error) continue;
      bool around = std::any_of(uses.begin(), uses.end(), [&](const Span& u) {
        return u.file == d.span.file && d.span.begin <= u.begin && u.end <= d.span.end;
      });
      if (!around) continue;
      d.code = "E0424";
      d.message = "type error with `base`: " + d.message;
      const Expr* prev = layers[layers.size() - 2];
      if (prev) d.notes.push_back({prev->span, fmt::format("`base` is {}, of type `{}`", what, Name(T(LowerQuiet(*prev))))});
      if (d.help.empty()) d.help = "`base` has the type of the criterion it amends; combine it with `and`/`or`";
    }
    base_layers_ = nullptr;
    base_level_ = -1;
    return n;
  }
  // The type of an expression, lowered without diagnostics (for notes).
  int32_t LowerQuiet(const Expr& e) {
    size_t before = diags_.items().size();
    int saved = base_level_;
    if (base_level_ > 0) --base_level_;
    int32_t n = Lower(e);
    base_level_ = saved;
    diags_.items().resize(before);
    return n;
  }
};

int32_t Lowerer::Lower(const Expr& e, TypeId hint) {
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
      TypeId elem = kErr;
      if (types_.Kind(hint) == TypeKind::Set) elem = types_[hint].elem;
      if (elem == kErr) {
        // `{policy, objectives}` on its own: the enum that has all these members.
        std::vector<const Expr*> names;
        for (const auto& a : e.args) names.push_back(a.get());
        int en = EnumOfMembers(names);
        if (en >= 0) elem = types_.Enum(en);
      }
      std::vector<int32_t> items;
      for (const auto& a : e.args) {
        int32_t n = Lower(*a, elem);
        if (T(n) == kErr) return Error(e.span);
        if (elem == kErr) elem = T(n);
        if (T(n) != elem) {
          diags_.Error("E0301", a->span,
                       fmt::format("set elements must have one type: expected `{}`, found `{}`", Name(elem), Name(T(n))));
          return Error(e.span);
        }
        items.push_back(n);
      }
      if (elem == kErr) {
        diags_.Error("E0301", e.span, "cannot infer the element type of an empty set",
                     "compare with `count(…) == 0` instead");
        return Error(e.span);
      }
      TypeKind ek = types_.Kind(elem);
      if (ek == TypeKind::Entity || ek == TypeKind::List || ek == TypeKind::Set || ek == TypeKind::Decimal ||
          ek == TypeKind::Duration) {
        diags_.Error("E0301", e.span, fmt::format("a set cannot hold `{}` values", Name(elem)));
        return Error(e.span);
      }
      int32_t n = Make(Op::SetLit, types_.Set(elem), e.span);
      p_.nodes[n].args = std::move(items);
      return n;
    }
    case ExprKind::Name: return LowerName(e, hint);
    case ExprKind::Field: {
      int32_t obj = Lower(*e.a);
      if (T(obj) == kErr) return Error(e.span);
      if (K(obj) != TypeKind::Entity) {
        std::string help;
        if (K(obj) == TypeKind::List)
          help = fmt::format("`{}` is a list: use a quantifier, e.g. `exists x in … : x.{}`", ast::PrintExpr(*e.a), e.text);
        diags_.Error("E0303", e.var_span, fmt::format("field access `.{}` on a value of type `{}`", e.text, Name(T(obj))), help);
        return Error(e.span);
      }
      const EntityDef& ent = m_.entities[types_[T(obj)].ref];
      const FieldDef* f = ent.Find(e.text);
      if (!f) {
        std::vector<std::string> cands;
        for (const auto& x : ent.fields) cands.push_back(x.name);
        std::string near = ClosestMatch(e.text, cands);
        diags_.Error("E0202", e.var_span, fmt::format("unknown field `{}` on entity `{}`", e.text, ent.name),
                     near.empty() ? fmt::format("see `schema` for the fields of `{}`", ent.name)
                                  : fmt::format("did you mean `{}`?", near));
        return Error(e.span);
      }
      int32_t n = Make(Op::Field, f->type, e.span, obj);
      p_.nodes[n].imm = f->index;
      p_.nodes[n].aux = ent.presence_words();
      return n;
    }
    case ExprKind::Presence: {
      int32_t a = Lower(*e.a);
      if (T(a) == kErr) return Error(e.span);
      return Make(e.negated ? Op::IsAbsent : Op::IsPresent, TypeTable::kBool, e.span, a);
    }
    case ExprKind::Neg: {
      int32_t a = Lower(*e.a);
      if (T(a) == kErr) return Error(e.span);
      if (!IsNumeric(K(a))) {
        diags_.Error("E0301", e.span, fmt::format("cannot negate a value of type `{}`", Name(T(a))));
        return Error(e.span);
      }
      return Make(Op::Neg, T(a), e.span, a);
    }
    case ExprKind::Binary: return LowerBinary(e);
    case ExprKind::Member: return LowerMember(e);
    case ExprKind::Not: {
      int32_t a = Lower(*e.a);
      if (!ExpectBool(a, "the operand of `not`")) return Error(e.span);
      return Make(Op::Not, TypeTable::kBool, e.span, a);
    }
    case ExprKind::And:
    case ExprKind::Or:
    case ExprKind::Implies: {
      int32_t a = Lower(*e.a);
      int32_t b = Lower(*e.b);
      bool ok = ExpectBool(a, fmt::format("the left operand of `{}`", ast::Spelling(e.op)).c_str());
      ok = ExpectBool(b, fmt::format("the right operand of `{}`", ast::Spelling(e.op)).c_str()) && ok;
      if (!ok) return Error(e.span);
      Op op = e.kind == ExprKind::And ? Op::And : e.kind == ExprKind::Or ? Op::Or : Op::Implies;
      return Make(op, TypeTable::kBool, e.span, a, b);
    }
    case ExprKind::Quant:
    case ExprKind::Count:
    case ExprKind::Comprehension: return LowerCollectionOp(e);
    case ExprKind::Call: return LowerCall(e, hint);
    case ExprKind::Filter: return LowerFilter(e);
    case ExprKind::If: {
      int32_t c = Lower(*e.a);
      bool ok = ExpectBool(c, "the condition of `if`");
      int32_t t = Lower(*e.b, hint);
      int32_t f = Lower(*e.c, T(t) != kErr ? T(t) : hint);
      if (!ok || T(t) == kErr || T(f) == kErr) return Error(e.span);
      if (IsNumeric(K(t)) && IsNumeric(K(f)) && K(t) != K(f)) {
        t = ToDec(t);
        f = ToDec(f);
      }
      if (T(t) != T(f)) {
        diags_.Error("E0301", e.span, fmt::format("the branches of `if` have different types: `{}` and `{}`", Name(T(t)), Name(T(f))),
                     "both branches must give the same type");
        return Error(e.span);
      }
      return Make(Op::If, T(t), e.span, c, t, f);
    }
  }
  return Error(e.span);
}

int32_t Lowerer::LowerBinary(const Expr& e) {
  using O = ast::Operator;
  const O op = e.op;
  const char* spelled = ast::Spelling(op);
  bool cmp = ast::IsComparison(op);
  bool lset = e.a->kind == ExprKind::SetLit, rset = e.b->kind == ExprKind::SetLit;
  int32_t l, r;
  if (lset && !rset) {  // a set literal takes its element type from the other side
    r = Lower(*e.b);
    l = Lower(*e.a, SetHint(T(r)));
  } else if (rset && !lset) {
    l = Lower(*e.a);
    r = Lower(*e.b, SetHint(T(l)));
  } else {
    std::tie(l, r) = cmp ? LowerPair(*e.a, *e.b, false) : std::pair<int32_t, int32_t>{Lower(*e.a), Lower(*e.b)};
  }
  if (T(l) == kErr || T(r) == kErr) return Error(e.span);
  TypeKind lk = K(l), rk = K(r);
  if (op == O::Inter || (!cmp && (op == O::Add || op == O::Sub) && (IsColl(l) || IsColl(r)))) return LowerSetOp(e, l, r);
  if (cmp && IsColl(l) && IsColl(r)) return LowerSetRel(e, l, r);
  auto mismatch = [&](std::string help = {}) {
    diags_.Error("E0301", e.span, fmt::format("cannot apply `{}` to `{}` and `{}`", spelled, Name(T(l)), Name(T(r))), help);
    return Error(e.span);
  };
  if (cmp && ((lk == TypeKind::List || lk == TypeKind::Set) != (rk == TypeKind::List || rk == TypeKind::Set)) &&
      (IsNumeric(lk) || IsNumeric(rk))) {
    // `documents >= 3`: the author meant the number of elements.
    const Expr& coll = (lk == TypeKind::List || lk == TypeKind::Set) ? *e.a : *e.b;
    return mismatch(fmt::format("to compare the number of elements, write `count({})`", sm_.Text(coll.span)));
  }
  if (cmp) {
    if (IsNumeric(lk) && IsNumeric(rk) && lk != rk) {
      l = ToDec(l);
      r = ToDec(r);
      lk = rk = TypeKind::Decimal;
    }
    if (T(l) != T(r)) {
      std::string help;
      if ((lk == TypeKind::Date && rk == TypeKind::String) || (lk == TypeKind::String && rk == TypeKind::Date))
        help = "write dates without quotes: 2025-09-15";
      return mismatch(help);
    }
    bool ordering = op != O::Eq && op != O::Ne;
    if (lk == TypeKind::Entity || lk == TypeKind::List || lk == TypeKind::Set)
      return mismatch("compare fields of the values instead");
    if (ordering && (lk == TypeKind::Bool || lk == TypeKind::Enum)) {
      diags_.Error("E0304", e.span, fmt::format("`{}` values cannot be ordered with `{}`", Name(T(l)), spelled),
                   "only numbers, dates, durations and strings are ordered");
      return Error(e.span);
    }
    Op o = op == O::Eq ? Op::Eq : op == O::Ne ? Op::Ne : op == O::Lt ? Op::Lt : op == O::Le ? Op::Le : op == O::Gt ? Op::Gt : Op::Ge;
    int32_t n = Make(o, TypeTable::kBool, e.span, l, r);
    // Durations compare by the point in time each reaches from as_of (exact without months).
    p_.nodes[n].aux = lk == TypeKind::Decimal ? 1 : lk == TypeKind::Duration ? 3 : (lk == TypeKind::String && ordering) ? 2 : 0;
    return n;
  }
  // Arithmetic.
  if (IsNumeric(lk) && IsNumeric(rk)) {
    if (lk != rk) {
      l = ToDec(l);
      r = ToDec(r);
    }
    TypeId t = T(l);
    if (op == O::Mod && types_.Kind(t) == TypeKind::Decimal) return mismatch("`%` works on ints");
    Op o = op == O::Add ? Op::Add : op == O::Sub ? Op::Sub : op == O::Mul ? Op::Mul : op == O::Div ? Op::Div : Op::Mod;
    return Make(o, t, e.span, l, r);
  }
  if (op == O::Add && lk == TypeKind::Date && rk == TypeKind::Duration) return Make(Op::DateAdd, TypeTable::kDate, e.span, l, r);
  if (op == O::Add && lk == TypeKind::Duration && rk == TypeKind::Date) return Make(Op::DateAdd, TypeTable::kDate, e.span, r, l);
  if (op == O::Sub && lk == TypeKind::Date && rk == TypeKind::Duration) return Make(Op::DateSub, TypeTable::kDate, e.span, l, r);
  if (op == O::Sub && lk == TypeKind::Date && rk == TypeKind::Date) return Make(Op::DateDiff, TypeTable::kInt, e.span, l, r);
  if (op == O::Mul && lk == TypeKind::Duration && rk == TypeKind::Int) return Make(Op::DurMul, TypeTable::kDuration, e.span, l, r);
  if (op == O::Mul && lk == TypeKind::Int && rk == TypeKind::Duration) return Make(Op::DurMul, TypeTable::kDuration, e.span, r, l);
  if ((op == O::Add || op == O::Sub) && lk == TypeKind::Duration && rk == TypeKind::Duration)
    return Make(op == O::Add ? Op::DurAdd : Op::DurSub, TypeTable::kDuration, e.span, l, r);
  std::string help;
  if (lk == TypeKind::Duration && rk == TypeKind::Date) help = "write the date first: `date - 30 days`";
  if (lk == TypeKind::Int && rk == TypeKind::Date) help = "write the date first: `date + 30 days`";
  if (rk == TypeKind::Int && lk == TypeKind::Date) help = "add a duration, not a number: `date + 30 days`";
  return mismatch(help);
}

int32_t Lowerer::LowerMember(const Expr& e) {
  bool under = e.op == ast::Operator::Under;
  auto [l, r] = LowerPair(*e.a, *e.b, !under);
  if (T(l) == kErr || T(r) == kErr) return Error(e.span);
  TypeKind rk = K(r);
  TypeId relem = (rk == TypeKind::Set || rk == TypeKind::List) ? types_[T(r)].elem : kErr;
  int32_t n;
  if (under) {
    if (K(l) != TypeKind::String || !(rk == TypeKind::String || relem == TypeTable::kString)) {
      diags_.Error("E0301", e.span,
                   fmt::format("`under` relates clause numbers (strings), found `{}` under `{}`", Name(T(l)), Name(T(r))),
                   "write `c under \"8.3\"` or `c under a.clauses`");
      return Error(e.span);
    }
    n = Make(Op::Under, TypeTable::kBool, e.span, l, r);
  } else {
    if (relem == kErr) {
      diags_.Error("E0301", e.b->span, fmt::format("`in` needs a set or a list on its right, found `{}`", Name(T(r))),
                   K(l) == TypeKind::String && rk == TypeKind::String ? "for substrings use `contains(s, part)`" : "");
      return Error(e.span);
    }
    if (relem != T(l)) {
      diags_.Error("E0301", e.span, fmt::format("`{}` cannot be a member of `{}`", Name(T(l)), Name(T(r))));
      return Error(e.span);
    }
    if (K(l) == TypeKind::Entity) {
      diags_.Error("E0301", e.span, "membership of entities is not supported", "compare their ids instead");
      return Error(e.span);
    }
    n = Make(Op::In, TypeTable::kBool, e.span, l, r);
  }
  if (e.negated) n = Make(Op::Not, TypeTable::kBool, e.span, n);
  return n;
}

int32_t Lowerer::LowerCollectionOp(const Expr& e) {
  int32_t list = Lower(*e.a);
  // count(x in L where p) and sum(e for x in L where p): the registry's Iteration and
  // Comprehension forms (quantifiers are syntax).
  const Builtin* form = nullptr;
  if (e.kind != ExprKind::Quant) {
    bool iteration = e.kind == ExprKind::Count;
    form = reg_.FindForm(e.text, iteration ? Form::Iteration : Form::Comprehension);
    if (!form) {
      std::string aggregates;
      for (const auto& b : reg_.all())
        if (b.form == Form::Comprehension) aggregates += (aggregates.empty() ? "" : ", ") + b.name;
      if (iteration && reg_.FindForm(e.text, Form::Comprehension))
        diags_.Error("E0207", e.span, fmt::format("`{}(x in L …)` needs a value", e.text),
                     fmt::format("write `{}(e for x in L where p)`", e.text));
      else if (!iteration && reg_.FindForm(e.text, Form::Iteration))
        diags_.Error("E0207", e.span, fmt::format("`{}` is not an aggregate", e.text),
                     fmt::format("write `{}(x in L where p)`", e.text));
      else
        diags_.Error("E0207", e.span, fmt::format("`{}` is not an aggregate", e.text),
                     fmt::format("aggregates are {}", aggregates));
      return Error(e.span);
    }
  }
  int32_t var;
  BindIter(e, list, var);
  int32_t filter = -1, body = -1;
  bool ok = T(list) != kErr;
  if (e.b) {
    filter = Lower(*e.b);
    ok = ExpectBool(filter, "a `where` filter") && ok;
  }
  if (e.c) body = Lower(*e.c);
  bound_.erase(e.id);
  if (!ok || (e.c && T(body) == kErr)) return Error(e.span);
  if (e.kind == ExprKind::Quant) {
    if (!ExpectBool(body, fmt::format("the body of `{}`", ast::Spelling(e.op)).c_str())) return Error(e.span);
    Op op = e.op == ast::Operator::Exists ? Op::Exists : e.op == ast::Operator::All ? Op::All : Op::None;
    int32_t n = Make(op, TypeTable::kBool, e.span, list, filter, body);
    p_.nodes[n].var = var;
    return n;
  }
  if (form->form == Form::Iteration) {
    int32_t n = Make(form->op, ResultOf(*form, kErr), e.span, list, filter);
    p_.nodes[n].var = var;
    return n;
  }
  if (!Accepts(*form, T(body))) {
    diags_.Error("E0301", e.c->span,
                 fmt::format("`{}` needs {} value, found `{}`", form->name, form->accepts_doc, Name(T(body))));
    return Error(e.span);
  }
  int32_t n = Make(form->op, ResultOf(*form, T(body)), e.span, list, filter, body);
  p_.nodes[n].var = var;
  return n;
}

TypeId Lowerer::ResultOf(const Builtin& b, TypeId value) {
  switch (b.rule) {
    case ResultRule::Fixed: return b.result;
    case ResultRule::Value: return value;
    case ResultRule::SetOfValue: return types_.Set(value);
    case ResultRule::SetOfElement: return types_.Set(types_[value].elem);
  }
  return kErr;
}

bool Lowerer::Accepts(const Builtin& b, TypeId value) const {
  TypeKind k = types_.Kind(value);
  if (!HasKind(b.accepts, k)) return false;
  if (b.rule == ResultRule::SetOfElement) return HasKind(b.elem_accepts, types_.Kind(types_[value].elem));
  return true;
}

int64_t Lowerer::BuiltinRef(const Builtin& b) {
  auto it = std::find(p_.builtins.begin(), p_.builtins.end(), b.symbol);
  if (it != p_.builtins.end()) return it - p_.builtins.begin();
  p_.builtins.push_back(b.symbol);
  return static_cast<int64_t>(p_.builtins.size() - 1);
}

bool Lowerer::NeverUnknown(int32_t n) const {
  if (n < 0) return false;
  const Node& x = p_.nodes[n];
  auto all_known = [&](const std::vector<int32_t>& xs) {
    return std::all_of(xs.begin(), xs.end(), [&](int32_t a) { return NeverUnknown(a); });
  };
  switch (x.op) {
    case Op::Const: case Op::AsOf: case Op::Root: case Op::IsPresent: case Op::IsAbsent: return true;
    case Op::SetLit: return all_known(x.args);
    case Op::Call: {
      const Builtin* b = reg_.BySymbol(p_.builtins[static_cast<size_t>(x.imm)]);
      return b && b->nulls == NullPolicy::Propagate && !b->can_fail && all_known(x.args);
    }
    default: break;
  }
  // An aggregate or another form: by its declared policy.
  for (const auto& b : reg_.all()) {
    if (b.form == Form::Function || b.op != x.op) continue;
    switch (b.nulls) {
      case NullPolicy::Never: return true;
      case NullPolicy::Fallback: return NeverUnknown(x.b);  // unknown only if the fallback is
      case NullPolicy::Propagate: case NullPolicy::SkipUnknown: return !b.can_fail && NeverUnknown(x.a);
    }
  }
  return false;
}

int32_t Lowerer::LowerCall(const Expr& e, TypeId hint) {
  const std::string& fn = e.text;
  if (const ast::DefDecl* d = res_.DefOf(e)) return InlineDef(e, defs_.at(d->name));
  // f(a, …): a function, or a builtin whose form is written as a call.
  for (Form f : {Form::OfCollection, Form::Generic, Form::CompileTime})
    if (const Builtin* b = reg_.FindForm(fn, f)) {
      if (b->form == Form::OfCollection) return LowerOfCollection(e, *b);
      if (b->form == Form::Generic) return LowerGeneric(e, *b);
      return LowerCompileTime(e, *b);
    }
  if (reg_.Overloads(fn).empty()) {
    if (const Builtin* agg = reg_.FindForm(fn, Form::Comprehension)) {
      std::string form = agg->signature.substr(0, agg->signature.find(" →"));
      diags_.Error("E0207", e.var_span, fmt::format("`{}` is an aggregate", fn), fmt::format("write `{}`", form));
      return Error(e.span);
    }
    std::vector<std::string> cands;
    for (const auto& b : reg_.all()) cands.push_back(b.name);
    for (const auto& [name, d] : defs_) cands.push_back(name);
    std::string near = ClosestMatch(fn, cands);
    diags_.Error("E0207", e.var_span, fmt::format("unknown function `{}`", fn),
                 near.empty() ? "see docs/builtins.md for the builtins" : fmt::format("did you mean `{}`?", near));
    return Error(e.span);
  }
  return LowerFunction(e, fn);
}

bool ArityIs(Diagnostics& diags, const Expr& e, size_t n) {
  if (e.args.size() == n) return true;
  diags.Error("E0302", e.span, fmt::format("`{}` takes {} argument{}, found {}", e.text, n, n == 1 ? "" : "s", e.args.size()));
  return false;
}

int32_t Lowerer::LowerOfCollection(const Expr& e, const Builtin& b) {
  if (!ArityIs(diags_, e, 1)) return Error(e.span);
  int32_t l = Lower(*e.args[0]);
  if (T(l) == kErr) return Error(e.span);
  if (!Accepts(b, T(l))) {
    diags_.Error("E0301", e.args[0]->span, fmt::format("`{}` needs {}, found `{}`", b.name, b.accepts_doc, Name(T(l))),
                 K(l) == TypeKind::String ? b.mistake : "");
    return Error(e.span);
  }
  return Make(b.op, ResultOf(b, T(l)), e.span, l);
}

int32_t Lowerer::LowerGeneric(const Expr& e, const Builtin& b) {
  if (!ArityIs(diags_, e, 2)) return Error(e.span);
  auto [x, y] = LowerPair(*e.args[0], *e.args[1], false);
  if (T(x) == kErr || T(y) == kErr) return Error(e.span);
  if (IsNumeric(K(x)) && IsNumeric(K(y)) && K(x) != K(y)) {
    x = ToDec(x);
    y = ToDec(y);
  }
  if (T(x) != T(y) || !Accepts(b, T(x))) {
    diags_.Error("E0301", e.span, fmt::format("`{}` needs {}, found `{}` and `{}`", b.name, b.accepts_doc, Name(T(x)), Name(T(y))));
    return Error(e.span);
  }
  // A fallback that can never be used: the first value is known whatever the evidence.
  if (b.nulls == NullPolicy::Fallback && in_def_body_ == 0 && NeverUnknown(x))
    diags_.Warning("W0404", e.args[0]->span,
                   fmt::format("`{}` of a value that is never unknown: `{}` is never used", b.name,
                               sm_.Text(e.args[1]->span)),
                   "remove the fallback, or apply it to the value that may be missing");
  return Make(b.op, ResultOf(b, T(x)), e.span, x, y);
}

// The compile-time builtin: `clauses(depth)`, the clause numbers of the standard at a depth.
int32_t Lowerer::LowerCompileTime(const Expr& e, const Builtin& b) {
  if (!ArityIs(diags_, e, 1)) return Error(e.span);
  if (e.args[0]->kind != ExprKind::IntLit || e.args[0]->int_value < 1) {
    diags_.Error("E0302", e.args[0]->span, fmt::format("`{}` takes a positive int literal (the nesting depth)", b.name));
    return Error(e.span);
  }
  int32_t n = Make(b.op, ResultOf(b, b.result), e.span);
  for (const auto& c : p_.clauses)
    if (c.depth == e.args[0]->int_value) {
      int32_t k = Const(TypeTable::kString, p_.literals->Intern(c.number), e.span);  // grows nodes: index after
      p_.nodes[n].args.push_back(k);
    }
  if (p_.nodes[n].args.empty())
    diags_.Warning("W0403", e.span, fmt::format("this standard has no clauses at depth {}", e.args[0]->int_value));
  return n;
}

int32_t Lowerer::LowerFunction(const Expr& e, const std::string& fn) {
  std::vector<int32_t> args;
  std::vector<TypeId> types;
  for (const auto& a : e.args) {
    int32_t n = Lower(*a);
    if (T(n) == kErr) return Error(e.span);
    args.push_back(n);
    types.push_back(T(n));
  }
  const Builtin* b = reg_.Find(fn, types);
  if (!b) {
    // An int where a decimal is wanted converts, as in arithmetic (`sqrt(sites)`).
    for (const Builtin* o : reg_.Overloads(fn)) {
      if (o->params.size() != types.size()) continue;
      bool fits = true;
      for (size_t i = 0; i < types.size(); ++i)
        fits = fits && (o->params[i] == types[i] || (o->params[i] == TypeTable::kDecimal && types[i] == TypeTable::kInt));
      if (!fits) continue;
      for (size_t i = 0; i < args.size(); ++i)
        if (o->params[i] == TypeTable::kDecimal && types[i] == TypeTable::kInt) args[i] = ToDec(args[i]);
      b = o;
      break;
    }
  }
  if (!b) {
    std::string have, want;
    for (size_t i = 0; i < types.size(); ++i) have += (i ? ", " : "") + Name(types[i]);
    for (const Builtin* o : reg_.Overloads(fn)) {
      std::string sig = fn + "(";
      for (size_t i = 0; i < o->params.size(); ++i) sig += (i ? ", " : "") + Name(o->params[i]);
      want += (want.empty() ? "" : " or ") + ("`" + sig + ")`");
    }
    diags_.Error("E0302", e.span, fmt::format("no form of `{}` takes ({})", fn, have), fmt::format("expected {}", want));
    return Error(e.span);
  }
  if (fn == "matches") {
    if (e.args[1]->kind != ExprKind::StringLit) {
      diags_.Error("E0302", e.args[1]->span, "the pattern of `matches` must be a string literal",
                   "patterns are checked when the rules are compiled");
      return Error(e.span);
    }
    if (std::string why = PatternSet::Check(e.args[1]->text); !why.empty()) {
      diags_.Error("E0305", e.args[1]->span, fmt::format("invalid regular expression: {}", why),
                   "patterns use RE2 syntax (docs/builtins.md): no backreferences or lookaround");
      return Error(e.span);
    }
  }
  int32_t n = Make(Op::Call, b->result, e.span);
  p_.nodes[n].imm = BuiltinRef(*b);
  p_.nodes[n].args = std::move(args);
  return n;
}

// ---- definitions ---------------------------------------------------------------------------

// A `def` parameter or result: a scalar, an enum, an entity, or a list/set of those (`T?` is
// the same as `T`: any value may be unknown).
TypeId Lowerer::ResolveDefType(const ast::TypeRef& t) {
  static const std::unordered_map<std::string, TypeId> kScalars = {
      {"bool", TypeTable::kBool}, {"int", TypeTable::kInt}, {"decimal", TypeTable::kDecimal},
      {"string", TypeTable::kString}, {"date", TypeTable::kDate}, {"duration", TypeTable::kDuration}};
  if ((t.name == "set" || t.name == "list") && t.arg && !t.arg->arg) {
    TypeId e = ResolveDefType(*t.arg);
    if (e == kErr) return kErr;
    if (t.name == "list") return types_.List(e);
    if (types_.Kind(e) == TypeKind::Entity) {
      diags_.Error("E0203", t.span, "a set cannot hold entities", "use `list<…>`");
      return kErr;
    }
    return types_.Set(e);
  }
  if (!t.arg) {
    auto it = kScalars.find(t.name);
    if (it != kScalars.end()) return it->second;
    if (int en = m_.FindEnum(t.name); en >= 0) return types_.Enum(en);
    if (int ent = m_.FindEntity(t.name); ent >= 0) return types_.Entity(ent);
  }
  diags_.Error("E0203", t.span, fmt::format("unknown type `{}`", t.name),
               "a `def` takes bool, int, decimal, string, date, duration, an enum, an entity, or list<T>/set<T>");
  return kErr;
}

void Lowerer::CollectDefs(const Plan& s) {
  std::unordered_map<std::string, Span> seen;
  for (const ast::DefDecl* d : s.defs) {
    auto [it, fresh] = seen.emplace(d->name, d->name_span);
    if (!fresh) {
      auto& diag = diags_.Error("E0204", d->name_span, fmt::format("`def {}` is declared twice", d->name),
                                "a definition's name is unique among the standard's and the loaded modules' defs");
      diag.notes.push_back({it->second, "first declared here"});
      continue;
    }
    if (reg_.HasName(d->name)) {
      diags_.Error("E0209", d->name_span, fmt::format("`def {}` has the name of a builtin", d->name),
                   "choose another name: calls of a builtin must keep meaning the builtin (docs/builtins.md)");
      continue;
    }
    DefInfo info;
    info.decl = d;
    std::unordered_map<std::string, Span> names;
    for (const auto& prm : d->params) {
      TypeId t = ResolveDefType(prm.type);
      if (t == kErr) info.ok = false;
      info.params.push_back(t);
      if (!names.emplace(prm.name, prm.span).second) {
        diags_.Error("E0204", prm.span, fmt::format("parameter `{}` of `def {}` is declared twice", prm.name, d->name));
        info.ok = false;
      }
    }
    if (d->result) {
      info.result = ResolveDefType(*d->result);
      if (info.result == kErr) info.ok = false;
    }
    defs_.emplace(d->name, std::move(info));
  }
  // Every definition is checked once where it is declared, called or not.
  for (const ast::DefDecl* d : s.defs)
    if (auto it = defs_.find(d->name); it != defs_.end() && it->second.decl == d) CheckDef(it->second);
}

// Type-checks a def's body with its parameters as placeholders; the nodes it makes are dropped.
void Lowerer::CheckDef(DefInfo& d) {
  if (d.checked || d.checking) return;
  if (!d.ok) {
    d.checked = true;
    return;
  }
  d.checking = true;
  def_stack_.push_back(d.decl->name);
  size_t nodes = p_.nodes.size(), errors = diags_.ErrorCount();
  uint32_t next_var = next_var_, num_vars = p_.num_vars;
  std::vector<int32_t> placeholders;
  for (size_t i = 0; i < d.params.size(); ++i) placeholders.push_back(Make(Op::Var, d.params[i], d.decl->params[i].span));
  int32_t body = LowerDefBody(d, placeholders);
  if (T(body) != kErr && d.result != kErr && T(body) != d.result &&
      !(K(body) == TypeKind::Int && types_.Kind(d.result) == TypeKind::Decimal)) {
    diags_.Error("E0307", d.decl->body->span,
                 fmt::format("`def {}` is declared to give `{}`, but its body is `{}`", d.decl->name, Name(d.result), Name(T(body))),
                 "change the declared result type or the body");
  }
  if (diags_.ErrorCount() > errors) d.ok = false;
  p_.nodes.resize(nodes);
  next_var_ = next_var;
  p_.num_vars = num_vars;
  p_.var_names.resize(num_vars);
  def_stack_.pop_back();
  d.checking = false;
  d.checked = true;
}

// A def's body in a scope of its own: its parameters stand for `args` (substituted at each use),
// nothing of the caller's scope is visible.
int32_t Lowerer::LowerDefBody(const DefInfo& d, const std::vector<int32_t>& args) {
  std::vector<int32_t> saved = std::move(def_args_);
  def_args_ = args;
  int saved_base = base_level_;
  base_level_ = -1;
  ++in_def_body_;
  int32_t body = Lower(*d.decl->body);
  --in_def_body_;
  def_args_ = std::move(saved);
  base_level_ = saved_base;
  return body;
}

int32_t Lowerer::InlineDef(const Expr& call, DefInfo& d) {
  const ast::DefDecl& decl = *d.decl;
  if (d.checking) {
    std::string chain;
    auto from = std::find(def_stack_.begin(), def_stack_.end(), decl.name);
    for (auto it = from; it != def_stack_.end(); ++it) chain += *it + " → ";
    chain += decl.name;
    auto& diag = diags_.Error("E0208", call.span, fmt::format("`def {}` calls itself: {}", decl.name, chain),
                              "definitions are not recursive (the language stays total): use a quantifier or an aggregate");
    diag.notes.push_back({decl.name_span, "declared here"});
    d.ok = false;
    return Error(call.span);
  }
  if (!d.checked) CheckDef(d);
  if (call.args.size() != decl.params.size()) {
    diags_.Error("E0302", call.span,
                 fmt::format("`{}` takes {} argument{}, found {}", decl.name, decl.params.size(), decl.params.size() == 1 ? "" : "s",
                             call.args.size()));
    return Error(call.span);
  }
  std::vector<int32_t> args;
  bool ok = d.ok;
  for (size_t i = 0; i < call.args.size(); ++i) {
    int32_t a = Lower(*call.args[i], d.params[i]);
    if (T(a) == kErr || d.params[i] == kErr) {
      ok = false;
      continue;
    }
    if (T(a) != d.params[i]) {
      if (K(a) == TypeKind::Int && types_.Kind(d.params[i]) == TypeKind::Decimal) {
        a = ToDec(a);
      } else {
        auto& diag = diags_.Error("E0306", call.args[i]->span,
                                  fmt::format("argument `{}` of `{}` must be a `{}`, found `{}`", decl.params[i].name, decl.name,
                                              Name(d.params[i]), Name(T(a))));
        diag.notes.push_back({decl.params[i].span, "declared here"});
        ok = false;
        continue;
      }
    }
    args.push_back(a);
  }
  if (!ok) return Error(call.span);  // a def that failed its check was reported where it is declared
  int32_t body = LowerDefBody(d, args);
  if (T(body) != kErr && d.result == TypeTable::kDecimal && K(body) == TypeKind::Int) body = ToDec(body);
  return body;
}

// Standard- and module-level lets: variable slots 0 … n-1 (the i-th let is slot i, as the IR
// promises and the cache loader checks), in scope for everything after them. The variables a
// let's own value binds (a filter's, a quantifier's) take slots after every let's.
void Lowerer::LowerGlobals(const Plan& s) {
  next_var_ = 0;
  for (const ast::LetDecl* l : s.globals) NewVar(l->name);  // reserve slots 0 … n-1
  globals_.assign(s.globals.size(), Local{});
  for (size_t i = 0; i < s.globals.size(); ++i) {
    const ast::LetDecl* l = s.globals[i];
    if (res_.globals[i] == GlobalStatus::Duplicate) {
      diags_.Error("E0204", l->span, fmt::format("`let {}` is declared twice", l->name),
                   "standard- and module-level `let` names are unique");
      continue;
    }
    if (res_.globals[i] == GlobalStatus::ParamName) {
      diags_.Error("E0204", l->span, fmt::format("`let {}` has the name of a parameter", l->name), "rename one of them");
      continue;
    }
    int32_t val = Lower(*l->value);
    const auto var = static_cast<int32_t>(p_.globals.size());
    p_.var_names[var] = l->name;
    p_.globals.push_back({l->name, var, val});
    globals_[i] = {var, T(val)};
  }
  num_globals_ = next_var_;
}

int32_t Lowerer::LowerFilter(const Expr& e) {
  int32_t list = Lower(*e.a);
  int32_t var;
  BindIter(e, list, var);
  int32_t filter = Lower(*e.b);
  bool ok = ExpectBool(filter, "a `where` filter") && T(list) != kErr && IsColl(list);
  bound_.erase(e.id);
  if (!ok) return Error(e.span);
  int32_t n = Make(Op::Filter, T(list), e.span, list, filter);
  p_.nodes[n].var = var;
  return n;
}

int32_t Lowerer::LowerSetOp(const Expr& e, int32_t l, int32_t r) {
  using O = ast::Operator;
  const O op = e.op;
  const char* what = op == O::Add ? "union" : op == O::Sub ? "difference" : "intersection";
  if (op != O::Inter) CheckClause02SetOp(e, op == O::Add ? "the set union" : "the set difference");  // `&`: language_level.cc
  if (!IsColl(l) || !IsColl(r)) {
    const Expr& other = IsColl(l) ? *e.b : *e.a;
    diags_.Error("E0308", e.span, fmt::format("the set {} `{}` needs two sets or lists, found `{}` and `{}`", what, ast::Spelling(op), Name(T(l)), Name(T(r))),
                 IsColl(l) || IsColl(r) ? fmt::format("make the single value a set: `{{{}}}`", sm_.Text(other.span))
                                        : "`&` intersects sets; for booleans use `and`");
    return Error(e.span);
  }
  TypeId le = types_[T(l)].elem, re = types_[T(r)].elem;
  if (le != re || types_.Kind(le) == TypeKind::Entity) {
    diags_.Error("E0308", e.span,
                 fmt::format("the set {} `{}` needs elements of one scalar type, found `{}` and `{}`", what, ast::Spelling(op), Name(T(l)), Name(T(r))),
                 types_.Kind(le) == TypeKind::Entity || types_.Kind(re) == TypeKind::Entity
                     ? "compare the entities' ids: `distinct(x.id for x in L)`"
                     : "");
    return Error(e.span);
  }
  Op o = op == O::Add ? Op::SetUnion : op == O::Sub ? Op::SetDiff : Op::SetInter;
  return Make(o, types_.Set(le), e.span, l, r);
}

int32_t Lowerer::LowerSetRel(const Expr& e, int32_t l, int32_t r) {
  using O = ast::Operator;
  const O op = e.op;
  CheckClause02SetOp(e, "the set comparison");
  TypeId le = types_[T(l)].elem, re = types_[T(r)].elem;
  if (le != re || types_.Kind(le) == TypeKind::Entity) {
    diags_.Error("E0308", e.span, fmt::format("cannot compare `{}` with `{}` as sets", Name(T(l)), Name(T(r))),
                 types_.Kind(le) == TypeKind::Entity ? "compare the entities' ids: `distinct(x.id for x in L)`"
                                                       : "both sides need elements of one scalar type");
    return Error(e.span);
  }
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

TypeId Lowerer::ResolveParamType(const ast::TypeRef& t) {
  static const std::unordered_map<std::string, TypeId> kScalars = {
      {"bool", TypeTable::kBool}, {"int", TypeTable::kInt}, {"decimal", TypeTable::kDecimal},
      {"string", TypeTable::kString}, {"date", TypeTable::kDate}, {"duration", TypeTable::kDuration}};
  if (t.name == "set" && t.arg && !t.arg->arg) {
    TypeId e = ResolveParamType(*t.arg);
    return e == kErr ? kErr : types_.Set(e);
  }
  auto it = kScalars.find(t.name);
  if (it != kScalars.end() && !t.arg) return it->second;
  int en = m_.FindEnum(t.name);
  if (en >= 0 && !t.arg) return types_.Enum(en);
  diags_.Error("E0203", t.span, fmt::format("parameters cannot have type `{}`", t.name),
               "parameters are bool, int, decimal, string, date, duration, an enum, or a set of those");
  return kErr;
}

void CollectClauses(ir::Program& p, const PlanClause& c, int32_t parent, int depth, Diagnostics& diags,
                    std::unordered_map<std::string, Span>& seen) {
  // A clause number is digits (`9.2.1`) or an annex: capital letters alone (`A`, `CLD`) or
  // followed by numbers (`A.5.23`, `CLD.6.3.1`); the grammar lets any name through for the letters.
  if (!c.number.empty() && !(c.number[0] >= '0' && c.number[0] <= '9')) {
    size_t letters = 0;
    while (letters < c.number.size() && c.number[letters] >= 'A' && c.number[letters] <= 'Z') ++letters;
    if (letters == 0 || (letters < c.number.size() && c.number[letters] != '.'))
      diags.Error("E0630", c.number_span, fmt::format("`{}` is not a clause number", c.number),
                  "number clauses with digits (`9.2`) or, for an annex, capital letters (`A`, `A.5.23`, `CLD.6.3.1`)");
  }
  if (parent >= 0) {
    const std::string& pn = p.clauses[parent].number;
    bool ok = c.number.size() > pn.size() + 1 && c.number.compare(0, pn.size(), pn) == 0 && c.number[pn.size()] == '.' &&
              c.number.find('.', pn.size() + 1) == std::string::npos;
    if (!ok)
      diags.Error("E0402", c.number_span, fmt::format("clause {} cannot be nested in clause {}", c.number, pn),
                  fmt::format("a sub-clause of {} is numbered {}.N", pn, pn));
  }
  auto [it, fresh] = seen.emplace(c.number, c.number_span);
  if (!fresh) {
    auto& d = diags.Error("E0204", c.number_span, fmt::format("clause {} is declared twice", c.number));
    d.notes.push_back({it->second, "first declared here"});
  }
  int32_t idx = static_cast<int32_t>(p.clauses.size());
  p.clauses.push_back({c.number, c.title, parent, depth, c.number_span, c.origin});
  for (const auto& sub : c.clauses) CollectClauses(p, sub, idx, depth + 1, diags, seen);
}

void Lowerer::Run(const Plan& s) {
  p_.standard = s.name;
  p_.layers = s.layers;
  clause01_files_ = s.clause01_files;
  p_.title = s.title;
  res_ = Resolve(s, m_, reg_);
  // Metadata.
  for (const ast::MetaDecl* mdp : s.meta) {
    const ast::MetaDecl& md = *mdp;
    bool known = std::find(kMetaKeys.begin(), kMetaKeys.end(), md.key) != kMetaKeys.end();
    if (!known) {
      std::string near = ClosestMatch(md.key, kMetaKeys);
      diags_.Warning("W0401", md.span, fmt::format("unknown metadata key `{}`", md.key),
                     near.empty() ? "known keys: edition, published, publisher, structure, withdrawn, transition_end"
                                  : fmt::format("did you mean `{}`?", near));
    }
    bool is_date = md.key == "published" || md.key == "withdrawn" || md.key == "transition_end";
    const Expr& v = *md.value;
    if (is_date && v.kind != ExprKind::DateLit) {
      diags_.Error("E0301", v.span, fmt::format("`{}` takes a date (YYYY-MM-DD)", md.key));
      continue;
    }
    if (!is_date && known && v.kind != ExprKind::StringLit) {
      diags_.Error("E0301", v.span, fmt::format("`{}` takes a string", md.key), fmt::format("write `{} \"…\"`", md.key));
      continue;
    }
    p_.meta.push_back({md.key, v.kind == ExprKind::DateLit ? cal::FormatDate(v.int_value) : v.kind == ExprKind::StringLit ? v.text : ast::PrintExpr(v)});
  }
  // Clause tree first: `clauses(n)` may be used anywhere.
  std::unordered_map<std::string, Span> seen_clauses;
  for (const auto& c : s.clauses) CollectClauses(p_, c, -1, 1, diags_, seen_clauses);
  // Parameters.
  for (const PlanParam& pp : s.params) {
    const ast::ParamDecl& pd = *pp.decl;
    if (p_.FindParam(pd.name) >= 0) {
      diags_.Error("E0204", pd.span, fmt::format("duplicate parameter `{}`", pd.name));
      continue;
    }
    TypeId t = ResolveParamType(pd.type);
    ir::ParamInfo info{pd.name, t, 0, {}, pd.doc, pd.span};
    info.origin = pp.origin;
    info.set_by = pp.set_by;
    if (pp.base_value && t != kErr) {  // the base's default, shown beside the extension's
      ir::ParamInfo was;
      LowerParamDefault(pd.name, *pp.base_value, t, was);
      info.base_value = was.value;
      info.base_set_value = was.set_value;
    }
    if (t != kErr) LowerParamDefault(pd.name, *pp.value, t, info);
    p_.params.push_back(std::move(info));
  }
  // Definitions, then standard- and module-level lets (in scope for the exclusions and every
  // requirement).
  CollectDefs(s);
  LowerGlobals(s);
  // Exclusions.
  if (s.repeated_exclusions)
    diags_.Error("E0404", s.repeated_exclusions->span, "a standard declares `exclusions` once");
  if (!s.exclusions.empty() && s.exclusions.back()) {
    const Expr* top = s.exclusions.back();
    int32_t n = LowerLayers(s.exclusions, types_.Set(TypeTable::kString), "the base's exclusions");
    if (T(n) != kErr && T(n) != types_.Set(TypeTable::kString)) {
      diags_.Error("E0301", top->span,
                   fmt::format("`exclusions` must be a set<string> of clause numbers, found `{}`", Name(T(n))),
                   "e.g. `exclusions distinct(n.clause_number for n in scope.non_applicable)`");
    } else {
      p_.exclusions = n;
    }
  }
  LowerRequirements(s);
}

void Lowerer::LowerParamDefault(const std::string& name, const Expr& value, TypeId t, ir::ParamInfo& info) {
  int32_t v = Lower(value, t);
  if (T(v) == kErr) return;
  if (IsNumeric(K(v)) && types_.Kind(t) == TypeKind::Decimal) v = ToDec(v);
  const Node& n = p_.nodes[v];
  if (T(v) != t) {
    diags_.Error("E0301", value.span, fmt::format("default of `{}` must be a `{}`, found `{}`", name, Name(t), Name(T(v))));
  } else if (n.op == Op::Const) {
    info.value = n.imm;
  } else if (n.op == Op::SetLit) {
    bool all_const = true;
    for (int32_t a : n.args) {
      if (p_.nodes[a].op != Op::Const) all_const = false;
      else info.set_value.push_back(p_.nodes[a].imm);
    }
    if (!all_const) diags_.Error("E0409", value.span, "a parameter default must be a literal");
  } else {
    diags_.Error("E0409", value.span, "a parameter default must be a literal",
                 "organizations override parameters; defaults are fixed values");
  }
}

// Requirements, in clause order.
void Lowerer::LowerRequirements(const Plan& s) {
  std::unordered_map<std::string, Span> req_ids;
  std::vector<const PlanRequirement*> decls;  // parallel to p_.requirements
  int32_t clause_counter = 0;
  std::function<void(const PlanClause&)> walk = [&](const PlanClause& c) {
    int32_t ci = clause_counter++;
    size_t sub = 0, req = 0;
    for (int kind : c.order) {
      if (kind == 0) {
        walk(c.clauses[sub++]);
        continue;
      }
      const PlanRequirement& v = c.requirements[req++];
      const ast::RequirementDecl& r = *v.decl;
      auto [it, fresh] = req_ids.emplace(r.id, r.id_span);
      if (!fresh) {
        auto& d = diags_.Error("E0204", r.id_span, fmt::format("duplicate requirement id `{}`", r.id),
                               "requirement ids are unique within a standard");
        d.notes.push_back({it->second, "first declared here"});
      }
      ir::Requirement out;
      out.id = r.id;
      out.clause = c.number;
      out.clause_index = ci;
      out.says = v.says;
      out.span = r.id_span;
      out.origin = v.origin;
      out.amended_by = v.amended_by;
      if (v.grade == "major") out.grade = ir::Grade::Major;
      else if (v.grade == "minor") out.grade = ir::Grade::Minor;
      else if (v.grade == "observation") out.grade = ir::Grade::Observation;
      else {
        std::string near = ClosestMatch(v.grade, {"major", "minor", "observation"});
        diags_.Error("E0401", v.grade_span, fmt::format("unknown grade `{}`", v.grade),
                     near.empty() ? "grades are major, minor and observation" : fmt::format("did you mean `{}`?", near));
      }
      if (r.pass_count > 1 || r.says_count > 1 || r.else_count > 1 || r.applies_count > 1)
        diags_.Error("E0404", r.id_span, fmt::format("requirement `{}` repeats a member", r.id),
                     "`says`, `applies when`, `pass` and `else` appear at most once each");
      if (!v.says_count)
        diags_.Warning("W0402", r.id_span, fmt::format("requirement `{}` has no `says` text", r.id),
                       "describe the requirement in your own words with `says \"…\"`");
      next_var_ = num_globals_;
      lets_.clear();
      witness_mode_ = 0;
      const size_t first_diag = diags_.items().size();
      for (const ast::LetDecl* lp : v.lets) {
        const ast::LetDecl& l = *lp;
        if (LetClash clash = res_.let_clash.at(&l); clash != LetClash::None)
          diags_.Error("E0204", l.span,
                       clash == LetClash::Global ? fmt::format("`{}` is already a standard- or module-level `let`", l.name)
                                                 : fmt::format("`{}` is already bound in this requirement", l.name));
        int32_t val = Lower(*l.value);
        int32_t var = NewVar(l.name);
        out.lets.push_back({l.name, var, val});
        lets_.push_back({var, T(val)});
      }
      const std::string what = fmt::format("the criterion of {}.{}", v.origin, r.id);
      // `applies when` sees the lets, so a condition can be named once and used in both.
      if (!v.applies.empty() && v.applies.back()) {
        out.applies = LowerLayers(v.applies, TypeTable::kBool, "the applicability of " + v.origin + "." + r.id);
        if (!ExpectBool(out.applies, "`applies when`")) out.applies = -1;
      }
      if (v.pass.empty() || !v.pass.back()) {
        diags_.Error("E0403", r.id_span, fmt::format("requirement `{}` has no `pass` criterion", r.id),
                     "add `pass <condition>`");
      } else {
        out.pass = LowerLayers(v.pass, TypeTable::kBool, what);
        if (!ExpectBool(out.pass, "`pass`")) out.pass = -1;
      }
      if (out.pass >= 0) {
        const Node& pn = p_.nodes[out.pass];
        if (pn.op == Op::All || pn.op == Op::None) {
          out.witness_var = pn.var;
          witness_ = {pn.var, types_[T(pn.a)].elem};
          witness_mode_ = 1;
        }
      } else if (r.pass && r.pass->kind == ExprKind::Quant && (r.pass->op == ast::Operator::All || r.pass->op == ast::Operator::NoneOf)) {
        // The `pass` was already reported: its witness is poisoned, so the `else` holes that
        // name it add no E0201 each.
        witness_ = {NewVar(r.pass->var), kErr};
        witness_mode_ = 2;
      }
      if (v.message) {
        size_t before = diags_.items().size();
        for (const auto& piece : v.message->pieces) {
          if (!piece.expr) {
            out.message.push_back({piece.text, -1});
            continue;
          }
          if (piece.each && out.witness_var < 0) {
            diags_.Error("E0309", piece.expr->span, "`{each …}` names every failing element of a top-level `all` or `none`",
                         "write the `pass` as `all x in L : …` (or `none`), and interpolate `{each x.id}`");
            out.message.push_back({{}, Error(piece.expr->span), true});
            continue;
          }
          int32_t n = Lower(*piece.expr);
          if (T(n) != kErr && (K(n) == TypeKind::Entity || K(n) == TypeKind::List)) {
            diags_.Error("E0301", piece.expr->span, fmt::format("a `{}` cannot be printed in a message", Name(T(n))),
                         K(n) == TypeKind::List ? "interpolate `count(…)` or a field" : "interpolate one of its fields, e.g. `.id`");
          }
          out.message.push_back({{}, n, piece.each});
        }
        // A base message kept over an amended criterion may name what the new criterion no
        // longer binds (the variable of the base's `all`): one error, at the amendment.
        if (v.pass_amend_keeping_message && diags_.ErrorCount() > 0) {
          std::vector<Diagnostic> errs;
          for (size_t i = before; i < diags_.items().size(); ++i)
            if (diags_.items()[i].severity == Severity::Error) errs.push_back(diags_.items()[i]);
          if (!errs.empty()) {
            diags_.items().resize(before);
            auto& d = diags_.Error("E0431", v.pass_amend_keeping_message->target_span,
                                   fmt::format("the `else` message of `{}` does not fit the amended criterion: {}", r.id,
                                               errs.front().message),
                                   "give the amendment its own `else \"…\"`");
            d.notes.push_back({errs.front().span, "in the message kept from " + v.origin});
          }
        }
      }
      lets_.clear();
      witness_mode_ = 0;
      MergeRepeatedUnknowns(first_diag);
      p_.requirements.push_back(std::move(out));
      decls.push_back(&v);
    }
  };
  for (const auto& c : s.clauses) walk(c);
  ResolveDependencies(p_, decls, diags_);
}

// One unknown name, field, enum member or function used several times in a requirement is one
// mistake: its first E0201/E0202/E0206/E0207 stays, the other uses become notes of it.
void Lowerer::MergeRepeatedUnknowns(size_t first) {
  auto& items = diags_.items();
  std::vector<Diagnostic> kept(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(first));
  for (size_t i = first; i < items.size(); ++i) {
    Diagnostic& d = items[i];
    bool merged = false;
    if (d.code == "E0201" || d.code == "E0202" || d.code == "E0206" || d.code == "E0207")
      for (size_t k = first; k < kept.size(); ++k)
        if (kept[k].code == d.code && kept[k].message == d.message) {
          kept[k].notes.push_back({d.span, "used here too"});
          merged = true;
          break;
        }
    if (!merged) kept.push_back(std::move(d));
  }
  items = std::move(kept);
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
  Lowerer l(*p, *schema, sm, diags);
  l.Run(plan);
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
