// The lint rules of `conform lint` (docs/lint.md).
#include "lint.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <set>

#include "conform/compiler/builtins.h"

namespace conform::lint {

const std::vector<Rule>& Rules() {
  static const std::vector<Rule> kRules = {
      {"L0001", "requirement-without-else", "a requirement has no `else` message: its nonconformity says nothing"},
      {"L0002", "says-repeats-id", "a `says` text only repeats the requirement id"},
      {"L0003", "unused-parameter", "a parameter is declared but never used"},
      {"L0004", "unused-let", "a `let` is never used"},
      {"L0005", "applies-hides-missing-evidence",
       "`applies when` reads an optional collection only through `default(…)` or a presence test: missing evidence becomes not applicable"},
      {"L0006", "inconsistent-grade", "the same pass criterion has different grades in different standards"},
      {"L0007", "pass-never-unknown",
       "`pass` reads an optional collection only through `default(…)` or a presence test: missing evidence becomes a verdict instead of not evidenced"},
      {"L0008", "unused-definition", "a standard's `def` or standard-level `let` is never used"},
      {"L0009", "amend-lowers-grade", "an extension's amendment grades a base requirement less severely than its base does"},
      {"L0010", "amend-weakens-pass",
       "an amended `pass` is not `base and …`: it replaces or relaxes the base criterion, so evidence the base rejects may conform"},
      {"L0011", "amend-repeats-base", "an amendment's `grade` or `says` is the one it amends: that member changes nothing"},
      {"L0012", "param-set-to-default", "`param BASE.name = value` sets a base parameter to the default it already has"},
  };
  return kRules;
}

namespace {

using ast::Expr;
using ast::ExprKind;

void Walk(const Expr* e, const std::function<void(const Expr&, const Expr* parent)>& f, const Expr* parent = nullptr) {
  if (!e) return;
  f(*e, parent);
  Walk(e->a.get(), f, e);
  Walk(e->b.get(), f, e);
  Walk(e->c.get(), f, e);
  for (const auto& x : e->args) Walk(x.get(), f, e);
}

// The names an expression reads, and the functions (defs) it calls as `name()`.
void Names(const Expr* e, std::set<std::string>& out) {
  Walk(e, [&](const Expr& x, const Expr*) {
    if (x.kind == ExprKind::Name) out.insert(x.text);
    if (x.kind == ExprKind::Call) out.insert(x.text + "()");
  });
}

void NamesOfTemplate(const ast::Template* t, std::set<std::string>& out) {
  if (!t) return;
  for (const auto& p : t->pieces) Names(p.expr.get(), out);
}

std::string Normal(const std::string& s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      if (space && !out.empty()) out += ' ';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      space = false;
    } else {
      space = true;
    }
  }
  return out;
}

std::string Collapse(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    out += c;
    space = false;
  }
  return out;
}

class Linter {
 public:
  explicit Linter(std::vector<Finding>& out) : out_(out) {}

  void Standard(const Unit& u) {
    const ast::StandardDecl& s = *u.standard;
    schema_ = u.schema;
    sm_ = u.sources;
    std::set<std::string> used;
    for (const auto& p : s.params) Names(p.value.get(), used);
    for (const auto& x : s.exclusions) Names(x.get(), used);
    for (const auto& d : s.defs) Names(d.body.get(), used);
    for (const auto& l : s.lets) Names(l.value.get(), used);
    for (const auto& c : s.clauses) Clause(s.name, c, used);
    UnusedParams(s.name, s.params, used);
    for (const auto& d : s.defs)
      if (!used.count(d.name + "()"))
        Report("L0008", d.name_span, fmt::format("`def {}` of `{}` is never called", d.name, s.name), "call it, or remove it");
    for (const auto& l : s.lets)
      if (!used.count(l.name))
        Report("L0008", l.span, fmt::format("`let {}` of `{}` is never used", l.name, s.name),
               "use it, or remove it (it is computed for every organization)");
  }

