// Pass "type-check" (docs/design-notes.md, sema passes).
//   input:  a Plan, its Resolutions (resolve.cc), the frozen schema, the builtin registry
//   output: Checked (passes.h): every expression's type in the program's own type table, by
//           node id, and what the lowering needs of it (a bare name read as an enum member, an
//           int converted to decimal where it is used, the builtin a call chose); the program's
//           structure (metadata, clause tree, parameters and their types, requirements without
//           their expressions, `depends on`). Every diagnostic of sema after resolution comes
//           from here, in one walk in the order the old single pass had: E02xx (bare names
//           against the expected type, fields, defs, functions), E03xx, E04xx, W0401–W0404.
//   owns:   the expected type pushed down (bidirectional: `status == approved`, `{a, b} - s`,
//           the arguments of a def), defs' bodies checked once with their typed parameters,
//           the W0404 analysis (never unknown).
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include "conform/compiler/calendar.h"
#include "conform/compiler/patterns.h"
#include "conform/compiler/sema.h"
#include "passes.h"

namespace conform::sema {
namespace {

using ast::Expr;
using ast::ExprKind;
constexpr TypeId kErr = TypeTable::kError;

const std::vector<std::string> kMetaKeys = {"edition", "published", "publisher", "structure", "withdrawn", "transition_end"};

bool ArityIs(Diagnostics& diags, const Expr& e, size_t n) {
  if (e.args.size() == n) return true;
  diags.Error("E0302", e.span, fmt::format("`{}` takes {} argument{}, found {}", e.text, n, n == 1 ? "" : "s", e.args.size()));
  return false;
}

bool IsLiteral(const Expr& e) {
  switch (e.kind) {
    case ExprKind::BoolLit: case ExprKind::IntLit: case ExprKind::DecimalLit: case ExprKind::StringLit:
    case ExprKind::DateLit: case ExprKind::DurationLit: return true;
    default: return false;
  }
}

class Checker {
 public:
  Checker(ir::Program& p, const SchemaModel& m, const SourceManager& sm, Diagnostics& d, const Resolutions& res)
      : p_(p), m_(m), types_(p.types), sm_(sm), diags_(d), reg_(BuiltinRegistry::Default()), res_(res) {}

  Checked Run(const Plan& s);

 private:
  // A `def`, checked once (its parameters typed as declared) where it is declared.
  struct DefInfo {
    const ast::DefDecl* decl = nullptr;
    std::vector<TypeId> params;
    TypeId result = kErr;  // declared result type, or kErr when none is declared
    TypeId body = kErr;    // the body's type, once checked
    bool ok = true, checked = false, checking = false;
  };
  // The arguments of the def being checked through a call (for Where and NeverUnknown), or none
  // while a def's body is checked on its own.
  struct Frame {
    const DefInfo* def = nullptr;
    const std::vector<ast::ExprPtr>* args = nullptr;
    int level = -1;  // the caller's `base` level, for its arguments
  };

  // ---- the side table ------------------------------------------------------------------------
  Typed& Rec(const Expr& e) {
    if (quiet_) return scratch_;
    return out_.nodes[e.id];
  }
  TypeId Set(const Expr& e, TypeId t) {
    Rec(e).type = t;
    return t;
  }
  TypeId Fail(const Expr& e) { return Set(e, kErr); }
  const Typed& Of(const Expr& e) const { return out_.Of(e); }
  // Converts the value of `x` (of type t) to decimal where it is used, when it is an int.
  TypeId ToDec(const Expr& x, TypeId t) {
    if (types_.Kind(t) != TypeKind::Int) return t;
    Rec(x).to_dec = true;
    return TypeTable::kDecimal;
  }

  TypeKind K(TypeId t) const { return types_.Kind(t); }
  std::string Name(TypeId t) const { return p_.TypeName(t); }
  static bool IsNumeric(TypeKind k) { return k == TypeKind::Int || k == TypeKind::Decimal; }
  bool IsColl(TypeId t) const { return K(t) == TypeKind::List || K(t) == TypeKind::Set; }

  // Where the lowering follows a value to: the frames of the defs entered (their arguments)
  // and the `base` level (layer `level` is in force, `base` is layer level-1).
  struct Ctx {
    std::vector<Frame> frames;
    int level = -1;
  };
  Ctx Here() const { return {frames_, base_level_}; }
  // When the lowering of `e` is another expression's (a def call is its body, a parameter of
  // a def entered through a call its argument, `base` the layer below), calls f(that, ctx) and
  // returns true; false when `e` lowers to a node of its own.
  template <class F>
  bool Through(const Expr& e, Ctx& c, F&& f) const {
    if (e.kind == ExprKind::Name) {
      const NameRes& r = res_.Of(e);
      if (r.kind == Denotes::Base && c.level > 0) {
        const Expr* b = (*base_layers_)[c.level - 1];
        if (!b) return false;  // the empty default: a constant of its own
        --c.level;
        f(*b, c);
        ++c.level;
        return true;
      }
      if (r.kind == Denotes::DefParam && !c.frames.empty() && c.frames.back().args) {
        Frame fr = c.frames.back();
        int level = c.level;
        c.frames.pop_back();
        c.level = fr.level;
        f(*(*fr.args)[r.index], c);
        c.frames.push_back(fr);
        c.level = level;
        return true;
      }
      return false;
    }
    const ast::DefDecl* d = e.kind == ExprKind::Call && Of(e).type != kErr ? res_.DefOf(e) : nullptr;
    if (!d) return false;
    c.frames.push_back({&defs_.at(d->name), &e.args, c.level});
    int level = c.level;
    c.level = -1;
    f(*d->body, c);
    c.level = level;
    c.frames.pop_back();
    return true;
  }
  // The span of the node the lowering of `e` gives (a parameter of a def checked on its own:
  // the parameter's declaration).
  Span Where(const Expr& e, Ctx& c) const {
    Span s = e.span;
    if (Through(e, c, [&](const Expr& x, Ctx& cx) { s = Where(x, cx); })) return s;
    if (e.kind == ExprKind::Name && res_.Of(e).kind == Denotes::DefParam && !c.frames.empty())
      return c.frames.back().def->decl->params[res_.Of(e).index].span;
    return e.span;
  }
  Span Where(const Expr& e) const {
    Ctx c = Here();
    return Where(e, c);
  }

  bool ExpectBool(const Expr& e, TypeId t, const char* what) {
    if (t == kErr || K(t) == TypeKind::Bool) return t != kErr;
    diags_.Error("E0301", Where(e), fmt::format("{} must be a bool, found `{}`", what, Name(t)),
                 K(t) == TypeKind::List || K(t) == TypeKind::Set ? "use a quantifier such as `exists x in L : …` or `count(L) > 0`" : "");
    return false;
  }

