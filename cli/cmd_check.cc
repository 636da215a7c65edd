// `conform check EVIDENCE --standard ID …`: evaluate an organization's evidence.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "commands.h"
#include "common.h"
#include "conform/compiler/calendar.h"
#include "conform/compiler/driver.h"
#include "conform/compiler/ir_cache.h"
#include "conform/runtime/batch.h"
#include "conform/runtime/catalogue.h"
#include "conform/runtime/evidence.h"
#include "conform/runtime/report.h"

namespace conform::cli {
namespace {

struct CheckOptions {
  std::string evidence;
  std::vector<std::string> standards;
  std::string as_of = "today";
  std::string format = "text";
  std::string engine = "jit";
  std::string cache_dir;
  bool no_cache = false;
  bool timings = false;
  bool evidence_map = false;
  std::string batch;
  unsigned threads = 0;
  std::vector<std::string> params;
  std::vector<std::string> plugin_dirs;
  bool strict = false;
  bool quiet = false;
  bool no_explain = false;
  std::string color = "auto";
};


double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

std::vector<runtime::ParamOverride> CliParams(const CheckOptions& o, bool& ok) {
  std::vector<runtime::ParamOverride> out;
  ok = true;
  for (const auto& kv : o.params) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      UsageError(fmt::format("invalid --param `{}`", kv),
                 "write --param name=value, e.g. --param iso9001.audit_interval=\"6 months\"");
      ok = false;
      return out;
    }
    runtime::ParamOverride po;
    po.name = kv.substr(0, eq);
    po.text = kv.substr(eq + 1);
    po.data_path = "--param " + po.name;
    out.push_back(po);
  }
  return out;
}

int RunBatchMode(const CheckOptions& o, Session& session, const SchemaModel& schema, const StringPool& literals,
                 const std::vector<std::shared_ptr<ir::Program>>& programs,
                 const std::vector<std::unique_ptr<jit::CompiledProgram>>& natives, int64_t as_of,
                 runtime::Engine engine, std::chrono::steady_clock::time_point t_start) {
  bool ok = true;
  runtime::BatchJob job;
  job.overrides = CliParams(o, ok);
  if (!ok) return 2;
  job.programs = programs;
  for (const auto& n : natives) job.natives.push_back(n.get());
  job.schema = &schema;
  job.literals = &literals;
  job.as_of = as_of;
  job.engine = engine;
  job.threads = o.threads;
  job.explain = false;
  job.source_name = o.batch;
  std::ifstream file;
  std::istream* in = &std::cin;
  if (o.batch != "-") {
    std::string err;
    std::error_code ec;
    if (std::filesystem::is_directory(o.batch, ec) || !(file.open(o.batch), file)) {
      Diagnostics d;
      auto& x = d.Error("E0701", {}, fmt::format("cannot read batch file `{}`", o.batch), "check the path");
      x.path = o.batch;
      PrintDiagnostics(d, session.sources());
      return 2;
    }
    in = &file;
  }
  std::ios::sync_with_stdio(false);
  runtime::BatchStats st = runtime::RunBatch(*in, std::cout, job);
  std::cout.flush();
  if (o.timings)
    fmt::print(stderr, "batch: {} lines, {} evaluated, {} errors in {:.3f} s ({:.0f} organizations/s); total {:.1f} ms\n",
               st.lines, st.ok, st.errors, st.seconds, st.seconds > 0 ? st.ok / st.seconds : 0.0, Since(t_start));
  if (st.errors) return 2;
  return st.not_conforming ? 1 : 0;
}

std::vector<runtime::EvidenceUse> EvidenceMap(const std::vector<std::shared_ptr<ir::Program>>& programs,
                                              runtime::Document& doc, int64_t as_of, const std::vector<ParamValues>& params) {
  std::vector<const ir::Program*> ps;
  std::vector<const ParamValues*> pvs;
  for (size_t i = 0; i < programs.size(); ++i) {
    ps.push_back(programs[i].get());
    pvs.push_back(&params[i]);
  }
  return runtime::EvidenceUsage(ps, doc, as_of, pvs);
}

