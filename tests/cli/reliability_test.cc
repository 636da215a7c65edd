// Reliability end to end (issue 15): linear-time `matches`, checked writes, verified caches,
// input limits. Each test runs the real binary; none asserts on timing.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "conform_process.h"

namespace fs = std::filesystem;

namespace {

using conform::testing::Result;
using conform::testing::Slurp;

fs::path Scratch() { return conform::testing::ScratchDir("conform-reliability-test"); }

Result Conform(const std::string& args, const std::string& env = "") {
  return conform::testing::RunConform(CONFORM_BIN, CONFORM_SOURCE_DIR, Scratch(), env, args);
}

// A one-standard plugin folder `<scratch>/<folder>/<id>/` holding `text`; returns the --plugin-dir.
fs::path Plugin(const std::string& folder, const std::string& id, const std::string& text) {
  fs::path dir = Scratch() / folder / id;
  fs::create_directories(dir);
  std::ofstream(dir / "plugin.toml") << fmt::format(
      "id = \"{}\"\nversion = \"1.0.0\"\ntitle = \"Test\"\nkind = \"standard\"\nlanguage = \"0.1\"\n"
      "[edition]\nname = \"1\"\n[requires]\ncore = \">=1.0\"\n",
      id);
  std::ofstream(dir / (id + ".clause")) << text;
  return Scratch() / folder;
}

// Pathological patterns for a backtracking engine: std::regex recursed once per character
// (a crash at ~12,000 characters) and took exponential time on `(a|aa)*b`.
const char* kRegexRules = R"(use core
standard rx "Regex" {
  clause 1 "Patterns" {
    requirement star : minor { says "s is a's and b's" pass matches(name, "(a|b)*") }
    requirement star_c : minor { says "s has no c" pass matches(name, "(a|b|d)*") }
    requirement alt : minor { says "t ends in b" pass matches(legal_entity, "(a|aa)*b") }
    requirement alt_no : minor { says "t is only a's" pass matches(legal_entity, "(a|aa)*") }
  }
}
)";

std::string Verdicts(const std::string& json_out) {
  // The verdict of each requirement in order of appearance, enough to compare runs.
  std::string v;
  size_t at = json_out.find("\"requirements\":[");
  while (at != std::string::npos && (at = json_out.find("\"verdict\":\"", at)) != std::string::npos) {
    at += 11;
    v += json_out.substr(at, json_out.find('"', at) - at) + " ";
  }
  return v;
}

TEST(Reliability, MatchesIsLinearOnLongSubjects) {
  fs::path plugins = Plugin("rx", "rx", kRegexRules);
  std::string s;  // 4 MB of a and b
  s.reserve(4 << 20);
  for (size_t i = 0; i < (4u << 20); ++i) s += (i % 3 ? 'a' : 'b');
  std::string t(10000, 'a');
  std::string org = fmt::format("{{\"employees\":1,\"name\":\"{}\",\"legal_entity\":\"{}\"}}", s, t + "b");
  fs::path ev = Scratch() / "rx.json";
  std::ofstream(ev, std::ios::binary) << org;
  std::string want = "conform conform conform nonconform ";
  for (const char* engine : {"interp", "jit"}) {
    Result r = Conform(fmt::format("check '{}' -s rx --plugin-dir '{}' --format json --engine {} --no-cache",
                                   ev.string(), plugins.string(), engine));
    EXPECT_EQ(r.status, 1) << engine << ": " << r.err.substr(0, 400);
    EXPECT_EQ(Verdicts(r.out), want) << engine;
  }
  // Batch: several such organizations, with a small one in between whose result must survive.
  fs::path batch = Scratch() / "rx.ndjson";
  {
    std::ofstream b(batch, std::ios::binary);
    b << org << "\n" << "{\"employees\":1,\"name\":\"abd\",\"legal_entity\":\"aaaa\"}\n" << org << "\n";
  }
  for (const char* engine : {"interp", "jit"}) {
    Result r = Conform(fmt::format("check --batch '{}' -s rx --plugin-dir '{}' --engine {} --threads 2 --no-cache",
                                   batch.string(), plugins.string(), engine));
    EXPECT_EQ(r.status, 1) << engine << ": " << r.err.substr(0, 400);
    std::istringstream lines(r.out);
    std::vector<std::string> recs;
    for (std::string l; std::getline(lines, l);) recs.push_back(l);
    ASSERT_EQ(recs.size(), 3u) << engine << ": " << r.out.substr(0, 400);
    EXPECT_EQ(Verdicts(recs[0]), want) << engine;
    EXPECT_EQ(Verdicts(recs[1]), "nonconform conform nonconform conform ") << engine;
    EXPECT_EQ(Verdicts(recs[2]), want) << engine;
  }
}

