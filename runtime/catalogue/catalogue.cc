// Plugin discovery, manifests, versions, editions and dependency resolution.
#include "conform/runtime/catalogue.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <functional>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "conform/compiler/calendar.h"

namespace fs = std::filesystem;

namespace conform::runtime {

std::optional<Version> Version::Parse(const std::string& s) {
  Version v;
  int* parts[3] = {&v.major, &v.minor, &v.patch};
  size_t i = 0, k = 0;
  while (k < 3) {
    size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == start || i - start > 6) return std::nullopt;
    *parts[k++] = std::stoi(s.substr(start, i - start));
    if (i == s.size()) break;
    if (s[i] != '.') return std::nullopt;
    ++i;
  }
  if (i != s.size()) return std::nullopt;
  return v;
}

std::string Version::Text() const { return fmt::format("{}.{}.{}", major, minor, patch); }

std::optional<VersionRange> VersionRange::Parse(const std::string& s) {
  VersionRange r;
  r.text = s;
  std::stringstream ss(s);
  std::string term;
  while (std::getline(ss, term, ',')) {
    term.erase(0, term.find_first_not_of(' '));
    term.erase(term.find_last_not_of(' ') + 1);
    if (term.empty()) return std::nullopt;
    if (term == "*") continue;
    std::string op;
    for (const char* o : {">=", "<=", "==", ">", "<", "=", "^", "~"})
      if (term.compare(0, std::strlen(o), o) == 0) {
        op = o;
        break;
      }
    std::string rest = term.substr(op.size());
    rest.erase(0, rest.find_first_not_of(' '));
    auto v = Version::Parse(rest);
    if (!v) return std::nullopt;
    if (op.empty() || op == "==") op = "=";
    if (op == "^") {  // compatible: same major
      r.terms.push_back({">=", *v});
      r.terms.push_back({"<", Version{v->major + 1, 0, 0}});
    } else if (op == "~") {  // same minor
      r.terms.push_back({">=", *v});
      r.terms.push_back({"<", Version{v->major, v->minor + 1, 0}});
    } else {
      r.terms.push_back({op, *v});
    }
  }
  return r;
}

bool VersionRange::Matches(const Version& v) const {
  for (const auto& [op, w] : terms) {
    bool ok = op == ">=" ? v >= w : op == "<=" ? v <= w : op == ">" ? v > w : op == "<" ? v < w : v == w;
    if (!ok) return false;
  }
  return true;
}

std::string PluginManifest::StatusAt(int64_t as_of) const {
  if (withdrawn && *withdrawn <= as_of) return "withdrawn";
  if (transition_end && *transition_end <= as_of) return "past transition";
  if (transition_end) return "in transition";
  return "current";
}