  // ---- names ---------------------------------------------------------------------------------
  const FieldDef* RootField(const std::string& n) const {
    if (m_.root < 0) return nullptr;
    return m_.entities[m_.root].Find(n);
  }
  bool WitnessNamed(const NameRes& r) const { return (r.witness & witness_mode_) != 0; }

  TypeId CheckName(const Expr& e, TypeId hint) {
    const NameRes& r = res_.Of(e);
    if (r.kind == Denotes::Base) return base_level_ > 0 ? CheckBase(e, hint) : Fail(e);
    if (WitnessNamed(r)) return Set(e, witness_type_);
    switch (r.kind) {
      case Denotes::Binder:
        if (auto it = bound_.find(r.binder); it != bound_.end()) return Set(e, it->second);
        return Fail(e);
      case Denotes::Let: return Set(e, lets_[r.index]);
      case Denotes::Global: return Set(e, globals_[r.index]);
      case Denotes::DefParam: return Set(e, def_params_[r.index]);
      case Denotes::Param: return Set(e, p_.params[r.index].type);
      case Denotes::AsOf: return Set(e, TypeTable::kDate);
      default: break;
    }
    // Where the context expects an enum, its member wins over a root field of the same name.
    TypeId et = hint;
    if (K(et) == TypeKind::Set || K(et) == TypeKind::List) et = types_[et].elem;
    const bool enum_expected = hint != kErr && K(et) == TypeKind::Enum;
    if (enum_expected) {
      int idx = m_.enums[types_[et].ref].Find(e.text);
      if (idx >= 0) {
        Rec(e).member = idx;
        return Set(e, et);
      }
    }
    if (r.kind == Denotes::RootField) return Set(e, m_.entities[m_.root].fields[r.index].type);
    // An enum member where the context says which enum.
    if (enum_expected) {
      const EnumDef& en = m_.enums[types_[et].ref];
      std::string near = ClosestMatch(e.text, en.members);
      std::string members;
      for (size_t i = 0; i < en.members.size() && i < 12; ++i) members += (i ? ", " : "") + en.members[i];
      diags_.Error("E0206", e.span, fmt::format("`{}` is not a member of enum `{}`", e.text, en.name),
                   near.empty() ? fmt::format("members: {}", members) : fmt::format("did you mean `{}`?", near));
      return Fail(e);
    }
    if (m_.root < 0 && !root_reported_) {
      root_reported_ = true;
      diags_.Error("E0410", e.span, fmt::format("unknown name `{}`, and no root entity is declared", e.text),
                   "add `use core` (the core evidence schema) or declare `root organization { … }`");
      return Fail(e);
    }
    if (res_.unknown.count(e.id)) diags_.items().push_back(res_.Unknown(e, m_));
    return Fail(e);
  }

  bool IsLocalName(const Expr& e) const {
    if (e.kind != ExprKind::Name) return false;
    const NameRes& r = res_.Of(e);
    if (WitnessNamed(r)) return true;
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
  TypeId CheckAgainst(const Expr& e, TypeId other, TypeId hint) {
    if (other == kErr && OnlyAMember(e)) return Fail(e);
    if (other == kErr && e.kind == ExprKind::SetLit && std::all_of(e.args.begin(), e.args.end(), [&](const ast::ExprPtr& x) {
          return OnlyAMember(*x);
        }))
      return Fail(e);
    return Check(e, hint);
  }
  // Checks a pair where either side may be an enum member named by the other side's type.
  std::pair<TypeId, TypeId> CheckPair(const Expr& owner, const Expr& a, const Expr& b, bool set_rhs) {
    if (MaybeMember(a) && !MaybeMember(b)) {
      Rec(owner).rhs_first = true;
      TypeId r = Check(b);
      TypeId hint = r;
      if (set_rhs && IsColl(hint)) hint = types_[hint].elem;
      TypeId l = CheckAgainst(a, r, hint);
      return {l, r};
    }
    TypeId l = Check(a);
    TypeId hint = l;
    if (set_rhs && hint != kErr) hint = types_.Set(hint);
    TypeId r = CheckAgainst(b, l, hint);
    return {l, r};
  }
  // The type a set literal beside a collection of type `t` should take (`{…} - covered`).
  TypeId SetHint(TypeId t) {
    TypeKind k = K(t);
    if (k == TypeKind::Set) return t;
    if (k == TypeKind::List && K(types_[t].elem) != TypeKind::Entity) return types_.Set(types_[t].elem);
    return kErr;
  }

  // ---- expressions ---------------------------------------------------------------------------
  TypeId Check(const Expr& e, TypeId hint = kErr);
  TypeId CheckSetLit(const Expr& e, TypeId hint);
  TypeId CheckField(const Expr& e);
  TypeId CheckBinary(const Expr& e);
  TypeId CheckMember(const Expr& e);
  TypeId CheckCollectionOp(const Expr& e);
  TypeId CheckFilter(const Expr& e);
  TypeId CheckCall(const Expr& e);
  TypeId CheckOfCollection(const Expr& e, const Builtin& b);
  TypeId CheckGeneric(const Expr& e, const Builtin& b);
  TypeId CheckCompileTime(const Expr& e, const Builtin& b);
  TypeId CheckFunction(const Expr& e, const std::string& fn);
  TypeId CheckSetOp(const Expr& e, TypeId l, TypeId r);
  TypeId CheckSetRel(const Expr& e, TypeId l, TypeId r);
  TypeId ResultOf(const Builtin& b, TypeId value);
  bool Accepts(const Builtin& b, TypeId value) const;
  // A set operator written in a Clause 0.1 package (E0210).
  void CheckClause02SetOp(const Expr& e, const char* construct) {
    if (std::find(clause01_files_.begin(), clause01_files_.end(), e.span.file) != clause01_files_.end())
      ReportClause02(diags_, e.span, fmt::format("{} `{}`", construct, ast::Spelling(e.op)));
  }
  TypeId Bind(const Expr& e, TypeId list) {
    TypeId lt = list;
    if (lt != kErr && !IsColl(lt)) {
      diags_.Error("E0301", e.a->span, fmt::format("`{}` ranges over a list or set, found `{}`", e.var, Name(lt)));
      lt = kErr;
    }
    TypeId elem = lt == kErr ? kErr : types_[lt].elem;
    bound_[e.id] = elem;
    return elem;
  }

  // ---- W0404: whether the value lowered for `e` is known whatever the evidence ----------------
  // (from the builtins' null policies and can_fail; conservative: false when in doubt). It follows
  // the lowering: a def call is its body, a parameter its argument, an int converted to decimal
  // is known only when it is a literal (folded).
  bool NeverUnknown(const Expr& e, Ctx& c) const;
  // Whether the lowering of `e` is a constant node.
  bool IsConst(const Expr& e, Ctx& c) const {
    bool k = false;
    if (Through(e, c, [&](const Expr& x, Ctx& cx) { k = IsConst(x, cx); })) return k;
    if (e.kind == ExprKind::Name && res_.Of(e).kind == Denotes::Base && c.level > 0) return K(base_empty_type_) != TypeKind::Set;
    return IsLiteral(e) || (e.kind == ExprKind::Name && Of(e).member >= 0);
  }
  // Whether the lowering of `e` is a set node (`set_lit`) whose elements are all constants.
  void SetOfConsts(const Expr& e, Ctx& c, bool& set_lit, bool& all_const) const {
    if (Through(e, c, [&](const Expr& x, Ctx& cx) { SetOfConsts(x, cx, set_lit, all_const); })) return;
    if (e.kind == ExprKind::SetLit) {
      set_lit = true;
      all_const = std::all_of(e.args.begin(), e.args.end(), [&](const ast::ExprPtr& a) { return IsConst(*a, c); });
    } else if (e.kind == ExprKind::Call && Of(e).builtin && Of(e).builtin->form == Form::CompileTime) {
      set_lit = true;
    }
  }
  bool KnownByOp(ir::Op op, const Expr* a, const Expr* b, Ctx& c) const;

  // ---- definitions, layers ---------------------------------------------------------------------
  TypeId ResolveDefType(const ast::TypeRef& t);
  TypeId ResolveParamType(const ast::TypeRef& t);
  void CollectDefs(const Plan& s);
  void CheckDef(DefInfo& d);
  TypeId CheckDefCall(const Expr& call, DefInfo& d);
  TypeId CheckDefBody(const DefInfo& d);
  void CheckParamDefault(const std::string& name, const Expr& value, TypeId t);
  void CheckGlobals(const Plan& s);
  void CheckRequirements(const Plan& s);
  void MergeRepeatedUnknowns(size_t first);
  TypeId CheckBase(const Expr& e, TypeId hint) {
    int saved = base_level_;
    --base_level_;
    const Expr* b = (*base_layers_)[base_level_];
    TypeId t = b ? Check(*b, hint) : base_empty_type_;
    base_level_ = saved;
    return Set(e, t);
  }
  // Checks the layer in force of `layers`; a type error around a `base` becomes E0424.
  TypeId CheckLayers(const std::vector<const ast::Expr*>& layers, TypeId empty_type, const std::string& what) {
    if (layers.size() == 1) return Check(*layers[0]);
    base_layers_ = &layers;
    base_level_ = static_cast<int>(layers.size()) - 1;
    base_empty_type_ = types_.Kind(empty_type) == TypeKind::Set ? empty_type : TypeTable::kBool;
    size_t before = diags_.items().size();
    TypeId t = Check(*layers.back());
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
      if (prev) d.notes.push_back({prev->span, fmt::format("`base` is {}, of type `{}`", what, Name(CheckQuiet(*prev)))});
      if (d.help.empty()) d.help = "`base` has the type of the criterion it amends; combine it with `and`/`or`";
    }
    base_layers_ = nullptr;
    base_level_ = -1;
    return t;
  }
  // The type of an expression, checked without diagnostics and without recording (for notes).
  TypeId CheckQuiet(const Expr& e) {
    size_t before = diags_.items().size();
    int saved = base_level_;
    if (base_level_ > 0) --base_level_;
    ++quiet_;
    TypeId t = Check(e);
    --quiet_;
    base_level_ = saved;
    diags_.items().resize(before);
    return t;
  }

