// Pass "resolve" (docs/design-notes.md, sema passes).
//   input:  a Plan, the schema (the root entity's fields, the enums) and the builtin registry
//   output: Resolutions (passes.h): what every name denotes and which calls are `def`s, by node
//           id; which `let`s clash; for every name that denotes nothing, the scope its
//           diagnostic names candidates from.
//   owns:   scopes — quantifier/filter/aggregate variables, requirement and module-level `let`s,
//           `def` parameters (a def's body sees only them), parameters, `as_of`, root fields, the
//           witness of an `else` message, `base` in a layered criterion — and the texts of
//           E0201/E0425 (Resolutions::Unknown, issued by the checker in walk order: a bare name
//           may still be a member of the enum the checker expects there), E0411/E0412 (`depends on`).
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <unordered_set>

#include "passes.h"

namespace conform::sema {
namespace {

using ast::Expr;
using ast::ExprKind;

class Resolver {
 public:
  Resolver(const Plan& s, const SchemaModel& m, const BuiltinRegistry& reg) : s_(s), m_(m), reg_(reg) {}

  Resolutions Run() {
    // Defs: the first declaration of each name that is not a builtin's (sema reports the others).
    for (const ast::DefDecl* d : s_.defs) {
      if (seen_defs_.count(d->name)) continue;
      seen_defs_.insert(d->name);
      if (!reg_.HasName(d->name)) out_.defs.emplace(d->name, d);
    }
    // Parameter defaults see the parameters declared before them.
    for (const PlanParam& pp : s_.params) {
      const std::string& name = pp.decl->name;
      if (std::find(params_.begin(), params_.end(), name) != params_.end()) continue;  // a duplicate: not lowered
      if (pp.base_value) Walk(*pp.base_value);
      if (pp.value) Walk(*pp.value);
      params_.push_back(name);
    }
    out_.params = params_;
    // A def's body sees its parameters, the standard's parameters, as_of and the root's fields.
    for (const auto& [name, d] : out_.defs) {
      scope_.clear();
      for (size_t i = 0; i < d->params.size(); ++i) scope_.push_back({d->params[i].name, {Denotes::DefParam, static_cast<int32_t>(i)}});
      Walk(*d->body);
    }
    // Standard- and module-level lets, each in scope after it.
    scope_.clear();
    for (size_t i = 0; i < s_.globals.size(); ++i) {
      const ast::LetDecl& l = *s_.globals[i];
      GlobalStatus st = Lookup(l.name, false) ? GlobalStatus::Duplicate
                        : std::find(params_.begin(), params_.end(), l.name) != params_.end() ? GlobalStatus::ParamName
                                                                                               : GlobalStatus::Ok;
      out_.globals.push_back(st);
      if (st != GlobalStatus::Ok) continue;
      Walk(*l.value);
      scope_.push_back({l.name, {Denotes::Global, static_cast<int32_t>(i)}});
    }
    globals_ = scope_;
    if (!s_.exclusions.empty() && s_.exclusions.back()) Layers(s_.exclusions);
    ForEachRequirement(s_, [&](const PlanClause&, int32_t, const PlanRequirement& v) { Requirement(v); });
    return std::move(out_);
  }

 private:
  struct Bound {
    std::string name;
    NameRes res;
  };

  const Bound* Lookup(const std::string& n, bool witness_too) const {
    for (auto it = scope_.rbegin(); it != scope_.rend(); ++it)
      if (it->name == n && (witness_too || it->res.witness == 0)) return &*it;
    return nullptr;
  }

  // What `n` denotes here: the innermost binding, then a parameter, as_of, a root field.
  NameRes Denote(const std::string& n) const {
    NameRes r;
    uint8_t witness = 0;
    for (auto it = scope_.rbegin(); it != scope_.rend(); ++it) {
      if (it->name != n) continue;
      if (it->res.witness) {  // the witness shadows what is below it, not what is bound inside the message
        witness |= it->res.witness;
        continue;
      }
      r = it->res;
      r.witness = witness;
      return r;
    }
    r.witness = witness;
    if (auto p = std::find(params_.begin(), params_.end(), n); p != params_.end()) {
      r.kind = Denotes::Param;
      r.index = static_cast<int32_t>(p - params_.begin());
    } else if (n == "as_of") {
      r.kind = Denotes::AsOf;
    } else if (m_.root >= 0) {
      const EntityDef& root = m_.entities[m_.root];
      if (const FieldDef* f = root.Find(n)) {
        r.kind = Denotes::RootField;
        r.index = static_cast<int32_t>(f - root.fields.data());
      }
    }
    return r;
  }