  // An extension: its own requirements and parameters as a standard's, and what it does to its
  // base (L0009–L0012), compared with the base declarations of the same session.
  void Extension(const Unit& u) {
    const ast::ExtensionDecl& x = *u.extension;
    schema_ = u.schema;
    sm_ = u.sources;
    files_ = u.files;
    std::set<std::string> used;
    for (const auto& p : x.params) Names(p.value.get(), used);
    for (const auto& p : x.param_sets) Names(p.value.get(), used);
    for (const auto& e : x.exclusions) Names(e.get(), used);
    for (const auto& c : x.clauses) Clause(x.name, c, used);
    for (const auto& c : x.opened) Clause(x.name, c, used);
    for (const auto& a : x.amends) {
      Uses(a.body, used);
      Amend(a);
    }
    UnusedParams(x.name, x.params, used);
    for (const auto& ps : x.param_sets) ParamSet(ps);
  }

  // L0006 across every standard linted together.
  void Grades() {
    for (const auto& [text, uses] : by_pass_) {
      std::set<std::string> grades;
      for (const auto& u : uses) grades.insert(u.grade);
      if (grades.size() < 2) continue;
      for (const auto& u : uses) {
        sm_ = u.sources;
        span_ = u.requirement;
        std::string others;
        for (const auto& v : uses)
          if (v.grade != u.grade) others += fmt::format("{}{}.{} ({})", others.empty() ? "" : ", ", v.standard, v.id, v.grade);
        Report("L0006", u.span, fmt::format("`{}.{}` is {}, but the same pass criterion is graded differently in {}", u.standard,
                                            u.id, u.grade, others),
               "grade the same finding the same way everywhere, or say why with `// lint: allow L0006 <why>`");
        span_ = {};
      }
    }
  }

 private:
  static void Uses(const ast::RequirementDecl& r, std::set<std::string>& used) {
    for (const auto& l : r.lets) Names(l.value.get(), used);
    Names(r.applies.get(), used);
    Names(r.pass.get(), used);
    NamesOfTemplate(r.message.get(), used);
  }

  void Clause(const std::string& owner, const ast::ClauseDecl& c, std::set<std::string>& used) {
    for (const auto& r : c.requirements) {
      Requirement(owner, r);
      Uses(r, used);
    }
    for (const auto& k : c.clauses) Clause(owner, k, used);
  }

  void UnusedParams(const std::string& owner, const std::vector<ast::ParamDecl>& params, const std::set<std::string>& used) {
    for (const auto& p : params)
      if (!used.count(p.name))
        Report("L0003", p.span, fmt::format("parameter `{}` of `{}` is never used", p.name, owner),
               "use it in a rule, or remove it (organizations cannot override what no rule reads)");
  }

  // The declaration of requirement `id` by the standard or extension `owner`, if loaded.
  const ast::RequirementDecl* BaseRequirement(const std::string& owner, const std::string& id) const {
    const ast::RequirementDecl* found = nullptr;
    std::function<void(const ast::ClauseDecl&)> walk = [&](const ast::ClauseDecl& c) {
      for (const auto& r : c.requirements)
        if (r.id == id) found = &r;
      for (const auto& k : c.clauses) walk(k);
    };
    if (!files_) return nullptr;
    for (const auto& f : *files_) {
      for (const auto& st : f->standards)
        if (st.name == owner)
          for (const auto& c : st.clauses) walk(c);
      for (const auto& x : f->extensions)
        if (x.name == owner) {
          for (const auto& c : x.clauses) walk(c);
          for (const auto& c : x.opened) walk(c);
        }
    }
    return found;
  }

  const ast::ParamDecl* BaseParam(const std::string& owner, const std::string& name) const {
    if (!files_) return nullptr;
    auto find = [&](const std::vector<ast::ParamDecl>& ps) -> const ast::ParamDecl* {
      for (const auto& p : ps)
        if (p.name == name) return &p;
      return nullptr;
    };
    for (const auto& f : *files_) {
      for (const auto& st : f->standards)
        if (st.name == owner)
          if (const auto* p = find(st.params)) return p;
      for (const auto& x : f->extensions)
        if (x.name == owner)
          if (const auto* p = find(x.params)) return p;
    }
    return nullptr;
  }

  static int Severity(const std::string& grade) { return grade == "major" ? 3 : grade == "minor" ? 2 : grade == "observation" ? 1 : 0; }

  // `base and …` at the top of `e` (any operand of a chain of `and`s).
  static bool ConjoinsBase(const Expr* e) {
    if (!e) return false;
    if (e->kind == ExprKind::Name && e->text == "base") return true;
    return e->kind == ExprKind::And && (ConjoinsBase(e->a.get()) || ConjoinsBase(e->b.get()));
  }