TEST(Reliability, RegexSyntaxOutsideRe2IsRejectedAtCompileTime) {
  // Backreferences and lookahead would need backtracking: E0305 at compile time, not at run time.
  for (const char* pat : {"(a)\\\\1", "(?=a)a"}) {
    fs::path plugins = Plugin(std::string("rxbad") + (pat[1] == '?' ? "2" : "1"), "rxbad",
                              fmt::format("use core\nstandard rxbad \"R\" {{\n"
                                          "  clause 1 \"P\" {{ requirement r : minor {{ says \"x\" pass matches(name, \"{}\") }} }}\n}}\n",
                                          pat));
    Result r = Conform(fmt::format("check examples/precision-parts.yaml -s rxbad --plugin-dir '{}'", plugins.string()));
    EXPECT_EQ(r.status, 2) << pat;
    EXPECT_NE(r.err.find("E0305"), std::string::npos) << pat << ": " << r.err;
  }
}


// Runs conform with stdout on /dev/full; returns the status and stderr.
Result ConformToFullDisk(const std::string& args) {
  fs::path err = Scratch() / "full-stderr";
  std::string cmd = fmt::format("cd '{}' && NO_COLOR=1 '{}' {} >/dev/full 2>'{}'", CONFORM_SOURCE_DIR, CONFORM_BIN,
                                args, err.string());
  int rc = std::system(cmd.c_str());
  Result r;
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.err = Slurp(err);
  return r;
}

TEST(Reliability, EverySubcommandReportsAFullDisk) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  fs::path db = Scratch() / "full-registry.sqlite";
  fs::remove(db);
  Result imp = Conform(fmt::format("registry import examples/certification/registry.json --db '{}'", db.string()));
  ASSERT_EQ(imp.status, 0) << imp.err;
  // Two reports to compare with `conform diff`.
  fs::path before = Scratch() / "full-before.json", after = Scratch() / "full-after.json";
  {
    Result b = Conform("check examples/young-company.yaml -s hs --format json --as-of 2026-11-22");
    Result a = Conform("check examples/precision-parts.yaml -s hs --format json --as-of 2026-11-22");
    ASSERT_FALSE(b.out.empty() || a.out.empty()) << b.err << a.err;
    std::ofstream(before) << b.out;
    std::ofstream(after) << a.out;
  }
  fs::path batch = Scratch() / "full.ndjson";
  {
    std::ofstream b(batch);
    for (int i = 0; i < 50; ++i) b << "{\"name\":\"A\",\"employees\":3}\n";
  }
  const std::string as_of = "--as-of 2026-11-22";
  const std::vector<std::string> commands = {
      "--help",
      "--version",
      "check examples/precision-parts.yaml -s hs " + as_of,
      "check examples/precision-parts.yaml -s hs --format json " + as_of,
      fmt::format("check --batch '{}' -s hs {}", batch.string(), as_of),
      "compile standards/hs/hs.clause --emit ir",
      "builtins",
      "test standards/hs --engine interp",
      "catalogue list",
      "catalogue show hs",
      "catalogue search audit",
      "certify examples/certification/history.yaml -s iso9001 " + as_of,
      "certify --rules",
      "certify --sites 12",
      "registry rules",
      fmt::format("registry search a --db '{}' {}", db.string(), as_of),
      fmt::format("registry verify NC-9001-0417 --db '{}' {}", db.string(), as_of),
      fmt::format("registry verify NC-9001-0417 --db '{}' --format json {}", db.string(), as_of),
      fmt::format("registry import examples/certification/registry-more.csv --db '{}'", db.string()),
      fmt::format("diff '{}' '{}'", before.string(), after.string()),
      fmt::format("diff '{}' '{}' --format json", before.string(), after.string()),
      "catalogue map iso9001 iso14001",
      "catalogue map iso9001 iso14001 --format json",
  };
  for (const auto& c : commands) {
    Result r = ConformToFullDisk(c);
    EXPECT_EQ(r.status, 2) << c << "\n" << r.err.substr(0, 600);
    EXPECT_NE(r.err.find("error[E0910]: cannot write the output to standard output"),
              std::string::npos)
        << c << "\n" << r.err.substr(0, 600);
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << c << "\n" << r.err.substr(0, 600);
  }
  // With stderr failing as well, no abort: still exit status 2.
  std::string cmd = fmt::format("cd '{}' && '{}' catalogue list >/dev/full 2>/dev/full", CONFORM_SOURCE_DIR, CONFORM_BIN);
  int rc = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(rc)) << "killed by a signal";
  EXPECT_EQ(WEXITSTATUS(rc), 2);
}

