// Extensions: resolves `extension X extends BASE { … }` chains into one plan before lowering.
// The base's AST is never copied: the plan points at base and extension declarations, places
// the extensions' clauses and requirements under their base clauses and layers amendments over
// the members they change (`base` in layer k is layer k-1). Replaced criteria are never lowered,
// so they cost nothing at run time.
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "conform/compiler/rt_helpers.h"
#include "conform/compiler/sema.h"
#include "plan.h"

namespace conform::sema {

PlanRequirement PlanOf(const ast::RequirementDecl& r, const std::string& origin) {
  PlanRequirement p;
  p.decl = &r;
  p.origin = origin;
  p.grade = r.grade;
  p.grade_span = r.grade_span;
  p.says = r.says;
  p.says_count = r.says_count;
  for (const auto& l : r.lets) p.lets.push_back(&l);
  if (r.applies) p.applies.push_back(r.applies.get());
  if (r.pass) p.pass.push_back(r.pass.get());
  p.message = r.message.get();
  p.depends = r.depends;
  return p;
}

PlanClause PlanOf(const ast::ClauseDecl& c, const std::string& origin) {
  PlanClause p;
  p.decl = &c;
  p.number = c.number;
  p.title = c.title;
  p.origin = origin;
  p.number_span = c.number_span;
  p.order = c.order;
  for (const auto& sub : c.clauses) p.clauses.push_back(PlanOf(sub, origin));
  for (const auto& r : c.requirements) p.requirements.push_back(PlanOf(r, origin));
  return p;
}

Plan PlanStandard(const ast::StandardDecl& s) {
  Plan p;
  p.name = s.name;
  p.title = s.title;
  for (const auto& m : s.meta) p.meta.push_back(&m);
  for (const auto& pd : s.params) p.params.push_back({&pd, s.name, pd.value.get(), nullptr, {}});
  if (!s.exclusions.empty()) p.exclusions.push_back(s.exclusions[0].get());
  if (s.exclusions.size() > 1) p.repeated_exclusions = s.exclusions[1].get();
  for (const auto& c : s.clauses) p.clauses.push_back(PlanOf(c, s.name));
  for (const auto& d : s.defs) p.defs.push_back(&d);
  for (const auto& l : s.lets) p.globals.push_back(&l);
  return p;
}

void AddModuleDecls(Plan& p, const std::vector<const ast::File*>& files) {
  std::vector<const ast::DefDecl*> defs;
  std::vector<const ast::LetDecl*> lets;
  for (const auto* f : files) {
    if (IsClause01(f->language)) p.clause01_files.push_back(f->file_id);
    for (const auto& d : f->defs) defs.push_back(&d);
    for (const auto& l : f->lets) lets.push_back(&l);
  }
  p.defs.insert(p.defs.begin(), defs.begin(), defs.end());
  p.globals.insert(p.globals.begin(), lets.begin(), lets.end());
}

namespace {

// The leading number of an edition ("2015+A1:2024" → 2015), or -1.
long LeadingNumber(const std::string& s) {
  size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  return i == 0 || i > 9 ? -1 : std::stol(s.substr(0, i));
}

bool EditionMatches(const std::string& edition, const ast::EditionTerm& t) {
  if (t.op.empty() || t.op == "==") return edition.compare(0, t.edition.size(), t.edition) == 0;
  long a = LeadingNumber(edition), b = LeadingNumber(t.edition);
  int cmp = (a >= 0 && b >= 0) ? (a < b ? -1 : a > b ? 1 : 0) : edition.compare(t.edition) < 0 ? -1 : edition == t.edition ? 0 : 1;
  if (t.op == ">=") return cmp >= 0;
  if (t.op == ">") return cmp > 0;
  if (t.op == "<=") return cmp <= 0;
  return cmp < 0;  // "<"
}

std::string MetaString(const std::vector<ast::MetaDecl>& meta, const std::string& key, Span* where = nullptr) {
  for (const auto& m : meta)
    if (m.key == key && m.value && m.value->kind == ast::ExprKind::StringLit) {
      if (where) *where = m.span;
      return m.value->text;
    }
  return {};
}

// Whether `code` was already reported at `at` (a chain is walked once per extension compiled).
bool Reported(const Diagnostics& diags, const std::string& code, Span at) {
  for (const auto& d : diags.items())
    if (d.code == code && d.span.file == at.file && d.span.begin == at.begin && d.span.end == at.end) return true;
  return false;
}

// Every declared standard and extension of the loaded files.
struct Decls {
  std::map<std::string, const ast::StandardDecl*> standards;
  std::map<std::string, const ast::ExtensionDecl*> extensions;
  explicit Decls(const std::vector<const ast::File*>& files) {
    for (const auto* f : files) {
      for (const auto& s : f->standards) standards.emplace(s.name, &s);
      for (const auto& x : f->extensions) extensions.emplace(x.name, &x);
    }
  }
  std::vector<std::string> Names() const {
    std::vector<std::string> out;
    for (const auto& [k, v] : standards) out.push_back(k);
    for (const auto& [k, v] : extensions) out.push_back(k);
    return out;
  }
  // `id`'s chain of extensions, root-most first (the standard itself not included); false on a
  // cycle (E0427, reported once per cycle) or an unknown base (E0428, once per base named).
  bool Chain(const std::string& id, std::vector<const ast::ExtensionDecl*>& out, const ast::StandardDecl*& root,
             Diagnostics& diags) const {
    std::vector<const ast::ExtensionDecl*> rev;
    std::string cur = id;
    root = nullptr;
    while (true) {
      if (auto s = standards.find(cur); s != standards.end()) {
        root = s->second;
        break;
      }
      auto x = extensions.find(cur);
      if (x == extensions.end()) return false;
      const ast::ExtensionDecl* ext = x->second;
      if (std::find(rev.begin(), rev.end(), ext) != rev.end()) {
        // One report per cycle, however many of its members (or extensions built on them) are
        // compiled: it starts at the member with the smallest name.
        std::vector<const ast::ExtensionDecl*> cycle(std::find(rev.begin(), rev.end(), ext), rev.end());
        auto first = std::min_element(cycle.begin(), cycle.end(), [](const auto* a, const auto* b) { return a->name < b->name; });
        std::rotate(cycle.begin(), first, cycle.end());
        std::string path;
        for (const auto* m : cycle) path += m->name + " → ";
        if (!Reported(diags, "E0427", cycle.front()->base_span)) {
          auto& d = diags.Error("E0427", cycle.front()->base_span, fmt::format("extension cycle: {}{}", path, cycle.front()->name),
                                "an extension cannot be built on itself, directly or through others");
          for (size_t i = 1; i < cycle.size(); ++i) d.notes.push_back({cycle[i]->base_span, "extends here"});
        }
        return false;
      }
      rev.push_back(ext);
      if (!standards.count(ext->base) && !extensions.count(ext->base)) {
        if (Reported(diags, "E0428", ext->base_span)) return false;  // reached again through another extension
        std::string near = ClosestMatch(ext->base, Names());
        diags.Error("E0428", ext->base_span, fmt::format("`{}` extends `{}`, which is neither a standard nor an extension",
                                                         ext->name, ext->base),
                    near.empty() ? fmt::format("load the base (e.g. `use {}`) or fix its name", ext->base)
                                 : fmt::format("did you mean `{}`?", near));
        return false;
      }
      cur = ext->base;
    }
    out.assign(rev.rbegin(), rev.rend());
    return true;
  }
};

// What one extension did to one requirement, parameter or the exclusions (for E0426).
struct Change {
  const ast::ExtensionDecl* ext = nullptr;
  Span span;
  std::string grade, says;  // "" when not given
  bool has_else = false, pass = false, pass_uses_base = false, applies = false, applies_uses_base = false;
  bool depends = false, depends_uses_base = false;
  std::string value;  // parameters: the printed value
};

Change NewChange(const ast::ExtensionDecl* ext, Span span) {
  Change c;
  c.ext = ext;
  c.span = span;
  return c;
}

class Resolver {
 public:
  Resolver(Plan& plan, Diagnostics& diags) : plan_(plan), diags_(diags) {}

