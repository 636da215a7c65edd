// `conform lsp`: a language server over stdio (JSON-RPC 2.0 with Content-Length framing, LSP
// 3.17) for .clause files — diagnostics on open and change (the compiler's and the lint rules',
// compiled with the document's package and dependencies), hover, go to definition, completion,
// document symbols (the clause tree) and formatting (`conform fmt`). docs/editors.md.
#include <fmt/format.h>
#include <simdjson.h>

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>

#include "commands.h"
#include "common.h"
#include "conform/compiler/builtins.h"
#include "conform/compiler/driver.h"
#include "conform/runtime/catalogue.h"
#include "conform/runtime/report.h"
#include "fmt.h"
#include "lint.h"
#include "output.h"
#include "packages.h"

namespace fs = std::filesystem;

namespace conform::cli {

namespace {

using ast::Expr;
using ast::ExprKind;
using runtime::JsonQuote;

constexpr size_t kMaxMessage = size_t{64} << 20;  // bytes of one message body
constexpr size_t kMaxHeaderLine = 8192;

// JSON-RPC and LSP error codes.
constexpr int kParseError = -32700, kInvalidRequest = -32600, kMethodNotFound = -32601, kInvalidParams = -32602,
              kInternalError = -32603, kServerNotInitialized = -32002, kRequestFailed = -32803;

// ---- URIs and positions -------------------------------------------------------------------

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The file path of a file:// URI ("" for another scheme or a bad escape).
std::string PathOf(const std::string& uri) {
  if (uri.rfind("file://", 0) != 0) return {};
  std::string out;
  for (size_t i = 7; i < uri.size(); ++i) {
    if (uri[i] != '%') {
      out += uri[i];
      continue;
    }
    if (i + 2 >= uri.size() || Hex(uri[i + 1]) < 0 || Hex(uri[i + 2]) < 0) return {};
    out += static_cast<char>(Hex(uri[i + 1]) * 16 + Hex(uri[i + 2]));
    i += 2;
  }
  return out;
}

std::string UriOf(const std::string& path) {
  std::string abs = fs::absolute(path).lexically_normal().string(), out = "file://";
  for (unsigned char c : abs) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

// LSP columns count UTF-16 code units; the compiler's count bytes.
uint32_t Utf16Units(std::string_view s) {
  uint32_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) n += c >= 0xF0 ? 2 : 1;
  return n;
}

uint32_t BytesOfUnits(std::string_view line, uint32_t units) {
  uint32_t i = 0, n = 0;
  while (i < line.size() && n < units) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    n += c >= 0xF0 ? 2 : 1;
    ++i;
    while (i < line.size() && (static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) ++i;
  }
  return i;
}

std::string Position(const SourceFile& f, uint32_t offset) {
  LineCol lc = f.Locate(offset);
  std::string_view line = f.Line(lc.line);
  uint32_t col = Utf16Units(line.substr(0, std::min<size_t>(lc.col - 1, line.size())));
  return fmt::format("{{\"line\":{},\"character\":{}}}", lc.line - 1, col);
}

std::string Range(const SourceFile& f, Span s) {
  return fmt::format("{{\"start\":{},\"end\":{}}}", Position(f, s.begin), Position(f, std::max(s.end, s.begin)));
}

std::string Location(const SourceManager& sm, Span s) {
  const SourceFile* f = sm.Get(s.file);
  if (!f) return {};
  return fmt::format("{{\"uri\":{},\"range\":{}}}", JsonQuote(UriOf(f->path())), Range(*f, s));
}

Expr NameExpr(std::string name) {
  Expr e{};
  e.kind = ExprKind::Name;
  e.text = std::move(name);
  return e;
}

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string TypeText(const ast::TypeRef& t) {
  return t.name + (t.arg ? "<" + TypeText(*t.arg) + ">" : "") + (t.optional ? "?" : "");
}

std::string ScalarName(TypeId t) {
  static const char* const kNames[] = {"error", "bool", "int", "decimal", "string", "date", "duration"};
  return t < 7 ? kNames[t] : "value";
}

// ---- one compiled view of a document ------------------------------------------------------

// The document compiled with its package siblings (from disk), the packages they require, and
// the document's text from the editor in place of its file.
struct Analysis {
  std::unique_ptr<Session> session;
  const ast::File* ast = nullptr;  // the document's syntax tree
  uint32_t file = 0;
  std::shared_ptr<const SchemaModel> schema;
  bool parsed = false;  // the document has no syntax error (its tree is complete)
  std::vector<lint::Finding> lints;
};

// `others`: the editor's text of the other open documents (canonical path → text), read in
// place of their files.
std::unique_ptr<Analysis> Analyze(const std::string& path, const std::string& text, const std::vector<std::string>& dirs,
                                  std::map<std::string, std::string> others) {
  auto a = std::make_unique<Analysis>();
  std::error_code ec;
  std::string canon = fs::weakly_canonical(path, ec).string();
  std::string pkg = PackageOf(path);
  others[canon] = text;
  if (!pkg.empty()) {
    a->session = OpenPackages({pkg}, dirs, others);
  } else {
    std::vector<std::string> search{fs::path(canon).parent_path().string()};
    for (const auto& d : SearchPath(dirs)) search.push_back(d);
    a->session = std::make_unique<Session>(search);
    for (const auto& [p, t] : others) a->session->SetOverlay(p, t);
  }
  a->session->LoadFile(canon);  // a no-op when the package brought it
  for (const auto& f : a->session->files())
    if (fs::weakly_canonical(f->path, ec).string() == canon) a->ast = f.get(), a->file = f->file_id;
  bool syntax = false;
  for (const auto& d : a->session->diags().items())
    if (d.span.file == a->file && d.code.rfind("E01", 0) == 0) syntax = true;
  a->parsed = a->ast && !syntax;
  a->session->CompileAll();
  a->schema = a->session->Schema();
  if (a->ast && !a->session->diags().HasErrors()) {
    std::vector<lint::Unit> units;
    for (const auto& st : a->ast->standards) units.push_back({&st, nullptr, a->schema.get(), &a->session->sources(), &a->session->files()});
    for (const auto& x : a->ast->extensions) units.push_back({nullptr, &x, a->schema.get(), &a->session->sources(), &a->session->files()});
    a->lints = lint::Run(units);
  }
  return a;
}

// ---- what a position refers to --------------------------------------------------------------

void ForEachRequirement(const ast::ClauseDecl& c, const std::function<void(const ast::RequirementDecl&, const ast::ClauseDecl&)>& f) {
  for (const auto& r : c.requirements) f(r, c);
  for (const auto& k : c.clauses) ForEachRequirement(k, f);
}

// Every requirement of a file, with its clause (standards, extensions' clauses, opened clauses
// and amendments — an amendment's clause is null).
void ForEachRequirement(const ast::File& file, const std::function<void(const ast::RequirementDecl&, const ast::ClauseDecl*)>& f) {
  auto g = [&](const ast::RequirementDecl& r, const ast::ClauseDecl& c) { f(r, &c); };
  for (const auto& st : file.standards)
    for (const auto& c : st.clauses) ForEachRequirement(c, g);
  for (const auto& x : file.extensions) {
    for (const auto& c : x.clauses) ForEachRequirement(c, g);
    for (const auto& c : x.opened) ForEachRequirement(c, g);
    for (const auto& am : x.amends) f(am.body, nullptr);
  }
}

// The expressions of a requirement, each with the lets it can see.
void ForEachExpr(const ast::RequirementDecl& r, const std::function<void(const Expr*)>& f) {
  for (const auto& l : r.lets) f(l.value.get());
  f(r.applies.get());
  f(r.pass.get());
  if (r.message)
    for (const auto& p : r.message->pieces) f(p.expr.get());
}

bool Contains(Span s, uint32_t offset) { return s.valid() && offset >= s.begin && offset <= s.end; }
bool Same(Span a, Span b) { return a.valid() && b.valid() && a.file == b.file && a.begin == b.begin; }

// The names visible at a point: quantifier variables (innermost last), a requirement's lets, a
// def's parameters (a def's body sees no lets), and the standard whose defs and lets are in scope.
struct Scope {
  std::vector<const Expr*> binders;
  const ast::RequirementDecl* requirement = nullptr;
  const ast::DefDecl* def = nullptr;
  const ast::StandardDecl* standard = nullptr;
};

// What a name stands for: its kind and where it is declared (the declaration's identifier).
enum class Sym { None, Binder, Let, DefParam, GlobalLet, Param, Field, Def, Requirement, Builtin };

struct Found {
  Sym kind = Sym::None;
  Span decl;
  const ast::LetDecl* let = nullptr;
  const ast::DefDecl* def = nullptr;
  const ast::DefDecl::Param* def_param = nullptr;
  const ast::ParamDecl* param = nullptr;
  const std::string* owner = nullptr;  // the standard or extension a parameter or requirement belongs to
  const ast::RequirementDecl* requirement = nullptr;
  const ast::ClauseDecl* clause = nullptr;
  const Expr* binder = nullptr;
  const EntityDef* entity = nullptr;
  const FieldDef* field = nullptr;
};

// The identifier of a name, field access or call (a field's name ends its span; a call's
// starts it).
Span IdentOf(const Expr* e) {
  Span s = e->span;
  if (e->kind == ExprKind::Field && s.end >= e->text.size()) s.begin = s.end - static_cast<uint32_t>(e->text.size());
  if (e->kind == ExprKind::Call) s.end = s.begin + static_cast<uint32_t>(e->text.size());
  return s;
}

class Resolver {
 public:
  Resolver(const Analysis& a) : a_(a) {}

