// Evidence growth: one organization of the second workload at ×1, ×10, ×100 list elements
// (bench/workload2_gen.py --grow K). Prints one JSON line per file: the median time to load the
// JSON into the schema layout and to evaluate it (JIT verdicts, and the interpreter), so that
// `make bench` can print the growth factor. Linear cost means ×10 evidence → ×10 time.
// workload2's own rules stop early (an `all` fails at its first failing element); the two
// self-join rules of kJoins below never do, so `join_us` shows how a join scales (issue 14:
// linear with the join index, quadratic as a nested loop).
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

// Joins over the workload2 schema that hold for every organization: every element is visited.
const char* kJoins = R"(standard w2_joins "Self-joins of the second workload" {
  clause 1 "Joins" {
    requirement j1 : minor { says "every finding's site has at least that finding"
      pass all f in findings : count(g in findings where g.site == f.site) >= 1 }
    requirement j2 : minor { says "findings per site, counted per site"
      pass all s in sites : count(f in findings where f.site == s.code and f.raised is present) >= 0 }
  }
}
)";

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
  session.LoadText("w2_joins.clause", kJoins);
  struct Compiled {
    std::shared_ptr<ir::Program> program;
    std::unique_ptr<jit::CompiledProgram> native;
    ParamValues params;
  };
  std::vector<Compiled> compiled;
  for (const char* id : {"workload2", "w2_joins"}) {
    auto program = session.Compile(id);
    jit::JitOptions jo;
    jo.use_cache = false;
    auto native = program && !session.diags().HasErrors() ? jit::Compile(program, jo, diags) : nullptr;
    if (!native) {
      std::fprintf(stderr, "%s%s", RenderAll(session.diags(), session.sources()).c_str(),
                   RenderAll(diags, session.sources()).c_str());
      return 2;
    }
    ParamValues params = ParamValues::Defaults(*program);
    compiled.push_back({std::move(program), std::move(native), std::move(params)});
  }
  const int64_t as_of = cal::ParseDate("2024-10-04").value();
  runtime::LoadOptions lo;
  lo.format = runtime::EvidenceFormat::Json;
  const auto plan = runtime::MakeJsonPlan(*session.Schema());  // the JSON fast path, as --batch
  lo.json_plan = plan.get();
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
    // Median µs of the JIT and of the interpreter; the number of conforming requirements of each.
    struct Times {
      double jit_us, interp_us;
      size_t conform, iconform;
    };
    auto time = [&](const Compiled& c) {
      const size_t reqs = c.program->requirements.size();
      EvalInput ei;
      ei.root = doc->root();
      ei.strings = &doc->strings();
      ei.as_of = as_of;
      ei.params = &c.params;
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
        c.native->EvaluateVerdicts(ei, ctx, verdicts.data(), witnesses.data());
      });
      std::vector<uint8_t> iv(reqs);
      double interp_s = MedianSeconds(std::max(1, reps / 2), [&] {
        auto res = interp::EvaluateAll(*c.program, ei);
        for (size_t r = 0; r < reqs; ++r) iv[r] = static_cast<uint8_t>(res[r].verdict);
      });
      size_t conform = std::count(verdicts.begin(), verdicts.end(), 0);
      size_t iconform =
          std::count_if(iv.begin(), iv.end(), [](uint8_t v) { return v == static_cast<uint8_t>(Verdict::Conform); });
      return Times{jit_s * 1e6, interp_s * 1e6, conform, iconform};
    };
    Times w = time(compiled[0]), j = time(compiled[1]);
    fmt::print("{{\"scale\":{},\"bytes\":{},\"load_ms\":{:.3f},\"eval_us\":{:.1f},\"interp_us\":{:.1f},\"conform\":{},"
               "\"interp_conform\":{},\"join_us\":{:.1f},\"join_interp_us\":{:.1f},\"join_conform\":{},"
               "\"join_interp_conform\":{}}}\n",
               scale, text.size(), load_s * 1e3, w.jit_us, w.interp_us, w.conform, w.iconform, j.jit_us, j.interp_us,
               j.conform, j.iconform);
  }
  return 0;
}
