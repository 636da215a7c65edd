// End-to-end tests of `conform`: each runs the real binary and checks exit status and output.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "conform_process.h"
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace {

using conform::testing::Result;
using conform::testing::Slurp;

fs::path Scratch() { return conform::testing::ScratchDir("conform-cli-test"); }

// Runs conform with `args` (already shell-quoted) from the source folder.
Result Conform(const std::string& args) {
  return conform::testing::RunConform(CONFORM_BIN, CONFORM_SOURCE_DIR, Scratch(), "", args);
}

fs::path Write(const std::string& name, const std::string& text) {
  fs::path p = Scratch() / name;
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

const char* kAsOf = "--as-of 2026-11-22";

std::string Manifest(const std::string& id) {
  return fmt::format("id = \"{}\"\nversion = \"1.0.0\"\ntitle = \"Test\"\nkind = \"standard\"\nlanguage = \"0.1\"\n"
                     "[edition]\nname = \"1\"\n[requires]\ncore = \">=1.0\"\n", id);
}

TEST(Cli, VersionAndHelp) {
  Result v = Conform("--version");
  EXPECT_EQ(v.status, 0);
  EXPECT_NE(v.out.find("conform 0.1.0"), std::string::npos);
  Result h = Conform("check --help");
  EXPECT_EQ(h.status, 0);
  EXPECT_NE(h.out.find("--standard"), std::string::npos);
  EXPECT_NE(h.out.find("--engine"), std::string::npos);
}

TEST(Cli, UsageErrorsExit2) {
  EXPECT_EQ(Conform("").status, 2);
  EXPECT_EQ(Conform("frobnicate").status, 2);
  EXPECT_EQ(Conform("check examples/precision-parts.yaml").status, 2);  // no --standard
  Result r = Conform("check examples/precision-parts.yaml -s iso9001 --as-of 2026-13-01");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("invalid --as-of"), std::string::npos) << r.err;
  Result f = Conform("check examples/precision-parts.yaml -s iso9001 --format xml");
  EXPECT_EQ(f.status, 2);
}

// The near-certified example: JSON covers every clause 4.1 … 10.3 with a mix of verdicts.
TEST(Cli, JsonCoversIso9001AndMixesVerdicts) {
  Result r = Conform(fmt::format("check examples/precision-parts.yaml --standard iso9001 {} --format json", kAsOf));
  ASSERT_EQ(r.status, 1) << r.err;  // some requirements do not conform
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(r.out).get(doc), simdjson::SUCCESS) << r.out.substr(0, 200);
  std::set<std::string> clauses, verdicts;
  for (auto s : doc["standards"].get_array()) {
    EXPECT_EQ(std::string(s["standard"].get_string().value()), "iso9001");
    for (auto req : s["requirements"].get_array()) {
      for (const char* key : {"standard", "clause", "id", "verdict", "grade", "message"})
        EXPECT_FALSE(req[key].error()) << key;
      clauses.insert(std::string(req["clause"].get_string().value()));
      verdicts.insert(std::string(req["verdict"].get_string().value()));
      if (req["verdict"].get_string().value() == "nonconform") {
        std::string g(req["grade"].get_string().value());
        EXPECT_TRUE(g == "major" || g == "minor" || g == "observation") << g;
      }
    }
  }
  for (const char* c : {"4.1", "4.2", "4.3", "4.4.1", "4.4.2", "5.1.1", "5.1.2", "5.2.1", "5.2.2", "5.3", "6.1.1",
                        "6.1.2", "6.2.1", "6.2.2", "6.3", "7.1.1", "7.1.2", "7.1.3", "7.1.4", "7.1.5.1", "7.1.5.2",
                        "7.1.6", "7.2", "7.3", "7.4", "7.5.1", "7.5.2", "7.5.3.1", "7.5.3.2", "8.1", "8.2.1", "8.2.2",
                        "8.2.3.1", "8.2.3.2", "8.2.4", "8.3.1", "8.3.2", "8.3.3", "8.3.4", "8.3.5", "8.3.6", "8.4.1",
                        "8.4.2", "8.4.3", "8.5.1", "8.5.2", "8.5.3", "8.5.4", "8.5.5", "8.5.6", "8.6", "8.7.1", "8.7.2",
                        "9.1.1", "9.1.2", "9.1.3", "9.2.1", "9.2.2", "9.3.1", "9.3.2", "9.3.3", "10.1", "10.2.1",
                        "10.2.2", "10.3"})
    EXPECT_TRUE(clauses.count(c)) << "no requirement under clause " << c;
  EXPECT_TRUE(verdicts.count("conform"));
  EXPECT_TRUE(verdicts.count("nonconform"));
  EXPECT_TRUE(verdicts.count("not_applicable"));
}

// Both engines give the same report, byte for byte (but for the engine's name).
TEST(Cli, EnginesAgreeOnExamples) {
  for (const char* ex : {"examples/precision-parts.yaml", "examples/young-company.yaml"}) {
    Result a = Conform(fmt::format("check {} -s iso9001 -s hs {} --format json --engine interp", ex, kAsOf));
    Result b = Conform(fmt::format("check {} -s iso9001 -s hs {} --format json --engine jit", ex, kAsOf));
    ASSERT_EQ(a.status, b.status) << a.err << b.err;
    std::string ja = a.out, jb = b.out;
    auto strip = [](std::string s) {
      size_t p = s.find("\"engine\":");
      return p == std::string::npos ? s : s.substr(0, p) + s.substr(s.find(',', p));
    };
    EXPECT_EQ(strip(ja), strip(jb)) << ex;
  }
}