  // The standard whose program an extension joins (following extensions of extensions).
  const ast::StandardDecl* StandardNamed(std::string name) const {
    for (int hops = 0; hops < 16; ++hops) {
      const ast::ExtensionDecl* ext = nullptr;
      for (const auto& f : a_.session->files()) {
        for (const auto& st : f->standards)
          if (st.name == name) return &st;
        for (const auto& x : f->extensions)
          if (x.name == name) ext = &x;
      }
      if (!ext) return nullptr;
      name = ext->base;
    }
    return nullptr;
  }

  // Every expression of `file` with the scope it is read in: module defs and lets, and for each
  // standard and extension its parameters, exclusions, defs, lets and requirements.
  void ForEachRoot(const ast::File& file, const std::function<void(const Expr*, const Scope&)>& f) const {
    for (const auto& d : file.defs) f(d.body.get(), {{}, nullptr, &d, nullptr});
    for (const auto& l : file.lets) f(l.value.get(), {});
    auto requirements = [&](const ast::RequirementDecl& r, const ast::StandardDecl* st) {
      ForEachExpr(r, [&](const Expr* e) { f(e, {{}, &r, nullptr, st}); });
    };
    for (const auto& st : file.standards) {
      Scope s{{}, nullptr, nullptr, &st};
      for (const auto& p : st.params) f(p.value.get(), s);
      for (const auto& x : st.exclusions) f(x.get(), s);
      for (const auto& d : st.defs) f(d.body.get(), {{}, nullptr, &d, &st});
      for (const auto& l : st.lets) f(l.value.get(), s);
      for (const auto& c : st.clauses)
        ForEachRequirement(c, [&](const ast::RequirementDecl& r, const ast::ClauseDecl&) { requirements(r, &st); });
    }
    for (const auto& x : file.extensions) {
      const ast::StandardDecl* st = StandardNamed(x.base);
      Scope s{{}, nullptr, nullptr, st};
      for (const auto& p : x.params) f(p.value.get(), s);
      for (const auto& p : x.param_sets) f(p.value.get(), s);
      for (const auto& e : x.exclusions) f(e.get(), s);
      for (const auto& c : x.clauses)
        ForEachRequirement(c, [&](const ast::RequirementDecl& r, const ast::ClauseDecl&) { requirements(r, st); });
      for (const auto& c : x.opened)
        ForEachRequirement(c, [&](const ast::RequirementDecl& r, const ast::ClauseDecl&) { requirements(r, st); });
      for (const auto& am : x.amends) requirements(am.body, st);
    }
  }

  // What the name, field or call `e` stands for in `scope`.
  Found Lookup(const Expr* e, const Scope& scope) const {
    Found out;
    if (!e) return out;
    if (e->kind == ExprKind::Call) {
      if (const ast::DefDecl* d = DefNamed(e->text, scope.standard)) {
        out.kind = Sym::Def, out.def = d, out.decl = d->name_span;
      } else if (BuiltinRegistry::Default().HasName(e->text) || IsSpecial(e->text)) {
        out.kind = Sym::Builtin;
      }
      return out;
    }
    if (e->kind == ExprKind::Field) {
      if (const EntityDef* ent = EntityOf(TypeOf(e->a.get(), scope)))
        if (const FieldDef* f = ent->Find(e->text)) out.kind = Sym::Field, out.entity = ent, out.field = f, out.decl = f->span;
      return out;
    }
    if (e->kind != ExprKind::Name) return out;
    for (auto it = scope.binders.rbegin(); it != scope.binders.rend(); ++it)
      if ((*it)->var == e->text) {
        out.kind = Sym::Binder, out.binder = *it, out.decl = (*it)->var_span;
        return out;
      }
    if (scope.def) {
      for (const auto& p : scope.def->params)
        if (p.name == e->text) {
          out.kind = Sym::DefParam, out.def = scope.def, out.def_param = &p, out.decl = p.span;
          return out;
        }
    } else {
      if (scope.requirement)
        for (const auto& l : scope.requirement->lets)
          if (l.name == e->text) {
            out.kind = Sym::Let, out.let = &l, out.decl = l.span;
            return out;
          }
      if (const ast::LetDecl* l = GlobalLetNamed(e->text, scope.standard)) {
        out.kind = Sym::GlobalLet, out.let = l, out.decl = l->span;
        return out;
      }
    }
    if (FindParam(e->text, scope.standard, out)) return out;
    if (const FieldDef* f = RootField(e->text)) {
      out.kind = Sym::Field, out.entity = &a_.schema->entities[static_cast<size_t>(a_.schema->root)], out.field = f;
      out.decl = f->span;
    }
    return out;
  }

  // A parameter by name: the standard's own first, then any loaded standard's or extension's.
  bool FindParam(const std::string& name, const ast::StandardDecl* st, Found& out) const {
    if (st)
      for (const auto& p : st->params)
        if (p.name == name) {
          out.kind = Sym::Param, out.param = &p, out.owner = &st->name, out.decl = p.span;
          return true;
        }
    for (const auto& f : a_.session->files()) {
      for (const auto& s : f->standards)
        for (const auto& p : s.params)
          if (p.name == name) {
            out.kind = Sym::Param, out.param = &p, out.owner = &s.name, out.decl = p.span;
            return true;
          }
      for (const auto& x : f->extensions)
        for (const auto& p : x.params)
          if (p.name == name) {
            out.kind = Sym::Param, out.param = &p, out.owner = &x.name, out.decl = p.span;
            return true;
          }
    }
    return false;
  }

  // A def or let visible from `st`: the standard's own, then the loaded modules'.
  template <class T>
  const T* Visible(const std::string& name, const std::vector<T>* own, std::vector<T> ast::File::*module) const {
    if (own)
      for (const auto& x : *own)
        if (x.name == name) return &x;
    for (const auto& f : a_.session->files())
      for (const auto& x : (*f).*module)
        if (x.name == name) return &x;
    return nullptr;
  }
  const ast::DefDecl* DefNamed(const std::string& name, const ast::StandardDecl* st) const {
    return Visible(name, st ? &st->defs : nullptr, &ast::File::defs);
  }
  const ast::LetDecl* GlobalLetNamed(const std::string& name, const ast::StandardDecl* st) const {
    return Visible(name, st ? &st->lets : nullptr, &ast::File::lets);
  }

  // A requirement by id in a standard or extension named `owner` (and, for an extension, its
  // bases), or in any loaded file when `owner` is empty.
  bool RequirementNamed(const std::string& id, std::string owner, Found& out) const {
    for (int hops = 0; hops < 16; ++hops) {
      std::string base;
      for (const auto& f : a_.session->files()) {
        auto take = [&](const ast::RequirementDecl& r, const ast::ClauseDecl* c, const std::string& in) {
          if (out.kind == Sym::None && c && r.id == id && (owner.empty() || owner == in))
            out.kind = Sym::Requirement, out.requirement = &r, out.clause = c, out.decl = r.id_span, out.owner = &in;
        };
        for (const auto& st : f->standards)
          for (const auto& c : st.clauses)
            ForEachRequirement(c, [&](const ast::RequirementDecl& r, const ast::ClauseDecl& cl) { take(r, &cl, st.name); });
        for (const auto& x : f->extensions) {
          for (const auto& c : x.clauses)
            ForEachRequirement(c, [&](const ast::RequirementDecl& r, const ast::ClauseDecl& cl) { take(r, &cl, x.name); });
          for (const auto& c : x.opened)
            ForEachRequirement(c, [&](const ast::RequirementDecl& r, const ast::ClauseDecl& cl) { take(r, &cl, x.name); });
          if (x.name == owner) base = x.base;
        }
      }
      if (out.kind != Sym::None) return true;
      if (base.empty() || owner.empty()) return false;
      owner = base;
    }
    return false;
  }

