// The embedding core: catalogue, compile-and-cache pipeline, evidence, evaluation.
#include "conform/embed/engine.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <cstdlib>
#include <filesystem>

#include "conform/compiler/cache_file.h"
#include "conform/compiler/calendar.h"
#include "conform/compiler/ir_cache.h"

namespace fs = std::filesystem;

namespace conform::embed {
namespace {

double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

// The folders of the code that runs: the executable's (build/cli/conform, <prefix>/bin/conform)
// and the shared library's (build/api/libconform.so, <prefix>/lib/…).
std::vector<fs::path> InstallBases() {
  std::vector<fs::path> bases;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) bases.push_back(exe.parent_path());
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&InstallBases), &info) && info.dli_fname) {
    fs::path lib = fs::weakly_canonical(fs::path(info.dli_fname), ec);
    if (!ec) bases.push_back(lib.parent_path());
  }
  return bases;
}

// The catalogue shipped with the code that runs (standards/ and plugins/), beside those folders.
void AddInstalled(std::vector<std::string>& out) {
  std::error_code ec;
  std::vector<fs::path> bases = InstallBases();
  // standards/ (the standards and schema modules) and plugins/ (sector extensions) sit side by side.
  for (const fs::path& dir : bases) {
    for (const char* folder : {"standards", "plugins"})
      for (const fs::path& cand : {dir / ".." / ".." / folder,                 // build tree
                                   dir / ".." / "share" / "conform" / folder,  // cmake --install
                                   dir / ".." / ".." / "share" / "conform" / folder,  // lib/<multiarch>
                                   dir / ".." / folder}) {
        if (!fs::is_directory(cand, ec)) continue;
        std::string s = fs::weakly_canonical(cand, ec).string();
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
      }
  }
}

// The installed cache layer's candidates, beside the installed catalogue: <prefix>/share/conform/cache
// for <prefix>/bin/conform and <prefix>/lib[/<multiarch>]/libconform.so, and build/share/conform/cache
// in the build tree (filled by the build's conform_prebuilt_cache step).
std::string FindInstalledCache() {
  std::error_code ec;
  for (const fs::path& dir : InstallBases())
    for (const fs::path& cand : {dir / ".." / "share" / "conform" / "cache", dir / ".." / ".." / "share" / "conform" / "cache"})
      if (fs::is_directory(cand, ec)) return fs::weakly_canonical(cand, ec).string();
  return {};
}

}  // namespace

std::string InstalledCacheDir(const CatalogueOptions& opts) {
  const char* env = std::getenv("CONFORM_INSTALL_CACHE");
  if (env) {
    std::string v = env;
    if (v.empty() || v == "0" || v == "off") return {};
    return v;
  }
  return opts.use_installed ? FindInstalledCache() : std::string();
}

