// The 50-check peer workload (../shared/bench/peers) run by Conform: prints one JSON line per
// measurement in the peers' format, so run_all.sh can put Conform in its table.
//
//   conform_peers RECORDS.ndjson [N] [REPS] [ENGINES] [PACKAGE] [AS_OF]
//     ENGINES: jit,interp (default both); PACKAGE: a package of bench/catalogue (default peers50,
//     evaluated as of 2024-10-04; workload2 is the second workload, bench/workload2_gen.py)
//
// Lines: conform-<engine> (evaluation alone, evidence already loaded) and conform-<engine>-e2e
// (NDJSON in, verdicts out: parse, load into the schema layout, evaluate). The checksum is the
// peers' h = h*31 + count over the pass counts of c01…c50 (of every requirement, in order), so equal checksums mean equal answers.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "conform/compiler/builtins.h"
#include "conform/compiler/calendar.h"
#include "conform/compiler/driver.h"
#include "conform/compiler/interp.h"
#include "conform/compiler/jit.h"
#include "conform/compiler/result.h"
#include "conform/compiler/rt_helpers.h"
#include "conform/runtime/catalogue.h"
#include "conform/runtime/evidence.h"

using namespace conform;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

std::string Checksum(const std::vector<int64_t>& counts) {
  uint32_t h = 0;
  int64_t total = 0;
  for (int64_t c : counts) {
    h = h * 31u + static_cast<uint32_t>(c);
    total += c;
  }
  return fmt::format("{:x}/{}", h, total);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

void Print(const std::string& engine, size_t records, double median_s, const std::vector<int64_t>& counts,
           const std::string& extra = {}) {
  const double checks = static_cast<double>(counts.size());
  fmt::print("{{\"engine\":\"{}\",\"records\":{},\"checks\":{},\"median_s\":{:.6f},\"ns_per_check\":{:.2f},"
             "\"records_per_s\":{:.0f},\"checksum\":\"{}\"{}}}\n",
             engine, records, counts.size(), median_s, median_s * 1e9 / (records * checks), records / median_s, Checksum(counts), extra);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: conform_peers RECORDS.ndjson [N] [REPS] [jit,interp] [PACKAGE] [AS_OF]\n");
    return 2;
  }
  std::string path = argv[1];
  size_t n = argc > 2 ? std::stoull(argv[2]) : 100000;
  int reps = argc > 3 ? std::atoi(argv[3]) : 7;
  std::string engines = argc > 4 ? argv[4] : "jit,interp";
  std::string package = argc > 5 ? argv[5] : "peers50";
  std::string as_of_text = argc > 6 ? argv[6] : "2024-10-04";
  std::string prefix = package == "peers50" ? "conform" : package + "-conform";

  Diagnostics diags;
  auto catalogue = runtime::Catalogue::Discover({CONFORM_BENCH_CATALOGUE}, diags);
  const runtime::PluginManifest* pkg = catalogue.Find(package, diags);
  Session session(catalogue.dirs());
  if (!pkg || !catalogue.Load(session, {pkg}, diags)) {
    std::fprintf(stderr, "%s", RenderAll(diags, session.sources()).c_str());
    return 2;
  }
  auto program = session.Compile(package);
  if (!program || session.diags().HasErrors()) {
    std::fprintf(stderr, "%s", RenderAll(session.diags(), session.sources()).c_str());
    return 2;
  }
  const int64_t as_of = cal::ParseDate(as_of_text).value();
  ParamValues params = ParamValues::Defaults(*program);
  auto t_jit = Clock::now();
  jit::JitOptions jo;
  jo.use_cache = false;
  auto native = jit::Compile(program, jo, diags);
  double jit_ms = Seconds(t_jit, Clock::now()) * 1e3;
  if (!native) {
    std::fprintf(stderr, "%s", RenderAll(diags, session.sources()).c_str());
    return 2;
  }

  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot read %s (make bench generates it)\n", path.c_str());
    return 2;
  }
  std::vector<std::string> lines;
  std::string line;
  while (lines.size() < n && std::getline(in, line)) lines.push_back(std::move(line));
  n = lines.size();
  const size_t reqs = program->requirements.size();

  runtime::LoadOptions lo;
  lo.format = runtime::EvidenceFormat::Json;
  const auto plan = runtime::MakeJsonPlan(*session.Schema());  // the JSON fast path, as --batch
  lo.json_plan = plan.get();
  auto load = [&](size_t i, SourceManager& sm, runtime::Arena* arena = nullptr) {
    Diagnostics d;
    runtime::LoadOptions o = lo;
    o.arena = arena;
    auto doc = runtime::LoadEvidence("records.ndjson", lines[i], *session.Schema(), session.literals().get(), sm, d, o);
    if (!doc || d.HasErrors()) {
      std::fprintf(stderr, "line %zu: %s", i + 1, RenderAll(d, sm).c_str());
      std::exit(2);
    }
    return doc;
  };

  for (const std::string engine : {"jit", "interp"}) {
    if (engines.find(engine) == std::string::npos) continue;
    bool use_jit = engine == "jit";
    std::vector<uint8_t> verdicts(reqs);
    std::vector<int64_t> witnesses(reqs);
    Scratch scratch;
    auto input = [&](runtime::Document& doc) {
      EvalInput in;
      in.root = doc.root();
      in.strings = &doc.strings();
      in.as_of = as_of;
      in.params = &params;
      in.explain = false;
      return in;
    };
    auto evaluate_input = [&](const EvalInput& in, std::vector<int64_t>& counts) {
      if (use_jit) {
        EvalContext ctx;
        ctx.strings = in.strings;
        ctx.as_of = as_of;
        ctx.scratch = &scratch;
        scratch.Reset();
        native->EvaluateVerdicts(in, ctx, verdicts.data(), witnesses.data());
        for (size_t r = 0; r < reqs; ++r) counts[r] += verdicts[r] == static_cast<uint8_t>(VerdictCode::Conform);
      } else {
        auto res = interp::EvaluateAll(*program, in);
        for (size_t r = 0; r < reqs; ++r) counts[r] += res[r].verdict == Verdict::Conform;
      }
    };
    auto evaluate = [&](runtime::Document& doc, std::vector<int64_t>& counts) { evaluate_input(input(doc), counts); };
    // End to end: NDJSON line → schema layout → verdicts, one organization at a time.
    std::vector<double> e2e;
    std::vector<int64_t> counts;
    for (int k = 0; k < std::max(1, reps / 2); ++k) {
      counts.assign(reqs, 0);
      auto t0 = Clock::now();
      for (size_t i = 0; i < n; ++i) {
        SourceManager sm;
        auto doc = load(i, sm);
        evaluate(*doc, counts);
      }
      e2e.push_back(Seconds(t0, Clock::now()));
    }
    Print(fmt::format("{}-{}-e2e", prefix, engine), n, Median(e2e), counts);
    // Evaluation alone: every organization loaded first, as the g++ reference loads its
    // vector<Org>: into one arena (records one after another in memory), and each one's
    // evaluation input made once. SCATTERED=1: one arena per document instead, as LoadEvidence
    // does by default (the figure of the fourth round and before).
    const bool scattered = std::getenv("SCATTERED") != nullptr;
    runtime::Arena arena;
    std::vector<std::unique_ptr<runtime::Document>> docs;
    std::vector<SourceManager> sms(1);
    docs.reserve(n);
    for (size_t i = 0; i < n; ++i) docs.push_back(load(i, sms[0], scattered ? nullptr : &arena));
    std::vector<EvalInput> inputs;
    inputs.reserve(n);
    for (auto& d : docs) inputs.push_back(input(*d));
    std::vector<double> times;
    for (size_t i = 0; i < std::min<size_t>(n, 2000); ++i) evaluate_input(inputs[i], counts);  // warm-up
    for (int k = 0; k < reps; ++k) {
      counts.assign(reqs, 0);
      auto t0 = Clock::now();
      for (const EvalInput& in : inputs) evaluate_input(in, counts);
      times.push_back(Seconds(t0, Clock::now()));
    }
    Print(fmt::format("{}-{}", prefix, engine), n, Median(times), counts,
          use_jit ? fmt::format(",\"compile_ms\":{:.1f}", jit_ms) : std::string());
  }
  return 0;
}