namespace {

std::optional<int64_t> DateOf(const toml::node* n) {
  if (!n) return std::nullopt;
  if (auto d = n->as_date()) return cal::DaysFromCivil(d->get().year, d->get().month, d->get().day);
  if (auto s = n->as_string()) return cal::ParseDate(s->get());
  return std::nullopt;
}

Span SpanOf(SourceManager& sm, uint32_t file, const toml::source_region& r) {
  const SourceFile* f = sm.Get(file);
  if (!f) return {};
  uint32_t b = f->OffsetOf(static_cast<uint32_t>(r.begin.line), static_cast<uint32_t>(r.begin.column));
  uint32_t e = f->OffsetOf(static_cast<uint32_t>(r.end.line), static_cast<uint32_t>(r.end.column));
  return {file, b, std::max(e, b + 1)};
}

std::optional<PluginManifest> ParseManifest(const fs::path& path, Diagnostics& diags, SourceManager& sm) {
  std::string text, err;
  if (!ReadFile(path.string(), text, err)) {
    auto& d = diags.Error("E0608", {}, fmt::format("cannot read plugin manifest: {}", err));
    d.path = path.string();
    return std::nullopt;
  }
  uint32_t file = sm.Add(path.string(), text);
  toml::table t;
  try {
    t = toml::parse(text, path.string());
  } catch (const toml::parse_error& e) {
    diags.Error("E0608", SpanOf(sm, file, e.source()), fmt::format("malformed plugin manifest: {}", e.description()),
                "see docs/plugins.md for the format");
    return std::nullopt;
  }
  PluginManifest m;
  m.dir = path.parent_path().string();
  m.manifest = path.string();
  auto bad = [&](const toml::node* n, std::string msg, std::string help = "see docs/plugins.md for the format") {
    Span s = n ? SpanOf(sm, file, n->source()) : Span{file, 0, 1};
    diags.Error("E0608", s, std::move(msg), std::move(help));
    return std::nullopt;
  };
  auto str = [&](const char* key, bool required) -> std::optional<std::string> {
    const toml::node* n = t.get(key);
    if (!n) {
      if (required) bad(nullptr, fmt::format("plugin manifest lacks `{}`", key), fmt::format("add `{} = \"…\"`", key));
      return std::nullopt;
    }
    if (!n->is_string()) {
      bad(n, fmt::format("`{}` must be a string", key));
      return std::nullopt;
    }
    return n->as_string()->get();
  };
  auto id = str("id", true);
  auto version = str("version", true);
  auto title = str("title", true);
  auto kind = str("kind", true);
  auto language = str("language", true);
  if (!id || !version || !title || !kind || !language) return std::nullopt;
  m.id = *id;
  m.title = *title;
  m.kind = *kind;
  m.language = *language;
  bool ident = !m.id.empty() && (std::isalpha(static_cast<unsigned char>(m.id[0])) || m.id[0] == '_');
  for (char c : m.id) ident = ident && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (!ident) return bad(t.get("id"), fmt::format("plugin id `{}` is not a Clause identifier", m.id), "use letters, digits and `_`");
  auto v = Version::Parse(*version);
  if (!v) return bad(t.get("version"), fmt::format("`{}` is not a version", *version), "write major.minor.patch, e.g. \"1.0.0\"");
  m.version = *v;
  if (m.kind != "standard" && m.kind != "extension" && m.kind != "schema")
    return bad(t.get("kind"), fmt::format("unknown plugin kind `{}`", m.kind), "kind is standard, extension or schema");
  if (const toml::table* ed = t["edition"].as_table()) {
    if (auto n = (*ed)["name"].as_string()) m.edition = n->get();
    m.published = DateOf(ed->get("published"));
    m.withdrawn = DateOf(ed->get("withdrawn"));
    m.transition_end = DateOf(ed->get("transition_end"));
    for (const char* key : {"published", "withdrawn", "transition_end"})
      if (ed->get(key) && !DateOf(ed->get(key))) return bad(ed->get(key), fmt::format("`edition.{}` must be a date", key));
  }
  if (m.edition.empty()) return bad(t.get("edition"), "plugin manifest lacks `[edition]` with a `name`", "add `[edition]` and `name = \"2015\"`");
  if (const toml::table* req = t["requires"].as_table()) {
    for (const auto& [k, n] : *req) {
      auto s = n.as_string();
      if (!s) return bad(&n, fmt::format("the version range of `{}` must be a string", k.str()));
      auto r = VersionRange::Parse(s->get());
      if (!r) return bad(&n, fmt::format("`{}` is not a version range", s->get()), "e.g. \">=1.0, <2\"");
      m.dependencies.push_back({std::string(k.str()), *r});
    }
  }
  if (const toml::table* hs = t["hs"].as_table())
    for (const auto& [k, n] : *hs) {
      if (!n.is_string()) return bad(&n, "`[hs]` values are clause numbers (strings)");
      m.hs[std::string(k.str())] = n.as_string()->get();
    }
  if (const toml::array* maps = t["maps"].as_array())
    for (const auto& entry : *maps) {
      const toml::table* mt = entry.as_table();
      if (!mt || !(*mt)["standard"].as_string() || !(*mt)["pairs"].as_array())
        return bad(&entry, "each `[[maps]]` needs `standard` and `pairs`");
      ClauseMapping cm;
      cm.standard = (*mt)["standard"].as_string()->get();
      for (const auto& pr : *(*mt)["pairs"].as_array()) {
        const toml::array* a = pr.as_array();
        if (!a || a->size() != 2 || !(*a)[0].is_string() || !(*a)[1].is_string())
          return bad(&pr, "each mapping pair is [\"clause\", \"other clause\"]");
        cm.pairs.push_back({(*a)[0].as_string()->get(), (*a)[1].as_string()->get()});
      }
      m.maps.push_back(std::move(cm));
    }
  return m;
}

}  // namespace