std::vector<std::string> SearchPath(const CatalogueOptions& opts) {
  std::vector<std::string> out = opts.plugin_dirs;
  if (const char* env = opts.use_env ? std::getenv("CONFORM_PLUGIN_PATH") : nullptr) {
    std::string s = env;
    size_t start = 0;
    while (start <= s.size()) {
      size_t colon = s.find(':', start);
      std::string item = s.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
      if (!item.empty()) out.push_back(item);
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  }
  if (opts.use_installed) AddInstalled(out);
  return out;
}

int64_t Today() {
  auto now = std::chrono::system_clock::now();
  return static_cast<int64_t>(std::chrono::duration_cast<std::chrono::hours>(now.time_since_epoch()).count() / 24);
}

std::optional<int64_t> ParseAsOf(const std::string& text) {
  if (text == "today") return Today();
  return cal::ParseDate(text);
}

std::string CacheDir(const std::string& override) { return override.empty() ? jit::DefaultCacheDir() : override; }

std::optional<runtime::ParamOverride> ParseParam(const std::string& kv) {
  size_t eq = kv.find('=');
  if (eq == std::string::npos || eq == 0) return std::nullopt;
  runtime::ParamOverride po;
  po.name = kv.substr(0, eq);
  po.text = kv.substr(eq + 1);
  po.data_path = "--param " + po.name;
  return po;
}

Diagnostics ErrorsOnly(const Diagnostics& d) {
  Diagnostics out;
  for (const auto& x : d.items())
    if (x.severity == Severity::Error) out.Add(x);
  return out;
}

Diagnostics CacheWarnings(const Diagnostics& d) {
  Diagnostics out;
  for (const auto& x : d.items())
    if (x.code == "W0910" || x.code == "W0911") out.Add(x);
  return out;
}

bool HasJit() { return jit::Available(); }

// ---- Engine

Engine::Engine(const CatalogueOptions& opts)
    : catalogue_(runtime::Catalogue::Discover(SearchPath(opts), diags_)), installed_cache_(InstalledCacheDir(opts)) {}

std::shared_ptr<const RuleSet> Engine::Compile(const std::vector<std::string>& standards,
                                               const CompileOptions& o) const {
  std::shared_ptr<RuleSet> rs = CompileFront(standards, o);
  CompileNative({rs.get()}, o);
  return rs;
}

std::vector<std::shared_ptr<const RuleSet>> Engine::CompileEach(const std::vector<std::vector<std::string>>& sets,
                                                                const CompileOptions& o) const {
  std::vector<std::shared_ptr<RuleSet>> all;
  std::vector<RuleSet*> ptrs;
  for (const auto& s : sets) {
    all.push_back(CompileFront(s, o));
    ptrs.push_back(all.back().get());
  }
  CompileNative(ptrs, o);
  return {all.begin(), all.end()};
}

std::shared_ptr<RuleSet> Engine::CompileFront(const std::vector<std::string>& standards, const CompileOptions& o) const {
  auto t_start = std::chrono::steady_clock::now();
  auto rs = std::make_shared<RuleSet>();
  RuleSet& r = *rs;
  r.engine_ = o.engine == runtime::Engine::Jit && HasJit() ? runtime::Engine::Jit : runtime::Engine::Interp;
  r.session_ = std::make_unique<Session>(catalogue_.dirs());
  Session& session = *r.session_;
  int64_t as_of = o.as_of ? *o.as_of : Today();

  Diagnostics& cat_diags = r.diags_;
  cat_diags.Append(diags_);  // a malformed catalogue stops a check (the user must see it)
  std::vector<const runtime::PluginManifest*> packages;
  if (standards.empty())
    cat_diags.Error("E1201", {}, "no standard to compile", "name at least one standard, e.g. iso9001");
  for (const auto& spec : standards) {
    const runtime::PluginManifest* p = catalogue_.Find(spec, cat_diags, as_of);
    if (!p) continue;
    if (p->kind == "schema") {
      cat_diags.Error("E0602", {}, fmt::format("`{}` is a schema module, not a standard", p->id),
                      "`conform catalogue list` shows the standards");
      continue;
    }
    for (const auto* q : packages)
      if (q->id == p->id)
        cat_diags.Error("E0605", {}, fmt::format("`{}` is named twice ({} and {})", p->id, q->edition, p->edition),
                        "check one edition of a standard at a time");
    packages.push_back(p);
  }
  if (cat_diags.HasErrors()) return rs;
  // Extensions of one base standard form one program (and one report).
  std::vector<std::vector<const runtime::PluginManifest*>> groups = catalogue_.GroupByBase(packages);
  for (const auto& g : groups) {
    r.packages_.push_back(*g.front());
    std::vector<runtime::PluginManifest> layers;
    for (const auto* member : g)
      for (const auto* q = member; q; q = catalogue_.BaseOf(*q))
        if (std::none_of(layers.begin(), layers.end(), [&](const runtime::PluginManifest& l) { return l.id == q->id; }))
          layers.push_back(*q);
    r.layers_.push_back(std::move(layers));
  }
  // Schema modules (core, certification …) are additive and optional: loading them all lets
  // one evidence file carry, say, its certification history without a warning.
  std::vector<const runtime::PluginManifest*> roots = catalogue_.WithSchemaModules(packages);
  // A warm run reloads the checked programs from the compiled-program cache (keyed by every
  // source file) instead of parsing and checking the catalogue again.
  std::vector<const runtime::PluginManifest*> closure;
  std::string fingerprint, bundle_path;
  bool use_cache = o.use_cache;
  // A closure that cannot be resolved (E0604–E0609) is reported here once: Load below would
  // report the same errors a second time.
  if (use_cache && !catalogue_.Resolve(roots, cat_diags, closure)) return rs;
  if (use_cache) {
    std::vector<std::string> ids, files;
    for (const auto* pkg : packages) ids.push_back(pkg->id);
    for (const auto* pkg : closure) {
      std::vector<std::string> mine;
      std::error_code ec;
      for (const auto& e : fs::directory_iterator(pkg->dir, ec))
        if (e.path().extension() == ".clause") mine.push_back(e.path().string());
      std::sort(mine.begin(), mine.end());
      files.insert(files.end(), mine.begin(), mine.end());
      // The manifest too: its `language` decides what the sources may use (E0210) and mean.
      if (!pkg->manifest.empty()) files.push_back(pkg->manifest);
    }
    fingerprint = SourceFingerprint(ids, files);
    std::string dir = CacheDir(o.cache_dir), why;
    if (!dir.empty() && !cache::CheckDir(dir, /*create=*/true, why)) {
      // A folder other users can write: its entries could change verdicts or run code here.
      r.diags_.Warning("W0910", {}, fmt::format("not using the cache: {}", why),
                       "make the folder private (chmod 700) or choose another with --cache-dir");
      use_cache = false;
    } else if (!fingerprint.empty() && !dir.empty()) {
      bundle_path = (fs::path(dir) / BundleFileName(fingerprint)).string();
      r.native_stamp_ = (fs::path(dir) / fmt::format("native-{}.ok", cache::Sha256Hex(fmt::format("{}\nopt {}", fingerprint,
                                                                                                   o.opt_level)).substr(0, 32))).string();
      // The user's cache first, then the installed layer (read-only, verified the same way).
      std::string installed = installed_cache_;
      if (!installed.empty() && !cache::CheckDir(installed, /*create=*/false, why)) {
        r.diags_.Warning("W0910", {}, fmt::format("not using the installed cache: {}", why),
                         "reinstall conform, or set CONFORM_INSTALL_CACHE=0");
        installed.clear();
      }
      r.installed_cache_ = installed;
      for (const std::string& from : {bundle_path, installed.empty() ? std::string() : (fs::path(installed) / BundleFileName(fingerprint)).string()}) {
        if (from.empty() || !r.programs_.empty()) continue;
        std::string problem;
        if (auto bundle = LoadBundle(from, fingerprint, &problem)) {
          r.timings_.front_cached = true;
          r.timings_.front_installed = from != bundle_path;
          r.programs_ = bundle->programs;
          r.schema_ = bundle->schema;
          r.literals_ = bundle->literals;
        } else if (!problem.empty()) {
          ++r.timings_.damaged_entries;
          r.diags_.Warning("W0911", {}, fmt::format("ignored a damaged compiled-program cache entry {}: {}", from, problem),
                           from == bundle_path ? "nothing to do: the rules are compiled again and the entry rewritten"
                                               : "nothing to do: the rules are compiled again into your cache; "
                                                 "reinstall conform to repair its installed cache");
        }
      }
    }
  }
  if (r.programs_.empty()) {
    catalogue_.Load(session, roots, cat_diags);
    if (cat_diags.HasErrors()) return rs;
    if (!session.diags().HasErrors()) {
      session.Schema();
      for (const auto& group : groups) {
        const auto* pkg = group.front();
        std::vector<std::string> ids;
        for (const auto* g : group) ids.push_back(g->id);
        auto p = ids.size() == 1 ? session.Compile(pkg->id) : session.CompileSelection(ids);
        if (!p) {
          if (!session.diags().HasErrors())
            session.diags().Error("E0603", {}, fmt::format("package `{}` declares no standard `{}`", pkg->id, pkg->id),
                                  fmt::format("add `standard {} \"…\" {{ … }}` to {}", pkg->id, pkg->dir));
          continue;
        }
        r.programs_.push_back(p);
      }
    }
    r.diags_.Append(session.diags());
    if (session.diags().HasErrors()) {
      r.programs_.clear();
      return rs;
    }
    r.schema_ = session.Schema();
    r.literals_ = session.literals();
    // A rule set with warnings is not cached, so `conform check` shows them on every run.
    if (!bundle_path.empty() && session.diags().empty()) SaveBundle(bundle_path, fingerprint, CompiledBundle{r.schema_, r.literals_, r.programs_});
  }
  r.timings_.front_ms = Since(t_start);
  r.use_cache_ = use_cache;
  r.front_ok_ = true;
  return rs;
}

namespace {

// One program's native code, compiled by RunNativeJobs.
struct NativeJob {
  std::shared_ptr<const ir::Program> program;
  jit::JitOptions options;
  Diagnostics diags;
  std::unique_ptr<jit::CompiledProgram> native;
};

// On a bounded pool: up to one program per core in flight, their parts compiled by the JIT's own
// thread pool (one per core).
void RunNativeJobs(std::vector<NativeJob>& jobs) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t k; (k = next++) < jobs.size();) jobs[k].native = jit::Compile(jobs[k].program, jobs[k].options, jobs[k].diags);
  };
  size_t workers = std::min<size_t>(jobs.size(), std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> pool;
  for (size_t w = 1; w < workers; ++w) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

jit::JitOptions NativeOptions(bool use_cache, const std::string& installed, const CompileOptions& o) {
  jit::JitOptions jo;
  jo.use_cache = use_cache;
  jo.cache_dir = o.cache_dir;
  jo.installed_cache_dir = installed;
  jo.opt_level = o.opt_level;
  return jo;
}

}  // namespace