  // Every identifier of `file` that names something, with what it names: names, fields and calls
  // in expressions, quantifier variables, and the declarations themselves (requirements,
  // `depends on` and `amend` targets, parameters and `param X.p = …`, defs and their parameters,
  // lets, schema fields).
  void ForEachOccurrence(const ast::File& file, const std::function<void(Span ident, const Found&)>& f) const {
    ForEachRoot(file, [&](const Expr* root, const Scope& base) {
      Scope s = base;
      Walk(root, s, [&](const Expr* e, const Scope& sc) {
        if (Binds(e)) {
          Found b;
          b.kind = Sym::Binder, b.binder = e, b.decl = e->var_span;
          f(e->var_span, b);
        }
        if (e->kind == ExprKind::Name || e->kind == ExprKind::Field || e->kind == ExprKind::Call) {
          Found x = Lookup(e, sc);
          if (x.kind != Sym::None) f(IdentOf(e), x);
        }
      });
    });
    auto requirement = [&](const ast::RequirementDecl& r, const ast::ClauseDecl* c, const std::string& owner) {
      if (c) {
        Found self;
        self.kind = Sym::Requirement, self.requirement = &r, self.clause = c, self.decl = r.id_span, self.owner = &owner;
        f(r.id_span, self);
      }
      for (const auto& l : r.lets) {
        Found x;
        x.kind = Sym::Let, x.let = &l, x.decl = l.span;
        f(l.span, x);
      }
      for (const auto& [id, span] : r.depends) {
        Found x;
        if (RequirementNamed(id, owner, x)) f(span, x);
      }
    };
    // A declaration names itself.
    auto self = [&](Sym kind, Span decl, const std::function<void(Found&)>& set) {
      Found x;
      x.kind = kind, x.decl = decl;
      set(x);
      f(decl, x);
    };
    auto params = [&](const std::vector<ast::ParamDecl>& ps, const std::string& owner) {
      for (const auto& p : ps) self(Sym::Param, p.span, [&](Found& x) { x.param = &p, x.owner = &owner; });
    };
    auto defs = [&](const std::vector<ast::DefDecl>& ds) {
      for (const auto& d : ds) {
        self(Sym::Def, d.name_span, [&](Found& x) { x.def = &d; });
        for (const auto& p : d.params) self(Sym::DefParam, p.span, [&](Found& x) { x.def = &d, x.def_param = &p; });
      }
    };
    auto lets = [&](const std::vector<ast::LetDecl>& ls) {
      for (const auto& l : ls) self(Sym::GlobalLet, l.span, [&](Found& x) { x.let = &l; });
    };
    defs(file.defs);
    lets(file.lets);
    for (const auto& st : file.standards) {
      params(st.params, st.name);
      defs(st.defs);
      lets(st.lets);
      for (const auto& c : st.clauses)
        ForEachRequirement(c, [&](const ast::RequirementDecl& r, const ast::ClauseDecl& cl) { requirement(r, &cl, st.name); });
    }
    for (const auto& x : file.extensions) {
      params(x.params, x.name);
      for (const auto& ps : x.param_sets) {
        Found p;
        if (FindParamOf(ps.name, ps.owner, p)) f(ps.name_span, p);
      }
      for (const auto& c : x.clauses)
        ForEachRequirement(c, [&](const ast::RequirementDecl& r, const ast::ClauseDecl& cl) { requirement(r, &cl, x.name); });
      for (const auto& c : x.opened)
        ForEachRequirement(c, [&](const ast::RequirementDecl& r, const ast::ClauseDecl& cl) { requirement(r, &cl, x.name); });
      for (const auto& am : x.amends) {
        requirement(am.body, nullptr, x.name);
        Found t;
        Span id{am.target_span.file, am.target_span.end - static_cast<uint32_t>(am.body.id.size()), am.target_span.end};
        if (am.target_span.end >= am.body.id.size() && RequirementNamed(am.body.id, am.owner, t)) f(id, t);
      }
    }
    if (a_.schema)
      for (const auto& ent : a_.schema->entities)
        for (const auto& fd : ent.fields)
          if (fd.span.file == file.file_id) {
            Found x;
            x.kind = Sym::Field, x.entity = &ent, x.field = &fd, x.decl = fd.span;
            f(fd.span, x);
          }
  }

  // A parameter `name` of the standard or extension `owner` (or of its bases).
  bool FindParamOf(const std::string& name, std::string owner, Found& out) const {
    for (int hops = 0; hops < 16; ++hops) {
      std::string base;
      for (const auto& f : a_.session->files()) {
        for (const auto& st : f->standards)
          if (st.name == owner)
            for (const auto& p : st.params)
              if (p.name == name) {
                out.kind = Sym::Param, out.param = &p, out.owner = &st.name, out.decl = p.span;
                return true;
              }
        for (const auto& x : f->extensions)
          if (x.name == owner) {
            base = x.base;
            for (const auto& p : x.params)
              if (p.name == name) {
                out.kind = Sym::Param, out.param = &p, out.owner = &x.name, out.decl = p.span;
                return true;
              }
          }
      }
      if (base.empty()) return false;
      owner = base;
    }
    return false;
  }

  // The type of `e` in `scope` (TypeTable::kError when it is not known).
  TypeId TypeOf(const Expr* e, const Scope& scope, int depth = 0) const {
    if (!e || !a_.schema || depth > 16) return TypeTable::kError;
    const SchemaModel& m = *a_.schema;
    if (e->kind == ExprKind::Filter) return TypeOf(e->a.get(), Outer(scope, e), depth + 1);
    if (e->kind == ExprKind::Name) {
      Found x = Lookup(e, scope);
      switch (x.kind) {
        case Sym::Binder: {
          TypeId list = TypeOf(x.binder->a.get(), Outer(scope, x.binder), depth + 1);
          TypeKind k = m.types.Kind(list);
          return k == TypeKind::List || k == TypeKind::Set ? m.types[list].elem : TypeTable::kError;
        }
        case Sym::Let: return TypeOf(x.let->value.get(), {{}, scope.requirement, nullptr, scope.standard}, depth + 1);
        case Sym::GlobalLet: return TypeOf(x.let->value.get(), {{}, nullptr, nullptr, scope.standard}, depth + 1);
        case Sym::DefParam: return TypeOfRef(x.def_param->type);
        case Sym::Field: return x.field->type;
        default: return TypeTable::kError;
      }
    }
    if (e->kind == ExprKind::Call) {
      Found x = Lookup(e, scope);
      if (x.kind != Sym::Def) return TypeTable::kError;
      if (x.def->result) return TypeOfRef(*x.def->result);
      return TypeOf(x.def->body.get(), {{}, nullptr, x.def, scope.standard}, depth + 1);
    }
    if (e->kind == ExprKind::Field) {
      TypeId t = TypeOf(e->a.get(), scope, depth + 1);
      if (m.types.Kind(t) != TypeKind::Entity) return TypeTable::kError;
      const FieldDef* f = m.entities[static_cast<size_t>(m.types[t].ref)].Find(e->text);
      return f ? f->type : TypeTable::kError;
    }
    return TypeTable::kError;
  }

  // The type a def's parameter declares, when the schema has it (entities, enums, lists and sets
  // of them); kError otherwise (scalars need no fields).
  TypeId TypeOfRef(const ast::TypeRef& t) const {
    if (!a_.schema) return TypeTable::kError;
    const SchemaModel& m = *a_.schema;
    auto find = [&](TypeKind k, int32_t ref, TypeId elem) -> TypeId {
      const auto& raw = m.types.raw();
      for (size_t i = 0; i < raw.size(); ++i)
        if (raw[i].kind == k && (k == TypeKind::List || k == TypeKind::Set ? raw[i].elem == elem : raw[i].ref == ref))
          return static_cast<TypeId>(i);
      return TypeTable::kError;
    };
    if ((t.name == "list" || t.name == "set") && t.arg) {
      TypeId elem = TypeOfRef(*t.arg);
      return elem == TypeTable::kError ? elem : find(t.name == "list" ? TypeKind::List : TypeKind::Set, -1, elem);
    }
    if (int ent = m.FindEntity(t.name); ent >= 0) return find(TypeKind::Entity, ent, 0);
    if (int en = m.FindEnum(t.name); en >= 0) return find(TypeKind::Enum, en, 0);
    return TypeTable::kError;
  }

  // The entity `t` is, or holds (lists and sets of entities); nullptr if none.
  const EntityDef* EntityOf(TypeId t) const {
    if (!a_.schema) return nullptr;
    const SchemaModel& m = *a_.schema;
    if (m.types.Kind(t) == TypeKind::List || m.types.Kind(t) == TypeKind::Set) t = m.types[t].elem;
    return m.types.Kind(t) == TypeKind::Entity ? &m.entities[static_cast<size_t>(m.types[t].ref)] : nullptr;
  }

  const FieldDef* RootField(const std::string& name) const {
    if (!a_.schema || a_.schema->root < 0) return nullptr;
    return a_.schema->entities[static_cast<size_t>(a_.schema->root)].Find(name);
  }

  // The innermost Name, Field or Call of the document whose identifier covers `offset`, with its
  // scope; false if there is none.
  bool At(uint32_t offset, const Expr*& found, Scope& scope) const {
    found = nullptr;
    if (!a_.ast) return false;
    ForEachRoot(*a_.ast, [&](const Expr* e, const Scope& base) {
      Scope s = base;
      if (!found) Find(e, offset, s, found, scope);
    });
    return found != nullptr;
  }

  // A variable's binder: one whose expression covers `offset`, else any in the document (for
  // completion, whose text may not parse).
  const Expr* AnyBinder(const std::string& var, uint32_t offset, Scope& scope) const {
    const Expr* out = nullptr;
    if (!a_.ast) return nullptr;
    for (uint32_t at : {offset, kAnywhere})
      ForEachRoot(*a_.ast, [&](const Expr* e, const Scope& base) {
        Scope s = base;
        if (!out) FindBinder(e, var, at, s, out, scope);
      });
    return out;
  }

  static bool IsSpecial(const std::string& name) {
    for (const auto& s : BuiltinRegistry::Default().special_forms())
      if (s.signature.rfind(name + "(", 0) == 0) return true;
    return false;
  }

  static bool Binds(const Expr* e) {
    return e->kind == ExprKind::Quant || e->kind == ExprKind::Count || e->kind == ExprKind::Comprehension ||
           e->kind == ExprKind::Filter;
  }

 private:
  static Scope Outer(const Scope& s, const Expr* binder) {
    Scope o = s;
    o.binders.clear();
    for (const Expr* b : s.binders) {
      if (b == binder) break;
      o.binders.push_back(b);
    }
    return o;
  }

  // Children in evaluation scope: a binder's variable is visible in its filter and body only.
  static void Children(const Expr* e, Scope& s, const std::function<void(const Expr*, Scope&)>& f) {
    if (Binds(e)) {
      f(e->a.get(), s);
      s.binders.push_back(e);
      f(e->b.get(), s);
      f(e->c.get(), s);
      for (const auto& x : e->args) f(x.get(), s);
      s.binders.pop_back();
      return;
    }
    f(e->a.get(), s);
    f(e->b.get(), s);
    f(e->c.get(), s);
    for (const auto& x : e->args) f(x.get(), s);
  }

