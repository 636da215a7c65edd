// The contract between the LLVM-free side of the native engine (jit/loader.cc, linked into
// `conform`, libconform.so and every test) and the module that holds LLVM (libconform_jit.so:
// codegen/ + jit/jit.cc + module.cc), which the loader dlopens only when native code must be
// compiled or loaded. No LLVM type appears here.
#pragma once
#include <cstddef>
#include <memory>
#include <string>

#include "conform/compiler/jit.h"

namespace conform::jit {

// Bumped whenever this table changes shape.
constexpr int kModuleAbi = 1;

// The module links its own (hidden) copy of the compiler library, so the types passed across
// must have the same layout on both sides: the loader refuses a module from another build.
inline std::string ModuleBuildTag() {
  return std::string(CONFORM_JIT_BUILD_TAG) + " abi " + std::to_string(kModuleAbi) + " sizes " +
         std::to_string(sizeof(ir::Program)) + "/" + std::to_string(sizeof(EvalInput)) + "/" +
         std::to_string(sizeof(EvalContext)) + "/" + std::to_string(sizeof(Diagnostics)) + "/" +
         std::to_string(sizeof(RequirementResult)) + "/" + std::to_string(sizeof(JitOptions)) + "/" +
         std::to_string(sizeof(JitStats));
}

struct ModuleApi {
  int abi;
  const char* build_tag;  // ModuleBuildTag() of the module's build
  std::unique_ptr<CompiledProgram> (*compile)(std::shared_ptr<const ir::Program>, const JitOptions&, Diagnostics&);
  std::string (*emit_llvm)(const ir::Program&, int);
  std::string (*cache_key_text)(const ir::Program&, int);
  std::string (*host_cpu)();
  std::string (*llvm_version)();
};

}  // namespace conform::jit

// The module's only exported symbol.
#define CONFORM_JIT_MODULE_ENTRY "conform_jit_module_api"
extern "C" const conform::jit::ModuleApi* conform_jit_module_api();