// The native code of every program of `sets` (front ends done).
void Engine::CompileNative(const std::vector<RuleSet*>& sets, const CompileOptions& o) const {
  std::vector<NativeJob> jobs;
  std::vector<std::pair<RuleSet*, size_t>> owner;
  for (RuleSet* r : sets)
    if (r->front_ok_ && r->engine_ == runtime::Engine::Jit)
      for (size_t i = 0; i < r->programs_.size(); ++i) {
        jobs.push_back(NativeJob{r->programs_[i], NativeOptions(r->use_cache_, r->installed_cache_, o), {}, nullptr});
        owner.emplace_back(r, i);
      }
  auto t_jit = std::chrono::steady_clock::now();
  RunNativeJobs(jobs);
  double native_ms = Since(t_jit);
  for (RuleSet* r : sets) r->natives_.resize(r->front_ok_ && r->engine_ == runtime::Engine::Jit ? r->programs_.size() : 0);
  for (size_t k = 0; k < jobs.size(); ++k) {
    NativeJob& j = jobs[k];
    RuleSet* r = owner[k].first;
    r->diags_.Append(j.diags);
    if (j.native && j.native->stats().damaged) ++r->timings_.damaged_entries;
    r->natives_[owner[k].second] = std::move(j.native);
  }
  for (RuleSet* r : sets) {
    if (!r->front_ok_) continue;
    if (std::any_of(r->natives_.begin(), r->natives_.end(), [](const auto& n) { return !n; })) {
      r->natives_.clear();
      continue;
    }
    r->timings_.native_ms = r->engine_ == runtime::Engine::Jit ? native_ms : 0;
    r->ok_ = true;
    if (r->engine_ == runtime::Engine::Jit && !r->native_stamp_.empty() && !r->NativeCached())
      cache::WriteFile(r->native_stamp_, "native code of this rule set is in the object cache\n");
  }
}