  void Apply(const ast::ExtensionDecl& x, const std::set<std::string>& ancestors) {
    ext_ = &x;
    ancestors_[x.name] = ancestors;
    in_chain_.insert(x.name);
    meta_.clear();  // the program's metadata is the last extension's
    for (const auto& md : x.meta) meta_.push_back(&md);
    for (const auto& pd : x.params) {
      for (const auto& pp : plan_.params)
        if (pp.decl->name == pd.name) {
          auto& d = diags_.Error("E0423", pd.span,
                                 fmt::format("parameter `{}` is already declared by `{}`", pd.name, pp.origin),
                                 fmt::format("set the base's value with `param {}.{} = …`, or choose another name",
                                             pp.origin, pd.name));
          d.notes.push_back({pp.decl->span, "declared here"});
        }
      plan_.params.push_back({&pd, x.name, pd.value.get(), nullptr, {}});
    }
    for (const auto& ps : x.param_sets) SetParam(ps);
    for (size_t i = 0; i < x.exclusions.size(); ++i) {
      if (i > 0) {
        plan_.repeated_exclusions = x.exclusions[i].get();
        continue;
      }
      if (plan_.exclusions.empty()) plan_.exclusions.push_back(nullptr);
      plan_.exclusions.push_back(x.exclusions[i].get());
      Change c = NewChange(&x, x.exclusions[i]->span);
      c.pass = true;
      c.pass_uses_base = UsesBase(x.exclusions[i].get());
      exclusion_changes_.push_back(c);
    }
    for (const auto& c : x.opened) Open(c);
    for (const auto& c : x.clauses) AddClause(c);
    for (const auto& a : x.amends) Amend(a);
  }

