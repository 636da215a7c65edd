// Cold start (issue 14 item 5): the LLVM module is loaded only when native code is compiled or
// loaded, a missing module falls back to the interpreter. Correctness only: nothing is timed.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "conform_process.h"

namespace fs = std::filesystem;

namespace {

using conform::testing::Result;

fs::path Scratch() { return conform::testing::ScratchDir("conform-cold-start-test"); }

Result Conform(const std::string& env, const std::string& args) {
  return conform::testing::RunConform(CONFORM_BIN, CONFORM_SOURCE_DIR, Scratch(), env, args);
}

const std::string kCheck = "check examples/precision-parts.yaml -s iso9001 --as-of 2026-11-22 --format json";

// LD_DEBUG=files makes the dynamic loader list every object it maps, dlopen included, on stderr.
bool MapsLLVM(const Result& r) { return r.err.find("libLLVM") != std::string::npos; }

// The report without its `"engine": …` field, which names the engine that ran.
std::string WithoutEngine(std::string json) {
  size_t at = json.find("\"engine\"");
  if (at == std::string::npos) return json;
  size_t end = json.find_first_of(",}", at);
  return json.erase(at, end - at);
}

TEST(ColdStart, VersionAndInterpreterNeverMapLLVM) {
  Result v = Conform("LD_DEBUG=files", "--version");
  ASSERT_EQ(v.status, 0) << v.err;
  EXPECT_FALSE(MapsLLVM(v)) << "conform --version mapped libLLVM";
  Result i = Conform("LD_DEBUG=files", kCheck + " --engine interp");
  ASSERT_EQ(i.status, 1) << i.err;
  EXPECT_FALSE(MapsLLVM(i)) << "an interpreter run mapped libLLVM";
}

#if CONFORM_WITH_JIT
TEST(ColdStart, NativeEngineMapsLLVMOnDemand) {
  // The control of the test above: the same probe does see libLLVM when native code is used.
  Result j = Conform("LD_DEBUG=files", kCheck + " --engine jit --no-cache");
  ASSERT_EQ(j.status, 1) << j.err.substr(j.err.size() > 4000 ? j.err.size() - 4000 : 0);
  EXPECT_TRUE(MapsLLVM(j));
}

TEST(ColdStart, MissingModuleFallsBackToTheInterpreter) {
  Result interp = Conform("", kCheck + " --engine interp");
  ASSERT_EQ(interp.status, 1) << interp.err;
  Result r = Conform("CONFORM_JIT_MODULE=/nonexistent/libconform_jit.so", kCheck + " --engine jit --no-cache");
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("note: evaluating with the interpreter"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("/nonexistent/libconform_jit.so"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, interp.out);  // the interpreter ran: the very same report
  // A file that is not a module of this build is refused the same way.
  fs::path fake = Scratch() / "libconform_jit.so";
  fs::copy_file(CONFORM_BIN, fake, fs::copy_options::overwrite_existing);
  Result f = Conform(fmt::format("CONFORM_JIT_MODULE='{}'", fake.string()), kCheck + " --engine jit --no-cache");
  EXPECT_EQ(f.status, 1) << f.err;
  EXPECT_NE(f.err.find("note: evaluating with the interpreter"), std::string::npos) << f.err;
  EXPECT_EQ(f.out, interp.out);
  // With the module, the native engine gives the same report but for the engine's name.
  Result j = Conform("", kCheck + " --engine jit --no-cache");
  EXPECT_EQ(j.status, 1) << j.err;
  EXPECT_EQ(j.err.find("note:"), std::string::npos) << j.err;
  EXPECT_NE(j.out, interp.out);
  EXPECT_EQ(WithoutEngine(j.out), WithoutEngine(interp.out));
}

bool HasFile(const fs::path& dir, const std::string& prefix, const std::string& ext) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().filename().string().rfind(prefix, 0) == 0 && e.path().extension() == ext) return true;
  return false;
}