// Text output of the examples is pinned by goldens (CONFORM_UPDATE_GOLDENS=1 rewrites them).
TEST(Cli, TextGoldens) {
  for (const char* name : {"precision-parts", "young-company"}) {
    for (const char* engine : {"interp", "jit"}) {
      Result r = Conform(fmt::format("check examples/{}.yaml -s iso9001 {} --engine {}", name, kAsOf, engine));
      ASSERT_EQ(r.status, 1) << r.err;
      std::string text = r.out;
      size_t p = text.find(" · engine ");
      if (p != std::string::npos) text.erase(p, text.find('\n', p) - p);
      fs::path golden = fs::path(CONFORM_SOURCE_DIR) / "tests/golden/output" / (std::string(name) + ".txt");
      const char* update = std::getenv("CONFORM_UPDATE_GOLDENS");
      if (update && std::string(update) == "1") {
        std::ofstream(golden, std::ios::binary) << text;
        continue;
      }
      EXPECT_EQ(text, Slurp(golden)) << "golden " << golden << " differs (engine " << engine
                                     << "); rerun with CONFORM_UPDATE_GOLDENS=1 to accept";
    }
  }
}

TEST(Cli, MalformedYaml) {
  fs::path p = Write("bad.yaml", "name: [unclosed\n  x: 1\n");
  Result r = Conform(fmt::format("check '{}' -s iso9001", p.string()));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("E0702"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("bad.yaml:2:"), std::string::npos) << r.err;
}

TEST(Cli, WrongTypeNamesDataPath) {
  fs::path p = Write("wrong.yaml", "name: Acme\nemployees: many\n");
  Result r = Conform(fmt::format("check '{}' -s iso9001", p.string()));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("E0704"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("$.employees"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("wrong.yaml:2:12"), std::string::npos) << r.err;
}

TEST(Cli, NestedDataPath) {
  fs::path p = Write("nested.yaml",
                     "name: Acme\nemployees: 3\ninternal_audits:\n  - id: IA-1\n    planned_date: 2026-01-10\n"
                     "    end: 2026-02-30\n");
  Result r = Conform(fmt::format("check '{}' -s iso9001", p.string()));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("$.internal_audits[0].end"), std::string::npos) << r.err;
}

TEST(Cli, UnknownStandard) {
  Result r = Conform("check examples/precision-parts.yaml -s iso9010");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("E0602"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("iso9001"), std::string::npos) << r.err;  // suggests what exists
}

TEST(Cli, MissingAndEmptyFiles) {
  Result m = Conform("check no/such/file.yaml -s iso9001");
  EXPECT_EQ(m.status, 2);
  EXPECT_NE(m.err.find("E0701"), std::string::npos) << m.err;
  fs::path e = Write("empty.yaml", "");
  Result r = Conform(fmt::format("check '{}' -s iso9001", e.string()));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("E0708"), std::string::npos) << r.err;
  Result d = Conform(fmt::format("check '{}' -s iso9001", Scratch().string()));  // a directory
  EXPECT_EQ(d.status, 2);
  EXPECT_NE(d.err.find("E0701"), std::string::npos) << d.err;
}

TEST(Cli, OneMegabyteLine) {
  std::string line = "name: \"" + std::string(1 << 20, 'x') + "\"\nemployees: 3x\n";
  fs::path p = Write("big.yaml", line);
  Result r = Conform(fmt::format("check '{}' -s iso9001", p.string()));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("$.employees"), std::string::npos);
  EXPECT_LT(r.err.size(), 4000u) << "a long line must be cut in the snippet";
  // And a 1 MB line of rule source.
  fs::path dir = Scratch() / "cat" / "big";
  fs::create_directories(dir);
  std::ofstream(dir / "big.clause") << "standard big \"x\" { " << std::string(1 << 20, ' ') << " @ }\n";
  std::ofstream(dir / "plugin.toml") << Manifest("big");
  Result s = Conform(fmt::format("check examples/precision-parts.yaml -s big --plugin-dir '{}'", (Scratch() / "cat").string()));
  EXPECT_EQ(s.status, 2);
  EXPECT_NE(s.err.find("E0102"), std::string::npos) << s.err.substr(0, 400);
  EXPECT_LT(s.err.size(), 4000u);
}

TEST(Cli, RuleSyntaxErrorHasCaret) {
  fs::path dir = Scratch() / "rules" / "demo";
  fs::create_directories(dir);
  std::ofstream(dir / "plugin.toml") << Manifest("demo");
  std::ofstream(dir / "demo.clause") << "use core\nstandard demo \"Demo\" {\n  clause 4 \"Context\" {\n"
                                        "    requirement r : minor { pass count(documents) > }\n  }\n}\n";
  Result r = Conform(fmt::format("check examples/precision-parts.yaml -s demo --plugin-dir '{}'", (Scratch() / "rules").string()));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("error[E0101]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("demo.clause:4:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("^"), std::string::npos) << r.err;
}

TEST(Cli, CompileEmits) {
  Result ir = Conform("compile standards/iso9001/iso9001.clause --emit ir");
  EXPECT_EQ(ir.status, 0) << ir.err;
  EXPECT_NE(ir.out.find("requirement 9.2.1/"), std::string::npos);
  Result ast = Conform("compile standards/hs/hs.clause --emit ast");
  EXPECT_EQ(ast.status, 0) << ast.err;
  EXPECT_NE(ast.out.find("(standard hs"), std::string::npos);
  Result ll = Conform("compile standards/hs/hs.clause --emit llvm");
#if CONFORM_WITH_JIT
  EXPECT_EQ(ll.status, 0) << ll.err;
  EXPECT_NE(ll.out.find("define void @conform_evaluate_all"), std::string::npos);
#else
  EXPECT_EQ(ll.status, 2) << ll.err;
  EXPECT_NE(ll.err.find("needs the native engine"), std::string::npos) << ll.err;
#endif
}