  ir::Program& p_;
  const SchemaModel& m_;
  TypeTable& types_;  // the program's (p_.types), never the schema's
  const SourceManager& sm_;
  Diagnostics& diags_;
  const BuiltinRegistry& reg_;
  const Resolutions& res_;
  Checked out_;
  Typed scratch_;
  int quiet_ = 0;
  // The types of what is in scope, by what the resolve pass says a name denotes.
  std::unordered_map<uint64_t, TypeId> bound_;
  std::vector<TypeId> lets_, globals_, def_params_;
  TypeId witness_type_ = kErr;
  uint8_t witness_mode_ = 0;  // as NameRes::witness: 1 the witness, 2 the poisoned one, 0 none
  std::unordered_map<std::string, DefInfo> defs_;
  std::vector<std::string> def_stack_;  // defs being checked (for the recursion error)
  std::vector<Frame> frames_;           // the def whose body is being checked
  bool root_reported_ = false;
  int in_def_body_ = 0;  // > 0 while a def's body is checked (its warnings belong to the def)
  std::vector<uint32_t> clause01_files_;
  const std::vector<const ast::Expr*>* base_layers_ = nullptr;
  int base_level_ = -1;
  TypeId base_empty_type_ = kErr;
};

TypeId Checker::Check(const Expr& e, TypeId hint) {
  switch (e.kind) {
    case ExprKind::BoolLit: return Set(e, TypeTable::kBool);
    case ExprKind::IntLit: return Set(e, TypeTable::kInt);
    case ExprKind::DecimalLit: return Set(e, TypeTable::kDecimal);
    case ExprKind::StringLit: return Set(e, TypeTable::kString);
    case ExprKind::DateLit: return Set(e, TypeTable::kDate);
    case ExprKind::DurationLit: return Set(e, TypeTable::kDuration);
    case ExprKind::SetLit: return CheckSetLit(e, hint);
    case ExprKind::Name: return CheckName(e, hint);
    case ExprKind::Field: return CheckField(e);
    case ExprKind::Presence: {
      if (Check(*e.a) == kErr) return Fail(e);
      return Set(e, TypeTable::kBool);
    }
    case ExprKind::Neg: {
      TypeId a = Check(*e.a);
      if (a == kErr) return Fail(e);
      if (!IsNumeric(K(a))) {
        diags_.Error("E0301", e.span, fmt::format("cannot negate a value of type `{}`", Name(a)));
        return Fail(e);
      }
      return Set(e, a);
    }
    case ExprKind::Binary: return CheckBinary(e);
    case ExprKind::Member: return CheckMember(e);
    case ExprKind::Not: {
      TypeId a = Check(*e.a);
      if (!ExpectBool(*e.a, a, "the operand of `not`")) return Fail(e);
      return Set(e, TypeTable::kBool);
    }
    case ExprKind::And:
    case ExprKind::Or:
    case ExprKind::Implies: {
      TypeId a = Check(*e.a);
      TypeId b = Check(*e.b);
      bool ok = ExpectBool(*e.a, a, fmt::format("the left operand of `{}`", ast::Spelling(e.op)).c_str());
      ok = ExpectBool(*e.b, b, fmt::format("the right operand of `{}`", ast::Spelling(e.op)).c_str()) && ok;
      if (!ok) return Fail(e);
      return Set(e, TypeTable::kBool);
    }
    case ExprKind::Quant:
    case ExprKind::Count:
    case ExprKind::Comprehension: return CheckCollectionOp(e);
    case ExprKind::Call: return CheckCall(e);
    case ExprKind::Filter: return CheckFilter(e);
    case ExprKind::If: {
      TypeId c = Check(*e.a);
      bool ok = ExpectBool(*e.a, c, "the condition of `if`");
      TypeId t = Check(*e.b, hint);
      TypeId f = Check(*e.c, t != kErr ? t : hint);
      if (!ok || t == kErr || f == kErr) return Fail(e);
      if (IsNumeric(K(t)) && IsNumeric(K(f)) && K(t) != K(f)) {
        t = ToDec(*e.b, t);
        f = ToDec(*e.c, f);
      }
      if (t != f) {
        diags_.Error("E0301", e.span, fmt::format("the branches of `if` have different types: `{}` and `{}`", Name(t), Name(f)),
                     "both branches must give the same type");
        return Fail(e);
      }
      return Set(e, t);
    }
  }
  return Fail(e);
}

TypeId Checker::CheckSetLit(const Expr& e, TypeId hint) {
  TypeId elem = kErr;
  if (K(hint) == TypeKind::Set) elem = types_[hint].elem;
  if (elem == kErr) {
    // `{policy, objectives}` on its own: the enum that has all these members.
    std::vector<const Expr*> names;
    for (const auto& a : e.args) names.push_back(a.get());
    int en = EnumOfMembers(names);
    if (en >= 0) elem = types_.Enum(en);
  }
  for (const auto& a : e.args) {
    TypeId n = Check(*a, elem);
    if (n == kErr) return Fail(e);
    if (elem == kErr) elem = n;
    if (n != elem) {
      diags_.Error("E0301", a->span, fmt::format("set elements must have one type: expected `{}`, found `{}`", Name(elem), Name(n)));
      return Fail(e);
    }
  }
  if (elem == kErr) {
    diags_.Error("E0301", e.span, "cannot infer the element type of an empty set", "compare with `count(…) == 0` instead");
    return Fail(e);
  }
  TypeKind ek = K(elem);
  if (ek == TypeKind::Entity || ek == TypeKind::List || ek == TypeKind::Set || ek == TypeKind::Decimal || ek == TypeKind::Duration) {
    diags_.Error("E0301", e.span, fmt::format("a set cannot hold `{}` values", Name(elem)));
    return Fail(e);
  }
  return Set(e, types_.Set(elem));
}

TypeId Checker::CheckField(const Expr& e) {
  TypeId obj = Check(*e.a);
  if (obj == kErr) return Fail(e);
  if (K(obj) != TypeKind::Entity) {
    std::string help;
    if (K(obj) == TypeKind::List)
      help = fmt::format("`{}` is a list: use a quantifier, e.g. `exists x in … : x.{}`", ast::PrintExpr(*e.a), e.text);
    diags_.Error("E0303", e.var_span, fmt::format("field access `.{}` on a value of type `{}`", e.text, Name(obj)), help);
    return Fail(e);
  }
  const EntityDef& ent = m_.entities[types_[obj].ref];
  const FieldDef* f = ent.Find(e.text);
  if (!f) {
    std::vector<std::string> cands;
    for (const auto& x : ent.fields) cands.push_back(x.name);
    std::string near = ClosestMatch(e.text, cands);
    diags_.Error("E0202", e.var_span, fmt::format("unknown field `{}` on entity `{}`", e.text, ent.name),
                 near.empty() ? fmt::format("see `schema` for the fields of `{}`", ent.name) : fmt::format("did you mean `{}`?", near));
    return Fail(e);
  }
  return Set(e, f->type);
}

TypeId Checker::CheckBinary(const Expr& e) {
  using O = ast::Operator;
  const O op = e.op;
  const char* spelled = ast::Spelling(op);
  bool cmp = ast::IsComparison(op);
  bool lset = e.a->kind == ExprKind::SetLit, rset = e.b->kind == ExprKind::SetLit;
  TypeId l, r;
  if (lset && !rset) {  // a set literal takes its element type from the other side
    Rec(e).rhs_first = true;
    r = Check(*e.b);
    l = Check(*e.a, SetHint(r));
  } else if (rset && !lset) {
    l = Check(*e.a);
    r = Check(*e.b, SetHint(l));
  } else if (cmp) {
    std::tie(l, r) = CheckPair(e, *e.a, *e.b, false);
  } else {
    l = Check(*e.a);
    r = Check(*e.b);
  }
  if (l == kErr || r == kErr) return Fail(e);
  TypeKind lk = K(l), rk = K(r);
  if (op == O::Inter || (!cmp && (op == O::Add || op == O::Sub) && (IsColl(l) || IsColl(r)))) return CheckSetOp(e, l, r);
  if (cmp && IsColl(l) && IsColl(r)) return CheckSetRel(e, l, r);
  auto mismatch = [&](std::string help = {}) {
    diags_.Error("E0301", e.span, fmt::format("cannot apply `{}` to `{}` and `{}`", spelled, Name(l), Name(r)), help);
    return Fail(e);
  };
  if (cmp && (IsColl(l) != IsColl(r)) && (IsNumeric(lk) || IsNumeric(rk))) {
    // `documents >= 3`: the author meant the number of elements.
    const Expr& coll = IsColl(l) ? *e.a : *e.b;
    return mismatch(fmt::format("to compare the number of elements, write `count({})`", sm_.Text(coll.span)));
  }
  if (cmp) {
    if (IsNumeric(lk) && IsNumeric(rk) && lk != rk) {
      l = ToDec(*e.a, l);
      r = ToDec(*e.b, r);
      lk = rk = TypeKind::Decimal;
    }
    if (l != r) {
      std::string help;
      if ((lk == TypeKind::Date && rk == TypeKind::String) || (lk == TypeKind::String && rk == TypeKind::Date))
        help = "write dates without quotes: 2025-09-15";
      return mismatch(help);
    }
    bool ordering = op != O::Eq && op != O::Ne;
    if (lk == TypeKind::Entity || lk == TypeKind::List || lk == TypeKind::Set) return mismatch("compare fields of the values instead");
    if (ordering && (lk == TypeKind::Bool || lk == TypeKind::Enum)) {
      diags_.Error("E0304", e.span, fmt::format("`{}` values cannot be ordered with `{}`", Name(l), spelled),
                   "only numbers, dates, durations and strings are ordered");
      return Fail(e);
    }
    return Set(e, TypeTable::kBool);
  }
  // Arithmetic.
  if (IsNumeric(lk) && IsNumeric(rk)) {
    if (lk != rk) {
      l = ToDec(*e.a, l);
      r = ToDec(*e.b, r);
    }
    if (op == O::Mod && K(l) == TypeKind::Decimal) return mismatch("`%` works on ints");
    return Set(e, l);
  }
  if ((op == O::Add && lk == TypeKind::Date && rk == TypeKind::Duration) || (op == O::Add && lk == TypeKind::Duration && rk == TypeKind::Date) ||
      (op == O::Sub && lk == TypeKind::Date && rk == TypeKind::Duration))
    return Set(e, TypeTable::kDate);
  if (op == O::Sub && lk == TypeKind::Date && rk == TypeKind::Date) return Set(e, TypeTable::kInt);
  if ((op == O::Mul && lk == TypeKind::Duration && rk == TypeKind::Int) || (op == O::Mul && lk == TypeKind::Int && rk == TypeKind::Duration) ||
      ((op == O::Add || op == O::Sub) && lk == TypeKind::Duration && rk == TypeKind::Duration))
    return Set(e, TypeTable::kDuration);
  std::string help;
  if (lk == TypeKind::Duration && rk == TypeKind::Date) help = "write the date first: `date - 30 days`";
  if (lk == TypeKind::Int && rk == TypeKind::Date) help = "write the date first: `date + 30 days`";
  if (rk == TypeKind::Int && lk == TypeKind::Date) help = "add a duration, not a number: `date + 30 days`";
  return mismatch(help);
}

TypeId Checker::CheckMember(const Expr& e) {
  bool under = e.op == ast::Operator::Under;
  auto [l, r] = CheckPair(e, *e.a, *e.b, !under);
  if (l == kErr || r == kErr) return Fail(e);
  TypeKind rk = K(r);
  TypeId relem = IsColl(r) ? types_[r].elem : kErr;
  if (under) {
    if (K(l) != TypeKind::String || !(rk == TypeKind::String || relem == TypeTable::kString)) {
      diags_.Error("E0301", e.span, fmt::format("`under` relates clause numbers (strings), found `{}` under `{}`", Name(l), Name(r)),
                   "write `c under \"8.3\"` or `c under a.clauses`");
      return Fail(e);
    }
    return Set(e, TypeTable::kBool);
  }
  if (relem == kErr) {
    diags_.Error("E0301", e.b->span, fmt::format("`in` needs a set or a list on its right, found `{}`", Name(r)),
                 K(l) == TypeKind::String && rk == TypeKind::String ? "for substrings use `contains(s, part)`" : "");
    return Fail(e);
  }
  if (relem != l) {
    diags_.Error("E0301", e.span, fmt::format("`{}` cannot be a member of `{}`", Name(l), Name(r)));
    return Fail(e);
  }
  if (K(l) == TypeKind::Entity) {
    diags_.Error("E0301", e.span, "membership of entities is not supported", "compare their ids instead");
    return Fail(e);
  }
  return Set(e, TypeTable::kBool);
}

TypeId Checker::CheckCollectionOp(const Expr& e) {
  TypeId list = Check(*e.a);
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
        diags_.Error("E0207", e.span, fmt::format("`{}(x in L …)` needs a value", e.text), fmt::format("write `{}(e for x in L where p)`", e.text));
      else if (!iteration && reg_.FindForm(e.text, Form::Iteration))
        diags_.Error("E0207", e.span, fmt::format("`{}` is not an aggregate", e.text), fmt::format("write `{}(x in L where p)`", e.text));
      else
        diags_.Error("E0207", e.span, fmt::format("`{}` is not an aggregate", e.text), fmt::format("aggregates are {}", aggregates));
      return Fail(e);
    }
    Rec(e).builtin = form;
  }
  Bind(e, list);
  TypeId filter = kErr, body = kErr;
  bool ok = list != kErr;
  if (e.b) {
    filter = Check(*e.b);
    ok = ExpectBool(*e.b, filter, "a `where` filter") && ok;
  }
  if (e.c) body = Check(*e.c);
  bound_.erase(e.id);
  if (!ok || (e.c && body == kErr)) return Fail(e);
  if (e.kind == ExprKind::Quant) {
    if (!e.c || !ExpectBool(*e.c, body, fmt::format("the body of `{}`", ast::Spelling(e.op)).c_str())) return Fail(e);
    return Set(e, TypeTable::kBool);
  }
  if (form->form == Form::Iteration) return Set(e, ResultOf(*form, kErr));
  if (!Accepts(*form, body)) {
    diags_.Error("E0301", e.c->span, fmt::format("`{}` needs {} value, found `{}`", form->name, form->accepts_doc, Name(body)));
    return Fail(e);
  }
  return Set(e, ResultOf(*form, body));
}