  void Amend(const ast::AmendDecl& a) {
    const ast::RequirementDecl& b = a.body;
    span_ = a.span;
    const std::string target = a.owner + "." + b.id;
    const ast::RequirementDecl* base = BaseRequirement(a.owner, b.id);
    if (base && !b.grade.empty()) {
      if (Severity(b.grade) < Severity(base->grade))
        Report("L0009", b.grade_span.valid() ? b.grade_span : a.target_span,
               fmt::format("`amend {}` lowers the grade from {} to {}", target, base->grade, b.grade),
               fmt::format("an extension adds to its base: a {0} nonconformity of `{1}` stays {0} for whoever checks the "
                           "extension; keep the base's grade, or justify with `// lint: allow L0009 <why>`",
                           base->grade, a.owner));
      else if (b.grade == base->grade)
        Report("L0011", b.grade_span.valid() ? b.grade_span : a.target_span,
               fmt::format("`amend {}` sets grade {}, which it already has", target, b.grade), "remove `grade`");
    }
    if (base && b.says_count && base->says_count && Normal(b.says) == Normal(base->says))
      Report("L0011", a.target_span, fmt::format("`amend {}` repeats the `says` text it amends", target),
             "remove `says`, or say what the extension changes");
    if (b.pass && !ConjoinsBase(b.pass.get()))
      Report("L0010", b.pass->span,
             fmt::format("the amended `pass` of `{}` is not `base and …`: it {} the base criterion, so evidence `{}` "
                         "rejects may conform",
                         target, UsesBaseName(b.pass.get()) ? "relaxes" : "replaces", a.owner),
             "write `pass base and <stricter condition>`, or justify with `// lint: allow L0010 <why>`");
    LetsAndEvidence(b, "amend " + target);
    span_ = {};
  }

  static bool UsesBaseName(const Expr* e) {
    std::set<std::string> n;
    Names(e, n);
    return n.count("base") > 0;
  }

  void ParamSet(const ast::ParamSet& ps) {
    const ast::ParamDecl* p = BaseParam(ps.owner, ps.name);
    if (!p || !p->value || !ps.value) return;
    if (ast::PrintExpr(*p->value) == ast::PrintExpr(*ps.value))
      Report("L0012", ps.span,
             fmt::format("`param {}.{} = {}` sets the default `{}` already has", ps.owner, ps.name,
                         Collapse(sm_->Text(ps.value->span)), ps.owner),
             "remove it, or set the value the extension needs");
  }

  struct PassUse {
    std::string standard, id, grade;
    Span span, requirement;
    const SourceManager* sources;
  };

  void Requirement(const std::string& owner, const ast::RequirementDecl& r) {
    span_ = r.span;
    if (!r.message && r.pass)
      Report("L0001", r.id_span, fmt::format("requirement `{}` has no `else` message", r.id),
             "say what is wrong when it fails, with the deciding values: `else \"… {x} …\"`");
    if (r.says_count && (Normal(r.says) == Normal(r.id) || Normal(r.says).empty()))
      Report("L0002", r.id_span, fmt::format("the `says` of `{}` only repeats its id", r.id),
             "describe the requirement in your own words");
    LetsAndEvidence(r, r.id);
    if (r.pass) {
      // The whole criterion: what the names of the pass stand for (lets) and when it applies.
      std::string text = Collapse(sm_->Text(r.pass->span));
      bool substantial = text.size() > 24;
      for (const auto& l : r.lets) text += " | let " + l.name + " = " + Collapse(sm_->Text(l.value->span));
      if (r.applies) text += " | applies " + Collapse(sm_->Text(r.applies->span));
      // A justified grade (`// lint: allow L0006 <why>`) leaves the comparison.
      if (substantial && !Allowed("L0006", r.id_span)) by_pass_[text].push_back({owner, r.id, r.grade, r.id_span, r.span, sm_});
    }
    span_ = {};
  }

