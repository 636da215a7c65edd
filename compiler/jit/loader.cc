// The native engine's interface without LLVM: every call is forwarded to libconform_jit.so
// (codegen/ + jit/jit.cc, the only code that links libLLVM), which is dlopened on the first
// call that needs native code. A process that never compiles or loads native code — `conform
// --version`, an interpreter run, `conform lint` … — never maps libLLVM, which spares it the
// time and memory of LLVM's relocations and static initialisers (docs/performance.md).
// A module that is missing, unloadable or from another build makes Available() false with a
// reason (UnavailableReason()); callers then use the interpreter.
#include <dlfcn.h>
#include <fmt/format.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <vector>

#include "conform/compiler/patterns.h"
#include "module_api.h"

namespace fs = std::filesystem;

namespace conform::jit {
namespace {

struct Loaded {
  const ModuleApi* api = nullptr;
  std::string error;  // why api is null
  std::string path;   // the module that was loaded
};

// Where the module may be: $CONFORM_JIT_MODULE alone if set; else next to the binary that holds
// this code (libconform.so in lib/, or the `conform` command in bin/ with lib/ beside it), then
// where this build tree put it.
std::vector<std::string> Candidates() {
  if (const char* env = std::getenv("CONFORM_JIT_MODULE"); env && *env) return {env};
  std::vector<std::string> out;
  Dl_info info{};
  std::error_code ec;
  fs::path self;
  if (dladdr(reinterpret_cast<void*>(&Candidates), &info) && info.dli_fname && *info.dli_fname)
    self = fs::canonical(info.dli_fname, ec);
  if (self.empty() || ec) self = fs::read_symlink("/proc/self/exe", ec);
  if (!self.empty()) {
    fs::path dir = self.parent_path();
    out.push_back((dir / CONFORM_JIT_MODULE_NAME).string());
    out.push_back((dir / CONFORM_JIT_BIN_TO_LIB / CONFORM_JIT_MODULE_NAME).lexically_normal().string());
  }
  out.push_back(CONFORM_JIT_BUILD_PATH);
  return out;
}

Loaded Load() {
  Loaded l;
  std::vector<std::string> tried;
  for (const std::string& path : Candidates()) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      tried.push_back(path);
      continue;
    }
    void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      const char* e = dlerror();
      l.error = fmt::format("cannot load {}: {}", path, e ? e : "unknown error");
      return l;
    }
    auto entry = reinterpret_cast<const ModuleApi* (*)()>(dlsym(h, CONFORM_JIT_MODULE_ENTRY));
    const ModuleApi* api = entry ? entry() : nullptr;
    std::string want = ModuleBuildTag();
    if (!api || api->abi != kModuleAbi || want != api->build_tag) {
      // Never dlclose: a module's static destructors could still be registered.
      l.error = fmt::format("{} is from another build of Conform (expected `{}`, found `{}`)", path, want,
                            api ? api->build_tag : "no entry point");
      return l;
    }
    l.api = api;
    l.path = path;
    return l;
  }
  l.error = fmt::format("{} not found (looked for {})", CONFORM_JIT_MODULE_NAME, fmt::join(tried, ", "));
  return l;
}

const Loaded& Module() {
  static Loaded* l = nullptr;
  static std::once_flag once;
  std::call_once(once, [] { l = new Loaded(Load()); });  // never destroyed: native code may outlive statics
  return *l;
}

std::atomic<bool> loaded{false};

}  // namespace

bool Available() {
  bool ok = Module().api != nullptr;
  loaded.store(ok, std::memory_order_relaxed);
  return ok;
}

std::string UnavailableReason() { return Available() ? std::string() : Module().error; }

bool ModuleLoaded() { return loaded.load(std::memory_order_relaxed); }

bool InThisBuild() { return true; }

std::unique_ptr<CompiledProgram> Compile(std::shared_ptr<const ir::Program> program, const JitOptions& opts,
                                         Diagnostics& diags) {
  if (!Available()) {
    diags.Error("E1207", {}, fmt::format("the native engine is not available: {}", Module().error),
                "use the interpreter (--engine interp), or install libconform_jit.so next to libconform.so");
    return nullptr;
  }
  // The module has its own copy of the compiler library: build the program's lazily made
  // pattern set here, once, so the two copies never race to set it.
  if (program) PatternSet::For(*program);
  return Module().api->compile(std::move(program), opts, diags);
}

std::string EmitLLVM(const ir::Program& p, int opt_level) {
  return Available() ? Module().api->emit_llvm(p, opt_level) : std::string();
}

std::string CacheKeyText(const ir::Program& p, int opt_level) {
  return Available() ? Module().api->cache_key_text(p, opt_level) : std::string();
}

std::string HostCpu() { return Available() ? Module().api->host_cpu() : std::string("none"); }
std::string LlvmVersion() { return Available() ? Module().api->llvm_version() : std::string("none"); }

}  // namespace conform::jit