int RunCheck(const CheckOptions& o) {
  auto t_start = std::chrono::steady_clock::now();
  if (o.evidence.empty() == o.batch.empty())
    return UsageError("give either an evidence file or --batch FILE.ndjson", "e.g. conform check org.yaml --standard iso9001");
  auto as_of = ParseAsOf(o.as_of);
  if (!as_of) return UsageError(fmt::format("invalid --as-of `{}`", o.as_of), "write a date as YYYY-MM-DD, or `today`");
  runtime::Engine engine = o.engine == "interp" ? runtime::Engine::Interp : runtime::Engine::Jit;

  Diagnostics cat_diags;
  runtime::Catalogue catalogue = runtime::Catalogue::Discover(SearchPath(o.plugin_dirs), cat_diags);
  Session session(catalogue.dirs());
  std::vector<const runtime::PluginManifest*> packages;
  for (const auto& spec : o.standards) {
    const runtime::PluginManifest* p = catalogue.Find(spec, cat_diags, *as_of);
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
  if (cat_diags.HasErrors()) {
    PrintDiagnostics(ErrorsOnly(cat_diags), session.sources());
    return 2;
  }
  // Schema modules (core, certification …) are additive and optional: loading them all lets
  // one evidence file carry, say, its certification history without a warning.
  std::vector<const runtime::PluginManifest*> roots = catalogue.WithSchemaModules(packages);
  // A warm run reloads the checked programs from the compiled-program cache (keyed by every
  // source file) instead of parsing and checking the catalogue again.
  std::vector<std::shared_ptr<ir::Program>> programs;
  std::shared_ptr<const SchemaModel> schema;
  std::shared_ptr<StringPool> literals;
  std::vector<const runtime::PluginManifest*> closure;
  std::string fingerprint, bundle_path;
  bool front_cached = false;
  if (!o.no_cache && catalogue.Resolve(roots, cat_diags, closure)) {
    std::vector<std::string> ids, files;
    for (const auto* pkg : packages) ids.push_back(pkg->id);
    for (const auto* pkg : closure) {
      std::vector<std::string> mine;
      std::error_code ec;
      for (const auto& e : std::filesystem::directory_iterator(pkg->dir, ec))
        if (e.path().extension() == ".clause") mine.push_back(e.path().string());
      std::sort(mine.begin(), mine.end());
      files.insert(files.end(), mine.begin(), mine.end());
    }
    fingerprint = SourceFingerprint(ids, files);
    std::string dir = CacheDir(o.cache_dir);
    if (!fingerprint.empty() && !dir.empty()) {
      bundle_path = fmt::format("{}/ir-{:016x}.bin", dir, std::hash<std::string>{}(fingerprint));
      if (auto bundle = LoadBundle(bundle_path, fingerprint)) {
        front_cached = true;
        programs = bundle->programs;
        schema = bundle->schema;
        literals = bundle->literals;
      }
    }
  }
  if (programs.empty()) {
    catalogue.Load(session, roots, cat_diags);
    if (cat_diags.HasErrors()) {
      PrintDiagnostics(ErrorsOnly(cat_diags), session.sources());
      return 2;
    }
    if (!session.diags().HasErrors()) {
      session.Schema();
      for (const auto* pkg : packages) {
        auto p = session.Compile(pkg->id);
        if (!p) {
          session.diags().Error("E0603", {}, fmt::format("package `{}` declares no standard `{}`", pkg->id, pkg->id),
                                fmt::format("add `standard {} \"…\" {{ … }}` to {}", pkg->id, pkg->dir));
          continue;
        }
        programs.push_back(p);
      }
    }
    if (session.diags().HasErrors()) {
      PrintDiagnostics(ErrorsOnly(session.diags()), session.sources());
      return 2;
    }
    schema = session.Schema();
    literals = session.literals();
    if (!bundle_path.empty()) SaveBundle(bundle_path, fingerprint, CompiledBundle{schema, literals, programs});
  }

  double t_front = Since(t_start);
  auto t_jit = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<jit::CompiledProgram>> natives;
  if (engine == runtime::Engine::Jit) {
    jit::JitOptions jo;
    jo.use_cache = !o.no_cache;
    jo.cache_dir = o.cache_dir;
    for (const auto& p : programs) {
      natives.push_back(jit::Compile(p, jo, session.diags()));
      if (!natives.back()) {
        PrintDiagnostics(ErrorsOnly(session.diags()), session.sources());
        return 2;
      }
    }
  }

  double t_native = Since(t_jit);
  auto t_load = std::chrono::steady_clock::now();
  if (!o.batch.empty()) return RunBatchMode(o, session, *schema, *literals, programs, natives, *as_of, engine, t_start);

  Diagnostics ediags;
  runtime::LoadOptions lo;
  lo.unknown_fields_are_errors = o.strict;
  auto doc = runtime::LoadEvidenceFile(o.evidence, *schema, literals.get(), session.sources(), ediags, lo);
  if (!doc || ediags.HasErrors()) {
    PrintDiagnostics(ediags, session.sources());
    return 2;
  }
  std::vector<runtime::ParamOverride> overrides = doc->parameters();
  bool params_ok = true;
  for (auto& po : CliParams(o, params_ok)) overrides.push_back(po);
  if (!params_ok) return 2;
  double t_loaded = Since(t_load);
  auto t_eval = std::chrono::steady_clock::now();
  std::vector<runtime::StandardReport> reports;
  std::vector<ParamValues> all_params;
  all_params.reserve(programs.size());
  for (size_t i = 0; i < programs.size(); ++i) {
    const auto& p = programs[i];
    all_params.push_back(runtime::ResolveParameters(*p, overrides, doc->strings(), session.sources(), ediags));
    const ParamValues& pv = all_params.back();
    if (ediags.HasErrors()) continue;
    reports.push_back(runtime::Evaluate(*p, *doc, *as_of, pv, engine, !o.no_explain,
                                        natives.empty() ? nullptr : natives[i].get()));
    const runtime::PluginManifest* pkg = packages[i];
    if (pkg->withdrawn && *pkg->withdrawn <= *as_of) {
      auto& w = ediags.Warning("W0601", {}, fmt::format("{} edition {} was withdrawn on {}", pkg->id, pkg->edition,
                                                        cal::FormatDate(*pkg->withdrawn)),
                               "certificates to a withdrawn edition are no longer issued; check the current edition");
      reports.back().warnings.push_back(w);
    } else if (pkg->transition_end && *pkg->transition_end <= *as_of) {
      auto& w = ediags.Warning("W0602", {}, fmt::format("{} edition {} is past its transition end ({})", pkg->id, pkg->edition,
                                                        cal::FormatDate(*pkg->transition_end)),
                               "certificates to this edition are no longer valid; move to the current edition");
      reports.back().warnings.push_back(w);
    }
  }
  PrintDiagnostics(ediags, session.sources());
  if (ediags.HasErrors()) return 2;

  double t_evaluated = Since(t_eval);
  runtime::RunInfo info{o.evidence, *as_of, engine, kVersion};
  if (o.format == "json") {
    std::string usage;
    if (o.evidence_map) usage = runtime::RenderEvidenceJson(EvidenceMap(programs, *doc, *as_of, all_params));
    fmt::print("{}", runtime::RenderJson(reports, info, usage));
  } else {
    runtime::TextOptions to;
    to.color = o.color == "always" || (o.color == "auto" && StdoutIsColor());
    to.show_conforming = !o.quiet;
    to.explain = !o.no_explain;
    for (size_t i = 0; i < reports.size(); ++i) fmt::print("{}{}", i ? "\n" : "", runtime::RenderText(reports[i], info, to));
    if (o.evidence_map) fmt::print("{}", runtime::RenderEvidenceText(EvidenceMap(programs, *doc, *as_of, all_params), to.color));
  }
  if (o.timings) {
    fmt::print(stderr, "timings: front end {:.1f} ms{}, native code {:.1f} ms, evidence {:.1f} ms, evaluation {:.1f} ms, total {:.1f} ms\n",
               t_front, front_cached ? " (compiled-program cache hit)" : "", t_native, t_loaded, t_evaluated, Since(t_start));
    for (const auto& n : natives) {
      const auto& st = n->stats();
      fmt::print(stderr, "jit {}: cache {}, codegen {:.1f} ms, optimise+compile {:.1f} ms, load {:.1f} ms, object {} bytes\n",
                 n->program().standard, st.memory_hit ? "memory hit" : st.disk_hit ? "disk hit" : "miss", st.codegen_ms,
                 st.compile_ms, st.link_ms, st.object_bytes);
    }
  }
  bool all_conform = true;
  for (const auto& r : reports)
    if (r.summary.nonconform || r.summary.not_evidenced) all_conform = false;
  return all_conform ? 0 : 1;
}

}  // namespace

