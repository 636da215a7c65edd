// The embedding core: the whole compile-and-cache pipeline (catalogue → checked programs →
// native code), evidence loading and evaluation, with diagnostics as values. The `conform`
// command, the C ABI (conform.h, libconform.so) and the Python module are all written on it.
// Internal to the build: embedders use conform.h or conform.hpp, which expose no IR type.
#pragma once
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "conform/compiler/diagnostics.h"
#include "conform/compiler/driver.h"
#include "conform/compiler/jit.h"
#include "conform/runtime/batch.h"
#include "conform/runtime/catalogue.h"
#include "conform/runtime/evidence.h"
#include "conform/runtime/report.h"
#include "conform/runtime/results.h"

namespace conform::embed {

inline constexpr const char* kVersion = "0.1.0";

// True when this build has the native engine (jit::Available(), CONFORM_WITH_JIT); without it
// every Engine::Jit request is served by the interpreter, with the same verdicts.
bool HasJit();

// Where the catalogue is looked for.
struct CatalogueOptions {
  std::vector<std::string> plugin_dirs;  // first, in order
  bool use_env = true;                   // then $CONFORM_PLUGIN_PATH (colon-separated)
  bool use_installed = true;             // then the installed catalogue (share/conform/standards)
};

// The catalogue folders, in order: plugin_dirs, $CONFORM_PLUGIN_PATH, the catalogue shipped
// next to the executable or library (build tree and installed layouts).
std::vector<std::string> SearchPath(const CatalogueOptions& opts);

// The installed cache layer (docs/caching.md): the catalogue's compiled programs and native
// objects built with Conform (share/conform/cache beside the installed catalogue; in the build
// tree build/share/conform/cache). Read after the user's cache, never written. $CONFORM_INSTALL_CACHE
// overrides: a folder, or `0`/`off`/empty for none. "" when there is none.
std::string InstalledCacheDir(const CatalogueOptions& opts = {});

// YYYY-MM-DD, or "today" (the only place Conform reads the clock).
std::optional<int64_t> ParseAsOf(const std::string& text);
int64_t Today();

// The cache folder: `override`, else $XDG_CACHE_HOME/conform, else ~/.cache/conform ("" if none).
std::string CacheDir(const std::string& override);

// "name=value" → a parameter override (data path "--param name"); nullopt if malformed.
std::optional<runtime::ParamOverride> ParseParam(const std::string& name_value);

// Keeps only the errors: catalogue warnings are for rule authors (`conform compile`), not users.
Diagnostics ErrorsOnly(const Diagnostics& d);
// The cache's warnings (W0910 unsafe folder, W0911 damaged entry) of a compile that succeeded.
Diagnostics CacheWarnings(const Diagnostics& d);

struct CompileOptions {
  runtime::Engine engine = runtime::Engine::Jit;
  bool use_cache = true;     // the compiled-program cache and the object cache
  std::string cache_dir;     // "" : CacheDir("")
  std::optional<int64_t> as_of;  // picks editions current at this date (default: today)
  int opt_level = 2;             // native code: LLVM optimisation level 0-3 (part of the object cache key)
};

struct CompileTimings {
  double front_ms = 0, native_ms = 0;
  bool front_cached = false;  // compiled-program cache hit
  bool front_installed = false;  // … from the installed layer
  int damaged_entries = 0;    // damaged or refused cache entries ignored (W0911), both caches
};

class Evidence;
struct Evaluation;
struct Certification;
struct CertifyOptions;
class RuleSet;
Certification Certify(const RuleSet& rules, Evidence& ev, const CertifyOptions& o);  // certify.h

// Standards compiled together (one schema, one literal pool) with their native code.
// Immutable once built: Evaluate and Batch may be called from many threads at once.
class RuleSet {
 public:
  bool ok() const { return ok_; }
  // Errors and warnings of compilation, rendered against sources().
  const Diagnostics& diags() const { return diags_; }
  const SourceManager& sources() const { return session_->sources(); }
  runtime::Engine engine() const { return engine_; }
  const CompileTimings& timings() const { return timings_; }

  const std::vector<std::shared_ptr<ir::Program>>& programs() const { return programs_; }
  const std::vector<runtime::PluginManifest>& packages() const { return packages_; }  // parallel to programs
  const std::vector<std::unique_ptr<jit::CompiledProgram>>& natives() const { return natives_; }  // empty: interp
  const SchemaModel& schema() const { return *schema_; }
  const StringPool* literals() const { return literals_.get(); }

  // A hint kept in the cache folder (`native-<hash>.ok`, keyed like the compiled-program cache
  // by the standards and every source file): this rule set's native code was compiled into the
  // object cache by an earlier run of the native engine (or `conform cache warm`). False when the
  // cache is off. Only a hint: the object cache verifies its entries itself.
  bool NativeCached() const;

  // Evidence from a file, or from text (`name` labels diagnostics); never null, check ok().
  // JSON without keep_positions takes the batch's fast path (LoadOptions::json_plan, a plan
  // made once per rule set) unless the caller brings its own plan.
  std::unique_ptr<Evidence> LoadFile(const std::string& path, const runtime::LoadOptions& opts = {}) const;
  std::unique_ptr<Evidence> LoadText(const std::string& name, std::string text,
                                     const runtime::LoadOptions& opts = {}) const;

  // Evaluates every standard of the set over `ev` as of `as_of`; `params` come after the
  // evidence's own `parameters:`. Safe from many threads (an Evidence is locked while used).
  Evaluation Evaluate(Evidence& ev, int64_t as_of, const std::vector<runtime::ParamOverride>& params = {},
                      bool explain = true) const;

  // `conform check --batch`: NDJSON in, one JSON record per line out, in input order.
  runtime::BatchJob BatchJob(int64_t as_of, const std::vector<runtime::ParamOverride>& params,
                             unsigned threads) const;

