// Fuzz target: NDJSON batch evaluation (`conform check --batch`): the line reader and its
// limits, the JSON evidence of each line with its `parameters`, evaluation of the small
// standard of fuzz_rules.h and the record writer. The first byte picks the threads (1 or 2),
// explanations, and small line and in-flight limits; the rest is the batch.
// Where the native engine is available (the replay test of a build with LLVM), the same batch
// is evaluated by both engines and the outputs must be identical; the fuzzing build
// (`make fuzz`, no JIT) runs the interpreter.
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>

#include "conform/runtime/batch.h"
#include "fuzz_program.h"

namespace {

using Rules = conform::fuzz::CompiledRules;

std::string Run(const Rules& rules, const std::string& text, uint8_t mode, conform::runtime::Engine engine) {
  conform::runtime::BatchJob job;
  job.programs = {rules.program};
  if (engine == conform::runtime::Engine::Jit) job.natives = {rules.native.get()};
  job.schema = rules.program->schema.get();
  job.literals = rules.program->literals.get();
  job.as_of = conform::fuzz::kAsOf;
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