TEST(Reliability, StrictUtf8InRuleFiles) {
  // Above U+10FFFF (F4 90 80 80), a UTF-16 surrogate (ED A0 80), an overlong form (E0 80 80).
  for (std::string bad : {std::string("\xF4\x90\x80\x80"), std::string("\xED\xA0\x80"), std::string("\xE0\x80\x80")}) {
    fs::path plugins = Plugin("utf8-" + std::to_string(static_cast<unsigned char>(bad[1])), "utf",
                              "use core\nstandard utf \"U\" {\n  clause 1 \"P\" { requirement r : minor { says \"" + bad +
                                  "\" pass true } }\n}\n");
    Result r = Conform(fmt::format("check examples/precision-parts.yaml -s utf --plugin-dir '{}'", plugins.string()));
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("E0109"), std::string::npos) << r.err.substr(0, 400);
    EXPECT_EQ(r.err.find("E0900"), std::string::npos) << r.err.substr(0, 400);
  }
}

TEST(Reliability, EvidenceAndBatchLineLimits) {
  fs::path big = Scratch() / "big.json";
  std::ofstream(big) << "{\"name\":\"" << std::string(5000, 'x') << "\",\"employees\":3}\n";
  Result r = Conform(fmt::format("check '{}' -s hs --max-evidence-bytes 1000", big.string()));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("larger than the limit of 1000 bytes"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--max-evidence-bytes"), std::string::npos) << r.err;
  // A device that never ends stops at the limit.
  Result zero = Conform("check /dev/zero -s hs --max-evidence-bytes 100000");
  EXPECT_EQ(zero.status, 2);
  EXPECT_NE(zero.err.find("larger than the limit"), std::string::npos) << zero.err;
  // Batch: the long line gets an E0911 record, its neighbours are evaluated; a tiny in-flight
  // budget (one line at a time) gives the same records.
  fs::path batch = Scratch() / "limits.ndjson";
  {
    std::ofstream b(batch);
    b << "{\"name\":\"A\",\"employees\":3}\n{\"name\":\"" << std::string(5000, 'x') << "\",\"employees\":3}\n"
      << "{\"name\":\"B\",\"employees\":4}\n";
  }
  Result a = Conform(fmt::format("check --batch '{}' -s hs --max-evidence-bytes 1000 --as-of 2026-11-22", batch.string()));
  Result b = Conform(fmt::format("check --batch '{}' -s hs --max-evidence-bytes 1000 --max-batch-bytes 1 --threads 2 "
                                 "--as-of 2026-11-22", batch.string()));
  EXPECT_EQ(a.status, 2) << a.err;
  EXPECT_EQ(a.out, b.out);
  std::istringstream lines(a.out);
  std::vector<std::string> recs;
  for (std::string l; std::getline(lines, l);) recs.push_back(l);
  ASSERT_EQ(recs.size(), 3u) << a.out.substr(0, 300);
  EXPECT_EQ(recs[0].rfind("{\"line\":1,\"organization\":\"A\",\"standards\"", 0), 0u) << recs[0].substr(0, 100);
  EXPECT_EQ(recs[1].rfind("{\"line\":2,\"error\":{\"code\":\"E0911\"", 0), 0u) << recs[1];
  EXPECT_EQ(recs[2].rfind("{\"line\":3,\"organization\":\"B\",\"standards\"", 0), 0u) << recs[2].substr(0, 100);
}

TEST(Reliability, FileErrorsNameTheRealCause) {
  fs::path loop = Scratch() / "loop.yaml";
  fs::remove(loop);
  fs::create_symlink(loop, loop);
  Result r = Conform(fmt::format("check '{}' -s hs", loop.string()));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("Too many levels of symbolic links"), std::string::npos) << r.err;
  if (geteuid() != 0) {
    fs::path locked = Scratch() / "locked.yaml";
    std::ofstream(locked) << "name: A\nemployees: 3\n";
    fs::permissions(locked, fs::perms::none);
    Result p = Conform(fmt::format("check '{}' -s hs", locked.string()));
    EXPECT_EQ(p.status, 2);
    EXPECT_NE(p.err.find("Permission denied"), std::string::npos) << p.err;
  }
}