std::vector<std::unique_ptr<jit::CompiledProgram>> Engine::CompileNativeFor(const RuleSet& rules, const CompileOptions& o,
                                                                            Diagnostics& diags) const {
  std::vector<std::unique_ptr<jit::CompiledProgram>> out;
  if (!rules.ok_ || !HasJit()) return out;
  std::vector<NativeJob> jobs;
  for (const auto& p : rules.programs_)
    jobs.push_back(NativeJob{p, NativeOptions(rules.use_cache_, rules.installed_cache_, o), {}, nullptr});
  RunNativeJobs(jobs);
  for (NativeJob& j : jobs) {
    diags.Append(j.diags);
    if (!j.native) return {};
    out.push_back(std::move(j.native));
  }
  if (!rules.native_stamp_.empty() && !rules.NativeCached())
    cache::WriteFile(rules.native_stamp_, "native code of this rule set is in the object cache\n");
  return out;
}

// ---- RuleSet

bool RuleSet::NativeCached() const {
  std::error_code ec;
  if (native_stamp_.empty()) return false;
  if (fs::is_regular_file(native_stamp_, ec)) return true;
  return !installed_cache_.empty() && fs::is_regular_file(fs::path(installed_cache_) / fs::path(native_stamp_).filename(), ec);
}

runtime::LoadOptions RuleSet::WithPlan(const runtime::LoadOptions& opts) const {
  runtime::LoadOptions o = opts;
  if (o.keep_positions || o.json_plan || o.format == runtime::EvidenceFormat::Yaml || !schema_) return o;
  std::call_once(plan_once_, [&] { json_plan_ = runtime::MakeJsonPlan(*schema_); });
  o.json_plan = json_plan_.get();
  return o;
}

