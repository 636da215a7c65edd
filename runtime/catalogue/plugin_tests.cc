// `conform test`: plugin tests on both engines, expectations, coverage.
#include "conform/runtime/plugin_tests.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "conform/compiler/calendar.h"
#include "conform/compiler/jit.h"
#include "conform/runtime/evidence.h"
#include "conform/runtime/report.h"

namespace fs = std::filesystem;

namespace conform::runtime {

size_t StandardCoverage::Count(Verdict v) const {
  size_t n = 0;
  for (const auto& id : ids)
    if (auto it = seen.find(id); it != seen.end() && it->second.count(v)) ++n;
  return n;
}

std::vector<std::string> StandardCoverage::Missing(Verdict v) const {
  std::vector<std::string> out;
  for (const auto& id : ids)
    if (auto it = seen.find(id); it == seen.end() || !it->second.count(v)) out.push_back(id);
  return out;
}

namespace {

std::optional<Verdict> ParseVerdict(const std::string& s) {
  if (s == "conform") return Verdict::Conform;
  if (s == "nonconform") return Verdict::Nonconform;
  if (s == "not_evidenced") return Verdict::NotEvidenced;
  if (s == "not_applicable") return Verdict::NotApplicable;
  if (s == "blocked") return Verdict::Blocked;
  return std::nullopt;
}

struct Expectation {
  Verdict verdict;
  std::optional<std::string> message;
  int line = 0;  // in the test file
};

struct TestCase {
  std::string file, name, standard, evidence_file, evidence_text;
  std::vector<std::string> with;  // further standards whose schemas the evidence uses
  bool inline_evidence = false;
  int64_t as_of = 0;
  std::vector<ParamOverride> params;
  std::optional<Verdict> default_verdict;
  std::map<std::string, Expectation> expect;
};

struct Compiled {
  std::unique_ptr<Session> session;
  std::shared_ptr<ir::Program> program;
  std::unique_ptr<jit::CompiledProgram> native;
  const PluginManifest* package = nullptr;
};

class Runner {
 public:
  Runner(const Catalogue& c, const TestOptions& o, TestRunReport& r) : cat_(c), opts_(o), rep_(r) {}

