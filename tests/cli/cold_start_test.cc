// Cold start (issue 14 item 5): the LLVM module is loaded only when native code is compiled or
// loaded, a missing module falls back to the interpreter. Correctness only: nothing is timed.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
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

// A batch is compiled natively before it starts, under auto as under jit.
TEST(ColdStart, AutoRunsABatchNatively) {
  fs::path cache = Scratch() / "batch-cache";
  fs::remove_all(cache);
  fs::path nd = Scratch() / "orgs.ndjson";
  {
    std::ofstream f(nd);
    for (int i = 0; i < 20; ++i) f << "{\"name\":\"O" << i << "\",\"employees\":" << i << "}\n";
  }
  std::string args = fmt::format("check --batch '{}' -s hs --as-of 2026-11-22 --cache-dir '{}'", nd.string(), cache.string());
  Result a = Conform("LD_DEBUG=files", args);
  EXPECT_TRUE(MapsLLVM(a));
  EXPECT_TRUE(HasFile(cache, "", ".o")) << "the batch did not compile natively";
  Result i = Conform("", args + " --engine interp");
  EXPECT_EQ(i.status, a.status);
  EXPECT_EQ(i.out, a.out);
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
#else
TEST(ColdStart, CacheWarmNeedsTheNativeEngine) {
  Result w = Conform("", "cache warm -s hs");
  EXPECT_EQ(w.status, 2);
  EXPECT_NE(w.err.find("needs the native engine"), std::string::npos) << w.err;
}
#endif

}  // namespace