std::unique_ptr<Evidence> RuleSet::LoadText(const std::string& name, std::string text,
                                           const runtime::LoadOptions& opts) const {
  auto ev = std::make_unique<Evidence>();
  ev->path_ = name;
  if (!ok_) {
    ev->diags_.Error("E1202", {}, "the rule set did not compile", "fix the compile errors first");
    return ev;
  }
  ev->doc_ = runtime::LoadEvidence(name, std::move(text), *schema_, literals_.get(), ev->sm_, ev->diags_, WithPlan(opts));
  return ev;
}

std::unique_ptr<Evidence> RuleSet::LoadFile(const std::string& path, const runtime::LoadOptions& opts) const {
  auto ev = std::make_unique<Evidence>();
  ev->path_ = path;
  if (!ok_) {
    ev->diags_.Error("E1202", {}, "the rule set did not compile", "fix the compile errors first");
    return ev;
  }
  ev->doc_ = runtime::LoadEvidenceFile(path, *schema_, literals_.get(), ev->sm_, ev->diags_, WithPlan(opts));
  return ev;
}

Evaluation RuleSet::Evaluate(Evidence& ev, int64_t as_of, const std::vector<runtime::ParamOverride>& params,
                             bool explain) const {
  auto t0 = std::chrono::steady_clock::now();
  Evaluation out;
  out.as_of = as_of;
  out.engine = engine_;
  out.evidence = &ev;
  if (!ok_ || !ev.ok()) {
    out.diags.Error("E1203", {}, fmt::format("evidence `{}` is not loaded", ev.path()),
                    "evaluate evidence that loaded without errors, from the same rule set");
    return out;
  }
  std::lock_guard<std::mutex> lock(ev.mu_);
  runtime::Document& doc = *ev.doc_;
  std::vector<runtime::ParamOverride> overrides = doc.parameters();
  overrides.insert(overrides.end(), params.begin(), params.end());
  out.params.reserve(programs_.size());
  for (size_t i = 0; i < programs_.size(); ++i) {
    const ir::Program& p = *programs_[i];
    out.params.push_back(runtime::ResolveParameters(p, overrides, doc.strings(), ev.sm_, out.diags));
    if (out.diags.HasErrors()) continue;
    out.reports.push_back(runtime::Evaluate(p, doc, as_of, out.params.back(), engine_, explain,
                                            natives_.empty() ? nullptr : natives_[i].get()));
    // Every layer's edition counts: an extension on a withdrawn edition of its base is no better.
    for (const runtime::PluginManifest& pkg : layers_[i]) {
      if (pkg.withdrawn && *pkg.withdrawn <= as_of) {
        auto& w = out.diags.Warning("W0601", {}, fmt::format("{} edition {} was withdrawn on {}", pkg.id, pkg.edition,
                                                             cal::FormatDate(*pkg.withdrawn)),
                                    "certificates to a withdrawn edition are no longer issued; check the current edition");
        out.reports.back().warnings.push_back(w);
      } else if (pkg.transition_end && *pkg.transition_end <= as_of) {
        auto& w = out.diags.Warning("W0602", {}, fmt::format("{} edition {} is past its transition end ({})", pkg.id,
                                                             pkg.edition, cal::FormatDate(*pkg.transition_end)),
                                    "certificates to this edition are no longer valid; move to the current edition");
        out.reports.back().warnings.push_back(w);
      }
    }
  }
  out.ok = !out.diags.HasErrors();
  if (!out.ok) out.reports.clear();
  out.ms = Since(t0);
  return out;
}

