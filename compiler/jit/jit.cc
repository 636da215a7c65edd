// The native engine: ORC LLJIT with an O2 IR transform layer, an explicit helper symbol map,
// a resource tracker per rule set, and an object cache in memory and on disk.
#include "conform/compiler/jit.h"

#include <fmt/format.h>
#include <llvm/Config/llvm-config.h>
#include <llvm/ExecutionEngine/ObjectCache.h>
#include <llvm/ExecutionEngine/Orc/CompileUtils.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/IRTransformLayer.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/Metadata.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/SHA256.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/TargetParser/Host.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "../codegen/codegen.h"
#include "conform/compiler/builtins.h"
#include "conform/compiler/cache_file.h"
#include "conform/compiler/interp.h"
#include "conform/compiler/patterns.h"
#include "conform/compiler/result.h"
#include "conform/compiler/rt_helpers.h"

namespace fs = std::filesystem;

namespace conform::jit {
namespace {

// 2: sealed with a SHA-256 of the payload (cache_file.h).
constexpr const char* kMagic = "CONFORM-OBJECT-CACHE 2\n";
// Bump whenever generated code changes shape for the same IR (function names, ABI, layout).
constexpr int kCodegenVersion = 14;  // 10: globals, set ops, filters, failing-element functions; 11: join indexes, pure date helpers; 12: failing functions return their list (value order of sets); 13: month-free date arithmetic inline; 14: lower/upper(x) == literal without interning

// Module flag carrying the optimisation level of a module to the transform layer.
constexpr const char* kOptFlag = "conform.opt";

double Ms(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

std::string Hex(llvm::ArrayRef<uint8_t> bytes) {
  std::string out;
  for (uint8_t b : bytes) out += fmt::format("{:02x}", b);
  return out;
}

void InitLLVM() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
  });
}

// Captures the object file the compile layer produces, so it can be stored on disk.
class CaptureCache : public llvm::ObjectCache {
 public:
  void notifyObjectCompiled(const llvm::Module* m, llvm::MemoryBufferRef obj) override {
    std::lock_guard<std::mutex> lock(mu_);
    captured_[m->getModuleIdentifier()] = std::string(obj.getBuffer());
  }
  std::unique_ptr<llvm::MemoryBuffer> getObject(const llvm::Module*) override { return nullptr; }
  std::string Take(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = captured_.find(id);
    if (it == captured_.end()) return {};
    std::string out = std::move(it->second);
    captured_.erase(it);
    return out;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::string> captured_;
};

// One LLJIT for the process; each compiled rule set gets its own JITDylib and resource tracker.
class Engine {
 public:
  static Engine& Get() {
    static Engine* e = new Engine();  // never destroyed: generated code may outlive statics
    return *e;
  }
  llvm::orc::LLJIT* jit() { return jit_.get(); }
  CaptureCache& capture() { return capture_; }
  const std::string& error() const { return error_; }
  std::recursive_mutex& mu() { return mu_; }

  // Memory tier of the object cache: digest → (full key, objects).
  std::map<std::string, std::pair<std::string, std::vector<std::string>>> memory;

 private:
  Engine() {
    InitLLVM();
    auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
    if (!jtmb) {
      error_ = llvm::toString(jtmb.takeError());
      return;
    }
    jtmb->setCodeGenOptLevel(llvm::CodeGenOptLevel::Default);
    CaptureCache* cache = &capture_;
    auto built = llvm::orc::LLJITBuilder()
                     .setJITTargetMachineBuilder(*jtmb)
                     .setLinkProcessSymbolsByDefault(false)  // helpers come from the explicit map only
                     .setPlatformSetUp(llvm::orc::setUpInactivePlatform)  // no static initialisers to run
                     // Parts of a rule set compile on all cores; each compile makes its own target machine.
                     .setNumCompileThreads(std::max(1u, std::thread::hardware_concurrency()))
                     .setCompileFunctionCreator([cache](llvm::orc::JITTargetMachineBuilder b)
                                                    -> llvm::Expected<std::unique_ptr<llvm::orc::IRCompileLayer::IRCompiler>> {
                       return std::make_unique<llvm::orc::ConcurrentIRCompiler>(std::move(b), cache);
                     })
                     .create();
    if (!built) {
      error_ = llvm::toString(built.takeError());
      return;
    }
    jit_ = std::move(*built);
    // The optimisation pipeline runs in the IR transform layer, before machine code.
    jit_->getIRTransformLayer().setTransform(
        [](llvm::orc::ThreadSafeModule tsm, const llvm::orc::MaterializationResponsibility&)
            -> llvm::Expected<llvm::orc::ThreadSafeModule> {
          // The level travels with the module (rule sets compile concurrently, at any level).
          tsm.withModuleDo([](llvm::Module& m) {
            auto* level = llvm::mdconst::extract_or_null<llvm::ConstantInt>(m.getModuleFlag(kOptFlag));
            codegen::Optimize(m, nullptr, level ? static_cast<int>(level->getZExtValue()) : 2);
          });
          return tsm;  // moved implicitly
        });
  }