  void Name(const Expr& e) {
    if (e.text == "base" && base_level_ > 0) {
      out_.names[e.id] = {Denotes::Base};
      int saved = base_level_;
      --base_level_;
      if (const Expr* below = (*layers_)[base_level_]) Walk(*below);
      base_level_ = saved;
      return;
    }
    NameRes r = Denote(e.text);
    out_.names[e.id] = r;
    if (r.kind == Denotes::Unresolved) {
      Resolutions::Unseen& u = out_.unknown[e.id];
      for (const auto& b : scope_) u.scope.push_back(b.name);
      u.params = params_.size();
      u.in_message = in_message_;
    }
  }

  void Walk(const Expr& e) {
    switch (e.kind) {
      case ExprKind::Name: Name(e); return;
      case ExprKind::Quant:
      case ExprKind::Count:
      case ExprKind::Comprehension:
      case ExprKind::Filter: {  // the list in the outer scope; the filter and the body see the variable
        Walk(*e.a);
        size_t mark = scope_.size();
        NameRes v{Denotes::Binder};
        v.binder = e.id;
        scope_.push_back({e.var, v});
        if (e.b) Walk(*e.b);
        if (e.c) Walk(*e.c);
        scope_.resize(mark);
        return;
      }
      case ExprKind::Call:
        if (auto it = out_.defs.find(e.text); it != out_.defs.end()) out_.def_calls[e.id] = it->second;
        break;
      default: break;
    }
    for (const Expr* sub : {e.a.get(), e.b.get(), e.c.get()})
      if (sub) Walk(*sub);
    for (const auto& x : e.args) Walk(*x);
  }

  // The layer in force; `base` in layer k walks layer k-1 where it is used.
  void Layers(const std::vector<const Expr*>& layers) {
    if (layers.size() == 1) {
      Walk(*layers[0]);
      return;
    }
    layers_ = &layers;
    base_level_ = static_cast<int>(layers.size()) - 1;
    Walk(*layers.back());
    layers_ = nullptr;
    base_level_ = -1;
  }

  // The `all`/`none` the criterion in force is, through `base` and `def` calls (the node the
  // lowering makes for it is that quantifier's), or null.
  const Expr* WitnessOf(const std::vector<const Expr*>& layers) const {
    const Expr* e = layers.back();
    int level = static_cast<int>(layers.size()) - 1;
    std::vector<std::pair<const std::vector<ast::ExprPtr>*, int>> args;  // the defs entered: their arguments, the caller's level
    std::vector<const ast::DefDecl*> entered;
    while (e) {
      if (e->kind == ExprKind::Quant && (e->op == ast::Operator::All || e->op == ast::Operator::NoneOf)) return e;
      if (e->kind == ExprKind::Name && e->text == "base" && level > 0) {
        e = layers[--level];
        continue;
      }
      if (e->kind == ExprKind::Name && !args.empty()) {
        auto it = out_.names.find(e->id);
        if (it == out_.names.end() || it->second.kind != Denotes::DefParam) return nullptr;
        const auto& a = *args.back().first;
        if (static_cast<size_t>(it->second.index) >= a.size()) return nullptr;
        e = a[it->second.index].get();
        level = args.back().second;
        args.pop_back();
        continue;
      }
      const ast::DefDecl* d = e->kind == ExprKind::Call ? out_.DefOf(*e) : nullptr;
      if (!d || d->params.size() != e->args.size()) return nullptr;
      if (std::find(entered.begin(), entered.end(), d) != entered.end()) return nullptr;  // recursive: E0208
      entered.push_back(d);
      args.push_back({&e->args, level});
      level = -1;
      e = d->body.get();
    }
    return nullptr;
  }

  void Requirement(const PlanRequirement& v) {
    const ast::RequirementDecl& r = *v.decl;
    scope_ = globals_;
    for (size_t i = 0; i < v.lets.size(); ++i) {
      const ast::LetDecl& l = *v.lets[i];
      const Bound* b = Lookup(l.name, false);
      out_.let_clash[&l] = !b ? LetClash::None : b->res.kind == Denotes::Global ? LetClash::Global : LetClash::Let;
      Walk(*l.value);
      scope_.push_back({l.name, {Denotes::Let, static_cast<int32_t>(i)}});
    }
    if (!v.applies.empty() && v.applies.back()) Layers(v.applies);
    std::string witness;
    if (!v.pass.empty() && v.pass.back()) {
      Layers(v.pass);
      if (const Expr* q = WitnessOf(v.pass)) {
        witness = q->var;
        out_.witness[&v] = q;
      }
    }
    std::string poisoned;
    if (r.pass && r.pass->kind == ExprKind::Quant && (r.pass->op == ast::Operator::All || r.pass->op == ast::Operator::NoneOf))
      poisoned = r.pass->var;
    if (v.message) {
      NameRes w;
      if (!witness.empty()) {
        w.witness = witness == poisoned ? 3 : 1;
        scope_.push_back({witness, w});
      }
      if (!poisoned.empty() && poisoned != witness) {
        w.witness = 2;
        scope_.push_back({poisoned, w});
      }
      in_message_ = true;
      for (const auto& piece : v.message->pieces)
        if (piece.expr) Walk(*piece.expr);
      in_message_ = false;
    }
  }

