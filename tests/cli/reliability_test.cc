// Reliability end to end (issue 15): linear-time `matches`, checked writes, verified caches,
// input limits. Each test runs the real binary; none asserts on timing.
#include <fmt/format.h>
#include <gtest/gtest.h>

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

}  // namespace