  // Every node of `e`, each with its scope.
  static void Walk(const Expr* e, Scope& s, const std::function<void(const Expr*, const Scope&)>& f) {
    if (!e) return;
    f(e, s);
    Children(e, s, [&](const Expr* x, Scope& sc) { Walk(x, sc, f); });
  }

  static void Find(const Expr* e, uint32_t offset, Scope& s, const Expr*& found, Scope& out) {
    if (!e || found || !Contains(e->span, offset)) return;
    Children(e, s, [&](const Expr* x, Scope& sc) { Find(x, offset, sc, found, out); });
    if (found) return;
    bool hit = false;
    if (e->kind == ExprKind::Name) hit = true;
    if (e->kind == ExprKind::Field) hit = offset + e->text.size() >= e->span.end;  // on the field's name
    if (e->kind == ExprKind::Call) hit = offset <= e->span.begin + e->text.size();
    if (Binds(e) && Contains(e->var_span, offset)) {
      found = e;
      out = s;
      return;
    }
    if (hit) {
      found = e;
      out = s;
    }
  }

  static constexpr uint32_t kAnywhere = UINT32_MAX;

  static void FindBinder(const Expr* e, const std::string& var, uint32_t offset, Scope& s, const Expr*& found, Scope& out) {
    if (!e || found || (offset != kAnywhere && !Contains(e->span, offset))) return;
    if (Binds(e) && e->var == var) {
      found = e;
      out = s;
      out.binders.push_back(e);
      return;
    }
    Children(e, s, [&](const Expr* x, Scope& sc) { FindBinder(x, var, offset, sc, found, out); });
  }

  const Analysis& a_;
};

// ---- input ---------------------------------------------------------------------------------

// Standard input through a buffer of its own, so the server can tell whether more messages are
// already waiting (Pending) — diagnostics of a burst of changes are computed once, after it.
class Input {
 public:
  int Get() {
    if (pos_ == end_ && !Fill()) return EOF;
    return static_cast<unsigned char>(buf_[pos_++]);
  }
  // Up to n bytes into `to` (nullptr: discard); fewer only at the end of the input.
  size_t Read(char* to, size_t n) {
    size_t got = 0;
    while (got < n) {
      if (pos_ == end_ && !Fill()) break;
      size_t k = std::min(n - got, end_ - pos_);
      if (to) std::memcpy(to + got, buf_ + pos_, k);
      pos_ += k, got += k;
    }
    return got;
  }
  // More input can be read without waiting.
  bool Pending() {
    if (pos_ < end_) return true;
    pollfd p{0, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
  }

 private:
  bool Fill() {
    ssize_t n;
    do n = ::read(0, buf_, sizeof buf_);
    while (n < 0 && errno == EINTR);
    pos_ = 0;
    end_ = n > 0 ? static_cast<size_t>(n) : 0;
    return end_ > 0;
  }
  char buf_[65536];
  size_t pos_ = 0, end_ = 0;
};

// ---- the server -----------------------------------------------------------------------------

class Server {
 public:
  explicit Server(std::vector<std::string> dirs) : dirs_(std::move(dirs)) {}

  int Run() {
    while (true) {
      if (!in_.Pending()) Flush();  // the editor is idle: the pending changes' diagnostics
      std::string body;
      switch (Read(body)) {
        case ReadResult::Eof: return shutdown_ ? 0 : 1;
        case ReadResult::Fatal: return 1;
        case ReadResult::Skipped: continue;
        case ReadResult::Ok: break;
      }
      if (Handle(body) && exit_) return shutdown_ ? 0 : 1;
      if (failed_) return OutputFailure(-1);
    }
  }

 private:
  struct Doc {
    std::string path, text;
    std::unique_ptr<Analysis> now, good;  // the latest analysis, and the latest that parsed
    bool dirty = false;                   // changed since `now`
  };

  enum class ReadResult { Ok, Eof, Skipped, Fatal };

  // One framed message. Malformed headers are answered (id null) and the message skipped when
  // the framing can still be followed; a body over kMaxMessage is read and dropped in chunks.
  ReadResult Read(std::string& body) {
    size_t length = 0;
    bool have_length = false, any = false, bad = false;
    std::string line;
    while (true) {
      int c = in_.Get();
      if (c == EOF) return any ? ReadResult::Fatal : ReadResult::Eof;
      any = true;
      if (c != '\n') {
        if (line.size() >= kMaxHeaderLine) {
          Error("null", kInvalidRequest, "header line longer than 8 KiB; closing");
          return ReadResult::Fatal;
        }
        line += static_cast<char>(c);
        continue;
      }
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) break;
      size_t colon = line.find(':');
      if (colon == std::string::npos) {
        bad = true;
      } else if (line.compare(0, colon, "Content-Length") == 0) {
        std::string v = line.substr(colon + 1);
        v.erase(0, v.find_first_not_of(' '));
        have_length = !v.empty() && v.size() <= 19 && std::all_of(v.begin(), v.end(), [](char d) { return std::isdigit(static_cast<unsigned char>(d)); });
        if (have_length) length = std::stoull(v);
      }
      line.clear();
    }
    if (!have_length) {
      // Without a length the body cannot be found: nothing after it can be trusted.
      Error("null", kInvalidRequest, bad ? "malformed header (no `Name: value`) and no Content-Length; closing"
                                         : "message without a valid Content-Length header; closing");
      return ReadResult::Fatal;
    }
    if (length > kMaxMessage) {
      size_t left = length - in_.Read(nullptr, length);
      Error("null", kInvalidRequest, fmt::format("message of {} bytes is over the {} MiB limit; dropped", length, kMaxMessage >> 20));
      return left ? ReadResult::Eof : ReadResult::Skipped;
    }
    body.resize(length);
    if (length && in_.Read(body.data(), length) != length) return ReadResult::Eof;
    return ReadResult::Ok;
  }

  void Send(const std::string& json) {
    std::string framed = fmt::format("Content-Length: {}\r\n\r\n{}", json.size(), json);
    if (std::fwrite(framed.data(), 1, framed.size(), stdout) != framed.size() || std::fflush(stdout) != 0) failed_ = true;
  }

  void Reply(const std::string& id, const std::string& result) {
    Send(fmt::format("{{\"jsonrpc\":\"2.0\",\"id\":{},\"result\":{}}}", id, result));
  }

  void Error(const std::string& id, int code, const std::string& message) {
    Send(fmt::format("{{\"jsonrpc\":\"2.0\",\"id\":{},\"error\":{{\"code\":{},\"message\":{}}}}}", id, code, JsonQuote(message)));
  }

  // Handles one message; true when it was `exit`.
  bool Handle(const std::string& body) {
    simdjson::dom::parser parser;
    simdjson::dom::element msg;
    if (auto err = parser.parse(body).get(msg)) {
      Error("null", kParseError, fmt::format("the message is not JSON: {}", simdjson::error_message(err)));
      return false;
    }
    simdjson::dom::element id_el, params;
    bool has_id = !msg["id"].get(id_el) && (id_el.is_int64() || id_el.is_uint64() || id_el.is_string());
    std::string id = has_id ? simdjson::to_string(id_el) : "null";
    std::string_view method;
    if (!msg.is_object() || msg["method"].get(method)) {
      Error(id, kInvalidRequest, "a request needs a `method` string");
      return false;
    }
    bool has_params = !msg["params"].get(params) && params.is_object();
    if (method == "exit") {
      exit_ = true;
      return true;
    }
    try {
      Dispatch(std::string(method), has_id, id, has_params ? &params : nullptr);
    } catch (const std::exception& e) {
      if (has_id) Error(id, kInternalError, fmt::format("internal error: {}", e.what()));
    }
    return false;
  }

