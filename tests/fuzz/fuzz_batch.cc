// Fuzz target: NDJSON batch evaluation (`conform check --batch`): the line reader and its
// limits, the JSON evidence of each line with its `parameters`, evaluation of a small standard
// that uses most of the language (exclusions, `depends on`, `applies when`, `{each …}` holes,
// `matches`, dates, durations, sets, decimals) and the record writer. The first byte picks the
// threads (1 or 2), explanations, and small line and in-flight limits; the rest is the batch.
// Where the native engine is available (the replay test of a build with LLVM), the same batch
// is evaluated by both engines and the outputs must be identical; the fuzzing build
// (`make fuzz`, no JIT) runs the interpreter.
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>

#include "conform/compiler/driver.h"
#include "conform/compiler/jit.h"
#include "conform/runtime/batch.h"

namespace {

const char* kRules = R"CLAUSE(schema fz {
  enum level { low, high }
  entity issue { id: string  reviewed_at: date?  level: level  cost: decimal? }
  entity excl { clause_number: string  justification: string }
  root org {
    name: string  employees: int  since: date?  step: duration?  tags: set<string>?
    issues: list<issue>?  excluded: list<excl>?  ratio: decimal?  certified: bool?
  }
}
standard fz "Fuzz" {
  param minimum : int = 2 "fewest employees"
  param window : duration = 12 months "review interval"
  param wanted : set<string> = {"a", "b"} "tags wanted"
  exclusions distinct(x.clause_number for x in excluded where x.justification != "")
  clause 1 "Basics" {
    requirement named : major { says "named" pass len(name) > 0 and not matches(name, "(a|aa)*b") else "bad name {name}" }
    requirement staffed : minor { says "staffed" depends on named pass employees >= minimum else "{employees} < {minimum}" }
    requirement tagged : minor { says "tags" applies when tags is present pass wanted <= tags else "missing {wanted - tags}" }
  }
  clause 2 "Issues" {
    requirement reviewed : major {
      says "issues reviewed"
      applies when count(issues) > 0
      pass all i in issues : i.reviewed_at is present and i.reviewed_at >= as_of - window
      else "issues {each i.id} not reviewed"
    }
    clause 2.1 "Costs" {
      requirement cheap : minor {
        says "costs"
        pass sum(default(i.cost, 0.0) for i in issues where i.level == high) < ratio * 100.0
        else "too costly"
      }
      requirement recent : minor { says "recent" depends on reviewed pass since + default(step, 1 month) <= as_of }
    }
  }
}
)CLAUSE";

struct Rules {
  conform::Session session{{}};
  std::shared_ptr<conform::ir::Program> program;
  std::unique_ptr<conform::jit::CompiledProgram> native;
  Rules() {
    session.LoadText("fz.clause", kRules);
    if (!session.diags().HasErrors()) program = session.Compile("fz");
    if (!program || session.diags().HasErrors()) __builtin_trap();  // the harness itself is broken
    if (conform::jit::Available()) {
      conform::jit::JitOptions o;
      o.use_cache = false;
      conform::Diagnostics d;
      native = conform::jit::Compile(program, o, d);
    }
  }
};

std::string Run(const Rules& rules, const std::string& text, uint8_t mode, conform::runtime::Engine engine) {
  conform::runtime::BatchJob job;
  job.programs = {rules.program};
  if (engine == conform::runtime::Engine::Jit) job.natives = {rules.native.get()};
  job.schema = rules.program->schema.get();
  job.literals = rules.program->literals.get();
  job.as_of = 20262;  // 2025-06-23
  job.engine = engine;
  job.threads = (mode & 1) ? 2 : 1;
  job.explain = mode & 2;
  job.source_name = "fuzz.ndjson";
  if (mode & 4) job.max_line_bytes = 64;
  if (mode & 8) job.max_bytes_in_flight = 128;
  std::istringstream in(text);
  std::ostringstream out;
  conform::runtime::RunBatch(in, out, job);
  return out.str();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Rules* rules = new Rules();
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string interp = Run(*rules, text, mode, conform::runtime::Engine::Interp);
  if (rules->native) {
    std::string native = Run(*rules, text, mode, conform::runtime::Engine::Jit);
    if (native != interp) __builtin_trap();  // the engines disagree
  }
  return 0;
}