TypeId Checker::CheckFilter(const Expr& e) {
  TypeId list = Check(*e.a);
  Bind(e, list);
  TypeId filter = Check(*e.b);
  bool ok = ExpectBool(*e.b, filter, "a `where` filter") && list != kErr && IsColl(list);
  bound_.erase(e.id);
  if (!ok) return Fail(e);
  return Set(e, list);
}

TypeId Checker::ResultOf(const Builtin& b, TypeId value) {
  switch (b.rule) {
    case ResultRule::Fixed: return b.result;
    case ResultRule::Value: return value;
    case ResultRule::SetOfValue: return types_.Set(value);
    case ResultRule::SetOfElement: return types_.Set(types_[value].elem);
  }
  return kErr;
}

bool Checker::Accepts(const Builtin& b, TypeId value) const {
  TypeKind k = K(value);
  if (!HasKind(b.accepts, k)) return false;
  if (b.rule == ResultRule::SetOfElement) return HasKind(b.elem_accepts, K(types_[value].elem));
  return true;
}

TypeId Checker::CheckCall(const Expr& e) {
  const std::string& fn = e.text;
  if (const ast::DefDecl* d = res_.DefOf(e)) return CheckDefCall(e, defs_.at(d->name));
  // f(a, …): a function, or a builtin whose form is written as a call.
  for (Form f : {Form::OfCollection, Form::Generic, Form::CompileTime})
    if (const Builtin* b = reg_.FindForm(fn, f)) {
      Rec(e).builtin = b;
      if (b->form == Form::OfCollection) return CheckOfCollection(e, *b);
      if (b->form == Form::Generic) return CheckGeneric(e, *b);
      return CheckCompileTime(e, *b);
    }
  if (reg_.Overloads(fn).empty()) {
    if (const Builtin* agg = reg_.FindForm(fn, Form::Comprehension)) {
      std::string form = agg->signature.substr(0, agg->signature.find(" →"));
      diags_.Error("E0207", e.var_span, fmt::format("`{}` is an aggregate", fn), fmt::format("write `{}`", form));
      return Fail(e);
    }
    std::vector<std::string> cands;
    for (const auto& b : reg_.all()) cands.push_back(b.name);
    for (const auto& [name, d] : defs_) cands.push_back(name);
    std::string near = ClosestMatch(fn, cands);
    diags_.Error("E0207", e.var_span, fmt::format("unknown function `{}`", fn),
                 near.empty() ? "see docs/builtins.md for the builtins" : fmt::format("did you mean `{}`?", near));
    return Fail(e);
  }
  return CheckFunction(e, fn);
}