  std::unique_ptr<llvm::orc::LLJIT> jit_;
  CaptureCache capture_;
  std::string error_;
  // Recursive: a rule set that fails to compile is released (its tracker removed) while the
  // compile still holds the lock.
  std::recursive_mutex mu_;
};


// Disk entries (cache_file.h): sealed — the magic line, the SHA-256 of the payload, then the
// payload: the full key text with its length, the number of objects, each object with its
// length. The digest is checked before anything is parsed and before any object is linked or
// run; a damaged entry is a miss (W0911), rebuilt and rewritten.
enum class DiskRead { Miss, Hit, Damaged };

DiskRead ReadDiskEntry(const fs::path& file, const std::string& key, std::vector<std::string>& objects,
                       std::string& problem) {
  std::string data, why;
  switch (cache::ReadFile(file.string(), data, why)) {
    case cache::ReadStatus::Missing: return DiskRead::Miss;
    case cache::ReadStatus::Ok: break;
    case cache::ReadStatus::Refused:
    case cache::ReadStatus::Error:
      problem = "it cannot be used: " + why;
      return DiskRead::Damaged;
  }
  std::string_view payload;
  switch (cache::Unseal(data, kMagic, payload)) {
    case cache::OpenStatus::Foreign: return DiskRead::Miss;
    case cache::OpenStatus::Corrupt:
      problem = "its content does not match its SHA-256 digest";
      return DiskRead::Damaged;
    case cache::OpenStatus::Ok: break;
  }
  size_t pos = 0;
  auto u64 = [&](uint64_t& v) {
    if (payload.size() < pos + 8) return false;
    std::memcpy(&v, payload.data() + pos, 8);
    pos += 8;
    return true;
  };
  uint64_t klen = 0, count = 0;
  if (!u64(klen) || klen > payload.size() - pos) {
    problem = "it is malformed";
    return DiskRead::Damaged;
  }
  if (payload.substr(pos, klen) != key) return DiskRead::Miss;  // another key with the same digest prefix
  pos += klen;
  std::vector<std::string> out;
  bool ok = u64(count) && count > 0 && count <= 4096;
  for (uint64_t i = 0; ok && i < count; ++i) {
    uint64_t len = 0;
    ok = u64(len) && len <= payload.size() - pos && len >= 4 && payload.compare(pos, 4, "\x7f" "ELF") == 0;
    if (ok) out.emplace_back(payload.substr(pos, len));
    pos += len;
  }
  if (!ok || pos != payload.size()) {
    problem = "it is malformed";
    return DiskRead::Damaged;
  }
  objects = std::move(out);
  return DiskRead::Hit;
}

void WriteDiskEntry(const fs::path& dir, const fs::path& file, const std::string& key,
                    const std::vector<std::string>& objects) {
  std::string why;
  if (!cache::CheckDir(dir.string(), /*create=*/true, why)) return;
  std::string payload;
  auto u64 = [&](uint64_t v) { payload.append(reinterpret_cast<const char*>(&v), 8); };
  u64(key.size());
  payload += key;
  u64(objects.size());
  for (const auto& o : objects) {
    u64(o.size());
    payload += o;
  }
  cache::WriteFile(file.string(), cache::Seal(kMagic, payload));  // atomic: the old entry or the whole new one
}

using EntryFn = void (*)(EvalContext*, const void*, const int64_t*, int64_t, uint8_t*, int64_t*);
using MessageFn = void (*)(EvalContext*, const void*, const int64_t*, int64_t, int64_t, int64_t*, uint8_t*);
using ExclusionsFn = void (*)(EvalContext*, const void*, const int64_t*, int64_t, int64_t*, uint8_t*);
using FailingFn = int64_t (*)(EvalContext*, const void*, const int64_t*, int64_t, int64_t*, int64_t, int64_t*);

class Native final : public CompiledProgram {
 public:
  Native(std::shared_ptr<const ir::Program> p, llvm::orc::ResourceTrackerSP rt)
      : p_(std::move(p)), rt_(std::move(rt)), patterns_(PatternSet::For(*p_)) {}
  ~Native() override {
    if (rt_) {
      std::lock_guard<std::recursive_mutex> lock(Engine::Get().mu());
      llvm::consumeError(rt_->remove());
    }
  }