// --engine auto (the default): one small organization on a cold cache is evaluated by the
// interpreter without loading LLVM, and a detached `conform cache warm` fills the object cache,
// from which a native run then loads the code and gives the same report.
TEST(ColdStart, AutoChecksOneOrganizationWithTheInterpreterAndWarmsTheCacheBehind) {
  fs::path cache = Scratch() / "auto-cache";
  fs::remove_all(cache);
  std::string args = kCheck + fmt::format(" --cache-dir '{}' --timings", cache.string());
  Result first = Conform("CONFORM_NO_BACKGROUND_COMPILE=0 LD_DEBUG=files", args);
  ASSERT_EQ(first.status, 1) << first.err.substr(0, 2000);
  EXPECT_FALSE(MapsLLVM(first)) << "the first check waited for LLVM";
  EXPECT_NE(first.err.find("engine: interp (auto: one organization"), std::string::npos);
  EXPECT_NE(first.err.find("native code compiling in the background"), std::string::npos);
  EXPECT_NE(first.out.find("\"engine\":\"interp\""), std::string::npos) << first.out.substr(0, 400);
  // The background compile ends by marking the rule set native-cached (a wait, not a timing:
  // the bound only keeps a broken build from hanging the suite).
  for (int i = 0; i < 3000 && !HasFile(cache, "native-", ".ok"); ++i) usleep(200 * 1000);
  ASSERT_TRUE(HasFile(cache, "native-", ".ok")) << "the background compile did not finish";
  EXPECT_TRUE(HasFile(cache, "", ".o")) << "no object in the cache";
  Result jit = Conform("", kCheck + fmt::format(" --cache-dir '{}' --timings --engine jit", cache.string()));
  EXPECT_EQ(jit.status, 1) << jit.err;
  EXPECT_NE(jit.err.find("cache disk hit"), std::string::npos) << jit.err;
  EXPECT_EQ(WithoutEngine(jit.out), WithoutEngine(first.out));
  // Warm now: auto starts no second compile, and gives the same report as the first run.
  Result again = Conform("CONFORM_NO_BACKGROUND_COMPILE=0", args);
  EXPECT_EQ(again.err.find("background"), std::string::npos) << again.err;
  EXPECT_EQ(again.out, first.out);
}

// A batch under auto starts with the interpreter while its native code compiles on a thread,
// switches when the code lands, and ends with it in the cache: the output is that of --engine
// jit and --engine interp. Once the cache holds it, every organization is evaluated natively.
TEST(ColdStart, AutoBatchStartsInterpretedAndSwitchesToNativeCode) {
  fs::path cache = Scratch() / "batch-cache";
  fs::remove_all(cache);
  fs::path nd = Scratch() / "orgs.ndjson";
  {
    std::ofstream f(nd);
    for (int i = 0; i < 20; ++i) f << "{\"name\":\"O" << i << "\",\"employees\":" << i << "}\n";
  }
  std::string args = fmt::format("check --batch '{}' -s hs --as-of 2026-11-22 --timings --cache-dir '{}'", nd.string(), cache.string());
  Result a = Conform("LD_DEBUG=files", args);
  EXPECT_TRUE(MapsLLVM(a));
  EXPECT_TRUE(HasFile(cache, "", ".o")) << "the batch did not leave its native code in the cache";
  EXPECT_TRUE(HasFile(cache, "native-", ".ok"));
  EXPECT_NE(a.err.find(" of 20 organizations by native code (ready "), std::string::npos) << a.err;
  Result i = Conform("", args + " --engine interp");
  EXPECT_EQ(i.status, a.status);
  EXPECT_EQ(i.out, a.out);
  fs::path fresh = Scratch() / "batch-cache-jit";
  fs::remove_all(fresh);
  Result j = Conform("", fmt::format("check --batch '{}' -s hs --as-of 2026-11-22 --cache-dir '{}' --engine jit", nd.string(),
                                     fresh.string()));
  EXPECT_EQ(j.status, a.status);
  EXPECT_EQ(j.out, a.out);
  Result warm = Conform("", args);
  EXPECT_NE(warm.err.find("batch engine: 20 of 20 organizations by native code"), std::string::npos) << warm.err;
  EXPECT_EQ(warm.out, a.out);
}

// An unreadable batch file is reported at once: no native compile is started for it.
TEST(ColdStart, AnUnreadableBatchStartsNoCompile) {
  fs::path cache = Scratch() / "batch-unreadable";
  fs::remove_all(cache);
  Result r = Conform("", fmt::format("check --batch '{}' -s hs --as-of 2026-11-22 --cache-dir '{}'",
                                     (Scratch() / "missing.ndjson").string(), cache.string()));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("E0701"), std::string::npos) << r.err;
  EXPECT_FALSE(HasFile(cache, "", ".o")) << "a native compile ran for a batch that could not be read";
}