TEST(Cli, ParameterOverrides) {
  // A shorter audit interval makes the near-certified example fail its audit-interval rule.
  Result base = Conform(fmt::format("check examples/precision-parts.yaml -s iso9001 {} --format json", kAsOf));
  Result strict = Conform(fmt::format("check examples/precision-parts.yaml -s iso9001 {} --format json --param "
                                   "iso9001.audit_interval=\"1 day\"", kAsOf));
  EXPECT_EQ(strict.status, 1) << strict.err;
  EXPECT_NE(base.out, strict.out);
  Result bad = Conform(fmt::format("check examples/precision-parts.yaml -s iso9001 {} --param iso9001.audit_interval=soon", kAsOf));
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("E0712"), std::string::npos) << bad.err;
  Result unknown = Conform(fmt::format("check examples/precision-parts.yaml -s iso9001 {} --param iso9001.audit_intervall=1", kAsOf));
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(unknown.err.find("did you mean"), std::string::npos) << unknown.err;
}

#if CONFORM_WITH_JIT  // the object cache belongs to the native engine
TEST(Cli, ObjectCacheWarmAndCorrupt) {
  fs::path cache = Scratch() / "cache";
  fs::remove_all(cache);
  std::string cmd = fmt::format("check examples/precision-parts.yaml -s hs {} --cache-dir '{}' --timings --engine jit", kAsOf, cache.string());
  Result cold = Conform(cmd);
  EXPECT_EQ(cold.status, 1) << cold.err;
  EXPECT_NE(cold.err.find("cache miss"), std::string::npos) << cold.err;
  EXPECT_EQ(cold.err.find("compiled-program cache hit"), std::string::npos) << cold.err;
  Result warm = Conform(cmd);
  EXPECT_NE(warm.err.find("disk hit"), std::string::npos) << warm.err;
  EXPECT_NE(warm.err.find("compiled-program cache hit"), std::string::npos) << warm.err;
  EXPECT_EQ(cold.out, warm.out);
  // Corrupt every entry: it must be ignored and rebuilt, with the same answers.
  for (const auto& e : fs::directory_iterator(cache)) std::ofstream(e.path(), std::ios::binary) << "garbage";
  Result rebuilt = Conform(cmd);
  EXPECT_NE(rebuilt.err.find("cache miss"), std::string::npos) << rebuilt.err;
  EXPECT_EQ(rebuilt.err.find("compiled-program cache hit"), std::string::npos) << rebuilt.err;
  EXPECT_EQ(cold.out, rebuilt.out);
  Result again = Conform(cmd);
  EXPECT_NE(again.err.find("disk hit"), std::string::npos) << again.err;
  Result off = Conform(fmt::format("check examples/precision-parts.yaml -s hs {} --no-cache --timings --engine jit", kAsOf));
  EXPECT_NE(off.err.find("cache miss"), std::string::npos) << off.err;
  EXPECT_EQ(off.err.find("compiled-program cache hit"), std::string::npos) << off.err;
  // A truncated compiled-program entry is a miss, never a crash.
  for (const auto& e : fs::directory_iterator(cache)) {
    std::string name = e.path().filename().string();
    if (name.rfind("ir-", 0) != 0) continue;
    std::string data = Slurp(e.path());
    std::ofstream(e.path(), std::ios::binary) << data.substr(0, data.size() / 2);
  }
  Result truncated = Conform(cmd);
  EXPECT_EQ(truncated.out, cold.out);
  EXPECT_EQ(truncated.err.find("compiled-program cache hit"), std::string::npos) << truncated.err;
}
#endif

}  // namespace

namespace {
// docs/builtins.md is generated from the registry; it must not drift.
TEST(Cli, BuiltinsDocIsCurrent) {
  Result r = Conform("builtins");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, Slurp(fs::path(CONFORM_SOURCE_DIR) / "docs/builtins.md"))
      << "regenerate with: build/cli/conform builtins > docs/builtins.md";
}
}  // namespace

namespace {
// Batch: one record per line in input order; bad lines give error records, the rest go on;
// both engines and any thread count give the same records.
TEST(Cli, BatchNdjson) {
  std::string good1 = "{\"name\":\"A\",\"employees\":3,\"documents\":[]}";
  std::string good2 = "{\"name\":\"B\",\"employees\":40}";
  std::string text = good1 + "\n{\"name\": 5}\nnot json\n\n" + good2 + "\n";
  for (int i = 0; i < 200; ++i) text += (i % 2 ? good1 : good2) + "\n";
  fs::path p = Write("orgs.ndjson", text);
  Result a = Conform(fmt::format("check --batch '{}' -s iso9001 -s hs {} --engine interp --threads 1", p.string(), kAsOf));
  Result b = Conform(fmt::format("check --batch '{}' -s iso9001 -s hs {} --engine jit --threads 4", p.string(), kAsOf));
  EXPECT_EQ(a.status, 2) << a.err;  // some lines could not be loaded
  EXPECT_EQ(a.out, b.out);
  std::istringstream lines(a.out);
  std::string line;
  std::vector<std::string> records;
  while (std::getline(lines, line)) records.push_back(line);
  ASSERT_EQ(records.size(), 204u);  // the blank line has no record
  EXPECT_EQ(records[0].rfind("{\"line\":1,\"organization\":\"A\",\"standards\":", 0), 0u) << records[0].substr(0, 80);
  EXPECT_EQ(records[1].rfind("{\"line\":2,\"error\":{\"code\":\"E0703\"", 0), 0u) << records[1];
  EXPECT_EQ(records[2].rfind("{\"line\":3,\"error\":", 0), 0u) << records[2];
  EXPECT_EQ(records[3].rfind("{\"line\":5,\"organization\":\"B\",\"standards\":", 0), 0u) << records[3].substr(0, 80);
  EXPECT_EQ(records[203].rfind("{\"line\":205,", 0), 0u);
  Result missing = Conform("check --batch no/such.ndjson -s iso9001");
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("E0701"), std::string::npos);
  Result both = Conform(fmt::format("check examples/precision-parts.yaml --batch '{}' -s iso9001", p.string()));
  EXPECT_EQ(both.status, 2);
}
}  // namespace