  const ir::Program& program() const override { return *p_; }
  const JitStats& stats() const override { return stats_; }

  void EvaluateVerdicts(const EvalInput& in, EvalContext& ctx, uint8_t* verdicts, int64_t* witnesses) const override {
    if (!ctx.patterns) ctx.patterns = patterns_.get();
    entry_(&ctx, in.root, in.params->values.data(), in.as_of, verdicts, witnesses);
    if (p_->exclusions < 0) return;
    int64_t bits = 0;
    uint8_t known = 0;
    exclusions_(&ctx, in.root, in.params->values.data(), in.as_of, &bits, &known);
    if (!known) return;  // an unknown set excludes nothing
    const Seq* s = reinterpret_cast<const Seq*>(bits);
    if (s->size == 0) return;
    for (size_t i = 0; i < p_->requirements.size(); ++i)
      for (int64_t x = 0; x < s->size; ++x)
        if (ClauseUnder(p_->requirements[i].clause, ExcludedClause(in.strings->Get(s->data[x])))) {
          verdicts[i] = static_cast<uint8_t>(VerdictCode::Excluded);
          witnesses[i] = x;  // which exclusion
          break;
        }
  }

  std::vector<RequirementResult> EvaluateAll(const EvalInput& in) const override {
    const size_t n = p_->requirements.size();
    Scratch scratch;
    EvalContext ctx;
    ctx.strings = in.strings;
    ctx.as_of = in.as_of;
    ctx.scratch = &scratch;
    std::vector<uint8_t> verdicts(n);
    std::vector<int64_t> witnesses(n);
    EvaluateVerdicts(in, ctx, verdicts.data(), witnesses.data());
    std::vector<std::string> excluded;
    if (p_->exclusions >= 0) {
      int64_t bits = 0;
      uint8_t known = 0;
      exclusions_(&ctx, in.root, in.params->values.data(), in.as_of, &bits, &known);
      if (known) {
        const Seq* s = reinterpret_cast<const Seq*>(bits);
        for (int64_t x = 0; x < s->size; ++x) excluded.emplace_back(in.strings->Get(s->data[x]));
      }
    }
    std::vector<RequirementResult> out(n);
    std::vector<int64_t> hole_bits;
    std::vector<uint8_t> hole_known;
    for (size_t i = 0; i < n; ++i) {
      const ir::Requirement& r = p_->requirements[i];
      const auto code = static_cast<VerdictCode>(verdicts[i]);
      if (code == VerdictCode::Conform) {
        out[i].verdict = Verdict::Conform;  // most requirements: no message, no result to move in
      } else if (code != VerdictCode::Nonconform) {
        out[i] = MakeResult(*p_, r, code, code == VerdictCode::Excluded ? std::string_view(excluded.at(witnesses[i])) : std::string_view());
      } else {
        hole_bits.assign(r.message.size() + 1, 0);
        hole_known.assign(r.message.size() + 1, 0);
        // Every failing element (for `{each …}` holes, and the witness of a set: the least by
        // value), from the failing-elements function; a set's in value order, as the interpreter.
        std::vector<int64_t> failing;
        int64_t total = 0;
        if (failing_[i]) {
          int64_t range = 0;
          failing.resize(ir::kEachShown);
          total = failing_[i](&ctx, in.root, in.params->values.data(), in.as_of, failing.data(), static_cast<int64_t>(failing.size()), &range);
          const ir::Node& q = p_->nodes[r.pass];
          const bool set = p_->types.Kind(p_->nodes[q.a].type) == TypeKind::Set;
          if (set && total > static_cast<int64_t>(failing.size())) {
            failing.resize(static_cast<size_t>(total));
            failing_[i](&ctx, in.root, in.params->values.data(), in.as_of, failing.data(), total, &range);
          }
          failing.resize(std::min<size_t>(failing.size(), static_cast<size_t>(std::max<int64_t>(total, 0))));
          if (set && range) {
            SortByValue(*p_, *in.strings, p_->types[p_->nodes[q.a].type].elem, reinterpret_cast<const Seq*>(range), failing);
            if (!failing.empty()) witnesses[i] = failing.front();
          }
          if (failing.size() > ir::kEachShown) failing.resize(ir::kEachShown);
        }
        messages_[i](&ctx, in.root, in.params->values.data(), in.as_of, witnesses[i], hole_bits.data(), hole_known.data());
        std::vector<std::vector<std::string>> each(r.message.size());
        for (int64_t w : failing) {
          std::vector<int64_t> bits(r.message.size() + 1, 0);
          std::vector<uint8_t> known(r.message.size() + 1, 0);
          messages_[i](&ctx, in.root, in.params->values.data(), in.as_of, w, bits.data(), known.data());
          size_t h = 0;
          for (size_t k = 0; k < r.message.size(); ++k) {
            if (r.message[k].expr < 0) continue;
            if (r.message[k].each)
              each[k].push_back(FormatHole(*p_, *in.strings, p_->nodes[r.message[k].expr].type, bits[h], known[h] != 0));
            ++h;
          }
        }
        // Hole k's value slot: the holes before it (message functions store one slot per hole).
        size_t h = 0;
        out[i] = MakeResult(*p_, r, code, {}, [&](size_t k) {
          const auto& piece = r.message[k];
          std::string text = piece.each ? JoinEach(each[k], total)
                                        : FormatHole(*p_, *in.strings, p_->nodes[piece.expr].type, hole_bits[h], hole_known[h] != 0);
          ++h;
          return text;
        });
      }
      RequirementResult& res = out[i];
      if (in.explain && (res.verdict == Verdict::Nonconform || res.verdict == Verdict::NotEvidenced))
        interp::ExplainRequirement(*p_, in, i, res);
    }
    ApplyDependencies(*p_, out);
    return out;
  }