  const Plan& s_;
  const SchemaModel& m_;
  const BuiltinRegistry& reg_;
  Resolutions out_;
  std::unordered_set<std::string> seen_defs_;
  std::vector<std::string> params_;  // the parameters in scope (the first of each name)
  std::vector<Bound> scope_, globals_;
  const std::vector<const Expr*>* layers_ = nullptr;
  int base_level_ = -1;
  bool in_message_ = false;
};

}  // namespace

const NameRes& Resolutions::Of(const ast::Expr& e) const {
  static const NameRes kNone;
  auto it = names.find(e.id);
  return it == names.end() ? kNone : it->second;
}

Diagnostic Resolutions::Unknown(const ast::Expr& e, const SchemaModel& m) const {
  const Unseen& u = unknown.at(e.id);
  Diagnostics d;
  if (e.text == "base") {
    d.Error("E0425", e.span, "`base` is only meaningful in an amendment",
            "`base` names the original criterion in the `pass` or `applies when` of an `amend`, and the "
            "base's set in an extension's `exclusions`");
    return d.items().back();
  }
  std::vector<std::string> cands = {"as_of"};
  cands.insert(cands.end(), u.scope.begin(), u.scope.end());
  cands.insert(cands.end(), params.begin(), params.begin() + static_cast<std::ptrdiff_t>(u.params));
  if (m.root >= 0)
    for (const auto& f : m.entities[m.root].fields) cands.push_back(f.name);
  std::string near = ClosestMatch(e.text, cands);
  std::string help;
  if (!near.empty()) help = fmt::format("did you mean `{}`?", near);
  else {
    for (const auto& en : m.enums)
      if (en.Find(e.text) >= 0) {
        help = fmt::format("`{}` is a member of enum `{}`: compare it with a value of that type", e.text, en.name);
        break;
      }
  }
  if (u.in_message && help.empty())
    help = "messages see lets, parameters, as_of, root fields and the variable of a top-level `all`/`none`";
  d.Error("E0201", e.span, fmt::format("unknown name `{}`", e.text), help);
  return d.items().back();
}

Resolutions Resolve(const Plan& s, const SchemaModel& m, const BuiltinRegistry& reg) { return Resolver(s, m, reg).Run(); }

// `depends on`: names resolve to requirements of this standard; the graph must be acyclic.
// The prerequisites are the plan's: the declaration's, as amendments changed them.
void ResolveDependencies(ir::Program& p, const std::vector<const PlanRequirement*>& decls, Diagnostics& diags) {
  std::unordered_map<std::string, int32_t> index;
  for (size_t i = 0; i < p.requirements.size(); ++i) index.emplace(p.requirements[i].id, static_cast<int32_t>(i));
  std::vector<std::string> ids;
  for (const auto& q : p.requirements) ids.push_back(q.id);
  for (size_t i = 0; i < decls.size(); ++i) {
    for (const auto& [name, span] : decls[i]->depends) {
      auto it = index.find(name);
      if (it == index.end()) {
        std::string near = ClosestMatch(name, ids);
        diags.Error("E0411", span, fmt::format("`{}` depends on `{}`, which is not a requirement of standard `{}`",
                                               p.requirements[i].id, name, p.standard),
                    near.empty() ? "`depends on` names a requirement id of the same standard"
                                 : fmt::format("did you mean `{}`?", near));
        continue;
      }
      auto& deps = p.requirements[i].depends;
      if (std::find(deps.begin(), deps.end(), it->second) == deps.end()) deps.push_back(it->second);
    }
  }
  // Cycles (a requirement blocked by itself, directly or through others) are errors: report
  // each cycle once, at the `depends on` that closes it.
  std::vector<int> state(p.requirements.size(), 0);  // 0 new, 1 on the stack, 2 done
  std::vector<int32_t> stack;
  std::function<void(int32_t)> visit = [&](int32_t v) {
    state[v] = 1;
    stack.push_back(v);
    for (int32_t d : p.requirements[v].depends) {
      if (state[d] == 1) {
        std::string path;
        auto from = std::find(stack.begin(), stack.end(), d);
        for (auto it = from; it != stack.end(); ++it) path += p.requirements[*it].id + " → ";
        path += p.requirements[d].id;
        Span at = p.requirements[v].span;
        for (const auto& [name, span] : decls[v]->depends)
          if (name == p.requirements[d].id) at = span;
        diags.Error("E0412", at, fmt::format("requirements depend on each other in a cycle: {}", path),
                    "a prerequisite must be decidable without its dependents: remove one `depends on`");
        continue;
      }
      if (state[d] == 0) visit(d);
    }
    stack.pop_back();
    state[v] = 2;
  };
  for (size_t i = 0; i < p.requirements.size(); ++i)
    if (state[i] == 0) visit(static_cast<int32_t>(i));
}

}  // namespace conform::sema