namespace {
// One pass over shared evidence for several standards; the evidence map says which piece
// served which clauses of which standard.
TEST(Cli, EvidenceMapAcrossStandards) {
  Result r = Conform(fmt::format("check examples/precision-parts.yaml -s iso9001 -s hs {} --format json --evidence-map", kAsOf));
  ASSERT_EQ(r.status, 1) << r.err;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(r.out).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(doc["standards"].get_array().size(), 2u);
  bool audit_serves_both = false;
  size_t pieces = 0;
  for (auto u : doc["evidence_usage"].get_array()) {
    ++pieces;
    std::string path(u["path"].get_string().value());
    std::set<std::string> standards;
    std::set<std::string> clauses;
    for (auto s : u["served"].get_array()) {
      standards.insert(std::string(s["standard"].get_string().value()));
      for (auto c : s["clauses"].get_array()) clauses.insert(std::string(c.get_string().value()));
    }
    if (path.rfind("$.internal_audits[", 0) == 0 && standards.count("iso9001") && standards.count("hs") &&
        clauses.count("9.2.1"))
      audit_serves_both = true;
  }
  EXPECT_GT(pieces, 100u);
  EXPECT_TRUE(audit_serves_both) << "an internal audit should serve 9.2.1 of iso9001 and of hs";
  Result text = Conform(fmt::format("check examples/precision-parts.yaml -s iso9001 -s hs {} -q --evidence-map", kAsOf));
  EXPECT_NE(text.out.find("Evidence served"), std::string::npos);
}
}  // namespace

namespace {
// Every diagnostic code the sources can emit has a row in docs/diagnostics.md.
TEST(Cli, EveryDiagnosticCodeIsDocumented) {
  std::string doc = Slurp(fs::path(CONFORM_SOURCE_DIR) / "docs/diagnostics.md");
  std::set<std::string> codes;
  for (const char* dir : {"compiler", "runtime", "cli", "api"})
    for (const auto& e : fs::recursive_directory_iterator(fs::path(CONFORM_SOURCE_DIR) / dir)) {
      if (e.path().extension() != ".cc" && e.path().extension() != ".h") continue;
      std::string text = Slurp(e.path());
      for (size_t p = text.find("\"E0"); p != std::string::npos; p = text.find("\"E0", p + 1))
        if (p + 6 < text.size() && text[p + 6] == '"') codes.insert(text.substr(p + 1, 5));
      for (size_t p = text.find("\"E1"); p != std::string::npos; p = text.find("\"E1", p + 1))
        if (p + 6 < text.size() && text[p + 6] == '"') codes.insert(text.substr(p + 1, 5));
      for (size_t p = text.find("\"W0"); p != std::string::npos; p = text.find("\"W0", p + 1))
        if (p + 6 < text.size() && text[p + 6] == '"') codes.insert(text.substr(p + 1, 5));
    }
  EXPECT_GT(codes.size(), 50u);
  for (const auto& c : codes) EXPECT_NE(doc.find("| " + c + " |"), std::string::npos) << c << " is not in docs/diagnostics.md";
}
}  // namespace