  void Dispatch(const std::string& method, bool has_id, const std::string& id, const simdjson::dom::element* params) {
    if (method != "textDocument/didChange") Flush();
    if (method == "initialize") {
      initialized_ = true;
      Reply(id, fmt::format(R"({{"capabilities":{{"positionEncoding":"utf-16","textDocumentSync":{{"openClose":true,"change":2}},"hoverProvider":true,)"
                            R"("definitionProvider":true,"referencesProvider":true,"renameProvider":{{"prepareProvider":true}},)"
                            R"("completionProvider":{{"triggerCharacters":["."]}},)"
                            R"("documentSymbolProvider":true,"documentFormattingProvider":true}},)"
                            R"("serverInfo":{{"name":"conform","version":"{}"}}}})",
                            kVersion));
      return;
    }
    if (!has_id) {  // notifications
      if (!initialized_ || !params) return;
      std::string_view uri, text;
      if (method == "textDocument/didOpen") {
        if (!(*params)["textDocument"]["uri"].get(uri) && !(*params)["textDocument"]["text"].get(text))
          Update(std::string(uri), std::string(text));
      } else if (method == "textDocument/didChange") {
        simdjson::dom::array changes;
        if ((*params)["textDocument"]["uri"].get(uri) || (*params)["contentChanges"].get(changes)) return;
        auto it = docs_.find(std::string(uri));
        if (it == docs_.end()) return;
        Doc& d = it->second;
        // In order: a change with a range replaces it (UTF-16 positions), one without is the
        // whole document. Analysed once the changes stop coming (Flush).
        for (auto c : changes) {
          if (c["text"].get(text)) continue;
          simdjson::dom::element range;
          if (c["range"].get(range)) {
            d.text = std::string(text);
          } else {
            int64_t l0 = -1, c0 = -1, l1 = -1, c1 = -1;
            if (range["start"]["line"].get(l0) || range["start"]["character"].get(c0) || range["end"]["line"].get(l1) ||
                range["end"]["character"].get(c1) || l0 < 0 || c0 < 0 || l1 < 0 || c1 < 0)
              continue;
            uint32_t b = OffsetIn(d.text, static_cast<uint32_t>(l0), static_cast<uint32_t>(c0));
            uint32_t e = OffsetIn(d.text, static_cast<uint32_t>(l1), static_cast<uint32_t>(c1));
            if (e < b) std::swap(b, e);
            d.text.replace(b, e - b, text);
          }
          d.dirty = true;
        }
        return;
      } else if (method == "textDocument/didClose") {
        if (!(*params)["textDocument"]["uri"].get(uri)) {
          docs_.erase(std::string(uri));
          Publish(std::string(uri), "");
        }
      }
      return;
    }
    if (!initialized_) return Error(id, kServerNotInitialized, "send `initialize` first");
    if (shutdown_) return Error(id, kInvalidRequest, "the server is shutting down");
    if (method == "shutdown") {
      shutdown_ = true;
      return Reply(id, "null");
    }
    static const std::set<std::string> kDocRequests = {"textDocument/hover", "textDocument/definition", "textDocument/completion",
                                                        "textDocument/documentSymbol", "textDocument/formatting",
                                                        "textDocument/references", "textDocument/rename",
                                                        "textDocument/prepareRename"};
    if (!kDocRequests.count(method)) return Error(id, kMethodNotFound, fmt::format("`{}` is not supported", method));
    std::string_view uri;
    if (!params || (*params)["textDocument"]["uri"].get(uri)) return Error(id, kInvalidParams, "params.textDocument.uri is missing");
    auto it = docs_.find(std::string(uri));
    if (it == docs_.end()) return Error(id, kInvalidParams, fmt::format("{} is not open", uri));
    Doc& d = it->second;
    if (method == "textDocument/documentSymbol") return Reply(id, Symbols(d));
    if (method == "textDocument/formatting") return Formatting(id, d);
    int64_t line = -1, character = -1;
    if ((*params)["position"]["line"].get(line) || (*params)["position"]["character"].get(character) || line < 0 || character < 0)
      return Error(id, kInvalidParams, "params.position {line, character} is missing");
    uint32_t offset = OffsetIn(d.text, static_cast<uint32_t>(line), static_cast<uint32_t>(character));
    if (method == "textDocument/hover") return Reply(id, Hover(d, offset));
    if (method == "textDocument/definition") return Reply(id, Definition(d, offset));
    if (method == "textDocument/references") {
      bool decl = true;
      if ((*params)["context"]["includeDeclaration"].get(decl)) decl = true;
      return Reply(id, References(d, offset, decl));
    }
    if (method == "textDocument/prepareRename") return PrepareRename(id, d, offset);
    if (method == "textDocument/rename") {
      std::string_view new_name;
      if ((*params)["newName"].get(new_name)) return Error(id, kInvalidParams, "params.newName is missing");
      return Rename(id, d, it->first, offset, std::string(new_name));
    }
    return Reply(id, Completion(d, offset));
  }

  static uint32_t OffsetIn(const std::string& text, uint32_t line, uint32_t character) {
    size_t at = 0;
    for (uint32_t l = 0; l < line; ++l) {
      size_t nl = text.find('\n', at);
      if (nl == std::string::npos) return static_cast<uint32_t>(text.size());
      at = nl + 1;
    }
    size_t end = text.find('\n', at);
    std::string_view ln(text.data() + at, (end == std::string::npos ? text.size() : end) - at);
    return static_cast<uint32_t>(at + BytesOfUnits(ln, character));
  }

  // Analyses the documents changed since their last analysis.
  void Flush() {
    for (auto& [uri, d] : docs_)
      if (d.dirty) d.dirty = false, Update(uri, d.text);
  }

  void Update(const std::string& uri, const std::string& text) {
    std::string path = PathOf(uri);
    if (path.empty()) return;  // not a file: nothing to compile it with
    Doc& d = docs_[uri];
    d.path = path;
    d.text = text;
    std::map<std::string, std::string> others;
    std::error_code ec;
    for (const auto& [u, o] : docs_)
      if (u != uri && !o.path.empty()) others[fs::weakly_canonical(o.path, ec).string()] = o.text;
    auto next = Analyze(path, text, dirs_, std::move(others));
    if (!next->parsed && d.now && d.now->parsed) d.good = std::move(d.now);
    if (next->parsed) d.good.reset();  // `now` is the good one
    d.now = std::move(next);
    const Analysis& a = *d.now;
    const SourceFile* f = a.session->sources().Get(a.file);
    std::string items;
    auto add = [&](const Diagnostic& x) {
      if (!f) return;
      // An error without a place (the package's manifest, a missing dependency) stops the
      // package from compiling: shown at the top of the document, as `conform compile` shows it.
      if (!x.span.valid() && x.severity == Severity::Error) {
        std::string message = x.message + (x.path.empty() ? "" : " (" + x.path + ")") + (x.help.empty() ? "" : "\nhelp: " + x.help);
        items += fmt::format("{}{{\"range\":{{\"start\":{{\"line\":0,\"character\":0}},\"end\":{{\"line\":0,\"character\":0}}}},"
                             "\"severity\":1,\"code\":{},\"source\":\"conform\",\"message\":{}}}",
                             items.empty() ? "" : ",", JsonQuote(x.code), JsonQuote(message));
        return;
      }
      if (x.span.file != a.file) return;
      std::string message = x.message + (x.help.empty() ? "" : "\nhelp: " + x.help);
      for (const auto& n : x.notes) message += "\nnote: " + n.message;
      int severity = x.severity == Severity::Error ? 1 : x.severity == Severity::Warning ? 2 : 3;
      items += fmt::format("{}{{\"range\":{},\"severity\":{},\"code\":{},\"source\":\"conform\",\"message\":{}}}",
                           items.empty() ? "" : ",", Range(*f, x.span), severity, JsonQuote(x.code), JsonQuote(message));
    };
    for (const auto& x : a.session->diags().items()) add(x);
    for (const auto& l : a.lints) add(l.diag);
    Publish(uri, items);
  }

  void Publish(const std::string& uri, const std::string& items) {
    Send(fmt::format(R"({{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{{"uri":{},"diagnostics":[{}]}}}})",
                     JsonQuote(uri), items));
  }

  // The analysis to answer from: the latest, or (while the text does not parse) the last that did.
  static const Analysis& Current(Doc& d) { return d.now->parsed || !d.good ? *d.now : *d.good; }

  struct Target {
    std::string markdown;
    Span where;
  };

  static std::string FieldDoc(const SchemaModel& m, const EntityDef& e, const FieldDef& f) {
    return fmt::format("```clause\n{}.{}: {}{}\n```\n{}", e.name, f.name, m.TypeName(f.type), f.optional ? "?" : "", f.doc);
  }

  static std::string BuiltinDoc(const std::string& name) {
    std::string md;
    for (const auto* b : BuiltinRegistry::Default().Named(name)) {
      std::string sig = b->Signature();
      if (b->form == Form::Function) sig += " -> " + ScalarName(b->result);
      md += fmt::format("```clause\n{}\n```\n{}\n\n", sig, b->doc);
    }
    return md;
  }

  // The comment lines (`// …`) right above the line of `s`, without their markers.
  static std::string LeadingComment(const SourceManager& sm, Span s) {
    const SourceFile* f = sm.Get(s.file);
    if (!f || !s.valid()) return {};
    std::vector<std::string> lines;
    for (uint32_t line = f->Locate(s.begin).line; line > 1; --line) {
      std::string_view l = f->Line(line - 1);
      size_t at = l.find_first_not_of(" \t");
      if (at == std::string_view::npos || l.compare(at, 2, "//") != 0) break;
      l.remove_prefix(at + 2);
      if (!l.empty() && l.front() == ' ') l.remove_prefix(1);
      lines.insert(lines.begin(), std::string(l));
    }
    std::string out;
    for (const auto& l : lines) out += (out.empty() ? "" : "\n") + l;
    return out;
  }

  static std::string Shorten(std::string s, size_t n = 160) {
    std::replace(s.begin(), s.end(), '\n', ' ');
    return s.size() > n ? s.substr(0, n) + " …" : s;
  }

  static std::string DefSignature(const SourceManager& sm, const ast::DefDecl& d) {
    std::string params;
    for (const auto& p : d.params) params += (params.empty() ? "" : ", ") + p.name + ": " + TypeText(p.type);
    return fmt::format("def {}({}){} = {}", d.name, params, d.result ? " : " + TypeText(*d.result) : "",
                       d.body ? Shorten(std::string(sm.Text(d.body->span))) : "…");
  }