  void RunFile(const fs::path& file) {
    TestCase tc;
    if (!Parse(file, tc)) return;
    Compiled* c = Get(tc.standard, tc.with, file);
    if (!c) return;
    ++rep_.tests;
    std::string label = fmt::format("{}: {}", file.string(), tc.name);
    // Evidence.
    // Test evidence is loaded strictly: an unknown field is a mistake in the test, not noise.
    Diagnostics ed;
    std::unique_ptr<Document> doc;
    LoadOptions lo;
    lo.unknown_fields_are_errors = true;
    if (tc.inline_evidence)
      doc = LoadEvidence(file.string() + " (evidence)", tc.evidence_text, *c->session->Schema(),
                         c->session->literals().get(), c->session->sources(), ed, lo);
    else
      doc = LoadEvidenceFile(tc.evidence_file, *c->session->Schema(), c->session->literals().get(),
                             c->session->sources(), ed, lo);
    if (!doc || ed.HasErrors()) {
      rep_.failures.push_back({label, "", "evidence loads", "errors", "", RenderAll(ed, c->session->sources())});
      return;
    }
    std::vector<ParamOverride> overrides = doc->parameters();
    overrides.insert(overrides.end(), tc.params.begin(), tc.params.end());
    ParamValues pv = ResolveParameters(*c->program, overrides, doc->strings(), c->session->sources(), ed);
    if (ed.HasErrors()) {
      rep_.failures.push_back({label, "", "parameters resolve", "errors", "", RenderAll(ed, c->session->sources())});
      return;
    }
    const ir::Program& p = *c->program;
    // Unknown ids in `expect` are test bugs.
    bool ok = true;
    for (const auto& [id, e] : tc.expect) {
      bool exists = std::any_of(p.requirements.begin(), p.requirements.end(), [&](const ir::Requirement& r) { return r.id == id; });
      if (!exists) {
        std::vector<std::string> ids;
        for (const auto& r : p.requirements) ids.push_back(r.id);
        std::string near = ClosestMatch(id, ids);
        rep_.failures.push_back({label, id, "a requirement of " + p.standard, "no such requirement", "",
                                 fmt::format("{}:{}: {}", tc.file, e.line,
                                             near.empty() ? fmt::format("`conform catalogue show {}` lists the requirements", p.standard)
                                                          : fmt::format("did you mean `{}`?", near))});
        ok = false;
      }
    }
    std::vector<StandardReport> by_engine;
    for (const auto& engine : opts_.engines) {
      Engine e = engine == "jit" ? Engine::Jit : Engine::Interp;
      by_engine.push_back(Evaluate(p, *doc, tc.as_of, pv, e, true, c->native.get()));
    }
    auto& cov = Coverage(*c);
    cov.tests++;
    for (size_t i = 0; i < p.requirements.size(); ++i) {
      const auto& req = p.requirements[i];
      const RequirementResult& first = by_engine[0].results[i];
      cov.seen[req.id].insert(first.verdict);
      // The engines must agree exactly.
      for (size_t k = 1; k < by_engine.size(); ++k) {
        const RequirementResult& other = by_engine[k].results[i];
        if (other.verdict != first.verdict || other.message != first.message) {
          rep_.failures.push_back({label, req.clause + "/" + req.id,
                                   fmt::format("{} ({})", VerdictName(first.verdict), opts_.engines[0]),
                                   VerdictName(other.verdict), opts_.engines[k],
                                   fmt::format("engines disagree: \"{}\" vs \"{}\"", first.message, other.message)});
          ok = false;
        }
      }
      std::optional<Expectation> want;
      if (auto it = tc.expect.find(req.id); it != tc.expect.end()) want = it->second;
      else if (tc.default_verdict) want = Expectation{*tc.default_verdict, std::nullopt};
      if (!want) continue;
      for (size_t k = 0; k < by_engine.size(); ++k) {
        const RequirementResult& got = by_engine[k].results[i];
        bool bad = got.verdict != want->verdict || (want->message && *want->message != got.message);
        if (!bad) continue;
        std::string detail = got.message;
        for (const auto& f : got.facts)
          detail += fmt::format("\n    {} = {}{}", f.expr, f.value, f.path.empty() ? "" : "  (" + f.path + ")");
        std::string expected = VerdictName(want->verdict);
        if (want->message) expected += fmt::format(" with message \"{}\"", *want->message);
        rep_.failures.push_back({label, req.clause + "/" + req.id, expected, VerdictName(got.verdict), opts_.engines[k], detail});
        ok = false;
        break;  // one report per requirement
      }
    }
    if (ok) ++rep_.passed;
  }

  // Standards of the catalogue with no test file at all still appear in the coverage.
  void NoteUntested(const PluginManifest& pkg) {
    if (pkg.kind == "schema") return;
    Compiled* c = Get(Spec(pkg), {}, pkg.manifest);
    if (c) Coverage(*c);
  }

 private:
  // The package a test file belongs to (the folder with plugin.toml: `tests/`'s parent, or the
  // file's own folder), else the test file's folder.
  static fs::path PackageRoot(const fs::path& file) {
    std::error_code ec;
    fs::path dir = file.parent_path();
    for (const fs::path& cand : {dir.parent_path(), dir})
      if (!cand.empty() && fs::exists(cand / "plugin.toml", ec)) return cand;
    return dir.empty() ? fs::path(".") : dir;
  }

  // Where a package may read: its own folder, or the whole trusted distribution it is part of.
  fs::path ConfinedTo(fs::path package) const {
    for (const auto& t : opts_.trusted_roots)
      if (Inside(package, t)) return t;
    return package;
  }

  // A package's Clause sources are read (and their lines quoted in diagnostics) by the test
  // run too: a source that is a symbolic link out of its package is E0913 as well.
  bool SourcesConfined(const std::vector<const PluginManifest*>& roots) {
    if (opts_.allow_outside_package) return true;
    std::vector<const PluginManifest*> closure;
    Diagnostics ignored;  // Load reports resolution errors itself
    if (!cat_.Resolve(roots, ignored, closure)) return true;
    bool ok = true;
    for (const auto* pkg : closure) {
      fs::path root = ConfinedTo(pkg->dir);
      std::error_code ec;
      for (const auto& e : fs::directory_iterator(pkg->dir, ec)) {
        if (e.path().extension() != ".clause" || Inside(e.path(), root)) continue;
        auto& d = rep_.diags.Error("E0913", {},
                                   fmt::format("the source `{}` of package `{}` is a symbolic link out of its package",
                                               e.path().filename().string(), pkg->id),
                                   "replace the link by the file, or run `conform test --allow-outside-package` for a "
                                   "package you trust");
        d.path = e.path().string();
        ok = false;
      }
    }
    return ok;
  }