TypeId Checker::CheckOfCollection(const Expr& e, const Builtin& b) {
  if (!ArityIs(diags_, e, 1)) return Fail(e);
  TypeId l = Check(*e.args[0]);
  if (l == kErr) return Fail(e);
  if (!Accepts(b, l)) {
    diags_.Error("E0301", e.args[0]->span, fmt::format("`{}` needs {}, found `{}`", b.name, b.accepts_doc, Name(l)),
                 K(l) == TypeKind::String ? b.mistake : "");
    return Fail(e);
  }
  return Set(e, ResultOf(b, l));
}

TypeId Checker::CheckGeneric(const Expr& e, const Builtin& b) {
  if (!ArityIs(diags_, e, 2)) return Fail(e);
  auto [x, y] = CheckPair(e, *e.args[0], *e.args[1], false);
  if (x == kErr || y == kErr) return Fail(e);
  if (IsNumeric(K(x)) && IsNumeric(K(y)) && K(x) != K(y)) {
    x = ToDec(*e.args[0], x);
    y = ToDec(*e.args[1], y);
  }
  if (x != y || !Accepts(b, x)) {
    diags_.Error("E0301", e.span, fmt::format("`{}` needs {}, found `{}` and `{}`", b.name, b.accepts_doc, Name(x), Name(y)));
    return Fail(e);
  }
  // A fallback that can never be used: the first value is known whatever the evidence.
  if (b.nulls == NullPolicy::Fallback && in_def_body_ == 0) {
    Ctx c = Here();
    if (NeverUnknown(*e.args[0], c))
      diags_.Warning("W0404", e.args[0]->span,
                     fmt::format("`{}` of a value that is never unknown: `{}` is never used", b.name, sm_.Text(e.args[1]->span)),
                     "remove the fallback, or apply it to the value that may be missing");
  }
  return Set(e, ResultOf(b, x));
}

