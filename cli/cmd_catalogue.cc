// `conform catalogue list|show|search|map`: what standards exist, what they say, how they relate.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "commands.h"
#include "common.h"
#include "conform/compiler/calendar.h"
#include "conform/compiler/driver.h"
#include "conform/compiler/evaluate.h"
#include "conform/runtime/catalogue.h"
#include "conform/runtime/report.h"

namespace conform::cli {
namespace {

using runtime::Catalogue;
using runtime::JsonQuote;
using runtime::PluginManifest;

struct Opts {
  std::vector<std::string> dirs;
  std::string format = "text";
  std::string as_of = "today";
  std::string id, id2, clause, text;
};

std::string Date(const std::optional<int64_t>& d) { return d ? cal::FormatDate(*d) : ""; }

// A standard compiled on its own, for reading its clauses and requirements.
struct Loaded {
  std::unique_ptr<Session> session;
  std::shared_ptr<ir::Program> program;
};

std::optional<Loaded> LoadStandard(const Catalogue& cat, const PluginManifest& p, Diagnostics& diags) {
  Loaded l;
  l.session = std::make_unique<Session>(cat.dirs());
  if (!cat.Load(*l.session, {&p}, diags)) return std::nullopt;
  l.session->Schema();
  l.program = l.session->Compile(p.id);
  for (const auto& d : l.session->diags().items())
    if (d.severity == Severity::Error) {
      PrintDiagnostics(l.session->diags(), l.session->sources());
      return std::nullopt;
    }
  if (!l.program) return std::nullopt;
  return l;
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

int List(const Opts& o, const Catalogue& cat, int64_t as_of) {
  std::vector<const PluginManifest*> ps;
  for (const auto& p : cat.plugins()) ps.push_back(&p);
  std::sort(ps.begin(), ps.end(), [](auto* a, auto* b) { return a->id != b->id ? a->id < b->id : a->edition < b->edition; });
  if (o.format == "json") {
    std::string out = "[";
    for (size_t i = 0; i < ps.size(); ++i) {
      const auto* p = ps[i];
      std::string reqs;
      for (const auto& d : p->dependencies) reqs += fmt::format("{}{}:{}", reqs.empty() ? "" : ",", JsonQuote(d.id), JsonQuote(d.range.text));
      out += fmt::format(
          "{}{{\"id\":{},\"version\":\"{}\",\"edition\":{},\"title\":{},\"kind\":\"{}\",\"status\":\"{}\","
          "\"published\":{},\"withdrawn\":{},\"transition_end\":{},\"requires\":{{{}}},\"dir\":{}}}",
          i ? "," : "", JsonQuote(p->id), p->version.Text(), JsonQuote(p->edition), JsonQuote(p->title), p->kind,
          p->StatusAt(as_of), p->published ? "\"" + Date(p->published) + "\"" : "null",
          p->withdrawn ? "\"" + Date(p->withdrawn) + "\"" : "null",
          p->transition_end ? "\"" + Date(p->transition_end) + "\"" : "null", reqs, JsonQuote(p->dir));
    }
    fmt::print("{}]\n", out);
    return 0;
  }
  size_t w_id = 2, w_ed = 7;
  for (const auto* p : ps) {
    w_id = std::max(w_id, p->id.size());
    w_ed = std::max(w_ed, p->edition.size());
  }
  fmt::print("{:<{}}  {:<{}}  {:<9} {:<8} {:<15} {}\n", "ID", w_id, "EDITION", w_ed, "KIND", "VERSION", "STATUS", "TITLE");
  for (const auto* p : ps)
    fmt::print("{:<{}}  {:<{}}  {:<9} {:<8} {:<15} {}\n", p->id, w_id, p->edition, w_ed, p->kind, p->version.Text(),
               p->StatusAt(as_of), p->title);
  return 0;
}

int Show(const Opts& o, const Catalogue& cat, int64_t as_of) {
  Diagnostics diags;
  const PluginManifest* p = cat.Find(o.id, diags, as_of);
  if (!p) {
    PrintDiagnostics(diags, SourceManager{});
    return 2;
  }
  auto l = LoadStandard(cat, *p, diags);
  if (!l) {
    PrintDiagnostics(diags, SourceManager{});
    return 2;
  }
  const ir::Program& prog = *l->program;
  LayeredStrings strings(prog.literals.get());
  auto in_scope = [&](const std::string& number) {
    if (o.clause.empty()) return true;
    return number == o.clause || (number.size() > o.clause.size() && number.compare(0, o.clause.size(), o.clause) == 0 &&
                                  number[o.clause.size()] == '.');
  };
  bool any = std::any_of(prog.clauses.begin(), prog.clauses.end(), [&](const ir::ClauseInfo& c) { return in_scope(c.number); });
  if (!any) {
    Diagnostics d;
    d.Error("E0613", {}, fmt::format("`{}` has no clause {}", prog.standard, o.clause),
            fmt::format("`conform catalogue show {}` lists its clauses", prog.standard));
    PrintDiagnostics(d, SourceManager{});
    return 2;
  }
  auto param_value = [&](const ir::ParamInfo& pi) {
    if (prog.types.Kind(pi.type) == TypeKind::Set) {
      std::string s = "{";
      for (size_t i = 0; i < pi.set_value.size(); ++i)
        s += (i ? ", " : "") + FormatValue(prog, strings, prog.types[pi.type].elem, pi.set_value[i], true);
      return s + "}";
    }
    return FormatValue(prog, strings, pi.type, pi.value, true);
  };
  if (o.format == "json") {
    std::string out = fmt::format("{{\"id\":{},\"title\":{},\"edition\":{},\"version\":\"{}\",\"status\":\"{}\",\"parameters\":[",
                                  JsonQuote(p->id), JsonQuote(prog.title), JsonQuote(p->edition), p->version.Text(),
                                  p->StatusAt(as_of));
    for (size_t i = 0; i < prog.params.size(); ++i)
      out += fmt::format("{}{{\"name\":{},\"type\":{},\"default\":{},\"doc\":{}}}", i ? "," : "", JsonQuote(prog.params[i].name),
                         JsonQuote(prog.TypeName(prog.params[i].type)), JsonQuote(param_value(prog.params[i])),
                         JsonQuote(prog.params[i].doc));
    out += "],\"clauses\":[";
    bool first = true;
    for (size_t c = 0; c < prog.clauses.size(); ++c) {
      if (!in_scope(prog.clauses[c].number)) continue;
      out += fmt::format("{}{{\"clause\":{},\"title\":{},\"requirements\":[", first ? "" : ",", JsonQuote(prog.clauses[c].number),
                         JsonQuote(prog.clauses[c].title));
      first = false;
      bool rfirst = true;
      for (const auto& r : prog.requirements) {
        if (r.clause_index != static_cast<int32_t>(c)) continue;
        out += fmt::format("{}{{\"id\":{},\"grade\":\"{}\",\"origin\":{},\"says\":{}}}", rfirst ? "" : ",", JsonQuote(r.id),
                           ir::GradeName(r.grade), JsonQuote(r.Provenance()), JsonQuote(r.says));
        rfirst = false;
      }
      out += "]}";
    }
    fmt::print("{}]}}\n", out);
    return 0;
  }
  fmt::print("{} — {}\n", prog.standard, prog.title);
  fmt::print("edition {} · published {} · package {} · {}\n", p->edition, Date(p->published), p->version.Text(),
             p->StatusAt(as_of));
  const bool layered = !prog.layers.empty();
  if (layered) {
    std::string chain;
    for (const auto& l : prog.layers) chain += (chain.empty() ? "" : " + ") + l.id + (l.edition.empty() ? "" : ":" + l.edition);
    fmt::print("resolved from {} (requirements marked with their origin)\n", chain);
  }
  if (!p->dependencies.empty()) {
    std::string reqs;
    for (const auto& d : p->dependencies) reqs += (reqs.empty() ? "" : ", ") + d.id + " " + d.range.text;
    fmt::print("requires {}\n", reqs);
  }
  if (!prog.params.empty() && o.clause.empty()) {
    fmt::print("\nparameters:\n");
    for (const auto& pi : prog.params)
      fmt::print("  {}: {} = {}{}{}\n", pi.name, prog.TypeName(pi.type), param_value(pi),
                 pi.set_by.empty() ? "" : fmt::format(" (set by {})", pi.set_by), pi.doc.empty() ? "" : "  — " + pi.doc);
  }
  for (size_t c = 0; c < prog.clauses.size(); ++c) {
    const auto& ci = prog.clauses[c];
    if (!in_scope(ci.number)) continue;
    std::string indent(2 * (ci.depth - 1), ' ');
    fmt::print("{}{}{} {}{}\n", ci.depth == 1 ? "\n" : "", indent, ci.number, ci.title,
               layered && ci.origin != prog.layers.front().id ? fmt::format("  ({})", ci.origin) : "");
    for (const auto& r : prog.requirements) {
      if (r.clause_index != static_cast<int32_t>(c)) continue;
      fmt::print("{}  [{}] {}{}: {}\n", indent, ir::GradeName(r.grade), r.id,
                 layered ? fmt::format(" ({})", r.Provenance()) : "", r.says);
    }
  }
  return 0;
}

int Search(const Opts& o, const Catalogue& cat) {
  std::string needle = Lower(o.text);
  size_t hits = 0;
  std::string json = "[";
  for (const auto& p : cat.plugins()) {
    if (p.kind == "schema") continue;
    Diagnostics diags;
    auto l = LoadStandard(cat, p, diags);
    if (!l) continue;
    const ir::Program& prog = *l->program;
    auto hit = [&](const std::string& clause, const std::string& title, const std::string& id, const std::string& text) {
      ++hits;
      if (o.format == "json") {
        json += fmt::format("{}{{\"standard\":{},\"clause\":{},\"title\":{},\"requirement\":{},\"says\":{}}}", hits > 1 ? "," : "",
                            JsonQuote(prog.standard), JsonQuote(clause), JsonQuote(title),
                            id.empty() ? "null" : JsonQuote(id), JsonQuote(text));
      } else if (id.empty()) {
        fmt::print("{} {} {}\n", prog.standard, clause, title);
      } else {
        fmt::print("{} {} {}: {}\n", prog.standard, clause, id, text);
      }
    };
    for (const auto& c : prog.clauses)
      if (Lower(c.title).find(needle) != std::string::npos) hit(c.number, c.title, "", "");
    for (const auto& r : prog.requirements)
      if (Lower(r.says).find(needle) != std::string::npos || Lower(r.id).find(needle) != std::string::npos)
        hit(r.clause, prog.clauses[r.clause_index].title, r.id, r.says);
  }
  if (o.format == "json") fmt::print("{}]\n", json);
  else if (!hits) fmt::print(stderr, "no clause or requirement mentions `{}`\n", o.text);
  return hits ? 0 : 1;
}

int Map(const Opts& o, const Catalogue& cat, int64_t as_of) {
  Diagnostics diags;
  const PluginManifest* a = cat.Find(o.id, diags, as_of);
  const PluginManifest* b = cat.Find(o.id2, diags, as_of);
  if (!a || !b) {
    PrintDiagnostics(diags, SourceManager{});
    return 2;
  }
  auto la = LoadStandard(cat, *a, diags);
  auto lb = LoadStandard(cat, *b, diags);
  if (!la || !lb) {
    PrintDiagnostics(diags, SourceManager{});
    return 2;
  }
  // The harmonized structure's clause numbers come from the `hs` package itself.
  std::vector<std::string> hs_clauses;
  Diagnostics quiet;
  if (const PluginManifest* hs = cat.Find("hs", quiet))
    if (auto lh = LoadStandard(cat, *hs, quiet))
      for (const auto& c : lh->program->clauses) hs_clauses.push_back(c.number);
  auto title = [](const ir::Program& p, const std::string& n) {
    for (const auto& c : p.clauses)
      if (c.number == n) return c.title;
    return std::string();
  };
  bool a_hs = la->program->Meta("structure") == "harmonized", b_hs = lb->program->Meta("structure") == "harmonized";
  struct Row {
    std::string ca, cb, via;
  };
  std::vector<Row> rows;
  if (a_hs && b_hs) {
    std::map<std::string, std::vector<std::string>> b_by_hs;
    for (const auto& c : lb->program->clauses) {
      std::string h = cat.HarmonizedClause(*b, c.number, hs_clauses);
      if (!h.empty()) b_by_hs[h].push_back(c.number);
    }
    for (const auto& c : la->program->clauses) {
      std::string h = cat.HarmonizedClause(*a, c.number, hs_clauses);
      if (h.empty()) continue;
      for (const auto& cb : b_by_hs[h]) rows.push_back({c.number, cb, "hs " + h});
    }
  }
  // A declared pair the harmonized structure already gives is listed once (via the HS).
  auto add_declared = [&](const std::string& x, const std::string& y, const std::string& by) {
    for (const Row& r : rows)
      if (r.ca == x && r.cb == y) return;
    rows.push_back({x, y, "declared by " + by});
  };
  for (const auto& m : a->maps)
    if (m.standard == b->id)
      for (const auto& [x, y] : m.pairs) add_declared(x, y, a->id);
  for (const auto& m : b->maps)
    if (m.standard == a->id)
      for (const auto& [y, x] : m.pairs) add_declared(x, y, b->id);
  if (o.format == "json") {
    std::string out = fmt::format("{{\"from\":{},\"to\":{},\"pairs\":[", JsonQuote(a->id), JsonQuote(b->id));
    for (size_t i = 0; i < rows.size(); ++i)
      out += fmt::format("{}{{\"{}\":{},\"{}\":{},\"title_a\":{},\"title_b\":{},\"via\":{}}}", i ? "," : "", "clause_a",
                         JsonQuote(rows[i].ca), "clause_b", JsonQuote(rows[i].cb), JsonQuote(title(*la->program, rows[i].ca)),
                         JsonQuote(title(*lb->program, rows[i].cb)), JsonQuote(rows[i].via));
    fmt::print("{}]}}\n", out);
    return 0;
  }
  if (rows.empty()) {
    fmt::print("{} and {} share no clauses{}\n", a->id, b->id,
               a_hs && b_hs ? "" : " (one of them does not follow the harmonized structure and no mapping is declared)");
    return 0;
  }
  fmt::print("{:<8} {:<52} {:<8} {:<52} {}\n", a->id, "", b->id, "", "via");
  for (const auto& r : rows) {
    std::string ta = title(*la->program, r.ca), tb = title(*lb->program, r.cb);
    if (ta.size() > 50) ta = ta.substr(0, 49) + "…";
    if (tb.size() > 50) tb = tb.substr(0, 49) + "…";
    fmt::print("{:<8} {:<52} {:<8} {:<52} {}\n", r.ca, ta, r.cb, tb, r.via);
  }
  fmt::print("\n{} shared clause{}\n", rows.size(), rows.size() == 1 ? "" : "s");
  return 0;
}

}  // namespace

void AddCatalogue(CLI::App& app, std::function<int()>& run) {
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("catalogue", "List, show, search and map the standards of the catalogue");
  cmd->require_subcommand(1);
  cmd->add_option("--plugin-dir", o->dirs, "extra catalogue folder (repeatable)")->allow_extra_args(false);
  auto common = [&](CLI::App* sub) {
    sub->add_option("-f,--format", o->format, "text or json")->check(CLI::IsMember({"text", "json"}));
    sub->add_option("--as-of", o->as_of, "date for edition status (default: today)");
    sub->add_option("--plugin-dir", o->dirs, "extra catalogue folder (repeatable)")->allow_extra_args(false);
  };
  auto with = [o, &run](int (*fn)(const Opts&, const Catalogue&, int64_t)) {
    return [o, &run, fn] {
      run = [o, fn] {
        auto as_of = ParseAsOf(o->as_of);
        if (!as_of) return UsageError(fmt::format("invalid --as-of `{}`", o->as_of), "write YYYY-MM-DD");
        Diagnostics diags;
        Catalogue cat = Catalogue::Discover(SearchPath(o->dirs), diags);
        PrintDiagnostics(diags, SourceManager{});
        return fn(*o, cat, *as_of);
      };
    };
  };
  auto* list = cmd->add_subcommand("list", "Standards, extensions and schema modules, with editions and status");
  common(list);
  list->callback(with(&List));
  auto* show = cmd->add_subcommand("show", "Clauses, requirements, grades and parameters of a standard");
  common(show);
  show->add_option("id", o->id, "standard, e.g. iso9001 or iso9001@2015")->required();
  show->add_option("--clause", o->clause, "only this clause and its sub-clauses");
  show->callback(with(&Show));
  auto* search = cmd->add_subcommand("search", "Find clauses and requirements mentioning a text");
  common(search);
  search->add_option("text", o->text, "text to look for (case-insensitive)")->required();
  search->callback(with([](const Opts& oo, const Catalogue& c, int64_t) { return Search(oo, c); }));
  auto* map = cmd->add_subcommand("map", "Clauses two standards share (harmonized structure and declared mappings)");
  common(map);
  map->add_option("a", o->id, "first standard")->required();
  map->add_option("b", o->id2, "second standard")->required();
  map->callback(with(&Map));
}

}  // namespace conform::cli