  // Whether `path`, with every symbolic link resolved, lies inside `root` (also resolved).
  static bool Inside(const fs::path& path, const fs::path& root) {
    std::error_code ec, ec2;
    fs::path p = fs::weakly_canonical(path, ec), r = fs::weakly_canonical(root, ec2);
    if (ec || ec2) return false;
    auto [pi, ri] = std::mismatch(p.begin(), p.end(), r.begin(), r.end());
    return ri == r.end() || (std::next(ri) == r.end() && ri->empty());  // r may end in a slash
  }

  bool Parse(const fs::path& file, TestCase& tc) {
    tc.file = file.string();
    YAML::Node root;
    YAML::Mark at;  // where the value being read is: every E0610 names a line
    auto fail = [&](const std::string& msg, const std::string& help = "see docs/plugins.md for the test format") {
      auto& d = rep_.diags.Error("E0610", {}, fmt::format("invalid test file: {}", msg), help);
      d.path = at.line >= 0 ? fmt::format("{}:{}:{}", file.string(), at.line + 1, at.column + 1)
                            : fmt::format("{}:1:1", file.string());
      return false;
    };
    auto mark = [&](const YAML::Node& n) {
      if (n && n.Mark().line >= 0) at = n.Mark();
    };
    try {
      root = YAML::LoadFile(file.string());
    } catch (const YAML::Exception& e) {
      auto& d = rep_.diags.Error("E0610", {}, fmt::format("malformed test file: {}", e.msg),
                                 "see docs/plugins.md for the test format");
      d.path = fmt::format("{}:{}:{}", file.string(), e.mark.line + 1, e.mark.column + 1);
      return false;
    }
    try {
      mark(root);
      if (!root.IsMap()) return fail("the top level must be a mapping");
      tc.name = root["name"] ? root["name"].as<std::string>() : file.stem().string();
      if (root["standard"]) tc.standard = root["standard"].as<std::string>();
      else {
        const PluginManifest* pkg = cat_.FindByDir(file.parent_path().parent_path().string());
        if (!pkg) pkg = cat_.FindByDir(file.parent_path().string());
        if (!pkg) return fail("no `standard:` and the file is not inside a plugin package");
        tc.standard = Spec(*pkg);
      }
      if (YAML::Node w = root["with"]) {
        mark(w);
        if (!w.IsSequence()) return fail("`with` must be a list of standards", "e.g. `with: [iso14001, iso45001]`");
        for (const auto& x : w) tc.with.push_back(x.as<std::string>());
      }
      if (!root["as_of"]) return fail("missing `as_of`", "add `as_of: 2026-11-22`");
      mark(root["as_of"]);
      auto d = cal::ParseDate(root["as_of"].as<std::string>());
      if (!d) return fail("`as_of` is not a date YYYY-MM-DD");
      tc.as_of = *d;
      YAML::Node ev = root["evidence"];
      mark(ev);
      if (!ev) return fail("missing `evidence` (a file or an inline mapping)");
      if (ev.IsScalar()) {
        std::string rel = ev.as<std::string>();
        tc.evidence_file = (file.parent_path() / rel).lexically_normal().string();
        // Confined to the package (issue 15.8): a third-party plugin's test must not make
        // `conform test` read, and quote in its diagnostics, files elsewhere on the machine.
        if (!opts_.allow_outside_package) {
          fs::path root = ConfinedTo(PackageRoot(file));
          if (fs::path(rel).is_absolute() || !Inside(tc.evidence_file, root)) {
            auto& d = rep_.diags.Error(
                "E0913", {},
                fmt::format("the test's evidence `{}` is outside its package {}", rel, root.string()),
                "keep the evidence file inside the package folder (symbolic links are resolved), or run "
                "`conform test --allow-outside-package` for a package you trust");
            d.path = fmt::format("{}:{}:{}", file.string(), at.line + 1, at.column + 1);
            return false;
          }
        }
      } else if (ev.IsMap()) {
        YAML::Emitter out;
        out << ev;
        tc.evidence_text = out.c_str();
        tc.inline_evidence = true;
      } else {
        return fail("`evidence` must be a file name or a mapping");
      }
      if (YAML::Node ps = root["params"]) {
        mark(ps);
        if (!ps.IsMap()) return fail("`params` must be a mapping");
        for (const auto& kv : ps) {
          ParamOverride po;
          po.name = kv.first.as<std::string>();
          po.data_path = fmt::format("{}: params.{}", file.string(), po.name);
          if (kv.second.IsSequence()) {
            po.is_sequence = true;
            for (const auto& x : kv.second) po.items.push_back(x.as<std::string>());
          } else {
            po.text = kv.second.as<std::string>();
          }
          tc.params.push_back(po);
        }
      }
      YAML::Node ex = root["expect"];
      mark(ex);
      if (!ex || !ex.IsMap()) return fail("missing `expect` mapping");
      if (ex["default"]) {
        mark(ex["default"]);
        tc.default_verdict = ParseVerdict(ex["default"].as<std::string>());
        if (!tc.default_verdict) return fail("unknown verdict in `expect.default`", "conform, nonconform, not_evidenced, not_applicable, blocked");
      }
      if (YAML::Node reqs = ex["requirements"]) {
        mark(reqs);
        if (!reqs.IsMap()) return fail("`expect.requirements` must be a mapping of requirement id → verdict");
        for (const auto& kv : reqs) {
          mark(kv.first);
          std::string id = kv.first.as<std::string>();
          Expectation e{Verdict::Conform, std::nullopt, at.line + 1};
          std::string v;
          if (kv.second.IsMap()) {
            v = kv.second["verdict"] ? kv.second["verdict"].as<std::string>() : "";
            if (kv.second["message"]) e.message = kv.second["message"].as<std::string>();
          } else {
            v = kv.second.as<std::string>();
          }
          auto pv = ParseVerdict(v);
          if (!pv) return fail(fmt::format("unknown verdict `{}` for `{}`", v, id), "conform, nonconform, not_evidenced, not_applicable, blocked");
          e.verdict = *pv;
          tc.expect[id] = e;
        }
      }
    } catch (const YAML::Exception& e) {
      return fail(e.msg);
    }
    return true;
  }