 private:
  friend class Engine;
  bool ok_ = false;
  Diagnostics diags_;
  std::unique_ptr<Session> session_;
  runtime::Engine engine_ = runtime::Engine::Jit;
  CompileTimings timings_;
  std::vector<std::shared_ptr<ir::Program>> programs_;
  std::vector<runtime::PluginManifest> packages_;
  // Parallel to programs_: every package a program is made of (its selected packages and the
  // bases they are built on), whose editions are checked for withdrawal and transition.
  std::vector<std::vector<runtime::PluginManifest>> layers_;
  std::vector<std::unique_ptr<jit::CompiledProgram>> natives_;
  std::shared_ptr<const SchemaModel> schema_;
  std::shared_ptr<StringPool> literals_;
  std::string native_stamp_;  // NativeCached()'s file; "" when uncached
  std::string installed_cache_;  // the installed layer, "" if none (or the cache is off)
  bool use_cache_ = true;     // false with --no-cache or an unsafe cache folder (W0910)
  bool front_ok_ = false;     // programs ready for CompileNative
  // The JSON fast path's plan for schema_, made at the first load that can use it.
  runtime::LoadOptions WithPlan(const runtime::LoadOptions& opts) const;
  mutable std::once_flag plan_once_;
  mutable std::shared_ptr<const runtime::JsonPlan> json_plan_;
};

// One loaded organization, with the diagnostics of loading it (rendered against sources()).
class Evidence {
 public:
  bool ok() const { return doc_ != nullptr && !diags_.HasErrors(); }
  const Diagnostics& diags() const { return diags_; }
  const SourceManager& sources() const { return sm_; }
  const std::string& path() const { return path_; }
  runtime::Document* document() { return doc_.get(); }

 private:
  friend class RuleSet;
  friend struct Evaluation;
  friend Certification Certify(const RuleSet& rules, Evidence& ev, const CertifyOptions& o);
  std::string path_;
  SourceManager sm_;
  Diagnostics diags_;
  std::unique_ptr<runtime::Document> doc_;
  std::mutex mu_;  // evaluation extends the document's string layer
};

// The outcome of evaluating one Evidence: one report per standard, or diagnostics.
struct Evaluation {
  bool ok = false;
  Diagnostics diags;  // parameter errors, edition warnings (W0601/W0602); against evidence->sources()
  std::vector<runtime::StandardReport> reports;  // parallel to RuleSet::programs() when ok
  std::vector<ParamValues> params;               // the resolved parameters, parallel to reports
  int64_t as_of = 0;
  runtime::Engine engine = runtime::Engine::Jit;
  Evidence* evidence = nullptr;
  double ms = 0;

  // Accepted deviations in force (AcceptDeviations): reported as accepted, never as conform.
  std::vector<runtime::Deviation> deviations;

  // Reads a deviations file (`conform check --deviations`) against these results: E1101–E1105,
  // W1101 (expired: ignored), W1102 (nothing to accept) into `diags`, spans in `sm`. The
  // deviations in force are kept for Conforms() and Assess(). False on error.
  bool AcceptDeviations(const std::string& path, SourceManager& sm, Diagnostics& diags);
  // No open gap — `conform check`'s exit status 0: every requirement conforms or is not
  // applicable, or is nonconform / not evidenced and covered by an accepted deviation in force;
  // and none is blocked. False when the evaluation failed.
  bool Conforms() const;
  // The typed results every output format renders, with the accepted deviations applied.
  // `doc`: the evidence document (organization details, positions, words); null for a record.
  runtime::Assessment Assess(runtime::Document* doc, const runtime::BuildOptions& bo = {}) const;
  runtime::RunInfo Info() const;
  // Which pieces of evidence served which clauses (`--evidence-map`).
  std::vector<runtime::EvidenceUse> EvidenceMap() const;
};

// An open catalogue. Compile may be called many times (and from many threads).
class Engine {
 public:
  explicit Engine(const CatalogueOptions& opts = {});
  // Discovery diagnostics (malformed manifests …); the rest of the catalogue stays usable.
  const Diagnostics& diags() const { return diags_; }
  const runtime::Catalogue& catalogue() const { return catalogue_; }

  // Compiles `standards` (ids, optionally @edition) with their dependencies and every schema
  // module. Never null; check ok() and diags().
  std::shared_ptr<const RuleSet> Compile(const std::vector<std::string>& standards, const CompileOptions& opts) const;
  // Several rule sets, each as Compile would make it: their front ends one after another, then
  // the native code of all their programs at once on a bounded pool (`conform cache warm`).
  std::vector<std::shared_ptr<const RuleSet>> CompileEach(const std::vector<std::vector<std::string>>& sets,
                                                          const CompileOptions& opts) const;
  // The native code of a rule set compiled for the interpreter (parallel to its programs), through
  // the same caches, returned rather than attached: a batch started with the interpreter switches
  // to it when it is ready (runtime::NativeHandoff). Empty if the native engine is unavailable or
  // a program fails (its errors in `diags`). Safe to call from another thread while `rules` evaluates.
  std::vector<std::unique_ptr<jit::CompiledProgram>> CompileNativeFor(const RuleSet& rules, const CompileOptions& opts,
                                                                      Diagnostics& diags) const;

 private:
  std::shared_ptr<RuleSet> CompileFront(const std::vector<std::string>& standards, const CompileOptions& opts) const;
  void CompileNative(const std::vector<RuleSet*>& sets, const CompileOptions& opts) const;
  Diagnostics diags_;  // before catalogue_: discovery fills it
  runtime::Catalogue catalogue_;
  std::string installed_cache_;  // InstalledCacheDir()
};

}  // namespace conform::embed