Catalogue Catalogue::Discover(const std::vector<std::string>& dirs, Diagnostics& diags) {
  Catalogue c;
  c.dirs_ = dirs;
  SourceManager sm;  // manifests' own diagnostics are rendered from here
  Diagnostics local;
  std::set<std::string> seen_dirs;
  for (const auto& dir : dirs) {
    std::error_code ec;
    std::vector<fs::path> found;
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (e.is_directory() && fs::exists(e.path() / "plugin.toml", ec)) found.push_back(e.path());
    std::sort(found.begin(), found.end());
    for (const auto& pkg : found) {
      std::string canon = fs::weakly_canonical(pkg, ec).string();
      if (!seen_dirs.insert(canon).second) continue;  // the same folder reached twice
      auto m = ParseManifest(pkg / "plugin.toml", local, sm);
      if (!m) continue;
      auto dup = std::find_if(c.plugins_.begin(), c.plugins_.end(),
                              [&](const PluginManifest& x) { return x.id == m->id && x.edition == m->edition; });
      if (dup != c.plugins_.end()) {
        // An earlier search-path entry wins (--plugin-dir before the built-in catalogue), but
        // two packages of one id@edition in one folder is ambiguous.
        if (fs::path(dup->dir).parent_path() == fs::path(m->dir).parent_path()) {
          auto& d = local.Error("E0607", {}, fmt::format("duplicate plugin `{}` (edition {}) in {} and {}", m->id,
                                                         m->edition, dup->dir, m->dir),
                                "remove one of them or give them different editions");
          d.path = m->manifest;
        }
        continue;
      }
      c.plugins_.push_back(std::move(*m));
    }
  }
  // Render manifest diagnostics now: their SourceManager is local to discovery.
  for (auto& d : local.items()) {
    if (d.span.valid()) {
      Diagnostic copy = d;
      copy.span = {};
      const SourceFile* f = sm.Get(d.span.file);
      LineCol lc = f ? f->Locate(d.span.begin) : LineCol{};
      copy.path = f ? fmt::format("{}:{}:{}", f->path(), lc.line, lc.col) : "";
      diags.Add(copy);
    } else {
      diags.Add(d);
    }
  }
  return c;
}

const PluginManifest* Catalogue::FindByDir(const std::string& dir) const {
  std::error_code ec;
  std::string want = fs::weakly_canonical(dir, ec).string();
  for (const auto& p : plugins_)
    if (fs::weakly_canonical(p.dir, ec).string() == want) return &p;
  return nullptr;
}

