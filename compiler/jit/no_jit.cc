// The native engine's interface in a build without LLVM (-DCONFORM_WITH_JIT=OFF): nothing
// compiles to native code; callers see Available() == false and use the interpreter.
#include <fmt/format.h>

#include "conform/compiler/jit.h"

namespace conform::jit {

bool Available() { return false; }
std::string UnavailableReason() { return {}; }
bool ModuleLoaded() { return false; }
bool InThisBuild() { return false; }

std::unique_ptr<CompiledProgram> Compile(std::shared_ptr<const ir::Program> program, const JitOptions&,
                                         Diagnostics& diags) {
  diags.Error("E1207", {}, fmt::format("this build has no native engine (built with CONFORM_WITH_JIT=OFF): cannot compile `{}`",
                                       program ? program->standard : std::string("?")),
              "use the interpreter (--engine interp), or a build with LLVM");
  return nullptr;
}

std::string EmitLLVM(const ir::Program&, int) { return {}; }
std::string CacheKeyText(const ir::Program& p, int opt_level) { return fmt::format("no-jit {} {}", p.standard, opt_level); }
std::string HostCpu() { return "none"; }
std::string LlvmVersion() { return "none"; }

}  // namespace conform::jit