  void Finish(const std::vector<std::string>& selected) {
    if (ext_) plan_.meta = meta_;
    // Incompatible amendments by extensions that are not built on one another.
    for (const auto& [id, changes] : req_changes_) CheckPairs(changes, "requirement `" + id + "`");
    for (const auto& [id, changes] : param_changes_) CheckPairs(changes, "parameter `" + id + "`");
    CheckPairs(exclusion_changes_, "the exclusions");
    (void)selected;
  }

 private:
  // ---- lookup ----------------------------------------------------------------------------
  PlanClause* FindClause(std::vector<PlanClause>& in, const std::string& number) {
    for (auto& c : in) {
      if (c.number == number) return &c;
      if (ClauseUnder(number, c.number))
        if (PlanClause* sub = FindClause(c.clauses, number)) return sub;
    }
    return nullptr;
  }
  void AllClauses(const std::vector<PlanClause>& in, std::vector<std::string>& out) const {
    for (const auto& c : in) {
      out.push_back(c.number);
      AllClauses(c.clauses, out);
    }
  }
  PlanRequirement* FindRequirement(std::vector<PlanClause>& in, const std::string& id, PlanClause** where) {
    for (auto& c : in) {
      for (auto& r : c.requirements)
        if (r.decl->id == id) {
          if (where) *where = &c;
          return &r;
        }
      if (PlanRequirement* r = FindRequirement(c.clauses, id, where)) return r;
    }
    return nullptr;
  }
  void AllRequirements(const std::vector<PlanClause>& in, std::vector<std::string>& out) const {
    for (const auto& c : in) {
      for (const auto& r : c.requirements) out.push_back(r.decl->id);
      AllRequirements(c.clauses, out);
    }
  }
  bool OwnerInChain(const std::string& owner, Span at, const char* what) {
    if (in_chain_.count(owner) && owner != ext_->name) return true;
    std::vector<std::string> chain(in_chain_.begin(), in_chain_.end());
    std::string list;
    for (const auto& c : chain)
      if (c != ext_->name) list += (list.empty() ? "" : ", ") + c;
    diags_.Error("E0428", at, fmt::format("`{}` is not a base of `{}`, so it has no {} to change", owner, ext_->name, what),
                 fmt::format("name the standard or extension that declares it: {}", list));
    return false;
  }