// The compile-time builtin: `clauses(depth)`, the clause numbers of the standard at a depth.
TypeId Checker::CheckCompileTime(const Expr& e, const Builtin& b) {
  if (!ArityIs(diags_, e, 1)) return Fail(e);
  if (e.args[0]->kind != ExprKind::IntLit || e.args[0]->int_value < 1) {
    diags_.Error("E0302", e.args[0]->span, fmt::format("`{}` takes a positive int literal (the nesting depth)", b.name));
    return Fail(e);
  }
  bool any = std::any_of(p_.clauses.begin(), p_.clauses.end(), [&](const auto& c) { return c.depth == e.args[0]->int_value; });
  if (!any) diags_.Warning("W0403", e.span, fmt::format("this standard has no clauses at depth {}", e.args[0]->int_value));
  return Set(e, ResultOf(b, b.result));
}

TypeId Checker::CheckFunction(const Expr& e, const std::string& fn) {
  std::vector<TypeId> types;
  for (const auto& a : e.args) {
    TypeId n = Check(*a);
    if (n == kErr) return Fail(e);
    types.push_back(n);
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
      for (size_t i = 0; i < types.size(); ++i)
        if (o->params[i] == TypeTable::kDecimal && types[i] == TypeTable::kInt) ToDec(*e.args[i], types[i]);
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
    return Fail(e);
  }
  if (fn == "matches") {
    if (e.args[1]->kind != ExprKind::StringLit) {
      diags_.Error("E0302", e.args[1]->span, "the pattern of `matches` must be a string literal",
                   "patterns are checked when the rules are compiled");
      return Fail(e);
    }
    if (std::string why = PatternSet::Check(e.args[1]->text); !why.empty()) {
      diags_.Error("E0305", e.args[1]->span, fmt::format("invalid regular expression: {}", why),
                   "patterns use RE2 syntax (docs/builtins.md): no backreferences or lookaround");
      return Fail(e);
    }
  }
  Rec(e).builtin = b;
  return Set(e, b->result);
}

TypeId Checker::CheckSetOp(const Expr& e, TypeId l, TypeId r) {
  using O = ast::Operator;
  const O op = e.op;
  const char* what = op == O::Add ? "union" : op == O::Sub ? "difference" : "intersection";
  if (op != O::Inter) CheckClause02SetOp(e, op == O::Add ? "the set union" : "the set difference");  // `&`: language_level.cc
  if (!IsColl(l) || !IsColl(r)) {
    const Expr& other = IsColl(l) ? *e.b : *e.a;
    diags_.Error("E0308", e.span, fmt::format("the set {} `{}` needs two sets or lists, found `{}` and `{}`", what, ast::Spelling(op), Name(l), Name(r)),
                 IsColl(l) || IsColl(r) ? fmt::format("make the single value a set: `{{{}}}`", sm_.Text(other.span))
                                        : "`&` intersects sets; for booleans use `and`");
    return Fail(e);
  }
  TypeId le = types_[l].elem, re = types_[r].elem;
  if (le != re || K(le) == TypeKind::Entity) {
    diags_.Error("E0308", e.span,
                 fmt::format("the set {} `{}` needs elements of one scalar type, found `{}` and `{}`", what, ast::Spelling(op), Name(l), Name(r)),
                 K(le) == TypeKind::Entity || K(re) == TypeKind::Entity ? "compare the entities' ids: `distinct(x.id for x in L)`" : "");
    return Fail(e);
  }
  return Set(e, types_.Set(le));
}

TypeId Checker::CheckSetRel(const Expr& e, TypeId l, TypeId r) {
  CheckClause02SetOp(e, "the set comparison");
  TypeId le = types_[l].elem, re = types_[r].elem;
  if (le != re || K(le) == TypeKind::Entity) {
    diags_.Error("E0308", e.span, fmt::format("cannot compare `{}` with `{}` as sets", Name(l), Name(r)),
                 K(le) == TypeKind::Entity ? "compare the entities' ids: `distinct(x.id for x in L)`" : "both sides need elements of one scalar type");
    return Fail(e);
  }
  return Set(e, TypeTable::kBool);
}

// ---- W0404 -----------------------------------------------------------------------------------

bool Checker::KnownByOp(ir::Op op, const Expr* a, const Expr* b, Ctx& c) const {
  for (const auto& x : reg_.all()) {
    if (x.form == Form::Function || x.op != op) continue;
    switch (x.nulls) {
      case NullPolicy::Never: return true;
      case NullPolicy::Fallback: return b && NeverUnknown(*b, c);  // unknown only if the fallback is
      case NullPolicy::Propagate: case NullPolicy::SkipUnknown: return !x.can_fail && a && NeverUnknown(*a, c);
    }
  }
  return false;
}