  // The standard under test, compiled in a session that also holds the schemas of `with` and
  // the schema modules that build on them (as `conform check` loads them).
  Compiled* Get(const std::string& standard, const std::vector<std::string>& with, const fs::path& where) {
    std::string key = standard;
    for (const auto& w : with) key += "+" + w;
    if (auto it = compiled_.find(key); it != compiled_.end()) return it->second.get();
    compiled_[key] = nullptr;
    Diagnostics& diags = rep_.diags;
    const PluginManifest* pkg = cat_.Find(standard, diags);
    if (!pkg) return nullptr;
    std::vector<const PluginManifest*> roots{pkg};
    for (const auto& w : with) {
      const PluginManifest* extra = cat_.Find(w, diags);
      if (!extra) return nullptr;
      roots.push_back(extra);
    }
    roots = cat_.WithSchemaModules(std::move(roots));
    if (!SourcesConfined(roots)) return nullptr;
    auto c = std::make_unique<Compiled>();
    c->package = pkg;
    c->session = std::make_unique<Session>(cat_.dirs());
    bool ok = cat_.Load(*c->session, roots, diags);
    if (ok) {
      c->session->Schema();
      c->program = c->session->Compile(pkg->id);
    }
    Diagnostics errors;
    for (const auto& d : c->session->diags().items())
      if (d.severity == Severity::Error) errors.Add(d);
    if (!ok || !c->program || errors.HasErrors()) {
      std::string text = errors.HasErrors() ? RenderAll(errors, c->session->sources())
                         : !c->program ? fmt::format("the package declares no `standard {} \"…\"`", pkg->id)
                                       : std::string();
      auto& d = diags.Error("E0611", {}, fmt::format("standard `{}` does not compile", standard), text);
      d.path = where.string();
      return nullptr;
    }
    if (jit::Available() && std::find(opts_.engines.begin(), opts_.engines.end(), "jit") != opts_.engines.end()) {
      jit::JitOptions jo;
      jo.cache_dir = opts_.cache_dir;
      jo.use_cache = opts_.use_cache;
      c->native = jit::Compile(c->program, jo, diags);
      if (!c->native) return nullptr;
    }
    Compiled* raw = c.get();
    compiled_[key] = std::move(c);
    return raw;
  }