  // ---- clauses and requirements ----------------------------------------------------------
  bool FreshRequirement(const ast::RequirementDecl& r) {
    PlanClause* where = nullptr;
    if (PlanRequirement* old = FindRequirement(plan_.clauses, r.id, &where)) {
      auto& d = diags_.Error("E0423", r.id_span,
                             fmt::format("requirement `{}` is already declared by `{}` (clause {})", r.id, old->origin,
                                         where->number),
                             fmt::format("change it with `amend {}.{} {{ … }}`, or choose another id", old->origin, r.id));
      d.notes.push_back({old->decl->id_span, "declared here"});
      return false;
    }
    return true;
  }
  bool FreshClauseTree(const ast::ClauseDecl& c) {
    bool ok = true;
    if (PlanClause* old = FindClause(plan_.clauses, c.number)) {
      auto& d = diags_.Error("E0423", c.number_span, fmt::format("clause {} is already declared by `{}`", c.number, old->origin),
                             fmt::format("to add requirements to it, open it without a title: `clause {} {{ … }}`", c.number));
      d.notes.push_back({old->number_span, "declared here"});
      ok = false;
    }
    for (const auto& r : c.requirements) ok = FreshRequirement(r) && ok;
    for (const auto& sub : c.clauses) ok = FreshClauseTree(sub) && ok;
    return ok;
  }
  // Places a new clause among `parent`'s sub-clauses in clause-number order.
  void Insert(std::vector<PlanClause>& subs, std::vector<int>* order, PlanClause c) {
    size_t pos = 0;
    while (pos < subs.size() && !NaturalLess(c.number, subs[pos].number)) ++pos;
    subs.insert(subs.begin() + static_cast<long>(pos), std::move(c));
    if (!order) return;
    size_t seen = 0, at = order->size();
    for (size_t i = 0; i < order->size(); ++i)
      if ((*order)[i] == 0 && seen++ == pos) {
        at = i;
        break;
      }
    order->insert(order->begin() + static_cast<long>(at), 0);
  }
  void AddClause(const ast::ClauseDecl& c) {
    if (!FreshClauseTree(c)) return;
    size_t dot = c.number.rfind('.');
    if (dot == std::string::npos) {
      Insert(plan_.clauses, nullptr, PlanOf(c, ext_->name));
      return;
    }
    std::string parent = c.number.substr(0, dot);
    PlanClause* p = FindClause(plan_.clauses, parent);
    if (!p) {
      std::vector<std::string> all;
      AllClauses(plan_.clauses, all);
      std::string near = ClosestMatch(parent, all);
      diags_.Error("E0421", c.number_span,
                   fmt::format("clause {} belongs under clause {}, which `{}` does not have", c.number, parent, ext_->base),
                   near.empty() ? "number the new clause under one of the base's clauses"
                                : fmt::format("did you mean to place it under {}?", near));
      return;
    }
    Insert(p->clauses, &p->order, PlanOf(c, ext_->name));
  }
  void Open(const ast::ClauseDecl& c) {
    PlanClause* target = FindClause(plan_.clauses, c.number);
    if (!target) {
      std::vector<std::string> all;
      AllClauses(plan_.clauses, all);
      std::string near = ClosestMatch(c.number, all);
      diags_.Error("E0421", c.number_span, fmt::format("`{}` has no clause {} to add to", ext_->base, c.number),
                   near.empty() ? "a clause with a title (`clause N \"title\" { … }`) declares a new one"
                                : fmt::format("did you mean clause {}? (a clause with a title declares a new one)", near));
      return;
    }
    size_t sub = 0, req = 0;
    for (int kind : c.order) {
      if (kind == 0) {
        const ast::ClauseDecl& sc = c.clauses[sub++];
        if (!FreshClauseTree(sc)) continue;
        target = FindClause(plan_.clauses, c.number);
        Insert(target->clauses, &target->order, PlanOf(sc, ext_->name));
        continue;
      }
      const ast::RequirementDecl& r = c.requirements[req++];
      if (!FreshRequirement(r)) continue;
      target = FindClause(plan_.clauses, c.number);
      target->requirements.push_back(PlanOf(r, ext_->name));
      target->order.push_back(1);
    }
  }

