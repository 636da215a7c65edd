// Evidence growth: one organization of the second workload at ×1, ×10, ×100 list elements
// (bench/workload2_gen.py --grow K). Prints one JSON line per file: the median time to load the
// JSON into the schema layout and to evaluate it (JIT verdicts, and the interpreter), so that
// `make bench` can print the growth factor. Linear cost means ×10 evidence → ×10 time.
//
//   evidence_growth K=FILE.json … [REPS]          (package workload2, as of 2024-10-04)
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include "conform/compiler/calendar.h"
#include "conform/compiler/driver.h"
#include "conform/compiler/interp.h"
#include "conform/compiler/jit.h"
#include "conform/compiler/rt_helpers.h"
#include "conform/runtime/catalogue.h"
#include "conform/runtime/evidence.h"

using namespace conform;
using Clock = std::chrono::steady_clock;

namespace {

template <class F>
double MedianSeconds(int reps, F&& f) {
  std::vector<double> t;
  for (int k = 0; k < reps; ++k) {
    auto t0 = Clock::now();
    f();
    t.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::pair<int, std::string>> files;
  int reps = 7;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto eq = a.find('=');
    if (eq == std::string::npos) reps = std::max(1, std::atoi(a.c_str()));
    else files.emplace_back(std::atoi(a.substr(0, eq).c_str()), a.substr(eq + 1));
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: evidence_growth K=FILE.json … [REPS]\n");
    return 2;
  }
  Diagnostics diags;
  auto catalogue = runtime::Catalogue::Discover({CONFORM_BENCH_CATALOGUE}, diags);
  const runtime::PluginManifest* pkg = catalogue.Find("workload2", diags);
  Session session(catalogue.dirs());
  if (!pkg || !catalogue.Load(session, {pkg}, diags)) {
    std::fprintf(stderr, "%s", RenderAll(diags, session.sources()).c_str());
    return 2;
  }
  auto program = session.Compile("workload2");
  jit::JitOptions jo;
  jo.use_cache = false;
  auto native = program && !session.diags().HasErrors() ? jit::Compile(program, jo, diags) : nullptr;
  if (!native) {
    std::fprintf(stderr, "%s%s", RenderAll(session.diags(), session.sources()).c_str(), RenderAll(diags, session.sources()).c_str());
    return 2;
  }
  const int64_t as_of = cal::ParseDate("2024-10-04").value();
  ParamValues params = ParamValues::Defaults(*program);
  const size_t reqs = program->requirements.size();
  runtime::LoadOptions lo;
  lo.format = runtime::EvidenceFormat::Json;
  for (const auto& [scale, path] : files) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    std::unique_ptr<runtime::Document> doc;
    SourceManager sm;
    auto load = [&] {
      Diagnostics d;
      doc = runtime::LoadEvidence(path, text, *session.Schema(), session.literals().get(), sm, d, lo);
      if (!doc || d.HasErrors()) {
        std::fprintf(stderr, "%s", RenderAll(d, sm).c_str());
        std::exit(2);
      }
    };
    double load_s = MedianSeconds(reps, load);
    EvalInput ei;
    ei.root = doc->root();
    ei.strings = &doc->strings();
    ei.as_of = as_of;
    ei.params = &params;
    ei.explain = false;
    std::vector<uint8_t> verdicts(reqs);
    std::vector<int64_t> witnesses(reqs);
    Scratch scratch;
    double jit_s = MedianSeconds(reps, [&] {
      EvalContext ctx;
      ctx.strings = ei.strings;
      ctx.as_of = as_of;
      ctx.scratch = &scratch;
      scratch.Reset();
      native->EvaluateVerdicts(ei, ctx, verdicts.data(), witnesses.data());
    });
    std::vector<uint8_t> iv(reqs);
    double interp_s = MedianSeconds(std::max(1, reps / 2), [&] {
      auto res = interp::EvaluateAll(*program, ei);
      for (size_t r = 0; r < reqs; ++r) iv[r] = static_cast<uint8_t>(res[r].verdict);
    });
    size_t conform = std::count(verdicts.begin(), verdicts.end(), 0);
    size_t iconform = std::count_if(iv.begin(), iv.end(), [](uint8_t v) { return v == static_cast<uint8_t>(Verdict::Conform); });
    fmt::print("{{\"scale\":{},\"bytes\":{},\"load_ms\":{:.3f},\"eval_us\":{:.1f},\"interp_us\":{:.1f},\"conform\":{},\"interp_conform\":{}}}\n",
               scale, text.size(), load_s * 1e3, jit_s * 1e6, interp_s * 1e6, conform, iconform);
  }
  return 0;
}