// `conform cache warm` compiles into the cache; a second run finds everything there.
TEST(ColdStart, CacheWarmFillsTheObjectCache) {
  fs::path cache = Scratch() / "warm-cache";
  fs::remove_all(cache);
  std::string args = fmt::format("cache warm -s hs --as-of 2026-11-22 --cache-dir '{}'", cache.string());
  Result w = Conform("", args);
  ASSERT_EQ(w.status, 0) << w.err;
  EXPECT_NE(w.out.find("hs: compiled into the cache"), std::string::npos) << w.out;
  EXPECT_TRUE(HasFile(cache, "native-", ".ok"));
  Result again = Conform("", args);
  EXPECT_NE(again.out.find("hs: already in the cache"), std::string::npos) << again.out;
  Result jit = Conform("", fmt::format("check examples/precision-parts.yaml -s hs --as-of 2026-11-22 --cache-dir '{}' "
                                       "--timings --engine jit", cache.string()));
  EXPECT_NE(jit.err.find("cache disk hit"), std::string::npos) << jit.err;
}

// Every regular file of `dir`, name → bytes: a layer's exact state.
std::map<std::string, std::string> Snapshot(const fs::path& dir) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file()) out[e.path().filename().string()] = conform::testing::Slurp(e.path());
  return out;
}

// An installed layer made by `conform cache warm -s hs` (as the build's conform_prebuilt_cache
// step makes build/share/conform/cache), named by CONFORM_INSTALL_CACHE.
fs::path InstalledLayer(const std::string& name) {
  fs::path layer = Scratch() / name;
  fs::remove_all(layer);
  Result w = Conform("", fmt::format("cache warm -s hs --as-of 2026-11-22 --cache-dir '{}'", layer.string()));
  EXPECT_EQ(w.status, 0) << w.err;
  fs::remove(layer / "warm.lock");
  return layer;
}

const std::string kCheckHs = "check examples/precision-parts.yaml -s hs --as-of 2026-11-22 --format json";