namespace {
// A catalogue folder of toy packages for the plugin-resolution cases.
struct ToyCatalogue {
  fs::path dir;
  explicit ToyCatalogue(const std::string& name) : dir(Scratch() / name) {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void Package(const std::string& folder, const std::string& manifest, const std::string& clause) {
    fs::create_directories(dir / folder);
    std::ofstream(dir / folder / "plugin.toml") << manifest;
    if (!clause.empty()) std::ofstream(dir / folder / (folder + ".clause")) << clause;
  }
  std::string Flag() const { return fmt::format("--plugin-dir '{}'", dir.string()); }
};

std::string ToyManifest(const std::string& id, const std::string& version, const std::string& edition,
                        const std::string& requires_, const std::string& extra = "") {
  return fmt::format("id = \"{}\"\nversion = \"{}\"\ntitle = \"Toy {}\"\nkind = \"standard\"\nlanguage = \"0.1\"\n"
                     "{}[edition]\nname = \"{}\"\npublished = 2020-01-01\n{}\n[requires]\n{}\n",
                     id, version, id, "", edition, extra, requires_);
}

std::string ToyStandard(const std::string& id, const std::string& uses = "use core") {
  return fmt::format("{}\nstandard {} \"Toy\" {{\n  clause 4 \"Context\" {{\n    requirement named : minor {{\n"
                     "      says \"the organization has a name\"\n      pass name != \"\"\n    }}\n  }}\n}}\n",
                     uses, id);
}

TEST(Cli, PluginMissingDependency) {
  ToyCatalogue c("cat-missing");
  c.Package("toy", ToyManifest("toy", "1.0.0", "1", "core = \">=1.0\"\nnosuch = \">=1.0\""), ToyStandard("toy"));
  Result r = Conform(fmt::format("check examples/precision-parts.yaml -s toy {}", c.Flag()));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("E0604"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nosuch"), std::string::npos) << r.err;
}

TEST(Cli, PluginVersionConflict) {
  ToyCatalogue c("cat-conflict");
  c.Package("toy", ToyManifest("toy", "1.0.0", "1", "core = \">=7.0, <8\""), ToyStandard("toy"));
  Result r = Conform(fmt::format("check examples/precision-parts.yaml -s toy {}", c.Flag()));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("E0605"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(">=7.0, <8"), std::string::npos) << r.err;  // what was asked
}

TEST(Cli, PluginCycle) {
  ToyCatalogue c("cat-cycle");
  c.Package("toya", ToyManifest("toya", "1.0.0", "1", "toyb = \">=1.0\""), ToyStandard("toya", "use toyb"));
  c.Package("toyb", ToyManifest("toyb", "1.0.0", "1", "toya = \">=1.0\""), ToyStandard("toyb", "use toya"));
  Result r = Conform(fmt::format("check examples/precision-parts.yaml -s toya {}", c.Flag()));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("E0606"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("toya → toyb"), std::string::npos) << r.err;
}

TEST(Cli, PluginDuplicateId) {
  ToyCatalogue c("cat-dup");
  c.Package("toy1", ToyManifest("toy", "1.0.0", "1", "core = \">=1.0\""), ToyStandard("toy"));
  c.Package("toy2", ToyManifest("toy", "1.1.0", "1", "core = \">=1.0\""), ToyStandard("toy"));
  Result r = Conform(fmt::format("catalogue list {}", c.Flag()));
  EXPECT_NE(r.err.find("E0607"), std::string::npos) << r.err;
  Result chk = Conform(fmt::format("check examples/precision-parts.yaml -s toy {}", c.Flag()));
  EXPECT_EQ(chk.status, 2);
  EXPECT_NE(chk.err.find("E0607"), std::string::npos) << chk.err;
}

// `language` in plugin.toml: this build reads Clause 0.2 (0.1 packages still load); a package
// written for a newer language is refused (E0609).
TEST(Cli, PluginLanguageVersion) {
  auto with_language = [](std::string manifest, const std::string& lang) {
    manifest.replace(manifest.find("language = \"0.1\""), 16, "language = \"" + lang + "\"");
    return manifest;
  };
  const std::string uses_defs =
      "use core\nstandard toy \"Toy\" {\n  def named(n: string) : bool = n != \"\"\n  clause 4 \"Context\" {\n"
      "    requirement named_org : minor {\n      says \"the organization has a name\"\n      pass named(name)\n    }\n  }\n}\n";
  ToyCatalogue c("cat-lang");
  c.Package("toy", with_language(ToyManifest("toy", "1.0.0", "1", "core = \">=1.0\""), "0.2"), uses_defs);
  Result ok = Conform(fmt::format("check examples/precision-parts.yaml -s toy {}", c.Flag()));
  EXPECT_EQ(ok.status, 0) << ok.err << ok.out;
  EXPECT_EQ(ok.err.find("E0609"), std::string::npos) << ok.err;
  ToyCatalogue old("cat-lang01");
  old.Package("toy", ToyManifest("toy", "1.0.0", "1", "core = \">=1.0\""), ToyStandard("toy"));
  EXPECT_EQ(Conform(fmt::format("check examples/precision-parts.yaml -s toy {}", old.Flag())).status, 0);
  ToyCatalogue newer("cat-lang03");
  newer.Package("toy", with_language(ToyManifest("toy", "1.0.0", "1", "core = \">=1.0\""), "0.3"), ToyStandard("toy"));
  Result r = Conform(fmt::format("check examples/precision-parts.yaml -s toy {}", newer.Flag()));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("E0609"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("this build reads 0.2"), std::string::npos) << r.err;
  // Reported once (it was printed twice: by the cache's closure check and again by Load).
  EXPECT_EQ(r.err.find("E0609"), r.err.rfind("E0609")) << r.err;
  Result nc = Conform(fmt::format("check examples/precision-parts.yaml -s toy --no-cache {}", newer.Flag()));
  EXPECT_EQ(nc.err.find("E0609"), nc.err.rfind("E0609")) << nc.err;
}

// A package that declares Clause 0.1 may not use what 0.2 added: one E0210 per use, at its
// line, naming the construct and the fix; the same sources declared 0.2 compile.
TEST(Cli, PluginLanguage01RejectsClause02Constructs) {
  const std::string src =
      "use core\n"                                                                   // 1
      "standard toy \"Toy\" {\n"                                                      // 2
      "  def named(n: string) : bool = n != \"\"\n"                                   // 3
      "  let in_scope = [s in sites where s.in_scope]\n"                              // 4
      "  clause 4 \"Context\" {\n"                                                    // 5
      "    requirement named_org : minor {\n"                                         // 6
      "      says \"the organization has a name\"\n"                                  // 7
      "      pass named(name)\n"                                                      // 8
      "    }\n"                                                                       // 9
      "    requirement systems_known : minor {\n"                                     // 10
      "      says \"quality is among the systems\"\n"                                 // 11
      "      depends on named_org\n"                                                  // 12
      "      pass {\"iso9001\"} - management_systems == {}\n"                         // 13
      "        and (management_systems & {\"iso9001\"}) <= {\"iso9001\", \"iso14001\"}\n"  // 14
      "    }\n"                                                                       // 15
      "    requirement sites_in_scope : minor {\n"                                    // 16
      "      says \"every site is in scope\"\n"                                       // 17
      "      pass all s in sites : s.in_scope and count(in_scope) >= 0 and as_of - 48 hours <= as_of\n"  // 18
      "      else \"sites out of scope: {each s.id}\"\n"                              // 19
      "    }\n"
      "  }\n"
      "}\n";
  ToyCatalogue old("cat-lang01-constructs");
  old.Package("toy", ToyManifest("toy", "1.0.0", "1", "core = \">=1.0\""), src);
  Result r = Conform(fmt::format("check examples/precision-parts.yaml -s toy --no-cache {}", old.Flag()));
  EXPECT_EQ(r.status, 2) << r.err;
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"`def named`", "toy.clause:3:"},
      {"a standard-level `let in_scope`", "toy.clause:4:"},
      {"a filtered list `[x in L where …]`", "toy.clause:4:"},
      {"`depends on named_org`", "toy.clause:12:"},
      {"the set intersection `&`", "toy.clause:14:"},
      {"the duration unit `hours`", "toy.clause:18:"},
      {"an `{each …}` hole", "toy.clause:19:"},
  };
  auto expect_e0210 = [](const Result& r, const std::vector<std::pair<std::string, std::string>>& expected) {
  for (const auto& [construct, where] : expected) {
    size_t at = r.err.find("error[E0210]: " + construct + " is Clause 0.2, but this package declares language = \"0.1\"");
    ASSERT_NE(at, std::string::npos) << construct << "\n" << r.err;
    EXPECT_EQ(r.err.find("error[E0210]: " + construct, at + 1), std::string::npos) << construct << " reported twice\n" << r.err;
    size_t next = r.err.find("error[", at + 1);
    std::string block = r.err.substr(at, next == std::string::npos ? std::string::npos : next - at);
    EXPECT_NE(block.find(where), std::string::npos) << block;
    EXPECT_NE(block.find("declare language = \"0.2\" in plugin.toml"), std::string::npos) << block;
  }
  size_t count = 0;
  for (size_t at = r.err.find("error[E0210]"); at != std::string::npos; at = r.err.find("error[E0210]", at + 1)) ++count;
  EXPECT_EQ(count, expected.size()) << r.err;
  };
  expect_e0210(r, expected);
  // `-`, `+` and comparisons are set operators only between sets: the type checker reports them
  // (it runs once the file has no other error).
  ToyCatalogue sets("cat-lang01-sets");
  sets.Package("toy", ToyManifest("toy", "1.0.0", "1", "core = \">=1.0\""),
               "use core\nstandard toy \"Toy\" {\n  clause 4 \"Context\" {\n    requirement systems_known : minor {\n"
               "      says \"quality is among the systems\"\n"
               "      pass {\"iso9001\"} - management_systems == {} and count(management_systems + {\"x\"}) > 1\n"  // 6
               "        and management_systems <= {\"iso9001\", \"iso14001\"}\n"                                    // 7
               "    }\n  }\n}\n");
  Result rs = Conform(fmt::format("check examples/precision-parts.yaml -s toy --no-cache {}", sets.Flag()));
  EXPECT_EQ(rs.status, 2) << rs.err;
  expect_e0210(rs, {{"the set difference `-`", "toy.clause:6:"},
                    {"the set comparison `==`", "toy.clause:6:"},
                    {"the set union `+`", "toy.clause:6:"},
                    {"the set comparison `<=`", "toy.clause:7:"}});