  // Hover text for what `x` names (`e` the expression naming it, when there is one).
  std::string Describe(const Analysis& a, const Resolver& r, const Found& x, const Expr* e, const Scope& scope) {
    const SchemaModel& m = *a.schema;
    const SourceManager& sm = a.session->sources();
    auto with_comment = [&](std::string md, Span at) {
      std::string c = LeadingComment(sm, at);
      return c.empty() ? md : md + "\n\n" + c;
    };
    switch (x.kind) {
      case Sym::Binder: {
        Expr name = NameExpr(x.binder->var);
        Scope s = scope;
        if (std::find(s.binders.begin(), s.binders.end(), x.binder) == s.binders.end()) s.binders.push_back(x.binder);
        return fmt::format("```clause\n{}: {}\n```\neach element of `{}`", x.binder->var, m.TypeName(r.TypeOf(&name, s)),
                           std::string(sm.Text(x.binder->a->span)));
      }
      case Sym::Let:
      case Sym::GlobalLet: {
        if (!x.let->value) return "";
        Scope at{{}, x.kind == Sym::Let ? scope.requirement : nullptr, nullptr, scope.standard};
        std::string type = m.TypeName(r.TypeOf(x.let->value.get(), at));
        return with_comment(fmt::format("```clause\nlet {} = {}\n```\n{}{}", x.let->name, Shorten(std::string(sm.Text(x.let->value->span))),
                                        type, x.kind == Sym::GlobalLet ? " — computed once per organization" : ""),
                            x.let->span);
      }
      case Sym::DefParam:
        return fmt::format("```clause\n{}: {}\n```\na parameter of `def {}`", x.def_param->name, TypeText(x.def_param->type), x.def->name);
      case Sym::Def: return with_comment(fmt::format("```clause\n{}\n```", DefSignature(sm, *x.def)), x.def->span);
      case Sym::Param:
        return fmt::format("```clause\nparam {}: {}\n```\n{} (of `{}`)", x.param->name, TypeText(x.param->type), x.param->doc, *x.owner);
      case Sym::Field: return FieldDoc(m, *x.entity, *x.field);
      case Sym::Requirement:
        return fmt::format("```clause\nrequirement {} : {}\n```\nclause {} {} — {}", x.requirement->id, x.requirement->grade,
                           x.clause->number, x.clause->title, x.requirement->says);
      case Sym::Builtin: return e ? BuiltinDoc(e->text) : "";
      case Sym::None: return "";
    }
    return "";
  }

  // What the identifier at `offset` stands for.
  std::vector<Target> Resolve(Doc& d, uint32_t offset) {
    std::vector<Target> out;
    if (!d.now->parsed) return out;  // positions of an older text would not match
    const Analysis& a = *d.now;
    Resolver r(a);
    const Expr* e = nullptr;
    Scope scope;
    if (r.At(offset, e, scope) && a.schema) {
      Found x;
      if (Resolver::Binds(e)) x.kind = Sym::Binder, x.binder = e, x.decl = e->var_span;
      else x = r.Lookup(e, scope);
      if (x.kind != Sym::None) {
        if (std::string md = Describe(a, r, x, e, scope); !md.empty()) out.push_back({md, x.decl});
        return out;
      }
      if (e->kind == ExprKind::Call || e->kind == ExprKind::Field) return out;
    }
    // A declaration (or a `depends on` / `amend` target) under the cursor.
    if (a.ast && a.schema) {
      bool done = false;
      r.ForEachOccurrence(*a.ast, [&](Span ident, const Found& x) {
        if (done || !Contains(ident, offset)) return;
        done = true;
        if (std::string md = Describe(a, r, x, nullptr, {}); !md.empty()) out.push_back({md, x.decl});
      });
      if (done) return out;
    }
    // Declarations by name: parameters, requirements, root fields, entities, enums and their
    // members, builtins.
    uint32_t b = std::min<uint32_t>(offset, static_cast<uint32_t>(d.text.size())), en = b;
    while (b > 0 && IsWordChar(d.text[b - 1])) --b;
    while (en < d.text.size() && IsWordChar(d.text[en])) ++en;
    std::string w = d.text.substr(b, en - b);
    if (w.empty() || (b > 0 && d.text[b - 1] == '.' && !e && !IsRequirementRef(d, b))) return out;
    Found p;
    if (r.FindParam(w, nullptr, p)) out.push_back({Describe(a, r, p, nullptr, {}), p.decl});
    for (const auto& f : a.session->files())
      ForEachRequirement(*f, [&](const ast::RequirementDecl& q, const ast::ClauseDecl* c) {
        if (q.id == w && c)
          out.push_back({fmt::format("```clause\nrequirement {} : {}\n```\nclause {} {} — {}", q.id, q.grade, c->number, c->title, q.says),
                         q.id_span});
      });
    if (a.schema) {
      const SchemaModel& m = *a.schema;
      if (const FieldDef* f = r.RootField(w)) out.push_back({FieldDoc(m, m.entities[static_cast<size_t>(m.root)], *f), f->span});
      for (const auto& ent : m.entities)
        if (ent.name == w) out.push_back({fmt::format("```clause\n{} {}\n```\n{} fields", ent.is_root ? "root" : "entity", ent.name, ent.fields.size()), ent.span});
      for (const auto& en2 : m.enums) {
        if (en2.name == w) out.push_back({fmt::format("```clause\nenum {}\n```\n{}", en2.name, fmt::join(en2.members, ", ")), en2.span});
        else if (en2.Find(w) >= 0) out.push_back({fmt::format("```clause\n{}: {}\n```\na member of enum `{}`", w, en2.name, en2.name), en2.span});
      }
    }
    if (std::string md = BuiltinDoc(w); !md.empty()) out.push_back({md, {}});
    return out;
  }

  // `amend owner.id` / `depends on`: a dotted requirement reference, not a field.
  static bool IsRequirementRef(const Doc& d, uint32_t word_begin) {
    size_t line = d.text.rfind('\n', word_begin);
    line = line == std::string::npos ? 0 : line + 1;
    std::string_view head(d.text.data() + line, word_begin - line);
    return head.find("amend ") != std::string_view::npos || head.find("param ") != std::string_view::npos;
  }

  std::string Hover(Doc& d, uint32_t offset) {
    auto ts = Resolve(d, offset);
    if (ts.empty()) return "null";
    std::string md;
    for (size_t i = 0; i < ts.size() && i < 6; ++i) md += (i ? "\n\n---\n\n" : "") + ts[i].markdown;
    return fmt::format("{{\"contents\":{{\"kind\":\"markdown\",\"value\":{}}}}}", JsonQuote(md));
  }

  std::string Definition(Doc& d, uint32_t offset) {
    std::string locs;
    for (const auto& t : Resolve(d, offset))
      if (t.where.valid())
        if (std::string l = Location(d.now->session->sources(), t.where); !l.empty()) locs += (locs.empty() ? "" : ",") + l;
    return "[" + locs + "]";
  }

  std::string Completion(Doc& d, uint32_t offset) {
    const Analysis& a = Current(d);
    if (!a.schema) return "[]";
    const SchemaModel& m = *a.schema;
    Resolver r(a);
    // The word being typed, and the dotted chain before it (`s.owner.` → s, owner).
    uint32_t b = std::min<uint32_t>(offset, static_cast<uint32_t>(d.text.size()));
    while (b > 0 && IsWordChar(d.text[b - 1])) --b;
    std::vector<std::string> chain;
    for (uint32_t at = b; at > 0 && d.text[at - 1] == '.';) {
      uint32_t e = at - 1, s = e;
      while (s > 0 && IsWordChar(d.text[s - 1])) --s;
      if (s == e) break;
      chain.insert(chain.begin(), d.text.substr(s, e - s));
      at = s;
    }
    std::string out;
    auto item = [&](const std::string& label, int kind, const std::string& detail, const std::string& doc) {
      out += fmt::format("{}{{\"label\":{},\"kind\":{},\"detail\":{}{}}}", out.empty() ? "" : ",", JsonQuote(label), kind,
                         JsonQuote(detail), doc.empty() ? "" : ",\"documentation\":" + JsonQuote(doc));
    };
    auto fields = [&](const EntityDef& ent) {
      for (const auto& f : ent.fields) item(f.name, 5, m.TypeName(f.type) + (f.optional ? "?" : ""), f.doc);
    };
    if (!chain.empty()) {
      Scope scope;
      TypeId t = TypeTable::kError;
      Expr head = NameExpr(chain[0]);
      if (r.AnyBinder(chain[0], b, scope)) t = r.TypeOf(&head, scope);
      else if (const FieldDef* f = r.RootField(chain[0])) t = f->type;
      for (size_t i = 1; i < chain.size() && t != TypeTable::kError; ++i) {
        const EntityDef* ent = r.EntityOf(t);
        const FieldDef* f = ent && m.types.Kind(t) == TypeKind::Entity ? ent->Find(chain[i]) : nullptr;
        t = f ? f->type : TypeTable::kError;
      }
      if (m.types.Kind(t) == TypeKind::Entity) fields(m.entities[static_cast<size_t>(m.types[t].ref)]);
      return "[" + out + "]";
    }
    if (m.root >= 0) fields(m.entities[static_cast<size_t>(m.root)]);
    std::set<std::string> seen;
    for (const auto& bi : BuiltinRegistry::Default().all())
      if (seen.insert(bi.name).second) item(bi.name, 3, "builtin", bi.doc);
    for (const auto& f : a.session->files())
      for (const auto& st : f->standards)
        for (const auto& p : st.params)
          if (seen.insert(p.name).second) item(p.name, 6, "param " + TypeText(p.type), p.doc);
    // Defs and lets in scope: the enclosing requirement's lets, the enclosing standard's (an
    // extension's base's) defs and lets, and the loaded modules'.
    const ast::StandardDecl* st = nullptr;
    const ast::RequirementDecl* req = nullptr;
    if (a.ast) {
      for (const auto& s : a.ast->standards)
        if (Contains(s.span, offset)) st = &s;
      for (const auto& x : a.ast->extensions)
        if (Contains(x.span, offset)) st = r.StandardNamed(x.base);
      ForEachRequirement(*a.ast, [&](const ast::RequirementDecl& q, const ast::ClauseDecl*) {
        if (Contains(q.span, offset)) req = &q;
      });
    }
    const SourceManager& sm = a.session->sources();
    auto lets = [&](const std::vector<ast::LetDecl>& ls, const char* what) {
      for (const auto& l : ls)
        if (seen.insert(l.name).second)
          item(l.name, 6, fmt::format("{} = {}", what, l.value ? Shorten(std::string(sm.Text(l.value->span)), 60) : "…"),
               LeadingComment(sm, l.span));
    };
    auto defs = [&](const std::vector<ast::DefDecl>& ds) {
      for (const auto& df : ds)
        if (seen.insert(df.name).second) item(df.name, 3, DefSignature(sm, df), LeadingComment(sm, df.span));
    };
    if (req) lets(req->lets, "let");
    if (st) {
      defs(st->defs);
      lets(st->lets, "let (standard)");
    }
    for (const auto& f : a.session->files()) {
      defs(f->defs);
      lets(f->lets, "let (module)");
    }
    for (const char* k : {"exists", "all", "none", "count", "in", "under", "and", "or", "not", "implies", "is present",
                          "is absent", "if", "then", "else", "where", "as_of"})
      if (seen.insert(k).second) item(k, 14, "keyword", "");
    return "[" + out + "]";
  }