// A fresh user cache is served by the installed layer — the checked programs and the native
// code — which is read and never written; the report is the uncached one.
TEST(ColdStart, TheInstalledLayerServesAFreshCacheAndIsNeverWritten) {
  fs::path layer = InstalledLayer("installed-layer");
  auto before = Snapshot(layer);
  ASSERT_EQ(before.size(), 3u);  // ir-*.bin, *.o, native-*.ok
  std::string env = fmt::format("CONFORM_INSTALL_CACHE='{}'", layer.string());
  fs::path user = Scratch() / "user-of-installed";
  fs::remove_all(user);
  Result uncached = Conform("", kCheckHs + " --engine jit --no-cache");
  Result j = Conform(env, kCheckHs + fmt::format(" --engine jit --timings --cache-dir '{}'", user.string()));
  EXPECT_EQ(j.status, uncached.status) << j.err;
  EXPECT_NE(j.err.find("(compiled-program cache hit, installed layer)"), std::string::npos) << j.err;
  EXPECT_NE(j.err.find("cache disk hit (installed layer)"), std::string::npos) << j.err;
  EXPECT_EQ(j.out, uncached.out);
  EXPECT_FALSE(HasFile(user, "ir-", ".bin"));
  EXPECT_FALSE(HasFile(user, "", ".o"));
  // auto: the installed layer holds the native code, so no background compile is started.
  Result a = Conform(env + " CONFORM_NO_BACKGROUND_COMPILE=0", kCheckHs + fmt::format(" --timings --cache-dir '{}'", user.string()));
  EXPECT_NE(a.err.find("engine: interp"), std::string::npos) << a.err;
  EXPECT_EQ(a.err.find("background"), std::string::npos) << a.err;
  EXPECT_EQ(Snapshot(layer), before) << "the installed layer was written";
  // `conform cache info` shows both layers.
  Result info = Conform(env, fmt::format("cache info --cache-dir '{}'", user.string()));
  EXPECT_EQ(info.status, 0) << info.err;
  EXPECT_NE(info.out.find(fmt::format("installed cache: {} (read only)", layer.string())), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("1 compiled-program entry, 1 object entry, 1 native hint"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find(fmt::format("user cache: {} (read and written)", user.string())), std::string::npos) << info.out;
  // Off: the same fresh cache compiles.
  fs::remove_all(user);
  Result off = Conform("CONFORM_INSTALL_CACHE=0", kCheckHs + fmt::format(" --engine jit --timings --cache-dir '{}'", user.string()));
  EXPECT_EQ(off.err.find("installed layer"), std::string::npos) << off.err;
  EXPECT_NE(off.err.find("jit hs: cache miss"), std::string::npos) << off.err;
}

// A damaged installed entry is verified like a user entry: a miss with W0911, compiled into the
// user's cache, the installed file left as it is (it is never rewritten).
TEST(ColdStart, DamagedInstalledEntriesAreMissesAndAreNotRewritten) {
  fs::path layer = InstalledLayer("damaged-layer");
  for (const auto& e : fs::directory_iterator(layer)) {
    if (e.path().extension() != ".bin" && e.path().extension() != ".o") continue;
    std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(e.path()) / 2));
    f.put('\x5a');
  }
  auto damaged = Snapshot(layer);
  std::string env = fmt::format("CONFORM_INSTALL_CACHE='{}'", layer.string());
  fs::path user = Scratch() / "user-of-damaged";
  fs::remove_all(user);
  Result uncached = Conform("", kCheckHs + " --engine jit --no-cache");
  Result j = Conform(env, kCheckHs + fmt::format(" --engine jit --timings --cache-dir '{}'", user.string()));
  EXPECT_EQ(j.status, uncached.status) << j.err;
  EXPECT_EQ(j.out, uncached.out);
  EXPECT_NE(j.err.find("ignored a damaged compiled-program cache entry " + layer.string()), std::string::npos) << j.err;
  EXPECT_NE(j.err.find("ignored a damaged object cache entry " + layer.string()), std::string::npos) << j.err;
  EXPECT_NE(j.err.find("cache: 2 damaged entries ignored"), std::string::npos) << j.err;
  EXPECT_EQ(j.err.find("installed layer"), std::string::npos) << j.err;
  EXPECT_TRUE(HasFile(user, "ir-", ".bin"));
  EXPECT_TRUE(HasFile(user, "", ".o"));
  EXPECT_EQ(Snapshot(layer), damaged) << "the installed layer was written";
  // Next run: the user's cache answers first; the damaged layer is not even read.
  Result again = Conform(env, kCheckHs + fmt::format(" --engine jit --timings --cache-dir '{}'", user.string()));
  EXPECT_NE(again.err.find("jit hs: cache disk hit, "), std::string::npos) << again.err;
  EXPECT_EQ(again.err.find("W0911"), std::string::npos) << again.err;
  EXPECT_EQ(again.out, uncached.out);
}

#if CONFORM_PREBUILT_CACHE
// The build's own layer (build/share/conform/cache, made by the conform_prebuilt_cache step with
// `conform cache warm` at build time) is found beside build/cli/conform, as <prefix>/share/conform/cache
// is beside an installed one, and its keys are those a user's run computes: a first check on an
// empty --cache-dir hits it.
TEST(ColdStart, TheBuildsPrebuiltLayerServesAFirstCheck) {
  fs::path user = Scratch() / "user-of-prebuilt";
  fs::remove_all(user);
  Result r = Conform("env -u CONFORM_INSTALL_CACHE", kCheck + fmt::format(" --engine jit --timings --cache-dir '{}'", user.string()));
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("(compiled-program cache hit, installed layer)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("jit iso9001: cache disk hit (installed layer)"), std::string::npos) << r.err;
  Result info = Conform("env -u CONFORM_INSTALL_CACHE", "cache info");
  EXPECT_NE(info.out.find("share/conform/cache (read only)"), std::string::npos) << info.out;
}
#endif
#else
TEST(ColdStart, CacheWarmNeedsTheNativeEngine) {
  Result w = Conform("", "cache warm -s hs");
  EXPECT_EQ(w.status, 2);
  EXPECT_NE(w.err.find("needs the native engine"), std::string::npos) << w.err;
}
#endif

}  // namespace