  // How a package is named to `Find`: its id, or `id@edition` when the catalogue holds several
  // editions of the standard (tests and coverage then belong to the edition whose folder they
  // are in, not to the default edition).
  std::string Spec(const PluginManifest& pkg) const {
    size_t editions = std::count_if(cat_.plugins().begin(), cat_.plugins().end(),
                                    [&](const PluginManifest& m) { return m.id == pkg.id; });
    return editions > 1 ? pkg.id + "@" + pkg.edition : pkg.id;
  }

  StandardCoverage& Coverage(const Compiled& compiled) {
    const ir::Program& p = *compiled.program;
    std::string label = Spec(*compiled.package);
    for (auto& c : rep_.coverage)
      if (c.standard == label) return c;
    StandardCoverage c;
    c.standard = label;
    // An extension's coverage is of what it declares or amends: its bases' tests cover the rest.
    for (const auto& r : p.requirements)
      if (p.layers.empty() || r.origin == p.standard ||
          std::find(r.amended_by.begin(), r.amended_by.end(), p.standard) != r.amended_by.end())
        c.ids.push_back(r.id);
    c.requirements = c.ids.size();
    rep_.coverage.push_back(std::move(c));
    return rep_.coverage.back();
  }

  const Catalogue& cat_;
  const TestOptions& opts_;
  TestRunReport& rep_;
  std::map<std::string, std::unique_ptr<Compiled>> compiled_;
};

void TestFilesOf(const fs::path& pkg_dir, std::vector<fs::path>& out) {
  std::error_code ec;
  fs::path tests = pkg_dir / "tests";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(tests, ec)) {
    std::string name = e.path().filename().string();
    if (name.size() > 10 && name.compare(name.size() - 10, 10, ".test.yaml") == 0) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  out.insert(out.end(), files.begin(), files.end());
}

}  // namespace

TestRunReport RunPluginTests(const Catalogue& catalogue, const std::vector<std::string>& paths, const TestOptions& opts) {
  TestRunReport rep;
  Runner runner(catalogue, opts, rep);
  std::vector<fs::path> files;
  std::vector<const PluginManifest*> packages;
  if (paths.empty()) {
    for (const auto& p : catalogue.plugins()) packages.push_back(&p);
  }
  for (const auto& path : paths) {
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) {
      files.push_back(path);
    } else if (fs::is_directory(path, ec)) {
      if (const PluginManifest* p = catalogue.FindByDir(path)) {
        packages.push_back(p);
      } else if (fs::exists(fs::path(path) / "plugin.toml", ec)) {
        // A package outside the search path: its manifest was not discovered.
        auto& d = rep.diags.Error("E0612", {}, fmt::format("package {} is not on the catalogue search path", path),
                                  fmt::format("add --plugin-dir {}", fs::path(path).parent_path().string()));
        d.path = path;
      } else {
        size_t before = packages.size();
        for (const auto& p : catalogue.plugins())
          if (fs::path(p.dir).parent_path() == fs::weakly_canonical(path, ec) ||
              fs::weakly_canonical(fs::path(p.dir).parent_path(), ec) == fs::weakly_canonical(path, ec))
            packages.push_back(&p);
        if (packages.size() == before) {
          auto& d = rep.diags.Error("E0612", {}, fmt::format("no plugin packages or tests in {}", path));
          d.path = path;
        }
      }
    } else {
      auto& d = rep.diags.Error("E0612", {}, fmt::format("no such test file or package: {}", path), "check the path");
      d.path = path;
    }
  }
  for (const auto* p : packages) {
    size_t before = files.size();
    TestFilesOf(p->dir, files);
    if (files.size() == before) runner.NoteUntested(*p);
  }
  for (const auto& f : files) runner.RunFile(f);
  return rep;
}

}  // namespace conform::runtime