bool Checker::NeverUnknown(const Expr& e, Ctx& c) const {
  const Typed& t = Of(e);
  if (t.to_dec && !IsConst(e, c)) return false;  // int_to_dec of a value
  bool k = false;
  if (Through(e, c, [&](const Expr& x, Ctx& cx) { k = NeverUnknown(x, cx); })) return k;
  auto all_known = [&](const std::vector<ast::ExprPtr>& xs) {
    return std::all_of(xs.begin(), xs.end(), [&](const ast::ExprPtr& a) { return NeverUnknown(*a, c); });
  };
  switch (e.kind) {
    case ExprKind::BoolLit: case ExprKind::IntLit: case ExprKind::DecimalLit: case ExprKind::StringLit:
    case ExprKind::DateLit: case ExprKind::DurationLit: case ExprKind::Presence: return true;
    case ExprKind::SetLit: return all_known(e.args);
    case ExprKind::Name: {
      const NameRes& r = res_.Of(e);
      // an enum member, as_of, or `base` over an empty layer (a constant or an empty set)
      return t.member >= 0 || r.kind == Denotes::AsOf || (r.kind == Denotes::Base && c.level > 0);
    }
    case ExprKind::Call: {
      const Builtin* b = t.builtin;
      if (!b) return false;
      if (b->form == Form::Function) return b->nulls == NullPolicy::Propagate && !b->can_fail && all_known(e.args);
      if (b->form == Form::CompileTime) return true;  // a set of clause numbers
      return KnownByOp(b->op, e.args.empty() ? nullptr : e.args[0].get(), e.args.size() > 1 ? e.args[1].get() : nullptr, c);
    }
    case ExprKind::Count:
    case ExprKind::Comprehension:
      return t.builtin && KnownByOp(t.builtin->op, e.a.get(), e.b.get(), c);
    default: return false;
  }
}

// ---- definitions ---------------------------------------------------------------------------

