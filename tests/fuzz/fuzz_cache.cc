// Fuzz target: the compiled-program cache behind its digest, and evaluation of what it accepts.
// The input is an entry's payload; the target seals it (so the SHA-256 matches, as a buggy or
// hostile writer could) and decodes it for the fingerprint the payload names. The loader must
// reject what is malformed without crashing, and what it accepts
//  - re-encodes to the same size;
//  - is evaluated over the organizations of fuzz_rules.h without crashing or reading out of
//    bounds: the structural and type validation on load must stop every image that would;
//  - when it is the reference program (the same encoding), gives the reference's verdicts and
//    messages: a damaged entry is either refused (a miss) or gives identical verdicts;
//  - where the native engine is built (the replay test), gives identical results on both
//    engines.
// CONFORM_FUZZ_CACHE_SEED=FILE writes the reference payload (the seed) to FILE.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "conform/compiler/cache_file.h"
#include "conform/compiler/driver.h"
#include "conform/compiler/ir_cache.h"
#include "conform/compiler/jit.h"
#include "conform/runtime/report.h"
#include "fuzz_rules.h"

namespace {

using Results = std::vector<std::pair<conform::Verdict, std::string>>;  // per organization and requirement

// Every organization that loads against the bundle's schema, evaluated with `engine`.
Results Evaluate(const conform::CompiledBundle& b, const conform::ir::Program& p, conform::runtime::Engine engine,
                 const conform::jit::CompiledProgram* native) {
  Results out;
  for (const char* org : conform::fuzz::kOrganizations) {
    conform::SourceManager sm;
    conform::Diagnostics diags;
    conform::runtime::LoadOptions lo;
    lo.format = conform::runtime::EvidenceFormat::Json;
    auto doc = conform::runtime::LoadEvidence("org.json", org, *b.schema, b.literals.get(), sm, diags, lo);
    if (!doc || diags.HasErrors()) continue;
    conform::ParamValues pv = conform::runtime::ResolveParameters(p, doc->parameters(), doc->strings(), sm, diags);
    if (diags.HasErrors()) continue;
    auto report = conform::runtime::Evaluate(p, *doc, conform::fuzz::kAsOf, pv, engine, /*explain=*/true, native);
    for (const auto& r : report.results) out.emplace_back(r.verdict, r.message);
  }
  return out;
}

struct Reference {
  conform::Session session{{}};
  std::string fingerprint = "fuzz-cache-reference";
  conform::CompiledBundle bundle;
  std::string sealed;
  Results results;
  Reference() {
    session.LoadText("fz.clause", conform::fuzz::kRules);
    auto p = session.diags().HasErrors() ? nullptr : session.Compile("fz");
    if (!p || session.diags().HasErrors()) __builtin_trap();  // the harness itself is broken
    bundle.schema = session.Schema();
    bundle.literals = session.literals();
    bundle.programs = {p};
    sealed = conform::EncodeBundle(fingerprint, bundle);
    results = Evaluate(bundle, *p, conform::runtime::Engine::Interp, nullptr);
    if (results.empty()) __builtin_trap();
    std::string problem;
    if (!conform::DecodeBundle(sealed, fingerprint, &problem)) {  // the loader must accept a sound entry
      std::fprintf(stderr, "fuzz_cache: the reference entry is refused: %s\n", problem.c_str());
      __builtin_trap();
    }
    if (const char* seed = std::getenv("CONFORM_FUZZ_CACHE_SEED")) {
      std::string_view payload;
      conform::cache::Unseal(sealed, conform::BundleMagic(), payload);
      std::ofstream(seed, std::ios::binary) << payload;
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Reference* ref = new Reference();
  std::string payload(reinterpret_cast<const char*>(data), size);
  // The fingerprint is the payload's first string (length, then bytes).
  std::string fingerprint;
  if (payload.size() >= 8) {
    uint64_t n = 0;
    std::memcpy(&n, payload.data(), 8);
    if (n <= payload.size() - 8) fingerprint = payload.substr(8, n);
  }
  std::string sealed = conform::cache::Seal(conform::BundleMagic(), payload);
  auto bundle = conform::DecodeBundle(sealed, fingerprint);
  if (!bundle) return 0;  // refused: a miss
  const std::string again = conform::EncodeBundle(fingerprint, *bundle);
  if (again.size() != sealed.size()) __builtin_trap();  // re-encoding what was accepted reproduces it
  const bool reference = fingerprint == ref->fingerprint && again == ref->sealed;
  for (const auto& p : bundle->programs) {
    Results interp = Evaluate(*bundle, *p, conform::runtime::Engine::Interp, nullptr);
    if (reference && interp != ref->results) __builtin_trap();  // the same program, other verdicts
    if (conform::jit::Available()) {
      conform::jit::JitOptions o;
      o.use_cache = false;
      conform::Diagnostics d;
      auto native = conform::jit::Compile(p, o, d);
      if (native && Evaluate(*bundle, *p, conform::runtime::Engine::Jit, native.get()) != interp) __builtin_trap();
    }
  }
  return 0;
}
