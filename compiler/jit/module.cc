// The entry point of libconform_jit.so, the module that holds LLVM (see module_api.h): a table
// of the native engine's functions (jit.cc), looked up by jit/loader.cc with dlsym.
#include "module_api.h"

namespace {

const conform::jit::ModuleApi* Table() {
  using namespace conform::jit;
  static const std::string tag = ModuleBuildTag();
  static const ModuleApi api{kModuleAbi, tag.c_str(), &Compile, &EmitLLVM, &CacheKeyText, &HostCpu, &LlvmVersion};
  return &api;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) const conform::jit::ModuleApi* conform_jit_module_api() {
  return Table();
}