  // ---- references and rename ------------------------------------------------------------------

  // The declaration the identifier at `offset` names, and every identifier of the loaded files
  // that names it (the declaration included).
  struct Occurrences {
    bool any = false;
    Found target;
    Span at;  // the identifier under the cursor
    std::vector<Span> spans;
  };

  Occurrences Collect(Doc& d, uint32_t offset) {
    Occurrences o;
    if (!d.now->parsed || !d.now->ast) return o;
    const Analysis& a = *d.now;
    Resolver r(a);
    r.ForEachOccurrence(*a.ast, [&](Span ident, const Found& x) {
      if (!o.any && Contains(ident, offset) && x.decl.valid()) o.target = x, o.at = ident, o.any = true;
    });
    if (!o.any) return o;
    std::set<std::pair<uint32_t, uint32_t>> seen;
    for (const auto& f : a.session->files())
      r.ForEachOccurrence(*f, [&](Span ident, const Found& x) {
        if (Same(x.decl, o.target.decl) && seen.insert({ident.file, ident.begin}).second) o.spans.push_back(ident);
      });
    return o;
  }

  std::string References(Doc& d, uint32_t offset, bool include_declaration) {
    Occurrences o = Collect(d, offset);
    std::string locs;
    for (Span s : o.spans)
      if (include_declaration || !Same(s, o.target.decl))
        if (std::string l = Location(d.now->session->sources(), s); !l.empty()) locs += (locs.empty() ? "" : ",") + l;
    return "[" + locs + "]";
  }

  static bool IsReserved(const std::string& w) {
    static const std::set<std::string> kReserved = {
        "use", "schema", "enum", "entity", "root", "extend", "standard", "param", "exclusions", "clause", "requirement",
        "says", "applies", "when", "let", "pass", "else", "is", "present", "absent", "not", "and", "or", "implies", "in",
        "under", "exists", "all", "none", "where", "for", "true", "false", "if", "then", "extension", "extends", "amend",
        "depends", "def", "each", "as_of", "base"};
    return kReserved.count(w) > 0;
  }

  static bool IsIdentifier(const std::string& w) {
    return !w.empty() && (std::isalpha(static_cast<unsigned char>(w[0])) || w[0] == '_') &&
           std::all_of(w.begin(), w.end(), [](char c) { return IsWordChar(c); });
  }

  // Why the identifier at `offset` cannot be renamed from this document ("" when it can), and
  // its occurrences.
  std::string RenameRefusal(Doc& d, uint32_t offset, Occurrences& o) {
    o = Collect(d, offset);
    uint32_t b = std::min<uint32_t>(offset, static_cast<uint32_t>(d.text.size())), en = b;
    while (b > 0 && IsWordChar(d.text[b - 1])) --b;
    while (en < d.text.size() && IsWordChar(d.text[en])) ++en;
    std::string w = d.text.substr(b, en - b);
    if (!d.now->parsed) return "the document does not parse: fix the syntax errors first";
    if (!o.any) {
      if (IsReserved(w)) return fmt::format("`{}` is a keyword of the language; it cannot be renamed", w);
      if (BuiltinRegistry::Default().HasName(w) || Resolver::IsSpecial(w))
        return fmt::format("`{}` is a builtin (docs/builtins.md); it cannot be renamed", w);
      return w.empty() ? "there is no name here to rename" : fmt::format("`{}` is not a name this document can rename", w);
    }
    const Found& t = o.target;
    if (t.kind == Sym::Binder || t.kind == Sym::Let || t.kind == Sym::DefParam) return "";  // local to one declaration
    const SourceManager& sm = d.now->session->sources();
    const SourceFile* decl = sm.Get(t.decl.file);
    std::string name(sm.Text(t.decl));
    if (!decl) return fmt::format("`{}` has no declaration in a file", name);
    std::error_code ec;
    std::string pkg = PackageOf(d.path);
    fs::path decl_dir = fs::weakly_canonical(decl->path(), ec).parent_path();
    bool inside = pkg.empty() ? fs::weakly_canonical(decl->path(), ec) == fs::weakly_canonical(d.path, ec)
                              : decl_dir == fs::path(pkg);
    if (!inside)
      return fmt::format("`{}` is declared in {}, outside {}: packages that use it are not loaded here, so renaming "
                         "it would break them — rename it in its own package",
                         name, decl->path(), pkg.empty() ? "this file" : "this package");
    if (pkg.empty()) return "";
    // Packages of the catalogue that require this one see its names, and are not loaded here.
    Diagnostics ignored;
    std::vector<std::string> search{fs::path(pkg).parent_path().string()};
    for (const auto& s : SearchPath(dirs_)) search.push_back(s);
    runtime::Catalogue cat = runtime::Catalogue::Discover(search, ignored);
    const runtime::PluginManifest* me = cat.FindByDir(pkg);
    std::vector<std::string> users;
    if (me)
      for (const auto& p : cat.plugins())
        for (const auto& dep : p.dependencies)
          if (dep.id == me->id && p.id != me->id && std::find(users.begin(), users.end(), p.id) == users.end()) users.push_back(p.id);
    if (!users.empty())
      return fmt::format("`{}` can be used by {} (which require `{}`), not loaded here: renaming it would break {} — "
                         "rename it by hand in every package that uses it",
                         name, fmt::join(users, ", "), me->id, users.size() == 1 ? "it" : "them");
    return "";
  }

  // A rename's edits outside .clause files: requirement ids as keys of the package's tests
  // (`*.test.yaml`), a field's name as a key of its evidence files (other .yaml/.yml/.json).
  // Sets `why` when the keys cannot be told apart from another entity's field of the same name.
  std::map<std::string, std::vector<std::pair<LineCol, LineCol>>> DataEdits(Doc& d, const Found& t, const std::string& name,
                                                                            std::string& why) {
    std::map<std::string, std::vector<std::pair<LineCol, LineCol>>> out;
    std::string pkg = PackageOf(d.path);
    if (pkg.empty() || (t.kind != Sym::Requirement && t.kind != Sym::Field)) return out;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(pkg, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      std::string file = it->path().filename().string(), ext = it->path().extension().string();
      bool test = file.size() > 10 && file.compare(file.size() - 10, 10, ".test.yaml") == 0;
      if (!it->is_regular_file() || !(t.kind == Sym::Requirement ? test : !test && (ext == ".yaml" || ext == ".yml" || ext == ".json")))
        continue;
      std::ifstream in(it->path(), std::ios::binary);
      std::string line;
      for (uint32_t n = 1; std::getline(in, line); ++n) {
        // `name:` / `"name":` as a key: at the start of the line, after `- `, `{` or `,`.
        for (size_t at = line.find(name); at != std::string::npos; at = line.find(name, at + 1)) {
          size_t end = at + name.size();
          bool quoted = at > 0 && (line[at - 1] == '"' || line[at - 1] == '\'') && end < line.size() && line[end] == line[at - 1];
          size_t before = quoted ? at - 1 : at, after = quoted ? end + 1 : end;
          size_t p = before;
          while (p > 0 && (line[p - 1] == ' ' || line[p - 1] == '\t')) --p;
          bool key_start = p == 0 || line[p - 1] == '-' || line[p - 1] == '{' || line[p - 1] == ',';
          while (after < line.size() && line[after] == ' ') ++after;
          bool key = key_start && after < line.size() && line[after] == ':' && (at == 0 || !IsWordChar(line[at - 1])) &&
                     (end == line.size() || !IsWordChar(line[end]));
          if (key)
            out[it->path().string()].push_back({{n, Utf16Units(std::string_view(line).substr(0, at)) + 1},
                                                {n, Utf16Units(std::string_view(line).substr(0, end)) + 1}});
        }
      }
    }
    if (t.kind == Sym::Field && !out.empty()) {
      std::vector<std::string> others;
      for (const auto& ent : d.now->schema->entities)
        if (&ent != t.entity && ent.Find(name)) others.push_back(ent.name);
      if (!others.empty()) {
        why = fmt::format("`{}` is also a field of {}, and {} names fields by key alone: the evidence of this package "
                          "cannot be renamed safely — rename it by hand",
                          name, fmt::join(others, ", "), out.begin()->first);
        out.clear();
      }
    }
    return out;
  }