  std::string manifest = ToyManifest("toy", "1.0.0", "1", "core = \">=1.0\"");
  manifest.replace(manifest.find("language = \"0.1\""), 16, "language = \"0.2\"");
  ToyCatalogue now("cat-lang02-constructs");
  now.Package("toy", manifest, src);
  Result ok = Conform(fmt::format("check examples/precision-parts.yaml -s toy --no-cache {}", now.Flag()));
  EXPECT_NE(ok.status, 2) << ok.err;
  EXPECT_EQ(ok.err.find("E0210"), std::string::npos) << ok.err;
}

// The rule set's warnings reach the user when the check succeeds — on every run (a rule set
// with warnings is not taken from the compiled-program cache), once per run in batch mode, and
// not with --quiet.
TEST(Cli, CheckShowsRuleSetWarnings) {
  ToyCatalogue c("cat-warn");
  c.Package("toy", ToyManifest("toy", "1.0.0", "1", "core = \">=1.0\""),
            "use core\nstandard toy \"Toy\" {\n  clause 4 \"Context\" {\n    requirement named : minor {\n"
            "      pass name != \"\"\n    }\n  }\n}\n");
  std::string check = fmt::format("check examples/precision-parts.yaml -s toy {}", c.Flag());
  for (int run = 0; run < 2; ++run) {  // the second run would be a cache hit
    Result r = Conform(check);
    EXPECT_EQ(r.status, 0) << r.err << r.out;
    EXPECT_NE(r.err.find("warning[W0402]"), std::string::npos) << "run " << run << ": " << r.err;
    EXPECT_NE(r.err.find("toy.clause:4"), std::string::npos) << r.err;  // with its place
  }
  Result q = Conform(check + " --quiet");
  EXPECT_EQ(q.err.find("W0402"), std::string::npos) << q.err;
  fs::path batch = Scratch() / "warn-batch.ndjson";
  std::ofstream(batch) << "{\"name\":\"A\"}\n{\"name\":\"B\"}\n";
  Result b = Conform(fmt::format("check --batch '{}' -s toy {}", batch.string(), c.Flag()));
  EXPECT_NE(b.err.find("W0402"), std::string::npos) << b.err;
  EXPECT_EQ(b.err.find("W0402"), b.err.rfind("W0402")) << b.err;  // once, not per organization
}

// Deviations are one organization's decisions (approver, justification): a batch of many
// organizations cannot share one file, so the combination is refused instead of ignored.
TEST(Cli, BatchRefusesDeviations) {
  fs::path batch = Scratch() / "dev-batch.ndjson";
  std::ofstream(batch) << "{\"name\":\"A\"}\n";
  fs::path dev = Scratch() / "dev.yaml";
  std::ofstream(dev) << "deviations:\n  - requirement: quality_policy_documented\n    justification: x\n"
                        "    approver: y\n    accepted_until: 2099-01-01\n";
  Result r = Conform(fmt::format("check --batch '{}' -s iso9001 --deviations '{}'", batch.string(), dev.string()));
  EXPECT_EQ(r.status, 2) << r.err << r.out;
  EXPECT_NE(r.err.find("--deviations cannot be used with --batch"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;  // no records that silently ignored the deviations
}

TEST(Cli, PluginMalformedManifest) {
  ToyCatalogue c("cat-bad");
  c.Package("toy", "id = \"toy\"\nversion = [1\n", ToyStandard("toy"));
  Result r = Conform(fmt::format("check examples/precision-parts.yaml -s toy {}", c.Flag()));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("E0608"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("plugin.toml:"), std::string::npos) << r.err;  // with its line
  ToyCatalogue d("cat-bad2");
  d.Package("toy", "id = \"toy\"\nversion = \"1.0\"\ntitle = \"t\"\nkind = \"gadget\"\nlanguage = \"0.1\"\n", ToyStandard("toy"));
  Result k = Conform(fmt::format("check examples/precision-parts.yaml -s toy {}", d.Flag()));
  EXPECT_EQ(k.status, 2);
  EXPECT_NE(k.err.find("unknown plugin kind `gadget`"), std::string::npos) << k.err;
}

// Editions coexist: the newest in force is the default, `id@edition` picks one, and a
// withdrawn edition warns.
TEST(Cli, EditionsCoexist) {
  ToyCatalogue c("cat-editions");
  c.Package("toy2015", ToyManifest("toy", "1.0.0", "2015", "core = \">=1.0\"", "withdrawn = 2026-01-01"),
            ToyStandard("toy"));
  c.Package("toy2026", ToyManifest("toy", "2.0.0", "2026", "core = \">=1.0\""), ToyStandard("toy"));
  Result list = Conform(fmt::format("catalogue list --as-of 2026-11-22 --format json {}", c.Flag()));
  EXPECT_NE(list.out.find("\"edition\":\"2015\""), std::string::npos);
  EXPECT_NE(list.out.find("\"edition\":\"2026\""), std::string::npos);
  EXPECT_NE(list.out.find("\"status\":\"withdrawn\""), std::string::npos);
  Result def = Conform(fmt::format("check examples/precision-parts.yaml -s toy {} {} --format json", kAsOf, c.Flag()));
  EXPECT_NE(def.out.find("\"edition\":\"\""), std::string::npos);  // the toy standard declares no edition text
  EXPECT_EQ(def.err.find("W0601"), std::string::npos) << "the default is the edition in force: " << def.err;
  Result old = Conform(fmt::format("check examples/precision-parts.yaml -s toy@2015 {} {}", kAsOf, c.Flag()));
  EXPECT_EQ(old.status, 0) << old.err;
  EXPECT_NE(old.err.find("W0601"), std::string::npos) << old.err;
  EXPECT_NE(old.err.find("withdrawn on 2026-01-01"), std::string::npos) << old.err;
  Result none = Conform(fmt::format("check examples/precision-parts.yaml -s toy@1999 {}", c.Flag()));
  EXPECT_EQ(none.status, 2);
  EXPECT_NE(none.err.find("editions of `toy`: 2015, 2026"), std::string::npos) << none.err;
}

TEST(Cli, CatalogueCommands) {
  Result list = Conform("catalogue list");
  EXPECT_EQ(list.status, 0);
  for (const char* id : {"iso9001", "iso14001", "iso27001", "iso45001", "core", "hs", "iso17021_1", "iso17011", "iso17025"})
    EXPECT_NE(list.out.find(id), std::string::npos) << id;
  Result map = Conform("catalogue map iso9001 iso14001");
  EXPECT_EQ(map.status, 0) << map.err;
  EXPECT_NE(map.out.find("hs 9.2"), std::string::npos) << map.out.substr(0, 400);
  EXPECT_NE(map.out.find("hs 7.5"), std::string::npos);
  // Clause 10: continual improvement is 10.3 in both and HS 10.1; their "General" 10.1 pair is
  // declared, never taken for the harmonized continual improvement.
  EXPECT_NE(map.out.find("10.3     Continual improvement                                10.3"), std::string::npos) << map.out;
  EXPECT_EQ(map.out.find("10.1     General                                              10.3"), std::string::npos) << map.out;
  Result hs = Conform("catalogue map iso9001 hs --format json");
  EXPECT_NE(hs.out.find(R"("clause_a":"10.3","clause_b":"10.1")"), std::string::npos) << hs.out;
  EXPECT_EQ(hs.out.find(R"("clause_a":"10.1","clause_b":"10.1")"), std::string::npos) << hs.out;
  Result show = Conform("catalogue show iso9001 --clause 9.2 --format json");
  EXPECT_EQ(show.status, 0);
  EXPECT_NE(show.out.find("\"clause\":\"9.2.1\""), std::string::npos);
  EXPECT_EQ(show.out.find("\"clause\":\"9.3\""), std::string::npos);
  Result search = Conform("catalogue search calibrat");
  EXPECT_EQ(search.status, 0);
  EXPECT_NE(search.out.find("iso9001 7.1.5.2"), std::string::npos);
  Result nothing = Conform("catalogue search zzzqqq");
  EXPECT_EQ(nothing.status, 1);
  Result bad = Conform("catalogue show iso9001 --clause 99");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("E0613"), std::string::npos);
}

// ISO 9001:2015 numbers sixteen sub-clauses without a title; the catalogue's own labels for them
// are written in square brackets (docs/language.md, "Clause titles"), and no other title is.
TEST(Cli, CatalogueOwnLabelsBracketed) {
  Result show = Conform("catalogue show iso9001 --format json");
  ASSERT_EQ(show.status, 0) << show.err;
  std::set<std::string> bracketed;
  const std::string key = "{\"clause\":\"";
  for (size_t p = show.out.find(key); p != std::string::npos; p = show.out.find(key, p + 1)) {
    size_t b = p + key.size(), e = show.out.find('"', b);
    std::string number = show.out.substr(b, e - b);
    if (show.out.compare(e, 11, "\",\"title\":\"") == 0 && show.out[e + 11] == '[') bracketed.insert(number);
  }
  std::set<std::string> expected = {"4.4.1", "4.4.2", "6.1.1", "6.1.2", "6.2.1", "6.2.2", "7.5.3.1", "7.5.3.2",
                                    "8.2.3.1", "8.2.3.2", "8.7.1", "8.7.2", "9.2.1", "9.2.2", "10.2.1", "10.2.2"};
  EXPECT_EQ(bracketed, expected);
}

// ISO/IEC 27001: Annex A controls are clauses (A.8.13), reachable by `show --clause`; the
// manifest maps controls to ISO 9001's supplier and change clauses beyond the harmonized ones.
TEST(Cli, Iso27001AnnexClauses) {
  Result show = Conform("catalogue show iso27001 --clause A.8.13 --format json");
  EXPECT_EQ(show.status, 0) << show.err;
  EXPECT_NE(show.out.find("a8_13_restores_tested"), std::string::npos) << show.out.substr(0, 400);
  EXPECT_EQ(show.out.find("a8_12_implemented"), std::string::npos);
  Result map = Conform("catalogue map iso27001 iso9001");
  EXPECT_EQ(map.status, 0) << map.err;
  EXPECT_NE(map.out.find("hs 9.2"), std::string::npos);
  EXPECT_NE(map.out.find("A.5.19"), std::string::npos) << map.out;
  EXPECT_NE(map.out.find("declared by iso27001"), std::string::npos);
}

// ISO/IEC 27001 has two editions in the catalogue: 2022 is the default; the 2013 edition's
// transition ended on 2025-10-31 (IAF MD 26), so checking against it afterwards warns.
TEST(Cli, Iso27001EditionTransition) {
  const std::string ev = "standards/iso27001/examples/complete.yaml";
  Result current = Conform("check " + ev + " -s iso27001 --as-of 2026-11-22 --format json");
  EXPECT_EQ(current.status, 0) << current.err;
  EXPECT_NE(current.out.find("\"edition\":\"2022+A1:2024\""), std::string::npos);
  EXPECT_EQ(current.err.find("W0602"), std::string::npos) << current.err;
  Result late = Conform("check " + ev + " -s iso27001@2013 --as-of 2026-11-22");
  EXPECT_EQ(late.status, 0) << late.err;
  EXPECT_NE(late.err.find("W0602"), std::string::npos) << late.err;
  EXPECT_NE(late.err.find("iso27001 edition 2013 is past its transition end (2025-10-31)"), std::string::npos) << late.err;
  Result during = Conform("check " + ev + " -s iso27001@2013 --as-of 2025-06-01");
  EXPECT_EQ(during.err.find("W0602"), std::string::npos) << during.err;
  Result list = Conform("catalogue list --as-of 2026-11-22 --format json");
  EXPECT_NE(list.out.find("\"edition\":\"2013\""), std::string::npos) << list.out;
}

// The certified SaaS example: controls its Statement of Applicability excludes are reported not
// applicable with the company's own justification.
TEST(Cli, Iso27001ExcludedControlsShowJustification) {
  Result r = Conform("check examples/saas-company.yaml -s iso27001 --as-of 2026-11-22");
  EXPECT_EQ(r.status, 1) << r.err;  // five deliberate gaps
  // The text report names requirements by their statement (docs/output.md).
  EXPECT_NE(r.out.find("– The Statement of Applicability records A.8.30 Outsourced development as implemented"), std::string::npos);
  EXPECT_NE(r.out.find("not applicable: clause A.8.30 is declared not applicable in the scope: "
                       "excluded in the Statement of Applicability — No development is outsourced"),
            std::string::npos)
      << r.out.substr(0, 600);
  EXPECT_NE(r.out.find("✗ [minor] Technical vulnerabilities are remediated within the time agreed"), std::string::npos);
}

// ISO 22301: in the catalogue with its edition; the logistics operator's BIA in hours gives the
// 8.2.2 nonconformity with both durations, on both engines; clause 10 maps to the harmonized
// structure the other way round from ISO 9001.
TEST(Cli, Iso22301BusinessContinuity) {
  Result list = Conform("catalogue list");
  EXPECT_EQ(list.status, 0);
  EXPECT_NE(list.out.find("iso22301       2019+A1:2024"), std::string::npos) << list.out;
  for (const char* engine : {"jit", "interp"}) {
    Result r = Conform(fmt::format("check examples/logistics-operator.yaml -s iso22301@2019 {} -q --engine {}", kAsOf, engine));
    EXPECT_EQ(r.status, 1) << r.err;
    // The text report names a requirement by its statement, its message on the next line.
    EXPECT_NE(r.out.find("✗ [major] Each recovery time objective is shorter than the maximum tolerable period of disruption"),
              std::string::npos)
        << engine << "\n" << r.out;
    EXPECT_NE(r.out.find("activity ACT-COLD (Temperature-controlled storage (2–8 °C)) has a "
                         "recovery time objective of 8 hours, not shorter than its maximum tolerable period of disruption of 6 hours"),
              std::string::npos)
        << engine << "\n" << r.out;
    EXPECT_NE(r.out.find("150 requirements: 144 conform, 5 nonconform (1 major, 4 minor, 0 observations)"), std::string::npos)
        << engine << "\n" << r.out;
  }
  Result map = Conform("catalogue map iso22301 iso9001");
  EXPECT_EQ(map.status, 0) << map.err;
  EXPECT_NE(map.out.find("hs 10.2"), std::string::npos) << map.out;
  EXPECT_NE(map.out.find("declared by iso22301"), std::string::npos) << map.out;
  // Annex A of ISO/IEC 27001 meets business continuity: both packages declare pairs
  Result isms = Conform("catalogue map iso22301 iso27001");
  EXPECT_EQ(isms.status, 0) << isms.err;
  EXPECT_NE(isms.out.find("A.5.30   ICT readiness for business continuity                declared by iso22301"), std::string::npos) << isms.out;
  EXPECT_NE(isms.out.find("A.5.29   Information security during disruption               declared by iso27001"), std::string::npos) << isms.out;
}

}  // namespace