// A `def` parameter or result: a scalar, an enum, an entity, or a list/set of those (`T?` is
// the same as `T`: any value may be unknown).
TypeId Checker::ResolveDefType(const ast::TypeRef& t) {
  static const std::unordered_map<std::string, TypeId> kScalars = {
      {"bool", TypeTable::kBool}, {"int", TypeTable::kInt}, {"decimal", TypeTable::kDecimal},
      {"string", TypeTable::kString}, {"date", TypeTable::kDate}, {"duration", TypeTable::kDuration}};
  if ((t.name == "set" || t.name == "list") && t.arg && !t.arg->arg) {
    TypeId e = ResolveDefType(*t.arg);
    if (e == kErr) return kErr;
    if (t.name == "list") return types_.List(e);
    if (K(e) == TypeKind::Entity) {
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

void Checker::CollectDefs(const Plan& s) {
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

// Type-checks a def's body with its parameters typed as declared, once.
void Checker::CheckDef(DefInfo& d) {
  if (d.checked || d.checking) return;
  if (!d.ok) {
    d.checked = true;
    return;
  }
  d.checking = true;
  def_stack_.push_back(d.decl->name);
  size_t errors = diags_.ErrorCount();
  TypeId body = CheckDefBody(d);
  d.body = body;
  if (body != kErr && d.result != kErr && body != d.result && !(K(body) == TypeKind::Int && K(d.result) == TypeKind::Decimal)) {
    diags_.Error("E0307", d.decl->body->span,
                 fmt::format("`def {}` is declared to give `{}`, but its body is `{}`", d.decl->name, Name(d.result), Name(body)),
                 "change the declared result type or the body");
  }
  if (body != kErr && d.result == TypeTable::kDecimal && K(body) == TypeKind::Int) ToDec(*d.decl->body, body);
  if (diags_.ErrorCount() > errors) d.ok = false;
  def_stack_.pop_back();
  d.checking = false;
  d.checked = true;
}

// A def's body in a scope of its own: its parameters, nothing of the caller's scope.
TypeId Checker::CheckDefBody(const DefInfo& d) {
  std::vector<TypeId> saved = std::move(def_params_);
  def_params_ = d.params;
  std::unordered_map<uint64_t, TypeId> saved_bound = std::move(bound_);
  bound_.clear();
  uint8_t saved_witness = witness_mode_;
  witness_mode_ = 0;
  int saved_base = base_level_;
  base_level_ = -1;
  frames_.push_back({&d, nullptr});
  ++in_def_body_;
  TypeId body = Check(*d.decl->body);
  --in_def_body_;
  frames_.pop_back();
  def_params_ = std::move(saved);
  bound_ = std::move(saved_bound);
  witness_mode_ = saved_witness;
  base_level_ = saved_base;
  return body;
}

TypeId Checker::CheckDefCall(const Expr& call, DefInfo& d) {
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
    return Fail(call);
  }
  if (!d.checked) CheckDef(d);
  if (call.args.size() != decl.params.size()) {
    diags_.Error("E0302", call.span,
                 fmt::format("`{}` takes {} argument{}, found {}", decl.name, decl.params.size(), decl.params.size() == 1 ? "" : "s",
                             call.args.size()));
    return Fail(call);
  }
  bool ok = d.ok;
  for (size_t i = 0; i < call.args.size(); ++i) {
    TypeId a = Check(*call.args[i], d.params[i]);
    if (a == kErr || d.params[i] == kErr) {
      ok = false;
      continue;
    }
    if (a != d.params[i]) {
      if (K(a) == TypeKind::Int && K(d.params[i]) == TypeKind::Decimal) {
        ToDec(*call.args[i], a);
      } else {
        auto& diag = diags_.Error("E0306", call.args[i]->span,
                                  fmt::format("argument `{}` of `{}` must be a `{}`, found `{}`", decl.params[i].name, decl.name,
                                              Name(d.params[i]), Name(a)));
        diag.notes.push_back({decl.params[i].span, "declared here"});
        ok = false;
      }
    }
  }
  if (!ok || d.body == kErr) return Fail(call);  // a def that failed its check was reported where it is declared
  return Set(call, d.result == TypeTable::kDecimal && K(d.body) == TypeKind::Int ? TypeTable::kDecimal : d.body);
}

// Standard- and module-level lets, in scope for everything after them.
void Checker::CheckGlobals(const Plan& s) {
  globals_.assign(s.globals.size(), kErr);
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
    globals_[i] = Check(*l->value);
  }
}

TypeId Checker::ResolveParamType(const ast::TypeRef& t) {
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

// A parameter's default: a literal of its type (the lowering takes its value).
void Checker::CheckParamDefault(const std::string& name, const Expr& value, TypeId t) {
  TypeId v = Check(value, t);
  if (v == kErr) return;
  if (IsNumeric(K(v)) && K(t) == TypeKind::Decimal) v = ToDec(value, v);
  Ctx c;
  bool set_lit = false, all_const = true;
  if (v == t && !IsConst(value, c)) SetOfConsts(value, c, set_lit, all_const);
  if (v != t) {
    diags_.Error("E0301", value.span, fmt::format("default of `{}` must be a `{}`, found `{}`", name, Name(t), Name(v)));
  } else if (IsConst(value, c)) {
  } else if (set_lit) {
    if (!all_const) diags_.Error("E0409", value.span, "a parameter default must be a literal");
  } else {
    diags_.Error("E0409", value.span, "a parameter default must be a literal",
                 "organizations override parameters; defaults are fixed values");
  }
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

Checked Checker::Run(const Plan& s) {
  p_.standard = s.name;
  p_.layers = s.layers;
  clause01_files_ = s.clause01_files;
  p_.title = s.title;
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
      out_.param_of.push_back(-1);
      continue;
    }
    TypeId t = ResolveParamType(pd.type);
    ir::ParamInfo info;
    info.name = pd.name;
    info.type = t;
    info.doc = pd.doc;
    info.span = pd.span;
    info.origin = pp.origin;
    info.set_by = pp.set_by;
    if (pp.base_value && t != kErr) CheckParamDefault(pd.name, *pp.base_value, t);  // the base's, shown beside the extension's
    if (t != kErr) CheckParamDefault(pd.name, *pp.value, t);
    out_.param_of.push_back(static_cast<int32_t>(p_.params.size()));
    p_.params.push_back(std::move(info));
  }
  // Definitions, then standard- and module-level lets (in scope for the exclusions and every
  // requirement).
  CollectDefs(s);
  CheckGlobals(s);
  // Exclusions.
  if (s.repeated_exclusions) diags_.Error("E0404", s.repeated_exclusions->span, "a standard declares `exclusions` once");
  if (!s.exclusions.empty() && s.exclusions.back()) {
    const Expr* top = s.exclusions.back();
    TypeId t = CheckLayers(s.exclusions, types_.Set(TypeTable::kString), "the base's exclusions");
    if (t != kErr && t != types_.Set(TypeTable::kString)) {
      diags_.Error("E0301", top->span, fmt::format("`exclusions` must be a set<string> of clause numbers, found `{}`", Name(t)),
                   "e.g. `exclusions distinct(n.clause_number for n in scope.non_applicable)`");
    } else {
      out_.exclusions_ok = true;
    }
  }
  CheckRequirements(s);
  return std::move(out_);
}

// Requirements, in clause order: the program's requirements without their expressions (the
// lowering adds those), and every diagnostic of their members.
void Checker::CheckRequirements(const Plan& s) {
  std::unordered_map<std::string, Span> req_ids;
  std::vector<const PlanRequirement*> decls;  // parallel to p_.requirements
  ForEachRequirement(s, [&](const PlanClause& c, int32_t ci, const PlanRequirement& v) {
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
    lets_.clear();
    witness_mode_ = 0;
    const size_t first_diag = diags_.items().size();
    for (const ast::LetDecl* lp : v.lets) {
      const ast::LetDecl& l = *lp;
      if (LetClash clash = res_.let_clash.at(&l); clash != LetClash::None)
        diags_.Error("E0204", l.span,
                     clash == LetClash::Global ? fmt::format("`{}` is already a standard- or module-level `let`", l.name)
                                               : fmt::format("`{}` is already bound in this requirement", l.name));
      lets_.push_back(Check(*l.value));
    }
    const std::string what = fmt::format("the criterion of {}.{}", v.origin, r.id);
    // `applies when` sees the lets, so a condition can be named once and used in both.
    if (!v.applies.empty() && v.applies.back()) {
      TypeId t = CheckLayers(v.applies, TypeTable::kBool, "the applicability of " + v.origin + "." + r.id);
      base_layers_ = &v.applies;  // Where() follows `base` to the layer below
      base_level_ = static_cast<int>(v.applies.size()) - 1;
      ExpectBool(*v.applies.back(), t, "`applies when`");
      base_layers_ = nullptr;
      base_level_ = -1;
    }
    bool pass_ok = false;
    if (v.pass.empty() || !v.pass.back()) {
      diags_.Error("E0403", r.id_span, fmt::format("requirement `{}` has no `pass` criterion", r.id), "add `pass <condition>`");
    } else {
      TypeId t = CheckLayers(v.pass, TypeTable::kBool, what);
      base_layers_ = &v.pass;
      base_level_ = static_cast<int>(v.pass.size()) - 1;
      pass_ok = ExpectBool(*v.pass.back(), t, "`pass`");
      base_layers_ = nullptr;
      base_level_ = -1;
    }
    auto w = res_.witness.find(&v);
    if (pass_ok && w != res_.witness.end()) {
      TypeId list = Of(*w->second->a).type;
      witness_type_ = IsColl(list) ? types_[list].elem : kErr;
      witness_mode_ = 1;
    } else if (!pass_ok && r.pass && r.pass->kind == ExprKind::Quant &&
               (r.pass->op == ast::Operator::All || r.pass->op == ast::Operator::NoneOf)) {
      // The `pass` was already reported: its witness is poisoned, so the `else` holes that
      // name it add no E0201 each.
      witness_type_ = kErr;
      witness_mode_ = 2;
    }
    if (v.message) {
      size_t before = diags_.items().size();
      for (const auto& piece : v.message->pieces) {
        if (!piece.expr) continue;
        if (piece.each && witness_mode_ != 1) {
          diags_.Error("E0309", piece.expr->span, "`{each …}` names every failing element of a top-level `all` or `none`",
                       "write the `pass` as `all x in L : …` (or `none`), and interpolate `{each x.id}`");
          continue;
        }
        TypeId n = Check(*piece.expr);
        if (n != kErr && (K(n) == TypeKind::Entity || K(n) == TypeKind::List)) {
          diags_.Error("E0301", piece.expr->span, fmt::format("a `{}` cannot be printed in a message", Name(n)),
                       K(n) == TypeKind::List ? "interpolate `count(…)` or a field" : "interpolate one of its fields, e.g. `.id`");
        }
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
  });
  ResolveDependencies(p_, decls, diags_);
}

// One unknown name, field, enum member or function used several times in a requirement is one
// mistake: its first E0201/E0202/E0206/E0207 stays, the other uses become notes of it.
void Checker::MergeRepeatedUnknowns(size_t first) {
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

const Typed& Checked::Of(const ast::Expr& e) const {
  static const Typed kNone;
  auto it = nodes.find(e.id);
  return it == nodes.end() ? kNone : it->second;
}

Checked TypeCheck(const Plan& plan, ir::Program& p, const Resolutions& res, const SourceManager& sm, Diagnostics& diags) {
  return Checker(p, *p.schema, sm, diags, res).Run(plan);
}

}  // namespace conform::sema