void AddCheck(CLI::App& app, std::function<int()>& run) {
  auto o = std::make_shared<CheckOptions>();
  auto* cmd = app.add_subcommand("check", "Evaluate an organization's evidence against standards");
  cmd->add_option("evidence", o->evidence, "evidence file (YAML or JSON)");
  cmd->add_option("--batch", o->batch, "NDJSON file, one organization per line (`-` for stdin); one JSON result per line");
  cmd->add_option("--threads", o->threads, "batch: worker threads (default: all cores)");
  cmd->add_option("-s,--standard", o->standards, "standard to check against (repeatable), e.g. iso9001")
      ->required()
      ->allow_extra_args(false);
  cmd->add_option("--as-of", o->as_of, "evaluation date YYYY-MM-DD (default: today)");
  cmd->add_option("-f,--format", o->format, "output format: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("--engine", o->engine, "evaluation engine: jit (native code, default) or interp (reference)")
      ->check(CLI::IsMember({"jit", "interp"}))
      ->capture_default_str();
  cmd->add_option("--cache-dir", o->cache_dir, "object cache folder (default: $XDG_CACHE_HOME/conform)");
  cmd->add_flag("--no-cache", o->no_cache, "do not read or write the object cache");
  cmd->add_flag("--timings", o->timings, "print the time of each phase to stderr");
  cmd->add_flag("--evidence-map", o->evidence_map,
                "report which pieces of evidence served which clauses of which standards");
  cmd->add_option("--param", o->params, "override a parameter: name=value (repeatable)")->allow_extra_args(false);
  cmd->add_option("--plugin-dir", o->plugin_dirs, "extra catalogue folder (repeatable)")->allow_extra_args(false);
  cmd->add_flag("--strict", o->strict, "treat unknown evidence fields as errors");
  cmd->add_flag("-q,--quiet", o->quiet, "text output: hide conforming requirements");
  cmd->add_flag("--no-explain", o->no_explain, "do not print the values that decided each verdict");
  cmd->add_option("--color", o->color, "auto, always or never")->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->callback([o, &run] { run = [o] { return RunCheck(*o); }; });
}

}  // namespace conform::cli
