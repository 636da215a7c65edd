// Batch evaluation: one organization per NDJSON line, on all cores, results in input order.
#pragma once
#include <atomic>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "conform/compiler/ir.h"
#include "conform/compiler/jit.h"
#include "conform/runtime/evidence.h"
#include "conform/runtime/report.h"

namespace conform::runtime {

// Native code that arrives while a batch runs (`--engine auto`: the batch starts with the
// interpreter while LLVM compiles in the background). Whoever compiled it fills `natives`
// (parallel to BatchJob::programs), then sets `ready`; every line evaluated after that uses it.
// The verdicts and records are the same with either engine (the conformance suite runs both).
struct NativeHandoff {
  std::vector<const jit::CompiledProgram*> natives;
  std::atomic<bool> ready{false};
};

struct BatchJob {
  std::vector<std::shared_ptr<ir::Program>> programs;
  std::vector<const jit::CompiledProgram*> natives;  // parallel to programs; empty for the interpreter
  const SchemaModel* schema = nullptr;
  const StringPool* literals = nullptr;
  int64_t as_of = 0;
  std::vector<ParamOverride> overrides;  // from --param; a line's own `parameters` come first
  Engine engine = Engine::Jit;
  unsigned threads = 0;                  // 0: all cores
  bool explain = false;                  // deciding values in every record (slower)
  std::string source_name;               // for error records
  size_t first_line = 1;                 // number of the first input line (a slice of a larger input)
  size_t max_line_bytes = size_t{256} << 20;       // a longer line gets an E0911 error record
  size_t max_bytes_in_flight = size_t{256} << 20;  // input bytes evaluated at once (plus one line)
  std::shared_ptr<const NativeHandoff> handoff;    // with engine Interp: switch to native code when ready
};

struct BatchStats {
  size_t lines = 0, ok = 0, errors = 0;
  size_t not_conforming = 0;  // loaded organizations with a nonconform or not-evidenced requirement
  size_t native_lines = 0;    // organizations evaluated by native code (all of them with engine Jit)
  double seconds = 0;
  bool output_failed = false;  // a write to `out` failed: the batch stopped there
};

// Reads `in` to the end; writes one JSON object per input line to `out`, in input order:
//   {"line":N,"standards":[{"standard":…,"summary":{…},"requirements":[{…}]}]}
// or, for a line that cannot be loaded, {"line":N,"error":{"code":…,"message":…,"path":…}}.
// Blank lines are skipped (no record). A bad line never stops the batch; a failed write does
// (stats.output_failed). Workers take chunks of up to 64 lines; records are written in input
// order and flushed once a chunk is done and every record before it is written.
BatchStats RunBatch(std::istream& in, std::ostream& out, const BatchJob& job);

}  // namespace conform::runtime
