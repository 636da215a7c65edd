// What an extension costs: ISO 9001 alone vs IATF 16949 (ISO 9001 with the extension resolved
// into one program) and a customer layer on IATF 16949; ISO/IEC 27001 alone vs ISO/IEC 27017 on
// it. Prints the front-end (parse, check, resolve, lower), native-code and evaluation cost of
// each, and the IR size. Figures, not assertions; run `build/bench/extension_bench [repetitions]`.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "conform/compiler/calendar.h"
#include "conform/compiler/driver.h"
#include "conform/compiler/interp.h"
#include "conform/compiler/jit.h"
#include "conform/runtime/catalogue.h"
#include "conform/runtime/evidence.h"
#include "conform/runtime/report.h"

using namespace conform;
using Clock = std::chrono::steady_clock;

namespace {

double Ms(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Loaded {
  std::unique_ptr<Session> session;
  std::shared_ptr<ir::Program> program;
};

Loaded Load(const runtime::Catalogue& cat, const std::string& id, const std::string& with = {}) {
  Diagnostics d;
  Loaded l;
  l.session = std::make_unique<Session>(cat.dirs());
  std::vector<const runtime::PluginManifest*> roots = {cat.Find(id, d)};
  if (!with.empty()) roots.push_back(cat.Find(with, d));
  cat.Load(*l.session, cat.WithSchemaModules(roots), d);
  l.session->Schema();
  l.program = l.session->Compile(id);
  if (d.HasErrors() || l.session->diags().HasErrors() || !l.program) {
    fmt::print(stderr, "{}{}", RenderAll(d, l.session->sources()), RenderAll(l.session->diags(), l.session->sources()));
    std::exit(2);
  }
  return l;
}

}  // namespace

int main(int argc, char** argv) {
  int reps = argc > 1 ? std::max(1, std::atoi(argv[1])) : 15;
  const std::string src = CONFORM_SOURCE_DIR;
  Diagnostics d;
  auto cat = runtime::Catalogue::Discover({src + "/standards", src + "/plugins"}, d);
  const int64_t as_of = *cal::ParseDate("2026-11-22");
  // Each chain is measured over one organization whose evidence carries every field its programs
  // read, in a session loaded with the top layer (so its schema additions are known).
  struct Chain {
    std::vector<const char*> ids;
    const char* top;
    std::string evidence;
  };
  const std::vector<Chain> chains = {
      {{"iso9001", "iatf16949", "tyne_csr"}, "tyne_csr", src + "/plugins/tyne_csr/examples/complete.yaml"},
      {{"iso27001", "iso27017"}, "iso27017", src + "/plugins/iso27017/examples/cloud-provider.yaml"},
  };
  fmt::print("{} repetitions, medians\n", reps);
  for (const Chain& chain : chains) {
    fmt::print("\nevidence: {} (one organization)\n", chain.evidence);
    fmt::print("{:<16} {:>6} {:>7} {:>12} {:>12} {:>13} {:>13}\n", "program", "reqs", "nodes", "front end ms",
               "native ms", "interp us/org", "jit us/org");
    for (const char* id : chain.ids) {
      std::vector<double> front, native, interp_us, jit_us;
      size_t reqs = 0, nodes = 0;
      for (int r = 0; r < reps; ++r) {
        auto t0 = Clock::now();
        Loaded l = Load(cat, id);
        front.push_back(Ms(t0));
        reqs = l.program->requirements.size();
        nodes = l.program->nodes.size();
        if (r > 0) continue;
        // Native code, without the object cache, and evaluation.
        Loaded e = Load(cat, id, chain.top);
        Diagnostics ed;
        auto doc = runtime::LoadEvidenceFile(chain.evidence, *e.session->Schema(), e.session->literals().get(),
                                             e.session->sources(), ed);
        if (!doc) {
          fmt::print(stderr, "{}", RenderAll(ed, e.session->sources()));
          return 2;
        }
        ParamValues pv = runtime::ResolveParameters(*e.program, {}, doc->strings(), e.session->sources(), ed);
        for (int k = 0; k < 3; ++k) {
          jit::JitOptions jo;
          jo.use_cache = false;
          auto tj = Clock::now();
          auto native_prog = jit::Compile(e.program, jo, ed);
          native.push_back(Ms(tj));
          const int n = 200;
          auto ti = Clock::now();
          for (int i = 0; i < n; ++i) runtime::Evaluate(*e.program, *doc, as_of, pv, runtime::Engine::Interp, false);
          interp_us.push_back(Ms(ti) * 1000 / n);
          auto tn = Clock::now();
          for (int i = 0; i < n; ++i)
            runtime::Evaluate(*e.program, *doc, as_of, pv, runtime::Engine::Jit, false, native_prog.get());
          jit_us.push_back(Ms(tn) * 1000 / n);
        }
      }
      fmt::print("{:<16} {:>6} {:>7} {:>12.1f} {:>12.1f} {:>13.1f} {:>13.1f}\n", id, reqs, nodes, Median(front),
                 Median(native), Median(interp_us), Median(jit_us));
    }
  }
  return 0;
}
