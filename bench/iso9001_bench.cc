// ISO 9001 over synthetic organizations, JIT vs interpreter, and the compile latency of ISO 9001
// (front end, cold JIT, warm from the object cache). Google Benchmark; figures, not assertions.
//
// Synthetic organizations: the two example organizations, perturbed record by record (every date
// shifted, optional fields dropped, list elements dropped) into a pool of 2,000 distinct ones.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <filesystem>
#include <random>

#include "conform/compiler/builtins.h"
#include "conform/compiler/calendar.h"
#include "conform/compiler/driver.h"
#include "conform/compiler/interp.h"
#include "conform/compiler/jit.h"
#include "conform/compiler/rt_helpers.h"
#include "conform/runtime/catalogue.h"
#include "conform/runtime/evidence.h"

using namespace conform;
namespace fs = std::filesystem;

namespace {

const char* kSource = CONFORM_SOURCE_DIR;

struct Variant {
  std::unique_ptr<runtime::Arena> arena;
  const void* root;
  runtime::Document* base;
};

class Perturber {
 public:
  Perturber(const SchemaModel& m, std::mt19937_64& rng) : m_(m), rng_(rng) {}

  const void* Copy(const void* rec, int32_t entity, runtime::Arena& arena, int64_t shift) {
    const EntityDef& e = m_.entities[entity];
    auto* out = static_cast<uint64_t*>(arena.Allocate(e.size_bytes()));
    std::memcpy(out, rec, e.size_bytes());
    int64_t* slots = reinterpret_cast<int64_t*>(out) + e.presence_words();
    for (const FieldDef& f : e.fields) {
      bool present = (out[f.index / 64] >> (f.index % 64)) & 1;
      if (!present) continue;
      if (f.optional && Chance(3)) {  // drop an optional fact
        out[f.index / 64] &= ~(uint64_t{1} << (f.index % 64));
        continue;
      }
      const TypeInfo& t = m_.types[f.type];
      int64_t& slot = slots[f.index];
      if (t.kind == TypeKind::Date) {
        slot += shift + (Chance(10) ? Uniform(-60, 60) : 0);
      } else if (t.kind == TypeKind::Entity) {
        slot = reinterpret_cast<int64_t>(Copy(reinterpret_cast<const void*>(slot), t.ref, arena, shift));
      } else if (t.kind == TypeKind::List && m_.types.Kind(t.elem) == TypeKind::Entity) {
        const Seq* s = reinterpret_cast<const Seq*>(slot);
        auto* data = static_cast<int64_t*>(arena.Allocate(sizeof(int64_t) * std::max<int64_t>(s->size, 1)));
        int64_t k = 0;
        for (int64_t i = 0; i < s->size; ++i)
          if (!Chance(8))
            data[k++] = reinterpret_cast<int64_t>(
                Copy(reinterpret_cast<const void*>(s->data[i]), m_.types[t.elem].ref, arena, shift));
        auto* seq = static_cast<Seq*>(arena.Allocate(sizeof(Seq)));
        *seq = {k, data};
        slot = reinterpret_cast<int64_t>(seq);
      }
    }
    return out;
  }

 private:
  bool Chance(int percent) { return std::uniform_int_distribution<int>(0, 99)(rng_) < percent; }
  int64_t Uniform(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng_); }
  const SchemaModel& m_;
  std::mt19937_64& rng_;
};

struct Fixture {
  runtime::Catalogue catalogue;
  std::unique_ptr<Session> session;
  std::shared_ptr<ir::Program> program;
  std::unique_ptr<jit::CompiledProgram> native;
  std::vector<std::unique_ptr<runtime::Document>> bases;
  std::vector<Variant> variants;
  ParamValues params;
  int64_t as_of = 0;

  static Fixture& Get() {
    static Fixture* f = new Fixture();
    return *f;
  }

 private:
  Fixture() {
    Diagnostics d;
    catalogue = runtime::Catalogue::Discover({fs::path(kSource) / "standards"}, d);
    const runtime::PluginManifest* pkg = catalogue.Find("iso9001", d);
    session = std::make_unique<Session>(catalogue.dirs());
    if (!pkg || !catalogue.Load(*session, {pkg}, d)) std::abort();
    program = session->Compile("iso9001");
    if (!program || session->diags().HasErrors()) std::abort();
    jit::JitOptions jo;
    jo.use_cache = false;
    native = jit::Compile(program, jo, d);
    if (!native) std::abort();
    params = ParamValues::Defaults(*program);
    as_of = cal::ParseDate("2026-11-22").value();
    for (const char* ex : {"examples/precision-parts.yaml", "examples/young-company.yaml"}) {
      auto doc = runtime::LoadEvidenceFile((fs::path(kSource) / ex).string(), *session->Schema(),
                                           session->literals().get(), session->sources(), d);
      if (!doc) std::abort();
      bases.push_back(std::move(doc));
    }
    std::mt19937_64 rng(42);
    Perturber p(*session->Schema(), rng);
    for (int i = 0; i < 2000; ++i) {
      runtime::Document* base = bases[i % 2].get();
      auto arena = std::make_unique<runtime::Arena>();
      int64_t shift = std::uniform_int_distribution<int64_t>(-400, 200)(rng);
      const void* root = p.Copy(base->root(), session->Schema()->root, *arena, shift);
      variants.push_back({std::move(arena), root, base});
    }
  }
};