  std::shared_ptr<const ir::Program> p_;
  llvm::orc::ResourceTrackerSP rt_;
  std::shared_ptr<const PatternSet> patterns_;  // compiled once per program, shared by every evaluation
  JitStats stats_;
  EntryFn entry_ = nullptr;
  ExclusionsFn exclusions_ = nullptr;
  std::vector<MessageFn> messages_;
  std::vector<FailingFn> failing_;  // per requirement; null without a `{each …}` hole
};

}  // namespace

bool Available() { return true; }

std::string HostCpu() { return llvm::sys::getHostCPUName().str(); }
std::string LlvmVersion() { return LLVM_VERSION_STRING; }

std::string CacheKeyText(const ir::Program& p, int opt_level) {
  std::string key = fmt::format("{}conform {} codegen {}\nllvm {}\ncpu {}\nopt {}\n", kMagic, cache::ConformVersion(), kCodegenVersion,
                                LLVM_VERSION_STRING, HostCpu(), opt_level);
  key += "-- builtins\n" + BuiltinRegistry::Default().Canonical();
  key += "-- schema\n" + p.schema->Canonical();
  key += "-- literals\n";
  for (int64_t i = p.literals->first_id(); i < p.literals->end_id(); ++i) key += fmt::format("{}:{}\n", i, p.literals->Get(i));
  key += "-- program\n" + ir::Print(p);
  return key;
}

std::string EmitLLVM(const ir::Program& p, int opt_level) {
  InitLLVM();
  llvm::LLVMContext ctx;
  auto m = codegen::BuildModule(p, ctx);
  if (opt_level > 0) codegen::Optimize(*m, nullptr, opt_level);
  std::string out;
  llvm::raw_string_ostream os(out);
  m->print(os, nullptr);
  return out;
}