  // ---- amendments ------------------------------------------------------------------------
  void Amend(const ast::AmendDecl& a) {
    if (!OwnerInChain(a.owner, a.target_span, "requirement")) return;
    PlanClause* where = nullptr;
    PlanRequirement* r = FindRequirement(plan_.clauses, a.body.id, &where);
    if (!r || r->origin != a.owner) {
      std::vector<std::string> ids;
      AllRequirements(plan_.clauses, ids);
      std::string near = ClosestMatch(a.body.id, ids);
      std::string help = r ? fmt::format("`{}` is declared by `{}`: write `amend {}.{}`", a.body.id, r->origin, r->origin, a.body.id)
                         : near.empty() ? fmt::format("`conform catalogue show {}` lists its requirements", a.owner)
                                        : fmt::format("did you mean `{}`?", near);
      diags_.Error("E0420", a.body.id_span, fmt::format("`{}` has no requirement `{}` to amend", a.owner, a.body.id), help);
      return;
    }
    if (!a.clause.empty() && a.clause != where->number) {
      diags_.Error("E0421", a.target_span,
                   fmt::format("requirement `{}` is in clause {} of `{}`, not in clause {}", a.body.id, where->number,
                               a.owner, a.clause),
                   fmt::format("write `amend {}.{}.{}`, or leave the clause out", a.owner, where->number, a.body.id));
      return;
    }
    const ast::RequirementDecl& b = a.body;
    Change c = NewChange(ext_, a.target_span);
    bool any = false;
    if (!b.grade.empty()) {
      r->grade = b.grade;
      r->grade_span = b.grade_span;
      c.grade = b.grade;
      any = true;
    }
    if (b.says_count) {
      r->says = b.says;
      r->says_count = b.says_count;
      c.says = b.says;
      any = true;
    }
    for (const auto& l : b.lets) r->lets.push_back(&l);
    if (b.applies) {
      if (r->applies.empty()) r->applies.push_back(nullptr);
      r->applies.push_back(b.applies.get());
      c.applies = true;
      c.applies_uses_base = UsesBase(b.applies.get());
      any = true;
    }
    if (b.pass) {
      r->pass.push_back(b.pass.get());
      c.pass = true;
      c.pass_uses_base = UsesBase(b.pass.get());
      r->pass_amend_keeping_message = b.message ? nullptr : &a;
      any = true;
    }
    if (!b.depends.empty()) {
      // `depends on base, x` keeps the prerequisites in force and adds x; without `base` the
      // list replaces them.
      bool keep = std::any_of(b.depends.begin(), b.depends.end(), [](const auto& d) { return d.first == "base"; });
      if (!keep) r->depends.clear();
      for (const auto& d : b.depends)
        if (d.first != "base" && std::none_of(r->depends.begin(), r->depends.end(), [&](const auto& e) { return e.first == d.first; }))
          r->depends.push_back(d);
      c.depends = true;
      c.depends_uses_base = keep;
      any = true;
    }
    if (b.message) {
      r->message = b.message.get();
      r->pass_amend_keeping_message = nullptr;
      c.has_else = true;
      any = true;
    }
    if (b.pass_count > 1 || b.says_count > 1 || b.else_count > 1 || b.applies_count > 1)
      diags_.Error("E0404", b.id_span, fmt::format("the amendment of `{}` repeats a member", b.id),
                   "`says`, `applies when`, `pass` and `else` appear at most once each");
    if (!any && b.lets.empty())
      diags_.Warning("W0603", a.target_span, fmt::format("this amendment of `{}` changes nothing", b.id),
                     "give `grade`, `says`, `applies when`, `pass`, `else` or `depends on`, or remove it");
    if (std::find(r->amended_by.begin(), r->amended_by.end(), ext_->name) == r->amended_by.end())
      r->amended_by.push_back(ext_->name);
    req_changes_[a.body.id].push_back(c);
  }

  void SetParam(const ast::ParamSet& ps) {
    if (!OwnerInChain(ps.owner, ps.span, "parameter")) return;
    for (auto& pp : plan_.params)
      if (pp.decl->name == ps.name && pp.origin == ps.owner) {
        if (!pp.base_value) pp.base_value = pp.value;
        pp.value = ps.value.get();
        pp.set_by = ext_->name;
        Change c = NewChange(ext_, ps.span);
        c.value = ast::PrintExpr(*ps.value);
        param_changes_[ps.name].push_back(c);
        return;
      }
    std::vector<std::string> names;
    for (const auto& pp : plan_.params)
      if (pp.origin == ps.owner) names.push_back(pp.decl->name);
    std::string near = ClosestMatch(ps.name, names);
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    diags_.Error("E0429", ps.name_span, fmt::format("`{}` has no parameter `{}`", ps.owner, ps.name),
                 !near.empty() ? fmt::format("did you mean `{}`?", near)
                 : list.empty() ? fmt::format("`{}` declares no parameters", ps.owner)
                                : fmt::format("its parameters: {}", list));
  }