const PluginManifest* Catalogue::Find(const std::string& spec, Diagnostics& diags, int64_t as_of) const {
  std::string id = spec, edition;
  if (size_t at = spec.find('@'); at != std::string::npos) {
    id = spec.substr(0, at);
    edition = spec.substr(at + 1);
  }
  // Standard ids are matched without regard to case: `-s ISO9001` is iso9001.
  auto lower = [](std::string t) {
    for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return t;
  };
  if (std::none_of(plugins_.begin(), plugins_.end(), [&](const PluginManifest& p) { return p.id == id; }))
    for (const auto& p : plugins_)
      if (lower(p.id) == lower(id)) id = p.id;
  std::vector<const PluginManifest*> cands;
  for (const auto& p : plugins_)
    if (p.id == id && (edition.empty() || p.edition.compare(0, edition.size(), edition) == 0)) cands.push_back(&p);
  if (cands.empty()) {
    std::vector<std::string> ids, editions;
    for (const auto& p : plugins_) {
      if (p.kind != "schema") ids.push_back(p.id);
      if (p.id == id) editions.push_back(p.edition);
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::string list, eds;
    for (const auto& x : ids) list += (list.empty() ? "" : ", ") + x;
    for (const auto& x : editions) eds += (eds.empty() ? "" : ", ") + x;
    std::string near = ClosestMatch(lower(id), ids);
    if (near.empty())  // `iso-9001`, `9001`: the id with its digits
      for (const auto& x : ids) {
        std::string digits, want;
        for (char c : x) if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
        for (char c : id) if (std::isdigit(static_cast<unsigned char>(c))) want += c;
        if (!want.empty() && digits == want) near = x;
      }
    std::string bare;
    for (const auto& dir : dirs_) {
      std::error_code ec;
      if (fs::is_directory(fs::path(dir) / id, ec) && !fs::exists(fs::path(dir) / id / "plugin.toml", ec))
        bare = (fs::path(dir) / id).string();
    }
    std::string help = !bare.empty() ? fmt::format("{} has no plugin.toml: every package needs a manifest (see docs/plugins.md)", bare)
                       : !editions.empty() ? fmt::format("editions of `{}`: {}", id, eds)
                       : !near.empty()   ? fmt::format("did you mean `{}`? (available: {})", near, list)
                       : list.empty()    ? "no catalogue found: pass --plugin-dir or set CONFORM_PLUGIN_PATH"
                                         : "available: " + list;
    diags.Error("E0602", {}, edition.empty() ? fmt::format("unknown standard `{}`", id)
                                             : fmt::format("no edition `{}` of `{}`", edition, id),
                help);
    return nullptr;
  }
  // Prefer editions in force at as_of, then the newest publication.
  std::sort(cands.begin(), cands.end(), [&](const PluginManifest* a, const PluginManifest* b) {
    bool aw = a->withdrawn && (!as_of || *a->withdrawn <= as_of);
    bool bw = b->withdrawn && (!as_of || *b->withdrawn <= as_of);
    if (aw != bw) return !aw;
    if (a->published.value_or(0) != b->published.value_or(0)) return a->published.value_or(0) > b->published.value_or(0);
    return a->version > b->version;
  });
  return cands.front();
}

bool Catalogue::Load(Session& session, const std::vector<const PluginManifest*>& roots, Diagnostics& diags) const {
  std::vector<const PluginManifest*> closure;
  bool ok = Resolve(roots, diags, closure);
  // `use X` resolves to the chosen package X; anything else is not a declared dependency.
  std::map<std::string, std::string> dirs;
  for (const auto* p : closure) {
    dirs[p->id] = p->dir;
    session.SetLanguage(p->dir, p->language);
  }
  session.SetModuleResolver([dirs, this](const std::string& module, std::string& why) -> std::string {
    if (auto it = dirs.find(module); it != dirs.end()) return it->second;
    bool exists = std::any_of(plugins_.begin(), plugins_.end(), [&](const PluginManifest& p) { return p.id == module; });
    why = exists ? fmt::format("`{}` is in the catalogue but not among the package's `[requires]`", module)
                 : "no such package in the catalogue";
    return {};
  });
  if (!ok) return false;
  for (const auto* r : roots) ok = session.LoadModule(r->id) && ok;
  return ok;
}

bool Catalogue::Resolve(const std::vector<const PluginManifest*>& roots, Diagnostics& diags,
                        std::vector<const PluginManifest*>& closure) const {
  std::map<std::string, const PluginManifest*> chosen;  // id → package
  std::map<std::string, std::vector<std::pair<std::string, VersionRange>>> wanted;  // id → (by, range)
  std::vector<std::string> stack;
  bool ok = true;
  auto lang = Version::Parse(kLanguageVersion);
  std::function<void(const PluginManifest*)> visit = [&](const PluginManifest* p) {
    if (auto it = chosen.find(p->id); it != chosen.end()) {
      if (it->second != p) {
        auto& d = diags.Error("E0605", {}, fmt::format("version conflict: two packages of `{}` are needed ({} and {})",
                                                       p->id, it->second->Key(), p->Key()),
                              "check one edition at a time, or align the requirements of the packages");
        d.path = p->manifest;
        ok = false;
      }
      return;
    }
    if (std::find(stack.begin(), stack.end(), p->id) != stack.end()) return;
    auto pl = Version::Parse(p->language);
    if (!pl || (lang && (pl->major > lang->major || (pl->major == lang->major && pl->minor > lang->minor)))) {
      auto& d = diags.Error("E0609", {}, fmt::format("plugin `{}` is written for Clause {}, this build reads {}", p->id,
                                                     p->language, kLanguageVersion),
                            "upgrade conform, or use an older version of the package");
      d.path = p->manifest;
      ok = false;
      return;
    }
    chosen[p->id] = p;
    stack.push_back(p->id);
    for (const auto& dep : p->dependencies) {
      wanted[dep.id].push_back({p->id, dep.range});
      if (auto cyc = std::find(stack.begin(), stack.end(), dep.id); cyc != stack.end()) {
        std::string path;
        for (auto it = cyc; it != stack.end(); ++it) path += *it + " → ";
        auto& d = diags.Error("E0606", {}, fmt::format("dependency cycle: {}{}", path, dep.id),
                              "a package cannot require itself, directly or through others");
        d.path = p->manifest;
        ok = false;
        continue;
      }
      std::vector<const PluginManifest*> cands;
      bool any = false;
      for (const auto& q : plugins_)
        if (q.id == dep.id) {
          any = true;
          bool fits = true;
          for (const auto& [by, range] : wanted[dep.id]) fits = fits && range.Matches(q.version);
          if (fits) cands.push_back(&q);
        }
      if (!any) {
        auto& d = diags.Error("E0604", {}, fmt::format("plugin `{}` requires `{}`, which is not in the catalogue", p->id, dep.id),
                              "install the package, or add its folder with --plugin-dir / CONFORM_PLUGIN_PATH");
        d.path = p->manifest;
        ok = false;
        continue;
      }
      if (cands.empty()) {
        std::string have, asks;
        for (const auto& q : plugins_)
          if (q.id == dep.id) have += (have.empty() ? "" : ", ") + q.version.Text();
        for (const auto& [by, range] : wanted[dep.id]) asks += fmt::format("{}{} wants {}", asks.empty() ? "" : "; ", by, range.text);
        auto& d = diags.Error("E0605", {}, fmt::format("version conflict for `{}`: {}", dep.id, asks),
                              fmt::format("available versions of `{}`: {}", dep.id, have));
        d.path = p->manifest;
        ok = false;
        continue;
      }
      if (auto it = chosen.find(dep.id); it != chosen.end()) {
        if (!dep.range.Matches(it->second->version)) {
          auto& d = diags.Error("E0605", {}, fmt::format("version conflict for `{}`: {} wants {}, but {} is already chosen",
                                                         dep.id, p->id, dep.range.text, it->second->version.Text()),
                                "align the version ranges of the packages");
          d.path = p->manifest;
          ok = false;
        }
        continue;
      }
      std::sort(cands.begin(), cands.end(), [](auto* a, auto* b) { return a->version > b->version; });
      visit(cands.front());
    }
    stack.pop_back();
  };
  for (const auto* r : roots) visit(r);
  closure.clear();
  for (const auto& [id, p] : chosen) closure.push_back(p);
  return ok;
}

std::vector<const PluginManifest*> Catalogue::WithSchemaModules(std::vector<const PluginManifest*> roots) const {
  // Only schema modules that build on what the roots already load (certification and isms
  // extend core): a package with its own root entity never meets core's names.
  Diagnostics scratch;  // Load reports resolution errors; here they only stop the growth
  std::vector<const PluginManifest*> closure;
  Resolve(roots, scratch, closure);
  std::set<std::string> have;
  for (const auto* p : closure) have.insert(p->id);
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& p : plugins_) {
      if (p.kind != "schema" || have.count(p.id) || p.dependencies.empty()) continue;
      bool builds_on_loaded = std::all_of(p.dependencies.begin(), p.dependencies.end(),
                                          [&](const Dependency& d) { return have.count(d.id) > 0; });
      if (!builds_on_loaded) continue;
      roots.push_back(&p);
      have.insert(p.id);
      grew = true;
    }
  }
  return roots;
}