runtime::BatchJob RuleSet::BatchJob(int64_t as_of, const std::vector<runtime::ParamOverride>& params,
                                    unsigned threads) const {
  runtime::BatchJob job;
  job.overrides = params;
  job.programs = programs_;
  for (const auto& n : natives_) job.natives.push_back(n.get());
  job.schema = schema_.get();
  job.literals = literals_.get();
  job.as_of = as_of;
  job.engine = engine_;
  job.threads = threads;
  job.explain = false;
  return job;
}

// ---- Evaluation

bool Evaluation::AcceptDeviations(const std::string& path, SourceManager& sm, Diagnostics& diags) {
  runtime::Assessment a = Assess(nullptr, runtime::BuildOptions{false});
  size_t errors = diags.ErrorCount();
  std::vector<runtime::Deviation> accepted = runtime::LoadDeviations(path, a, sm, diags);
  if (diags.ErrorCount() > errors) return false;
  runtime::ApplyDeviations(a, accepted, &diags);  // W1102 for an entry with nothing to accept
  deviations.insert(deviations.end(), accepted.begin(), accepted.end());
  return true;
}

runtime::Assessment Evaluation::Assess(runtime::Document* doc, const runtime::BuildOptions& bo) const {
  runtime::Assessment a = runtime::BuildAssessment(reports, Info(), doc, bo);
  runtime::ApplyDeviations(a, deviations, nullptr);
  return a;
}

bool Evaluation::Conforms() const {
  if (!ok) return false;
  return Assess(nullptr, runtime::BuildOptions{false}).OpenGaps() == 0;
}

runtime::RunInfo Evaluation::Info() const {
  return runtime::RunInfo{evidence ? evidence->path() : std::string(), as_of, engine, kVersion};
}

std::vector<runtime::EvidenceUse> Evaluation::EvidenceMap() const {
  std::vector<const ir::Program*> ps;
  std::vector<const ParamValues*> pvs;
  for (size_t i = 0; i < reports.size(); ++i) {
    ps.push_back(reports[i].program);
    pvs.push_back(&params[i]);
  }
  std::lock_guard<std::mutex> lock(evidence->mu_);
  return runtime::EvidenceUsage(ps, *evidence->doc_, as_of, pvs);
}

}  // namespace conform::embed