  // ---- combination of sibling extensions -------------------------------------------------
  bool Related(const ast::ExtensionDecl* a, const ast::ExtensionDecl* b) {
    return a == b || ancestors_[a->name].count(b->name) || ancestors_[b->name].count(a->name);
  }
  static std::string Clash(const Change& a, const Change& b) {
    if (!a.grade.empty() && !b.grade.empty() && a.grade != b.grade)
      return fmt::format("grades {} and {}", a.grade, b.grade);
    if (!a.says.empty() && !b.says.empty() && a.says != b.says) return "two different `says` texts";
    if (a.has_else && b.has_else) return "two different `else` messages";
    if (a.pass && b.pass && (!a.pass_uses_base || !b.pass_uses_base))
      return "a criterion that replaces the other's (only criteria that both build on `base` combine)";
    if (a.applies && b.applies && (!a.applies_uses_base || !b.applies_uses_base))
      return "an `applies when` that replaces the other's";
    if (a.depends && b.depends && (!a.depends_uses_base || !b.depends_uses_base))
      return "prerequisites that replace the other's (only `depends on base, …` lists combine)";
    if (!a.value.empty() && !b.value.empty() && a.value != b.value) return fmt::format("values {} and {}", a.value, b.value);
    return {};
  }
  void CheckPairs(const std::vector<Change>& changes, const std::string& what) {
    for (size_t i = 0; i < changes.size(); ++i)
      for (size_t j = i + 1; j < changes.size(); ++j) {
        if (Related(changes[i].ext, changes[j].ext)) continue;
        std::string why = Clash(changes[i], changes[j]);
        if (why.empty()) continue;
        auto& d = diags_.Error("E0426", changes[j].span,
                               fmt::format("`{}` and `{}` change {} incompatibly: {}", changes[i].ext->name,
                                           changes[j].ext->name, what, why),
                               "check them separately, or agree on one amendment (e.g. an extension of both)");
        d.notes.push_back({changes[i].span, fmt::format("`{}` changes it here", changes[i].ext->name)});
      }
  }

  Plan& plan_;
  Diagnostics& diags_;
  const ast::ExtensionDecl* ext_ = nullptr;
  std::set<std::string> in_chain_;
  std::map<std::string, std::set<std::string>> ancestors_;
  std::vector<const ast::MetaDecl*> meta_;
  std::map<std::string, std::vector<Change>> req_changes_, param_changes_;
  std::vector<Change> exclusion_changes_;