  // A rename must keep every meaning: with the edits applied, the package compiles with no more
  // errors than before, and the new name is named at exactly the renamed places (no other name
  // captured, no occurrence shadowed). "" when it does; else why not.
  std::string Unchanged(Doc& d, const Occurrences& o, const std::string& old, const std::string& new_name) {
    const Analysis& before = *d.now;
    const SourceManager& sm = before.session->sources();
    std::error_code ec;
    auto canon = [&](const std::string& p) { return fs::weakly_canonical(p, ec).string(); };
    std::map<uint32_t, std::vector<Span>> by_file;
    for (Span s : o.spans) by_file[s.file].push_back(s);
    std::map<std::string, std::string> texts;  // canonical path → text after the rename
    std::string decl_path;
    uint32_t decl_begin = o.target.decl.begin;
    for (auto& [file, spans] : by_file) {
      const SourceFile* f = sm.Get(file);
      if (!f) continue;
      std::string t = f->text();
      std::sort(spans.begin(), spans.end(), [](Span a, Span b) { return a.begin > b.begin; });
      for (Span s : spans) {
        t.replace(s.begin, s.end - s.begin, new_name);
        if (file == o.target.decl.file && s.begin < o.target.decl.begin)
          decl_begin = decl_begin + static_cast<uint32_t>(new_name.size()) - static_cast<uint32_t>(old.size());
      }
      texts[canon(f->path())] = std::move(t);
    }
    if (const SourceFile* f = sm.Get(o.target.decl.file)) decl_path = canon(f->path());
    std::string doc = canon(d.path);
    std::string text = texts.count(doc) ? texts[doc] : d.text;
    std::map<std::string, std::string> others;
    for (const auto& [u, x] : docs_)
      if (!x.path.empty()) others[canon(x.path)] = x.text;
    for (auto& [p, t] : texts) others[p] = t;
    others.erase(doc);
    auto after = Analyze(d.path, text, dirs_, std::move(others));
    auto errors = [](const Analysis& a) { return a.session->diags().ErrorCount(); };
    if (errors(*after) > errors(before)) {
      for (const auto& x : after->session->diags().items())
        if (x.severity == Severity::Error)
          return fmt::format("renaming `{}` to `{}` would not compile: {} {}", old, new_name, x.code, x.message);
    }
    if (!after->ast) return fmt::format("renaming `{}` to `{}` would not compile", old, new_name);
    Resolver r(*after);
    size_t named = 0;
    const SourceManager& asm_ = after->session->sources();
    for (const auto& f : after->session->files())
      r.ForEachOccurrence(*f, [&](Span, const Found& x) {
        const SourceFile* df = asm_.Get(x.decl.file);
        if (df && x.decl.begin == decl_begin && canon(df->path()) == decl_path) ++named;
      });
    if (named != o.spans.size())
      return fmt::format("renaming `{}` to `{}` would change what a name means: `{}` is already a name {} (it would {} {} place{})",
                         old, new_name, new_name, "in scope here", named > o.spans.size() ? "capture" : "lose",
                         named > o.spans.size() ? named - o.spans.size() : o.spans.size() - named,
                         (named > o.spans.size() ? named - o.spans.size() : o.spans.size() - named) == 1 ? "" : "s");
    return "";
  }

  void PrepareRename(const std::string& id, Doc& d, uint32_t offset) {
    Occurrences o;
    if (std::string why = RenameRefusal(d, offset, o); !why.empty()) return Error(id, kRequestFailed, why);
    const SourceFile* f = d.now->session->sources().Get(o.at.file);
    Reply(id, fmt::format("{{\"range\":{},\"placeholder\":{}}}", Range(*f, o.at), JsonQuote(std::string(d.now->session->sources().Text(o.at)))));
  }

  void Rename(const std::string& id, Doc& d, const std::string& uri, uint32_t offset, const std::string& new_name) {
    Occurrences o;
    if (std::string why = RenameRefusal(d, offset, o); !why.empty()) return Error(id, kRequestFailed, why);
    const SourceManager& sm = d.now->session->sources();
    std::string old(sm.Text(o.target.decl));
    if (!IsIdentifier(new_name)) return Error(id, kInvalidParams, fmt::format("`{}` is not a name: use letters, digits and `_`", new_name));
    if (IsReserved(new_name)) return Error(id, kInvalidParams, fmt::format("`{}` is a keyword of the language", new_name));
    if (BuiltinRegistry::Default().HasName(new_name) || Resolver::IsSpecial(new_name))
      return Error(id, kInvalidParams, fmt::format("`{}` is the name of a builtin: calls must keep meaning the builtin", new_name));
    if (new_name == old) return Reply(id, "{\"changes\":{}}");
    std::string why = Unchanged(d, o, old, new_name);
    if (!why.empty()) return Error(id, kRequestFailed, why);
    auto data = DataEdits(d, o.target, old, why);
    if (!why.empty()) return Error(id, kRequestFailed, why);
    std::error_code ec;
    fs::path doc_path = fs::weakly_canonical(d.path, ec);
    std::map<std::string, std::string> edits;  // uri → TextEdits
    auto add = [&](const std::string& u, const std::string& range) {
      std::string& e = edits[u];
      e += fmt::format("{}{{\"range\":{},\"newText\":{}}}", e.empty() ? "" : ",", range, JsonQuote(new_name));
    };
    for (Span s : o.spans) {
      const SourceFile* f = sm.Get(s.file);
      if (!f) continue;
      add(fs::weakly_canonical(f->path(), ec) == doc_path ? uri : UriOf(f->path()), Range(*f, s));
    }
    for (const auto& [path, ranges] : data)
      for (const auto& [b, e] : ranges)
        add(UriOf(path), fmt::format(R"({{"start":{{"line":{},"character":{}}},"end":{{"line":{},"character":{}}}}})", b.line - 1,
                                     b.col - 1, e.line - 1, e.col - 1));
    std::string changes;
    for (const auto& [u, e] : edits) changes += fmt::format("{}{}:[{}]", changes.empty() ? "" : ",", JsonQuote(u), e);
    Reply(id, "{\"changes\":{" + changes + "}}");
  }

  std::string Symbols(Doc& d) {
    const Analysis& a = *d.now;
    if (!a.ast) return "[]";
    const SourceFile* f = a.session->sources().Get(a.file);
    auto sym = [&](const std::string& name, const std::string& detail, int kind, Span range, Span sel, const std::string& children) {
      if (!sel.valid() || sel.begin < range.begin || sel.end > range.end) sel = range;
      return fmt::format("{{\"name\":{},\"detail\":{},\"kind\":{},\"range\":{},\"selectionRange\":{},\"children\":[{}]}}",
                         JsonQuote(name.empty() ? "?" : name), JsonQuote(detail), kind, Range(*f, range), Range(*f, sel), children);
    };
    auto join = [](std::string& to, const std::string& s) { to += (to.empty() ? "" : ",") + s; };
    std::function<std::string(const ast::ClauseDecl&)> clause = [&](const ast::ClauseDecl& c) {
      std::string kids;
      for (const auto& k : c.clauses) join(kids, clause(k));
      for (const auto& r : c.requirements) join(kids, sym(r.id, r.grade, 12, r.span, r.id_span, ""));
      return sym(c.number + (c.title.empty() ? "" : " " + c.title), "clause", 5, c.span, c.number_span, kids);
    };
    std::string out;
    for (const auto& st : a.ast->standards) {
      std::string kids;
      for (const auto& p : st.params) join(kids, sym(p.name, TypeText(p.type), 7, p.span, p.span, ""));
      for (const auto& c : st.clauses) join(kids, clause(c));
      join(out, sym(st.name, st.title, 2, st.span, st.name_span, kids));
    }
    for (const auto& x : a.ast->extensions) {
      std::string kids;
      for (const auto& p : x.params) join(kids, sym(p.name, TypeText(p.type), 7, p.span, p.span, ""));
      for (const auto& c : x.opened) join(kids, clause(c));
      for (const auto& c : x.clauses) join(kids, clause(c));
      for (const auto& am : x.amends) join(kids, sym("amend " + am.owner + "." + am.body.id, "amendment", 12, am.span, am.target_span, ""));
      join(out, sym(x.name, x.title, 2, x.span, x.name_span, kids));
    }
    for (const auto& sc : a.ast->schemas) {
      std::string kids;
      for (const auto& e : sc.entities) join(kids, sym(e.name, "entity", 23, e.span, e.span, ""));
      for (const auto& e : sc.enums) join(kids, sym(e.name, "enum", 10, e.span, e.span, ""));
      join(out, sym(sc.name, "schema", 3, sc.span, sc.span, kids));
    }
    return "[" + out + "]";
  }

  void Formatting(const std::string& id, Doc& d) {
    std::string formatted, why;
    if (!fmt_clause::FormatVerified(d.path, d.text, formatted, why))
      return Error(id, kRequestFailed, fmt::format("not formatted: {}", why));
    if (formatted == d.text) return Reply(id, "[]");
    size_t lines = static_cast<size_t>(std::count(d.text.begin(), d.text.end(), '\n'));
    size_t last = d.text.rfind('\n');
    std::string_view tail = last == std::string::npos ? std::string_view(d.text) : std::string_view(d.text).substr(last + 1);
    Reply(id, fmt::format(R"([{{"range":{{"start":{{"line":0,"character":0}},"end":{{"line":{},"character":{}}}}},"newText":{}}}])",
                          lines, Utf16Units(tail), JsonQuote(formatted)));
  }

  std::vector<std::string> dirs_;
  std::map<std::string, Doc> docs_;
  Input in_;
  bool initialized_ = false, shutdown_ = false, exit_ = false, failed_ = false;
};

}  // namespace

void AddLsp(CLI::App& app, std::function<int()>& run) {
  auto dirs = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand("lsp", "Run the Clause language server on standard input and output (for editors)");
  cmd->add_option("--plugin-dir", *dirs, "extra catalogue folder (repeatable)")->allow_extra_args(false);
  cmd->callback([dirs, &run] {
    run = [dirs] { return Server(*dirs).Run(); };
  });
}

}  // namespace conform::cli
