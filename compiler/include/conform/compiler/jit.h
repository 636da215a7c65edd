// The native engine: compiles a checked program with LLVM ORC (LLJIT, O2) and evaluates it.
// No LLVM type appears here; LLVM lives only in compiler/codegen and compiler/jit, which are
// built into a separate module (libconform_jit.so) that jit/loader.cc dlopens on the first call
// that needs it: a process that only interprets never maps libLLVM.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "conform/compiler/builtins.h"
#include "conform/compiler/diagnostics.h"
#include "conform/compiler/evaluate.h"
#include "conform/compiler/ir.h"

namespace conform::jit {

struct JitOptions {
  bool use_cache = true;     // in-memory and on-disk object cache
  std::string cache_dir;     // empty: $XDG_CACHE_HOME/conform, else ~/.cache/conform
  std::string installed_cache_dir;  // read-only layer consulted after cache_dir (never written); "" none
  int opt_level = 2;
};

struct JitStats {
  std::string key;           // hex digest of the cache key
  bool memory_hit = false;
  bool disk_hit = false;
  bool installed_hit = false;  // the disk hit came from the installed layer
  bool damaged = false;      // a damaged or refused disk entry was ignored (W0911; a miss)
  double codegen_ms = 0;     // IR → LLVM IR
  double compile_ms = 0;     // optimise + machine code (0 on a cache hit)
  double link_ms = 0;        // object → callable code
  size_t object_bytes = 0;
};

// Immutable once built; EvaluateAll may be called from many threads at once.
class CompiledProgram {
 public:
  virtual ~CompiledProgram() = default;
  virtual const ir::Program& program() const = 0;
  virtual const JitStats& stats() const = 0;
  // Verdict codes (a VerdictCode per requirement, result.h) and witness indices, exclusions
  // applied. `ctx` must carry strings and a Scratch.
  virtual void EvaluateVerdicts(const EvalInput& in, EvalContext& ctx, uint8_t* verdicts, int64_t* witnesses) const = 0;
  // Full results: verdicts and messages from native code; the deciding values (facts) of
  // non-conforming verdicts come from the reference explainer over the same IR.
  virtual std::vector<RequirementResult> EvaluateAll(const EvalInput& in) const = 0;
};

std::unique_ptr<CompiledProgram> Compile(std::shared_ptr<const ir::Program> program, const JitOptions& opts,
                                         Diagnostics& diags);

// False in a build without LLVM (-DCONFORM_WITH_JIT=OFF, jit/no_jit.cc), or when the module
// libconform_jit.so cannot be loaded: Compile then reports E1207 and returns nullptr, and callers
// evaluate with the interpreter. The first call loads the module (and with it libLLVM).
bool Available();

// Why Available() is false in a build that has the native engine (the module is missing,
// unloadable or from another build); empty when it is available or the build has no LLVM.
std::string UnavailableReason();

// True once the module (and libLLVM) is mapped into this process; never loads it.
bool ModuleLoaded();

// True in a build with the native engine (CONFORM_WITH_JIT), whether or not its module can be
// loaded; never loads it.
bool InThisBuild();

// The module as LLVM IR text, optimised at `opt_level` (`conform compile --emit llvm`).
std::string EmitLLVM(const ir::Program& p, int opt_level = 2);

// The full cache key text (canonical IR + literals + schema + builtins + versions + CPU).
std::string CacheKeyText(const ir::Program& p, int opt_level);

// Where caches live by default: $XDG_CACHE_HOME/conform, else ~/.cache/conform ("" if neither).
std::string DefaultCacheDir();

// The host CPU name LLVM targets, and LLVM's version string.
std::string HostCpu();
std::string LlvmVersion();

}  // namespace conform::jit
