// `conform check EVIDENCE --standard ID …`: evaluate an organization's evidence.
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "commands.h"
#include "common.h"
#include "output.h"
#include "conform/compiler/calendar.h"
#include "conform/embed/engine.h"
#include "conform/runtime/results.h"

namespace conform::cli {
namespace {

struct CheckOptions {
  std::string evidence;
  std::vector<std::string> standards;
  std::string as_of = "today";
  std::string format = "text";
  bool format_given = false;
  std::vector<std::string> outputs;  // FORMAT=PATH
  std::string deviations;            // accepted deviations (YAML)
  std::string engine = "auto";
  std::string cache_dir;
  bool no_cache = false;
  int opt_level = 2;
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
  size_t max_evidence_bytes = size_t{256} << 20;
  size_t max_batch_bytes = size_t{256} << 20;
};


// FORMAT=PATH (checked by the option's validator).
std::pair<runtime::Format, std::string> ParseOutput(const std::string& spec) {
  size_t eq = spec.find('=');
  return {*runtime::ParseFormat(spec.substr(0, eq)), spec.substr(eq + 1)};
}

// --engine auto: evidence of one organization at least this large is evaluated natively
// (compiled first, or loaded from the object cache); smaller evidence is evaluated by the
// interpreter, which costs less than loading LLVM (docs/performance.md, "Cold start").
constexpr uintmax_t kAutoNativeBytes = uintmax_t{16} << 20;

double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

std::vector<runtime::ParamOverride> CliParams(const CheckOptions& o, bool& ok) {
  std::vector<runtime::ParamOverride> out;
  ok = true;
  for (const auto& kv : o.params) {
    auto po = embed::ParseParam(kv);
    if (!po) {
      UsageError(fmt::format("invalid --param `{}`", kv),
                 "write --param name=value, e.g. --param iso9001.audit_interval=\"6 months\"");
      ok = false;
      return out;
    }
    out.push_back(*po);
  }
  return out;
}

// `handoff_from`: --engine auto's batch, front end compiled for the interpreter; its native code
// is loaded before the batch starts when the cache has it, else compiled on a thread while the
// interpreter evaluates the first lines, and used from the line after it lands (the records are
// the same either way). The run waits for that compile at the end, so the cache is filled.
int RunBatchMode(const CheckOptions& o, const embed::RuleSet& rules, int64_t as_of,
                 std::chrono::steady_clock::time_point t_start, const embed::Engine* handoff_from,
                 const embed::CompileOptions& copts) {
  bool ok = true;
  std::vector<runtime::ParamOverride> params = CliParams(o, ok);
  if (!ok) return 2;
  runtime::BatchJob job = rules.BatchJob(as_of, params, o.threads);
  // Declared before the compile thread, which is joined (std::jthread) before they go.
  std::vector<std::unique_ptr<jit::CompiledProgram>> natives;
  Diagnostics native_diags;
  auto handoff = std::make_shared<runtime::NativeHandoff>();
  double ready_ms = -1;
  auto compile = [&] {
    natives = handoff_from->CompileNativeFor(rules, copts, native_diags);
    for (const auto& n : natives) handoff->natives.push_back(n.get());
    ready_ms = Since(t_start);
    handoff->ready.store(!natives.empty(), std::memory_order_release);
  };
  std::jthread compiler;
  job.source_name = o.batch;
  job.max_line_bytes = o.max_evidence_bytes;
  job.max_bytes_in_flight = o.max_batch_bytes;
  std::ifstream file;
  std::istream* in = &std::cin;
  if (o.batch != "-") {
    std::error_code ec;
    if (std::filesystem::is_directory(o.batch, ec) || !(file.open(o.batch), file)) {
      Diagnostics d;
      auto& x = d.Error("E0701", {}, fmt::format("cannot read batch file `{}`", o.batch), "check the path");
      x.path = o.batch;
      PrintDiagnostics(d, rules.sources());
      return 2;
    }
    in = &file;
  }
  if (handoff_from) {  // once the input is open: an unreadable batch file exits at once
    job.handoff = handoff;
    if (rules.NativeCached()) compile();  // in the cache: loaded in milliseconds, every line native
    else compiler = std::jthread(compile);
  }
  std::ios::sync_with_stdio(false);
  runtime::BatchStats st = runtime::RunBatch(*in, std::cout, job);
  if (int err = FlushStdout(); st.output_failed || err) return OutputFailure(err);
  double output_ms = Since(t_start);
  if (compiler.joinable()) compiler.join();  // the output is complete; the compile fills the cache
  PrintDiagnostics(embed::CacheWarnings(native_diags), rules.sources());
  if (o.timings) {
    fmt::print(stderr, "batch: {} lines, {} evaluated, {} errors in {:.3f} s ({:.0f} organizations/s); total {:.1f} ms\n",
               st.lines, st.ok, st.errors, st.seconds, st.seconds > 0 ? st.ok / st.seconds : 0.0, Since(t_start));
    if (handoff_from)
      fmt::print(stderr, "batch engine: {} of {} organizations by native code{}; output complete {:.1f} ms after the start\n",
                 st.native_lines, st.ok, ready_ms < 0 ? std::string() : fmt::format(" (ready {:.1f} ms after the start)", ready_ms),
                 output_ms);
  }
  if (st.errors) return 2;
  return st.not_conforming ? 1 : 0;
}

int RunCheck(const CheckOptions& o) {
  auto t_start = std::chrono::steady_clock::now();
  if (o.evidence.empty() == o.batch.empty())
    return UsageError("give either an evidence file or --batch FILE.ndjson", "e.g. conform check org.yaml --standard iso9001");
  if (!o.batch.empty() && !o.deviations.empty())
    return UsageError("--deviations cannot be used with --batch",
                      "a deviations file records one organization's accepted gaps (its approver and justification); "
                      "check that organization alone: conform check ORG.yaml --deviations FILE");
  auto as_of = embed::ParseAsOf(o.as_of);
  if (!as_of) return UsageError(fmt::format("invalid --as-of `{}`", o.as_of), "write a date as YYYY-MM-DD, or `today`");

  embed::CatalogueOptions co;
  co.plugin_dirs = o.plugin_dirs;
  embed::Engine engine(co);
  embed::CompileOptions opts;
  // The engine policy (docs/performance.md, "Cold start"): `auto` runs a batch natively and one
  // organization with the interpreter unless its evidence is large; `jit` and `interp` force.
  std::string why_engine = "asked for";
  bool native = o.engine == "jit";
  if (o.engine == "auto") {
    std::error_code ec;
    uintmax_t bytes = o.batch.empty() ? std::filesystem::file_size(o.evidence, ec) : 0;
    if (ec) bytes = 0;
    native = !o.batch.empty() || bytes >= kAutoNativeBytes;
    why_engine = !o.batch.empty() ? "auto: a batch, with the interpreter until native code is ready"
                 : native       ? fmt::format("auto: evidence of {} bytes", bytes)
                                : fmt::format("auto: one organization, evidence of {} bytes", bytes);
  }
  // A batch under auto: front end only here; RunBatchMode brings in the native code.
  const bool batch_handoff = o.engine == "auto" && !o.batch.empty() && jit::InThisBuild();
  opts.engine = native && !batch_handoff ? runtime::Engine::Jit : runtime::Engine::Interp;
  opts.opt_level = o.opt_level;
  opts.use_cache = !o.no_cache;
  opts.cache_dir = o.cache_dir;
  opts.as_of = *as_of;
  std::shared_ptr<const embed::RuleSet> rules = engine.Compile(o.standards, opts);
  if (!rules->ok()) {
    PrintDiagnostics(embed::ErrorsOnly(rules->diags()), rules->sources());
    return 2;
  }
  // The rule set's warnings (W0401 …), once per run; --quiet keeps only the cache's.
  PrintDiagnostics(o.quiet ? embed::CacheWarnings(rules->diags()) : rules->diags(), rules->sources());
  if ((opts.engine == runtime::Engine::Jit && rules->engine() == runtime::Engine::Interp) ||
      (batch_handoff && !embed::HasJit())) {
    // A build with the native engine whose module (libconform_jit.so) cannot be loaded.
    if (std::string why = jit::UnavailableReason(); !why.empty())
      fmt::print(stderr, "note: evaluating with the interpreter (same verdicts): the native engine is not available: {}\n", why);
  }
  // auto chose the interpreter: compile the native code for next time in a detached process,
  // unless it is in the cache already (or the cache is off). This run never waits for LLVM.
  const char* no_bg = std::getenv("CONFORM_NO_BACKGROUND_COMPILE");
  bool background = o.engine == "auto" && !native && opts.use_cache && jit::InThisBuild() &&
                    !(no_bg && *no_bg && std::string(no_bg) != "0") && !rules->NativeCached() &&
                    StartBackgroundWarm(o.standards, o.plugin_dirs, o.cache_dir, cal::FormatDate(*as_of), o.opt_level);
  double t_native = rules->timings().native_ms;
  double t_front = Since(t_start) - t_native;
  if (!o.batch.empty())
    return RunBatchMode(o, *rules, *as_of, t_start, batch_handoff && embed::HasJit() ? &engine : nullptr, opts);

  auto t_load = std::chrono::steady_clock::now();
  runtime::LoadOptions lo;
  lo.unknown_fields_are_errors = o.strict;
  lo.max_bytes = o.max_evidence_bytes;
  lo.keep_positions = true;  // evidence lines in reports (SARIF regions, HTML, text)
  std::unique_ptr<embed::Evidence> evidence = rules->LoadFile(o.evidence, lo);
  if (!evidence->ok()) {
    PrintDiagnostics(evidence->diags(), evidence->sources());
    return 2;
  }
  bool params_ok = true;
  std::vector<runtime::ParamOverride> params = CliParams(o, params_ok);
  if (!params_ok) return 2;
  double t_loaded = Since(t_load);
  Diagnostics all = evidence->diags();  // loading warnings (W0701 …) come first
  embed::Evaluation ev = rules->Evaluate(*evidence, *as_of, params, !o.no_explain);
  all.Append(ev.diags);
  PrintDiagnostics(all, evidence->sources());
  if (!ev.ok) return 2;

  if (!o.deviations.empty()) {
    SourceManager dsm;
    Diagnostics dd;
    bool accepted = ev.AcceptDeviations(o.deviations, dsm, dd);
    PrintDiagnostics(dd, dsm);
    if (!accepted) return 2;
  }
  runtime::Assessment assessment = ev.Assess(evidence->document());
  if (o.evidence_map) {
    assessment.evidence_usage = ev.EvidenceMap();
    assessment.has_evidence_usage = true;
  }
  runtime::TextOptions to;
  to.color = o.color == "always" || (o.color == "auto" && StdoutIsColor());
  to.show_conforming = !o.quiet;
  to.explain = !o.no_explain;
  // Every format from the one evaluation: --format to stdout, each --output to its file.
  std::vector<std::pair<runtime::Format, std::string>> targets;
  if (o.outputs.empty() || o.format_given) targets.emplace_back(*runtime::ParseFormat(o.format), "-");
  for (const auto& spec : o.outputs) targets.push_back(ParseOutput(spec));
  for (const auto& [format, path] : targets) {
    runtime::TextOptions fo = to;
    if (path != "-") fo.color = false;
    std::string error;
    if (!runtime::WriteReport(format, assessment, fo, path, error)) {
      fmt::print(stderr, "error: {}\n", error);
      return 2;
    }
    if (format == runtime::Format::Text && path == "-" && o.evidence_map)
      fmt::print("{}", runtime::RenderEvidenceText(assessment.evidence_usage, to.color));
  }
  if (o.timings) {
    fmt::print(stderr, "timings: front end {:.1f} ms{}, native code {:.1f} ms, evidence {:.1f} ms, evaluation {:.1f} ms, total {:.1f} ms\n",
               t_front,
               rules->timings().front_installed ? " (compiled-program cache hit, installed layer)"
               : rules->timings().front_cached  ? " (compiled-program cache hit)"
                                                : "",
               t_native, t_loaded, ev.ms,
               Since(t_start));
    fmt::print(stderr, "cache: {} damaged entries ignored\n", rules->timings().damaged_entries);
    fmt::print(stderr, "engine: {} ({}){}\n", rules->engine() == runtime::Engine::Jit ? "jit" : "interp", why_engine,
               background ? "; native code compiling in the background for next time" : "");
    for (const auto& n : rules->natives()) {
      const auto& st = n->stats();
      fmt::print(stderr, "jit {}: cache {}, codegen {:.1f} ms, optimise+compile {:.1f} ms, load {:.1f} ms, object {} bytes\n",
                 n->program().standard,
                 st.memory_hit      ? "memory hit"
                 : st.installed_hit ? "disk hit (installed layer)"
                 : st.disk_hit      ? "disk hit"
                                    : "miss",
                 st.codegen_ms,
                 st.compile_ms, st.link_ms, st.object_bytes);
    }
  }
  return ev.Conforms() ? 0 : 1;  // = Report::conforms() of the embedding API
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
  cmd->add_option("-f,--format", o->format, "output format on stdout: text, json, html, junit, sarif, oscal, csv, md")
      ->check(CLI::IsMember({"text", "json", "html", "junit", "sarif", "oscal", "csv", "md"}))
      ->capture_default_str()
      ->each([o](const std::string&) { o->format_given = true; });
  cmd->add_option("-o,--output", o->outputs,
                  "also write FORMAT=PATH (repeatable; formats: text json html junit sarif oscal csv xlsx md)")
      ->allow_extra_args(false)
      ->check([](const std::string& v) -> std::string {
        size_t eq = v.find('=');
        if (eq == std::string::npos || eq + 1 == v.size() || !runtime::ParseFormat(v.substr(0, eq)))
          return "write FORMAT=PATH with FORMAT one of text json html junit sarif oscal csv xlsx md, e.g. html=report.html";
        return {};
      });
  cmd->add_option("--engine", o->engine,
                  "evaluation engine: auto (default: large evidence natively; one organization with the interpreter while "
                  "native code compiles in the background; a batch with the interpreter until its native code is compiled, "
                  "then natively), jit (native code) or interp (reference)")
      ->check(CLI::IsMember({"auto", "jit", "interp"}))
      ->capture_default_str();
  cmd->add_option("--cache-dir", o->cache_dir, "object cache folder (default: $XDG_CACHE_HOME/conform)");
  cmd->add_flag("--no-cache", o->no_cache, "do not read or write the object cache");
  cmd->add_option("--opt-level", o->opt_level, "native code: LLVM optimisation level 0-3 (docs/performance.md)")
      ->check(CLI::Range(0, 3))
      ->capture_default_str();
  cmd->add_flag("--timings", o->timings, "print the time of each phase to stderr");
  cmd->add_flag("--evidence-map", o->evidence_map,
                "report which pieces of evidence served which clauses of which standards");
  cmd->add_option("--deviations", o->deviations,
                  "accepted deviations (YAML: requirement, justification, approver, accepted_until); reported as accepted");
  cmd->add_option("--param", o->params, "override a parameter: name=value (repeatable)")->allow_extra_args(false);
  cmd->add_option("--plugin-dir", o->plugin_dirs, "extra catalogue folder (repeatable)")->allow_extra_args(false);
  cmd->add_flag("--strict", o->strict, "treat unknown evidence fields as errors");
  cmd->add_flag("-q,--quiet", o->quiet, "text output: hide conforming requirements; no rule-set warnings");
  cmd->add_flag("--no-explain", o->no_explain, "do not print the values that decided each verdict");
  cmd->add_option("--color", o->color, "auto, always or never")->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_option("--max-evidence-bytes", o->max_evidence_bytes,
                  "largest evidence file, and longest batch line, accepted (default 268435456 = 256 MiB)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-batch-bytes", o->max_batch_bytes,
                  "batch: input bytes evaluated at once, bounding memory (default 268435456 = 256 MiB)")
      ->check(CLI::PositiveNumber);
  cmd->callback([o, &run] { run = [o] { return RunCheck(*o); }; });
}

}  // namespace conform::cli