 public:
  void AddToChain(const std::string& id) { in_chain_.insert(id); }
};

}  // namespace

std::string RootStandardOf(const std::vector<const ast::File*>& files, const std::string& id) {
  Decls decls(files);
  Diagnostics quiet;
  std::vector<const ast::ExtensionDecl*> chain;
  const ast::StandardDecl* root = nullptr;
  if (!decls.Chain(id, chain, root, quiet) || !root) return {};
  return root->name;
}

std::vector<std::string> BasesOf(const std::vector<const ast::File*>& files, const std::string& id) {
  Decls decls(files);
  Diagnostics quiet;
  std::vector<const ast::ExtensionDecl*> chain;
  const ast::StandardDecl* root = nullptr;
  std::vector<std::string> out;
  if (!decls.Chain(id, chain, root, quiet) || !root) return out;
  out.push_back(root->name);
  for (const auto* x : chain)
    if (x->name != id) out.push_back(x->name);
  return out;
}

std::shared_ptr<ir::Program> CompileSelection(const std::vector<const ast::File*>& files, const std::vector<std::string>& ids,
                                              std::shared_ptr<const SchemaModel> schema, std::shared_ptr<StringPool> literals,
                                              const SourceManager& sm, Diagnostics& diags) {
  Decls decls(files);
  const ast::StandardDecl* root = nullptr;
  std::vector<const ast::ExtensionDecl*> layers;
  std::map<std::string, std::set<std::string>> ancestors;
  for (const auto& id : ids) {
    std::vector<const ast::ExtensionDecl*> chain;
    const ast::StandardDecl* r = nullptr;
    if (!decls.Chain(id, chain, r, diags)) {
      if (!decls.standards.count(id) && !decls.extensions.count(id)) {
        std::string near = ClosestMatch(id, decls.Names());
        diags.Error("E0428", {}, fmt::format("no standard or extension `{}` is loaded", id),
                    near.empty() ? "load its package" : fmt::format("did you mean `{}`?", near));
      }
      return nullptr;
    }
    if (root && r != root) {
      diags.Error("E0428", {}, fmt::format("`{}` is built on `{}`, not on `{}`: they cannot form one program", id, r->name,
                                           root->name),
                  "check them as separate standards");
      return nullptr;
    }
    root = r;
    std::set<std::string> anc = {r->name};
    for (const auto* x : chain) {
      if (std::find(layers.begin(), layers.end(), x) == layers.end()) {
        layers.push_back(x);
        ancestors[x->name] = anc;
      }
      anc.insert(x->name);
    }
  }
  if (!root) return nullptr;
  Plan plan = PlanStandard(*root);
  AddModuleDecls(plan, files);
  Resolver res(plan, diags);
  res.AddToChain(root->name);
  std::string root_edition = MetaString(root->meta, "edition");
  plan.layers.push_back({root->name, root->title, root_edition});
  std::map<std::string, std::pair<std::string, Span>> editions;  // id → edition, where declared
  {
    Span at;
    std::string e = MetaString(root->meta, "edition", &at);
    editions[root->name] = {e, at};
  }
  for (const auto* x : layers) {
    // The base's edition must satisfy the extension's constraint.
    const auto& [edition, at] = editions[x->base];
    for (const auto& t : x->constraint) {
      if (edition.empty()) {
        diags.Error("E0422", t.span, fmt::format("`{}` declares no edition, so `{}`'s constraint cannot hold", x->base, x->name),
                    fmt::format("add `edition \"…\"` to `{}`", x->base));
        break;
      }
      if (!EditionMatches(edition, t)) {
        std::string cons;
        for (const auto& u : x->constraint) cons += (cons.empty() ? "" : ", ") + (u.op.empty() ? "" : u.op + " ") + "\"" + u.edition + "\"";
        auto& d = diags.Error("E0422", t.span,
                              fmt::format("`{}` needs `{}` {}, but the loaded `{}` is edition \"{}\"", x->name, x->base, cons,
                                          x->base, edition),
                              fmt::format("load an edition of `{}` that satisfies the constraint, or widen it", x->base));
        if (at.valid()) d.notes.push_back({at, "the base's edition"});
        break;
      }
    }
    Span at2;
    std::string mine = MetaString(x->meta, "edition", &at2);
    editions[x->name] = {mine, at2};
    res.Apply(*x, ancestors[x->name]);
    plan.layers.push_back({x->name, x->title, mine});
  }
  res.Finish(ids);
  // The program is named after the selection: one extension, or `a+b` for several.
  std::vector<std::string> named;
  for (const auto& id : ids) {
    bool covered = false;  // an id that another selected id is built on adds nothing to the name
    for (const auto& other : ids)
      if (other != id && ancestors.count(other) && ancestors[other].count(id)) covered = true;
    if (!covered && std::find(named.begin(), named.end(), id) == named.end()) named.push_back(id);
  }
  plan.name.clear();
  plan.title.clear();
  for (const auto& n : named) {
    plan.name += (plan.name.empty() ? "" : "+") + n;
    std::string title = n;
    if (decls.extensions.count(n)) title = decls.extensions.at(n)->title;
    else if (decls.standards.count(n)) title = decls.standards.at(n)->title;
    plan.title += (plan.title.empty() ? "" : " + ") + title;
  }
  if (layers.empty()) plan.layers.clear();  // a standard on its own
  return Lower(plan, std::move(schema), std::move(literals), sm, diags);
}

}  // namespace conform::sema