std::unique_ptr<CompiledProgram> Compile(std::shared_ptr<const ir::Program> program, const JitOptions& opts,
                                         Diagnostics& diags) {
  Engine& engine = Engine::Get();
  if (!engine.jit()) {
    diags.Error("E0801", {}, fmt::format("the JIT could not start: {}", engine.error()), "use --engine interp");
    return nullptr;
  }
  const ir::Program& p = *program;
  auto t0 = std::chrono::steady_clock::now();
  std::string key = CacheKeyText(p, opts.opt_level);
  std::array<uint8_t, 32> digest = llvm::SHA256::hash(llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t*>(key.data()), key.size()));
  std::string hex = Hex(digest);

  // Held while this rule set's dylib, symbols, modules and cache tiers are set up, and released
  // while its code is optimised and compiled, so that several rule sets compile at once on the
  // JIT's thread pool (`cache warm`, `check -s A -s B`).
  std::unique_lock<std::recursive_mutex> lock(engine.mu());
  auto* jit = engine.jit();
  static std::atomic<uint64_t> counter{0};
  auto jd = jit->createJITDylib(fmt::format("conform.{}.{}", p.standard, counter++));
  if (!jd) {
    diags.Error("E0802", {}, fmt::format("JIT error: {}", llvm::toString(jd.takeError())));
    return nullptr;
  }
  llvm::orc::SymbolMap symbols;
  auto add = [&](const char* name, void* addr) {
    symbols[jit->mangleAndIntern(name)] = {llvm::orc::ExecutorAddr::fromPtr(addr),
                                            llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
  };
  for (const auto& h : HelperSymbols()) add(h.name, h.address);
  // The optimiser may turn loops into these.
  add("memset", reinterpret_cast<void*>(&std::memset));
  add("memcpy", reinterpret_cast<void*>(&std::memcpy));
  add("memmove", reinterpret_cast<void*>(&std::memmove));
  if (auto err = jd->define(llvm::orc::absoluteSymbols(std::move(symbols)))) {
    diags.Error("E0802", {}, fmt::format("JIT error: {}", llvm::toString(std::move(err))));
    return nullptr;
  }
  auto rt = jd->createResourceTracker();
  auto native = std::make_unique<Native>(program, rt);
  JitStats& st = native->stats_;
  st.key = hex;

  // Cache lookup: memory, then disk; the full key is compared, never only the digest. A folder
  // other users can write is not used at all (its entries could run code here).
  std::vector<std::string> objects;
  fs::path dir = opts.cache_dir.empty() ? fs::path(DefaultCacheDir()) : fs::path(opts.cache_dir);
  if (opts.use_cache && !dir.empty()) {
    std::string why;
    if (!cache::CheckDir(dir.string(), /*create=*/false, why)) {
      diags.Warning("W0910", {}, fmt::format("not using the object cache: {}", why),
                    "make the folder private (chmod 700) or choose another with --cache-dir");
      dir.clear();
    }
  }
  fs::path file = dir.empty() ? fs::path() : dir / (hex + ".o");
  if (opts.use_cache) {
    auto it = engine.memory.find(hex);
    if (it != engine.memory.end() && it->second.first == key) {
      objects = it->second.second;
      st.memory_hit = true;
    } else {
      // The user's cache, then the installed layer: read-only, verified exactly the same way
      // (a damaged entry there is a miss too, compiled again into the user's cache).
      fs::path installed = opts.installed_cache_dir.empty() ? fs::path() : fs::path(opts.installed_cache_dir) / (hex + ".o");
      for (const fs::path& from : {file, installed}) {
        if (from.empty() || st.disk_hit) continue;
        std::string problem;
        switch (ReadDiskEntry(from, key, objects, problem)) {
          case DiskRead::Hit:
            st.disk_hit = true;
            st.installed_hit = from == installed;
            engine.memory[hex] = {key, objects};
            break;
          case DiskRead::Damaged:
            st.damaged = true;
            diags.Warning("W0911", {}, fmt::format("ignored a damaged object cache entry {}: {}", from.string(), problem),
                          from == installed ? "nothing to do: the code is compiled again into your cache; reinstall conform "
                                              "to repair its installed cache"
                                            : "nothing to do: the code is compiled again and the entry rewritten");
            break;
          case DiskRead::Miss: break;
        }
      }
    }
  }
  auto t1 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < objects.size(); ++i) {
    auto buf = llvm::MemoryBuffer::getMemBufferCopy(objects[i], fmt::format("{}.{}", hex, i));
    if (auto err = jit->addObjectFile(rt, std::move(buf))) {
      // A foreign or broken entry: drop what was added and rebuild below.
      llvm::consumeError(std::move(err));
      llvm::consumeError(rt->remove());
      rt = jd->createResourceTracker();
      native->rt_ = rt;
      objects.clear();
      st.memory_hit = st.disk_hit = st.installed_hit = false;
      engine.memory.erase(hex);
      break;
    }
  }
  bool compiled = false;
  std::vector<std::string> module_ids;
  if (objects.empty()) {
    // Parts of about 24 requirements, compiled in parallel by the JIT's thread pool.
    const size_t n = p.requirements.size();
    const size_t per_part = 24;
    std::vector<codegen::Part> parts;
    if (n <= codegen::kInlineLimit) {
      parts.push_back({true, 0, n});  // small: one module, requirements inlined
    } else {
      parts.push_back({true, 0, 0});
      for (size_t b = 0; b < n; b += per_part) parts.push_back({false, b, std::min(n, b + per_part)});
    }
    for (size_t i = 0; i < parts.size(); ++i) {
      auto ctx = std::make_unique<llvm::LLVMContext>();
      auto m = codegen::BuildPart(p, *ctx, parts[i]);
      m->setModuleIdentifier(fmt::format("{}.{}", hex, i));
      m->addModuleFlag(llvm::Module::Warning, kOptFlag, static_cast<uint32_t>(opts.opt_level));
      std::string verify;
      llvm::raw_string_ostream vs(verify);
      if (llvm::verifyModule(*m, &vs)) {
        diags.Error("E0803", {}, fmt::format("internal error: invalid generated code for `{}`: {}", p.standard, verify),
                    "use --engine interp, and please report this");
        return nullptr;
      }
      m->setDataLayout(jit->getDataLayout());
      m->setTargetTriple(jit->getTargetTriple().str());
      module_ids.push_back(m->getModuleIdentifier());
      if (auto err = jit->addIRModule(rt, llvm::orc::ThreadSafeModule(std::move(m), std::move(ctx)))) {
        diags.Error("E0802", {}, fmt::format("JIT error: {}", llvm::toString(std::move(err))));
        return nullptr;
      }
    }
    t1 = std::chrono::steady_clock::now();
    st.codegen_ms = Ms(t0, t1);
    compiled = true;
  }
  // One lookup of every symbol: the modules materialise (optimise + compile) concurrently.
  auto t2 = std::chrono::steady_clock::now();
  llvm::orc::SymbolLookupSet names;
  std::vector<std::string> wanted = {codegen::kEntry, codegen::kExclusions};
  for (size_t i = 0; i < p.requirements.size(); ++i) {
    wanted.push_back(codegen::MessageFunction(i));
    if (codegen::NeedsFailing(p, p.requirements[i])) wanted.push_back(codegen::FailingFunction(i));
  }
  for (const auto& w : wanted) names.add(jit->mangleAndIntern(w));
  lock.unlock();
  auto found = jit->getExecutionSession().lookup(llvm::orc::makeJITDylibSearchOrder(&*jd), std::move(names));
  lock.lock();
  if (!found) {
    diags.Error("E0802", {}, fmt::format("JIT error: {}", llvm::toString(found.takeError())));
    return nullptr;
  }
  auto addr = [&](const std::string& name) { return (*found)[jit->mangleAndIntern(name)].getAddress().toPtr<void*>(); };
  native->entry_ = reinterpret_cast<EntryFn>(addr(codegen::kEntry));
  native->exclusions_ = reinterpret_cast<ExclusionsFn>(addr(codegen::kExclusions));
  for (size_t i = 0; i < p.requirements.size(); ++i) {
    native->messages_.push_back(reinterpret_cast<MessageFn>(addr(codegen::MessageFunction(i))));
    native->failing_.push_back(codegen::NeedsFailing(p, p.requirements[i]) ? reinterpret_cast<FailingFn>(addr(codegen::FailingFunction(i)))
                                                                    : nullptr);
  }
  auto t3 = std::chrono::steady_clock::now();
  if (compiled) {
    st.compile_ms = Ms(t2, t3);
    for (const auto& id : module_ids) objects.push_back(engine.capture().Take(id));
    bool complete = std::all_of(objects.begin(), objects.end(), [](const std::string& o) { return !o.empty(); });
    if (opts.use_cache && complete) {
      engine.memory[hex] = {key, objects};
      if (!dir.empty()) WriteDiskEntry(dir, file, key, objects);
    }
  } else {
    st.link_ms = Ms(t1, t3);
  }
  for (const auto& o : objects) st.object_bytes += o.size();
  return native;
}

}  // namespace conform::jit
