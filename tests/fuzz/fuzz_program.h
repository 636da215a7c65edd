// The standard of fuzz_rules.h compiled once: its program and, where this process has the
// native engine, its native code (no cache). Shared by the batch fuzz target and the batch
// tests that reuse its rules; traps if the rules do not compile (the harness itself is broken).
#pragma once
#include <memory>

#include "conform/compiler/driver.h"
#include "conform/compiler/jit.h"
#include "fuzz_rules.h"

namespace conform::fuzz {

struct CompiledRules {
  Session session{{}};
  std::shared_ptr<ir::Program> program;
  std::unique_ptr<jit::CompiledProgram> native;  // null without the native engine
  CompiledRules() {
    session.LoadText("fz.clause", kRules);
    if (!session.diags().HasErrors()) program = session.Compile("fz");
    if (!program || session.diags().HasErrors()) __builtin_trap();
    if (jit::Available()) {
      jit::JitOptions o;
      o.use_cache = false;
      Diagnostics d;
      native = jit::Compile(program, o, d);
    }
  }
};

}  // namespace conform::fuzz