  // L0004, L0005 and L0007 of a requirement or an amendment's members (`what` names it).
  void LetsAndEvidence(const ast::RequirementDecl& r, const std::string& what) {
    for (size_t i = 0; i < r.lets.size(); ++i) {
      std::set<std::string> later;
      for (size_t k = i + 1; k < r.lets.size(); ++k) Names(r.lets[k].value.get(), later);
      Names(r.applies.get(), later);
      Names(r.pass.get(), later);
      NamesOfTemplate(r.message.get(), later);
      if (!later.count(r.lets[i].name))
        Report("L0004", r.lets[i].span, fmt::format("`let {}` in `{}` is never used", r.lets[i].name, what),
               "use it, or remove it");
    }
    if (std::string c = HiddenCollection(r.applies.get()); !c.empty())
      Report("L0005", r.applies->span,
             fmt::format("`applies when` of `{}` reads `{}` only through a default or a presence test: an evidence file "
                         "without `{}` makes the requirement not applicable instead of not evidenced",
                         what, c, c),
             fmt::format("read `{}` itself (absent → unknown → not evidenced), or justify with `// lint: allow L0005 <why>`", c));
    if (std::string c = HiddenCollection(r.pass.get()); !c.empty())
      Report("L0007", r.pass->span,
             fmt::format("`pass` of `{}` reads `{}` only through a default or a presence test: it can never be unknown, so "
                         "an evidence file without `{}` gets a verdict instead of not evidenced",
                         what, c, c),
             fmt::format("read `{}` itself, or justify with `// lint: allow L0007 <why>`", c));
  }

  // Whether the builtin `name` written as a call turns an unknown first argument into a value
  // (its declared null policy: `default`).
  static bool ConsumesUnknown(const std::string& name) {
    const Builtin* b = BuiltinRegistry::Default().FindForm(name, Form::Generic);
    return b && b->nulls == NullPolicy::Fallback;
  }

  // An optional top-level collection that `e` reads only as `default(C, …)` or `C is present/absent`.
  std::string HiddenCollection(const Expr* e) {
    if (!e || !schema_ || schema_->root < 0) return {};
    const EntityDef& root = schema_->entities[static_cast<size_t>(schema_->root)];
    std::map<std::string, std::pair<int, int>> seen;  // name → (guarded, plain)
    Walk(e, [&](const Expr& x, const Expr* parent) {
      if (x.kind != ExprKind::Name) return;
      auto f = std::find_if(root.fields.begin(), root.fields.end(), [&](const FieldDef& d) { return d.name == x.text; });
      if (f == root.fields.end() || !f->optional) return;
      TypeKind k = schema_->types.Kind(f->type);
      if (k != TypeKind::List && k != TypeKind::Set) return;
      bool guarded = parent && ((parent->kind == ExprKind::Call && ConsumesUnknown(parent->text) &&
                                 !parent->args.empty() && parent->args[0].get() == &x) ||
                                parent->kind == ExprKind::Presence);
      (guarded ? seen[x.text].first : seen[x.text].second)++;
    });
    for (const auto& [name, n] : seen)
      if (n.first > 0 && n.second == 0) return name;
    return {};
  }

  // `// lint: allow L00NN` inside the requirement or on the line above the span.
  bool Allowed(const std::string& code, Span at) const {
    const SourceFile* f = sm_->Get(at.file);
    if (!f) return false;
    std::string needle = "lint: allow " + code;
    Span scope = span_.valid() ? span_ : at;
    if (std::string_view(f->text()).substr(scope.begin, scope.end - scope.begin).find(needle) != std::string_view::npos)
      return true;
    uint32_t line = f->Locate(scope.begin).line;
    return line > 1 && f->Line(line - 1).find(needle) != std::string_view::npos;
  }

  void Report(const std::string& code, Span at, std::string message, std::string help) {
    if (Allowed(code, at)) return;
    Diagnostic d;
    d.severity = Severity::Warning;
    d.code = code;
    d.span = at;
    d.message = std::move(message);
    d.help = std::move(help);
    out_.push_back({std::move(d), sm_});
  }

  const SourceManager* sm_ = nullptr;
  std::vector<Finding>& out_;
  const SchemaModel* schema_ = nullptr;
  const std::vector<std::unique_ptr<ast::File>>* files_ = nullptr;
  Span span_;
  std::map<std::string, std::vector<PassUse>> by_pass_;
};

}  // namespace

std::vector<Finding> Run(const std::vector<Unit>& units) {
  std::vector<Finding> out;
  Linter l(out);
  for (const auto& u : units) {
    if (u.standard) l.Standard(u);
    if (u.extension) l.Extension(u);
  }
  l.Grades();
  return out;
}

}  // namespace conform::lint