const PluginManifest* Catalogue::BaseOf(const PluginManifest& p) const {
  if (p.kind != "extension") return nullptr;
  for (const auto& dep : p.dependencies)
    for (const auto& q : plugins_)
      if (q.id == dep.id && (q.kind == "standard" || q.kind == "extension") && dep.range.Matches(q.version)) return &q;
  return nullptr;
}

std::vector<std::vector<const PluginManifest*>> Catalogue::GroupByBase(const std::vector<const PluginManifest*>& pkgs) const {
  auto root = [&](const PluginManifest* p) {
    for (int guard = 0; guard < 64; ++guard) {  // a cycle is E0606 elsewhere
      const PluginManifest* b = BaseOf(*p);
      if (!b) break;
      p = b;
    }
    return p->id;
  };
  auto built_on = [&](const PluginManifest* base, const PluginManifest* p) {
    const PluginManifest* q = BaseOf(*p);
    for (int guard = 0; q && guard < 64; ++guard, q = BaseOf(*q))
      if (q->id == base->id) return true;
    return false;
  };
  std::vector<std::vector<const PluginManifest*>> groups;
  for (const auto* p : pkgs) {
    if (std::any_of(pkgs.begin(), pkgs.end(), [&](const PluginManifest* q) { return q != p && built_on(p, q); })) continue;
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return root(g.front()) == root(p); });
    if (it == groups.end()) groups.push_back({p});
    else it->push_back(p);
  }
  return groups;
}

std::string Catalogue::HarmonizedClause(const PluginManifest& p, const std::string& clause,
                                        const std::vector<std::string>& hs_clauses) const {
  if (auto it = p.hs.find(clause); it != p.hs.end()) return it->second;
  if (std::find(hs_clauses.begin(), hs_clauses.end(), clause) != hs_clauses.end()) return clause;
  return {};
}

}  // namespace conform::runtime