TEST(Reliability, RegistrySearchTreatsWildcardsLiterally) {
  fs::path db = Scratch() / "like.sqlite";
  fs::remove(db);
  ASSERT_EQ(Conform(fmt::format("registry import examples/certification/registry.json --db '{}'", db.string())).status, 0);
  Result any = Conform(fmt::format("registry search a --db '{}' --as-of 2026-11-22", db.string()));
  Result pct = Conform(fmt::format("registry search %% --db '{}' --as-of 2026-11-22", db.string()));
  Result under = Conform(fmt::format("registry search _ --db '{}' --as-of 2026-11-22", db.string()));
  EXPECT_NE(any.out, pct.out);
  EXPECT_NE(any.out, under.out);
  EXPECT_LT(pct.out.size(), any.out.size()) << pct.out;
}

}  // namespace

// A registry held by another process (here: an exclusive SQLite lock, as an import holds) is
// waited for up to --wait seconds, then reported as locked (E0912) — never as "not a registry".
TEST(Reliability, ALockedRegistryIsWaitedForThenReportedAsLocked) {
  fs::path db = Scratch() / "locked.sqlite", flag = Scratch() / "locked.flag";
  fs::remove(db);
  fs::remove(flag);
  ASSERT_EQ(Conform(fmt::format("registry import examples/certification/registry.json --db '{}'", db.string())).status, 0);
  // Holds the lock for 6 s in the background.
  std::string holder = fmt::format(
      "/usr/bin/python3 -c \"import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
      "c.execute('BEGIN EXCLUSIVE'); open(sys.argv[2], 'w').write('x'); time.sleep(6); c.execute('ROLLBACK')\" '{}' '{}' &",
      db.string(), flag.string());
  ASSERT_EQ(std::system(holder.c_str()), 0);
  for (int i = 0; i < 600 && !fs::exists(flag); ++i) ::usleep(10000);
  ASSERT_TRUE(fs::exists(flag)) << "the lock holder did not start";
  for (const std::string cmd : {fmt::format("registry verify NC-9001-0417 --db '{}' --as-of 2026-11-22 --wait 0.1", db.string()),
                                fmt::format("registry import examples/certification/registry-more.csv --db '{}' --wait 0", db.string())}) {
    Result r = Conform(cmd);
    EXPECT_EQ(r.status, 2) << cmd << "\n" << r.err;
    EXPECT_NE(r.err.find("error[E0912]"), std::string::npos) << cmd << "\n" << r.err;
    EXPECT_NE(r.err.find("--wait"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("not a Conform"), std::string::npos) << r.err;
  }
  // Waiting long enough outlasts the holder.
  Result r = Conform(fmt::format("registry verify NC-9001-0417 --db '{}' --as-of 2026-11-22 --wait 120", db.string()));
  EXPECT_NE(r.status, 2) << r.err;
  EXPECT_NE(r.out.find("NC-9001-0417"), std::string::npos) << r.out;
}

// `conform test` of a third-party package reads evidence only inside the package: an absolute
// path, a `../` out of it and a symbolic link out of it are E0913, and nothing of the file is
// quoted; --allow-outside-package lifts it.
TEST(Reliability, PluginTestsAreConfinedToTheirPackage) {
  fs::path plugins = Plugin("confined", "conf", R"CLAUSE(use core
standard conf "Confined" {
  clause 1 "One" {
    requirement named : minor { says "named" pass len(default(name, "")) > 0 else "no name" }
  }
}
)CLAUSE");
  fs::path pkg = plugins / "conf";
  fs::create_directories(pkg / "tests");
  fs::path secret = Scratch() / "secret.yaml";
  std::ofstream(secret) << "name: TOP-SECRET-LINE\nemployees: [not, a, number]\n";
  fs::remove(pkg / "tests" / "link.yaml");
  fs::create_symlink(secret, pkg / "tests" / "link.yaml");
  std::ofstream(pkg / "tests" / "inside.yaml") << "name: Inside Ltd\nemployees: 2\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"absolute", secret.string()},
      {"traversal", "../../../secret.yaml"},  // tests/ → conf/ → confined/ → the scratch folder
      {"symlink", "link.yaml"},
  };
  for (const auto& [name, evidence] : cases) {
    for (const auto& e : fs::directory_iterator(pkg / "tests"))
      if (e.path().extension() == ".yaml" && e.path().string().find(".test.") != std::string::npos) fs::remove(e.path());
    std::ofstream(pkg / "tests" / (name + ".test.yaml"))
        << fmt::format("name: {}\nevidence: {}\nas_of: 2026-11-22\nexpect:\n  default: conform\n", name, evidence);
    Result r = Conform(fmt::format("test '{}' --plugin-dir '{}' --engine interp", pkg.string(), plugins.string()));
    EXPECT_EQ(r.status, 2) << name << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find("error[E0913]"), std::string::npos) << name << "\n" << r.err;
    EXPECT_EQ((r.out + r.err).find("TOP-SECRET-LINE"), std::string::npos) << name << ": the file was read";
    Result allowed = Conform(fmt::format("test '{}' --plugin-dir '{}' --engine interp --allow-outside-package", pkg.string(),
                                         plugins.string()));
    EXPECT_EQ(allowed.err.find("E0913"), std::string::npos) << name << "\n" << allowed.err;
  }
  // Inside the package: fine.
  for (const auto& e : fs::directory_iterator(pkg / "tests"))
    if (e.path().string().find(".test.") != std::string::npos) fs::remove(e.path());
  std::ofstream(pkg / "tests" / "ok.test.yaml") << "name: ok\nevidence: inside.yaml\nas_of: 2026-11-22\nexpect:\n  default: conform\n";
  Result ok = Conform(fmt::format("test '{}' --plugin-dir '{}' --engine interp", pkg.string(), plugins.string()));
  EXPECT_EQ(ok.err.find("E0913"), std::string::npos) << ok.err;
  EXPECT_NE(ok.status, 2) << ok.out << ok.err;
}

// A package source that is a symbolic link out of the package is not read by `conform test`
// (its first line would be quoted in the syntax error): E0913.
TEST(Reliability, PluginTestsDoNotReadLinkedSourcesOutsideThePackage) {
  fs::path plugins = Plugin("linked", "linked", "use core\nstandard linked \"Linked\" { clause 1 \"One\" { } }\n");
  fs::path pkg = plugins / "linked";
  fs::path secret = Scratch() / "secret.txt";
  std::ofstream(secret) << "root:TOP-SECRET-HASH:0:0\n";
  fs::remove(pkg / "extra.clause");
  fs::create_symlink(secret, pkg / "extra.clause");
  Result r = Conform(fmt::format("test '{}' --plugin-dir '{}' --engine interp", pkg.string(), plugins.string()));
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("error[E0913]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("extra.clause"), std::string::npos) << r.err;
  EXPECT_EQ((r.out + r.err).find("TOP-SECRET-HASH"), std::string::npos) << "the linked file was read";
  fs::remove(pkg / "extra.clause");
}