EvalInput Input(Fixture& f, const Variant& v) {
  EvalInput in;
  in.root = v.root;
  in.strings = &v.base->strings();
  in.as_of = f.as_of;
  in.params = &f.params;
  in.explain = false;
  return in;
}

// Verdicts only: the batch fast path.
void BM_Iso9001_Verdicts_Jit(benchmark::State& state) {
  Fixture& f = Fixture::Get();
  size_t reqs = f.program->requirements.size();
  std::vector<uint8_t> verdicts(reqs);
  std::vector<int64_t> witnesses(reqs);
  Scratch scratch;
  size_t i = 0, nonconform = 0;
  for (auto _ : state) {
    const Variant& v = f.variants[i++ % f.variants.size()];
    EvalInput in = Input(f, v);
    EvalContext ctx;
    ctx.strings = in.strings;
    ctx.as_of = in.as_of;
    ctx.scratch = &scratch;
    scratch.Reset();
    f.native->EvaluateVerdicts(in, ctx, verdicts.data(), witnesses.data());
    for (uint8_t x : verdicts) nonconform += x == 1;
    benchmark::DoNotOptimize(verdicts.data());
  }
  state.counters["orgs_per_s"] = benchmark::Counter(state.iterations(), benchmark::Counter::kIsRate);
  state.counters["ns_per_requirement"] =
      benchmark::Counter(state.iterations() * reqs, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["nonconform_per_org"] = static_cast<double>(nonconform) / state.iterations();
}

void BM_Iso9001_Verdicts_Interp(benchmark::State& state) {
  Fixture& f = Fixture::Get();
  size_t reqs = f.program->requirements.size();
  size_t i = 0, nonconform = 0;
  for (auto _ : state) {
    const Variant& v = f.variants[i++ % f.variants.size()];
    auto res = interp::EvaluateAll(*f.program, Input(f, v));
    for (const auto& r : res) nonconform += r.verdict == Verdict::Nonconform;
    benchmark::DoNotOptimize(res.data());
  }
  state.counters["orgs_per_s"] = benchmark::Counter(state.iterations(), benchmark::Counter::kIsRate);
  state.counters["ns_per_requirement"] =
      benchmark::Counter(state.iterations() * reqs, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["nonconform_per_org"] = static_cast<double>(nonconform) / state.iterations();
}

// Full results with messages (what `check --batch` writes).
void BM_Iso9001_Messages_Jit(benchmark::State& state) {
  Fixture& f = Fixture::Get();
  size_t reqs = f.program->requirements.size();
  size_t i = 0;
  for (auto _ : state) {
    const Variant& v = f.variants[i++ % f.variants.size()];
    auto res = f.native->EvaluateAll(Input(f, v));
    benchmark::DoNotOptimize(res.data());
  }
  state.counters["orgs_per_s"] = benchmark::Counter(state.iterations(), benchmark::Counter::kIsRate);
  state.counters["ns_per_requirement"] =
      benchmark::Counter(state.iterations() * reqs, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// Front end: parse + check + lower the core schema and ISO 9001.
void BM_Compile_FrontEnd(benchmark::State& state) {
  Fixture& f = Fixture::Get();
  for (auto _ : state) {
    Session s(f.catalogue.dirs());
    Diagnostics d;
    f.catalogue.Load(s, {f.catalogue.Find("iso9001", d)}, d);
    auto p = s.Compile("iso9001");
    benchmark::DoNotOptimize(p.get());
  }
}

// JIT without the cache: LLVM IR, O2, machine code (parts in parallel on all cores).
void BM_Compile_JitCold(benchmark::State& state) {
  Fixture& f = Fixture::Get();
  for (auto _ : state) {
    jit::JitOptions jo;
    jo.use_cache = false;
    Diagnostics d;
    auto n = jit::Compile(f.program, jo, d);
    benchmark::DoNotOptimize(n.get());
  }
}

// JIT from the on-disk object cache (a fresh process sees only the disk tier).
void BM_Compile_JitWarmDisk(benchmark::State& state) {
  Fixture& f = Fixture::Get();
  fs::path dir = fs::temp_directory_path() / fmt::format("conform-bench-cache-{}", getpid());
  jit::JitOptions jo;
  jo.cache_dir = dir.string();
  Diagnostics d;
  jit::Compile(f.program, jo, d);  // fills the cache
  for (auto _ : state) {
    // Memory tier bypassed by a distinct options object is not possible; the disk path is what
    // a new process takes, and this measures reading + linking the cached objects.
    auto n = jit::Compile(f.program, jo, d);
    benchmark::DoNotOptimize(n.get());
  }
  fs::remove_all(dir);
}

}  // namespace

BENCHMARK(BM_Iso9001_Verdicts_Jit)->Iterations(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Iso9001_Verdicts_Interp)->Iterations(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Iso9001_Messages_Jit)->Iterations(20000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Compile_FrontEnd)->Unit(benchmark::kMillisecond)->Iterations(10);
BENCHMARK(BM_Compile_JitCold)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_Compile_JitWarmDisk)->Unit(benchmark::kMillisecond)->Iterations(20);
BENCHMARK_MAIN();
