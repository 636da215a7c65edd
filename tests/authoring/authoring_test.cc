// End-to-end tests of the authoring toolchain (issue 16): packages as units, error recovery,
// `conform explain`, `conform new`. Each runs the real binary.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "conform/runtime/catalogue.h"
#include "conform_process.h"

namespace fs = std::filesystem;

namespace {

using conform::testing::Result;

fs::path Scratch() { return conform::testing::ScratchDir("conform-authoring-test"); }

Result Conform(const std::string& args, const std::string& cwd = CONFORM_SOURCE_DIR) {
  return conform::testing::RunConform(CONFORM_BIN, cwd, Scratch(), "", args);
}

fs::path Write(const fs::path& rel, const std::string& text) {
  fs::path p = Scratch() / rel;
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

size_t Count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

// ---- 1. packages as units

TEST(Packages, CompileAPackageFolderOrAnyFileInIt) {
  Result folder = Conform("compile standards/iso14001");
  EXPECT_EQ(folder.status, 0) << folder.err;
  EXPECT_NE(folder.err.find("ok:"), std::string::npos) << folder.err;
  // The schema sibling (schema.clause) and the required core package are loaded with the file.
  Result file = Conform("compile standards/iso14001/iso14001.clause");
  EXPECT_EQ(file.status, 0) << file.err;
  EXPECT_EQ(file.err.find("error"), std::string::npos) << file.err;
  Result scheme = Conform("compile standards/mra_signatory/mra_signatory.clause");
  EXPECT_EQ(scheme.status, 0) << scheme.err;
}

TEST(Packages, CompileAPackageOutsideTheCatalogue) {
  Result r = Conform("compile bench/catalogue/peers50");
  EXPECT_EQ(r.status, 0) << r.err;
  Result bare = Conform(fmt::format("compile '{}'", Scratch().string()));
  EXPECT_EQ(bare.status, 2);
  EXPECT_NE(bare.err.find("not a package"), std::string::npos) << bare.err;
}

TEST(Packages, CheckLoadsOnlyTheSchemaModulesThePackageBuildsOn) {
  // peers50 has its own root entity `record`: core's (and certification's) names stay out.
  fs::path ev = Write("peers.yaml", R"(id: 1
employees: 20
revenue_k: 2000
audit_score: 80
open_incidents: 1
closed_incidents: 4
training_hours: 20
risk_score: 30
supplier_count: 10
suppliers_evaluated: 9
last_audit: 2024-06-01
cert_expiry: 2025-06-01
policy_review: 2024-01-01
mgmt_review: 2024-03-01
risk_assessment: 2024-02-01
founded: 2001-01-01
country: DE
sector: manufacturing
status: active
scope: full
qms_owner: Q1
certifications: [iso9001]
documents: [{ kind: policy, approved: true, age: 100 }]
nonconformities: [{ severity: minor, closed: true, age: 30 }]
)");
  Result r = Conform(fmt::format("check '{}' -s peers50 --plugin-dir bench/catalogue --as-of 2024-10-04 --format json",
                                 ev.string()));
  EXPECT_EQ(r.status, 1) << r.err;  // 7 of the 50 checks fail on this record
  EXPECT_EQ(r.err.find("E0204"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("\"requirements\":50,\"conform\":43"), std::string::npos) << r.out;
}

// ---- 3. conform explain

TEST(Explain, PrintsTheDocumentedRowOfACode) {
  Result r = Conform("explain E0205");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("E0205: `use` of a module that is not on the search path"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("E02xx — names"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("what to do: check `--plugin-dir`"), std::string::npos) << r.out;
  Result lower = Conform("explain w0701");
  EXPECT_EQ(lower.status, 0) << lower.err;
  EXPECT_NE(lower.out.find("W0701:"), std::string::npos) << lower.out;
}

TEST(Explain, UnknownCodeSuggests) {
  Result r = Conform("explain E0299");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("no diagnostic `E0299`"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean"), std::string::npos) << r.err;
}

// Every code of docs/diagnostics.md can be explained (the embedded copy is the whole file).
TEST(Explain, EveryDocumentedCode) {
  std::ifstream in(fs::path(CONFORM_SOURCE_DIR) / "docs/diagnostics.md");
  std::string line, last;
  size_t n = 0;
  while (std::getline(in, line))
    if (line.size() > 8 && line.rfind("| ", 0) == 0 && line[7] == ' ' && std::isdigit(static_cast<unsigned char>(line[3]))) {
      last = line.substr(2, 5);
      ++n;
    }
  ASSERT_GT(n, 50u);
  Result r = Conform("explain " + last);
  EXPECT_EQ(r.status, 0) << last << r.err;
}

// ---- 2. error recovery without cascades (the exact texts are goldens in tests/golden)

TEST(Recovery, OneTypoedUseIsOneError) {
  Result r = Conform("compile tests/golden/diagnostics/e0205_one_error_for_a_typo_use.clause");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(Count(r.err, "error["), 1u) << r.err;
  EXPECT_NE(r.err.find("did you mean `core`?"), std::string::npos) << r.err;
}

TEST(Recovery, MisplacedLetIsOneClearError) {
  Result r = Conform("compile tests/golden/diagnostics/e0101_misplaced_let.clause");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(Count(r.err, "error["), 1u) << r.err;
  EXPECT_NE(r.err.find("`let` is a member of a requirement"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("'"), std::string::npos) << "no ANTLR token literals: " << r.err;
}

TEST(Recovery, PassErrorAddsNothingForElseHoles) {
  Result r = Conform("compile tests/golden/diagnostics/e0301_pass_error_poisons_else_holes.clause");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(Count(r.err, "error["), 1u) << r.err;
  EXPECT_EQ(r.err.find("E0201"), std::string::npos) << r.err;
}

TEST(Recovery, ListComparedWithNumberSuggestsCount) {
  Result r = Conform("compile tests/golden/diagnostics/e0301_count_hint.clause");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("count(internal_audits)"), std::string::npos) << r.err;
}

TEST(Recovery, ManyErrorsAreCapped) {
  std::string text = "use core\nstandard many \"Many\" {\n  clause 1 \"One\" {\n";
  for (int i = 0; i < 40; ++i)
    text += fmt::format("    requirement r{0} : minor {{ says \"r{0}\" pass unknown_name_{0} > 0 }}\n", i);
  text += "  }\n}\n";
  fs::path f = Write("many.clause", text);
  Result r = Conform(fmt::format("compile '{}'", f.string()));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(Count(r.err, "error[E0201]"), 25u) << r.err;
  EXPECT_NE(r.err.find("15 more errors not shown"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("40 errors emitted"), std::string::npos) << r.err;
}

TEST(Recovery, StandardIdsIgnoreCaseAndSuggest) {
  Result upper = Conform("check examples/precision-parts.yaml -s ISO9001 --as-of 2026-11-22 -q");
  EXPECT_NE(upper.status, 2) << upper.err;
  Result dashed = Conform("check examples/precision-parts.yaml -s iso-9001 --as-of 2026-11-22");
  EXPECT_EQ(dashed.status, 2);
  EXPECT_NE(dashed.err.find("did you mean `iso9001`?"), std::string::npos) << dashed.err;
}

TEST(Recovery, TestFileDiagnosticsNameALine) {
  fs::path root = Scratch() / "cat-lines";
  fs::create_directories(root);
  Result made = Conform(fmt::format("new standard lined --dir '{}'", root.string()));
  ASSERT_EQ(made.status, 0) << made.err;
  // An unknown requirement id: did-you-mean and the line of the key.
  std::ofstream(root / "lined/tests/typo.test.yaml")
      << "name: typo\nevidence: ../examples/complete.yaml\nas_of: 2026-11-22\nexpect:\n  requirements:\n"
         "    policy_documentd: conform\n";
  Result typo = Conform(fmt::format("test '{}' --plugin-dir '{}'", (root / "lined").string(), root.string()));
  EXPECT_EQ(typo.status, 1) << typo.out << typo.err;
  EXPECT_NE(typo.out.find("typo.test.yaml:6: did you mean `policy_documented`?"), std::string::npos) << typo.out;
  // A malformed test file (E0610) names its line.
  std::ofstream(root / "lined/tests/typo.test.yaml")
      << "name: bad\nevidence: ../examples/complete.yaml\nas_of: 2026-11-22\nexpect:\n  default: maybe\n";
  Result bad = Conform(fmt::format("test '{}' --plugin-dir '{}'", (root / "lined").string(), root.string()));
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("typo.test.yaml:5:"), std::string::npos) << bad.err;
}

// ---- 4. conform new

TEST(New, ScaffoldedStandardPassesItsTestsWithFullCoverage) {
  fs::path root = Scratch() / "cat-new";
  fs::create_directories(root);
  Result made = Conform(fmt::format("new standard iso99999 --dir '{}' --title 'Example management systems'", root.string()));
  ASSERT_EQ(made.status, 0) << made.err;
  for (const char* f : {"plugin.toml", "iso99999.clause", "schema.clause", "examples/complete.yaml", "examples/gaps.yaml",
                        "examples/no-policy.yaml", "tests/complete.test.yaml", "tests/gaps.test.yaml",
                        "tests/no-policy.test.yaml"})
    EXPECT_TRUE(fs::exists(root / "iso99999" / f)) << f;
  // The manifest declares the language this build reads (one constant), and the skeleton uses
  // its prerequisites construct (`depends on`, Clause 0.2).
  std::string manifest = conform::testing::Slurp(root / "iso99999/plugin.toml");
  EXPECT_NE(manifest.find(fmt::format("language = \"{}\"", conform::runtime::kLanguageVersion)), std::string::npos)
      << manifest;
  EXPECT_NE(conform::testing::Slurp(root / "iso99999/iso99999.clause").find("depends on policy_documented"),
            std::string::npos);
  Result compiled = Conform(fmt::format("compile '{}'", (root / "iso99999").string()));
  EXPECT_EQ(compiled.status, 0) << compiled.err;
  Result tested = Conform(fmt::format("test '{}' --plugin-dir '{}' --require-coverage", (root / "iso99999").string(),
                                      root.string()));
  EXPECT_EQ(tested.status, 0) << tested.out << tested.err;
  EXPECT_NE(tested.out.find("3 tests, 3 passed, 0 failed"), std::string::npos) << tested.out;
  // It is a standard the catalogue commands and check see.
  Result checked = Conform(fmt::format("check '{}' -s iso99999 --plugin-dir '{}' --as-of 2026-11-22",
                                       (root / "iso99999/examples/complete.yaml").string(), root.string()));
  EXPECT_EQ(checked.status, 0) << checked.out << checked.err;
}

// Uncomments the `// amend …` / `// param …` example of a scaffolded extension.
std::string Uncommented(std::string text) {
  for (const char* key : {"  // amend ", "  //   grade ", "  // }", "  // param "}) {
    size_t at = text.find(key);
    if (at != std::string::npos) text.erase(at + 2, 3);
  }
  return text;
}

TEST(New, ScaffoldedExtensionPassesItsTestsWithFullCoverage) {
  fs::path root = Scratch() / "cat-new-ext";
  fs::remove_all(root);
  fs::create_directories(root);
  Result made = Conform(fmt::format("new extension acme_supplier --extends iso9001 --dir '{}' --title 'Acme supplier'", root.string()));
  ASSERT_EQ(made.status, 0) << made.err;
  fs::path pkg = root / "acme_supplier";
  for (const char* f : {"plugin.toml", "acme_supplier.clause", "examples/complete.yaml", "examples/gaps.yaml",
                        "tests/complete.test.yaml", "tests/gaps.test.yaml"})
    EXPECT_TRUE(fs::exists(pkg / f)) << f;
  std::string manifest = conform::testing::Slurp(pkg / "plugin.toml");
  EXPECT_NE(manifest.find("kind     = \"extension\""), std::string::npos) << manifest;
  EXPECT_NE(manifest.find("iso9001 = \">=1."), std::string::npos) << manifest;  // the base's major version
  EXPECT_NE(manifest.find(fmt::format("language = \"{}\"", conform::runtime::kLanguageVersion)), std::string::npos)
      << manifest;
  std::string source = conform::testing::Slurp(pkg / "acme_supplier.clause");
  EXPECT_NE(source.find("extends iso9001 >= \"2015\""), std::string::npos) << source;
  Result compiled = Conform(fmt::format("compile '{}' --emit ir", pkg.string()));
  ASSERT_EQ(compiled.status, 0) << compiled.err;
  EXPECT_NE(compiled.out.find("layer acme_supplier"), std::string::npos) << compiled.out.substr(0, 600);
  Result tested = Conform(fmt::format("test '{}' --plugin-dir '{}' --require-coverage", pkg.string(), root.string()));
  EXPECT_EQ(tested.status, 0) << tested.out << tested.err;
  EXPECT_NE(tested.out.find("2 tests, 2 passed, 0 failed"), std::string::npos) << tested.out;
  EXPECT_NE(tested.out.find("conform 1/1, nonconform 1/1"), std::string::npos) << tested.out;
  Result linted = Conform(fmt::format("lint '{}'", pkg.string()));
  EXPECT_EQ(linted.status, 0) << linted.out << linted.err;
  EXPECT_NE(linted.out.find("lint: clean (1 package, 1 extension)"), std::string::npos) << linted.out;
  EXPECT_EQ(Conform(fmt::format("fmt --check '{}'", pkg.string())).status, 0);
  // check sees it: ISO 9001 with the layer applied.
  Result checked = Conform(fmt::format("check '{}' -s acme_supplier --plugin-dir '{}' --as-of 2026-11-22 --format json",
                                       (pkg / "examples/gaps.yaml").string(), root.string()));
  EXPECT_NE(checked.out.find("\"origin\":\"acme_supplier\""), std::string::npos) << checked.out.substr(0, 400) << checked.err;
  // The commented amendment and parameter setting name a real base requirement and parameter:
  // uncommented, the package still compiles (and keeping the parameter's default is L0012).
  std::ofstream(pkg / "acme_supplier.clause", std::ios::binary | std::ios::trunc) << Uncommented(source);
  Result amended = Conform(fmt::format("compile '{}'", pkg.string()));
  EXPECT_EQ(amended.status, 0) << amended.err << Uncommented(source);
  EXPECT_EQ(amended.err.find("warning"), std::string::npos) << amended.err;
  Result lint2 = Conform(fmt::format("lint '{}' --format json", pkg.string()));
  EXPECT_NE(lint2.out.find("\"code\":\"L0012\""), std::string::npos) << lint2.out;
  EXPECT_EQ(Count(lint2.out, "\"code\":"), 1u) << lint2.out;
}

TEST(New, ExtensionNeedsAKnownBase) {
  fs::path root = Scratch() / "cat-new-ext-bad";
  fs::remove_all(root);
  fs::create_directories(root);
  Result none = Conform(fmt::format("new extension acme --dir '{}'", root.string()));
  EXPECT_EQ(none.status, 2);
  EXPECT_NE(none.err.find("--extends"), std::string::npos) << none.err;
  Result typo = Conform(fmt::format("new extension acme --extends iso9010 --dir '{}'", root.string()));
  EXPECT_EQ(typo.status, 2);
  EXPECT_NE(typo.err.find("E0602"), std::string::npos) << typo.err;
  EXPECT_FALSE(fs::exists(root / "acme"));
  // An extension of an extension: its base is IATF 16949 on ISO 9001.
  Result layered = Conform(fmt::format("new extension tyne2 --extends iatf16949 --dir '{}'", root.string()));
  ASSERT_EQ(layered.status, 0) << layered.err;
  Result tested = Conform(fmt::format("test '{}' --plugin-dir '{}' --require-coverage", (root / "tyne2").string(), root.string()));
  EXPECT_EQ(tested.status, 0) << tested.out << tested.err;
}

TEST(New, RefusesBadIdsAndExistingFolders) {
  fs::path root = Scratch() / "cat-new-bad";
  fs::create_directories(root / "taken");
  EXPECT_EQ(Conform(fmt::format("new standard Bad-Id --dir '{}'", root.string())).status, 2);
  Result taken = Conform(fmt::format("new standard taken --dir '{}'", root.string()));
  EXPECT_EQ(taken.status, 2);
  EXPECT_NE(taken.err.find("already exists"), std::string::npos) << taken.err;
}

// ---- 5. conform lint

// Each rule has a fixture package that fails exactly that rule.
TEST(Lint, EachRuleHasAFailingFixture) {
  const std::pair<const char*, const char*> cases[] = {
      {"l0001", "L0001"}, {"l0002", "L0002"}, {"l0003", "L0003"}, {"l0004", "L0004"}, {"l0005", "L0005"},
      {"l0007", "L0007"}, {"l0008", "L0008"}, {"l0009", "L0009"}, {"l0010", "L0010"}, {"l0011", "L0011"},
      {"l0012", "L0012"}};
  for (const auto& [pkg, code] : cases) {
    Result r = Conform(fmt::format("lint tests/authoring/lint/{} --format json", pkg));
    EXPECT_EQ(r.status, 1) << pkg << r.err;
    EXPECT_NE(r.out.find(fmt::format("\"code\":\"{}\"", code)), std::string::npos) << pkg << r.out;
    EXPECT_EQ(Count(r.out, "\"code\":"), 1u) << pkg << ": one finding only\n" << r.out;
  }
  Result grades = Conform("lint tests/authoring/lint/l0006a tests/authoring/lint/l0006b");
  EXPECT_EQ(grades.status, 1);
  EXPECT_EQ(Count(grades.out, "warning[L0006]"), 2u) << grades.out;
  EXPECT_NE(grades.out.find("l0006b.policy_approved (minor)"), std::string::npos) << grades.out;
  // Alone, neither package is inconsistent.
  EXPECT_EQ(Conform("lint tests/authoring/lint/l0006a").status, 0);
}

// Every rule is documented in docs/lint.md and has a fixture folder.
TEST(Lint, EveryRuleIsDocumentedWithAFixture) {
  std::string doc = conform::testing::Slurp(fs::path(CONFORM_SOURCE_DIR) / "docs/lint.md");
  Result r = Conform("lint tests/authoring/lint/l0003 --format sarif");
  size_t rules = 0;
  for (size_t at = r.out.find("{\"id\":\"L"); at != std::string::npos; at = r.out.find("{\"id\":\"L", at + 1)) {
    std::string code = r.out.substr(at + 7, 5);
    ++rules;
    EXPECT_NE(doc.find("| " + code + " |"), std::string::npos) << code << " is not in docs/lint.md";
    std::string lower = code;
    lower[0] = 'l';
    EXPECT_TRUE(fs::exists(fs::path(CONFORM_SOURCE_DIR) / "tests/authoring/lint" / lower) ||
                fs::exists(fs::path(CONFORM_SOURCE_DIR) / "tests/authoring/lint" / (lower + "a")))
        << code << " has no fixture";
  }
  EXPECT_GE(rules, 12u) << r.out;
}

// Extension rules: a justification suppresses them; the catalogue's extensions are linted too.
TEST(Lint, ExtensionFindingsCanBeJustified) {
  fs::path root = Scratch() / "lint-ext";
  fs::remove_all(root);
  fs::create_directories(root);
  fs::copy(fs::path(CONFORM_SOURCE_DIR) / "tests/authoring/lint/l0010", root / "l0010", fs::copy_options::recursive);
  std::string text = conform::testing::Slurp(root / "l0010/l0010.clause");
  text.replace(text.find("    pass "), 0, "    // lint: allow L0010 the customer accepts either kind of issue\n");
  std::ofstream(root / "l0010/l0010.clause", std::ios::binary | std::ios::trunc) << text;
  Result r = Conform(fmt::format("lint '{}'", (root / "l0010").string()));
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  Result plugins = Conform("lint plugins");
  EXPECT_EQ(plugins.status, 0) << plugins.out << plugins.err;
  EXPECT_NE(plugins.out.find(" extensions)"), std::string::npos) << plugins.out;  // IATF 16949, the customer layer …
}

TEST(Lint, CleanFixtureAndJustifiedExceptions) {
  Result r = Conform("lint tests/authoring/lint/clean");
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("lint: clean (1 package, 1 standard)"), std::string::npos) << r.out;
}

TEST(Lint, TextJsonAndSarif) {
  Result text = Conform("lint tests/authoring/lint/l0001/l0001.clause");
  EXPECT_NE(text.out.find("warning[L0001]: requirement `policy_documented` has no `else` message"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("l0001.clause:6:"), std::string::npos) << text.out;
  Result sarif = Conform("lint tests/authoring/lint/l0003 --format sarif");
  EXPECT_EQ(sarif.status, 1);
  EXPECT_NE(sarif.out.find("\"version\":\"2.1.0\""), std::string::npos) << sarif.out;
  EXPECT_NE(sarif.out.find("\"ruleId\":\"L0003\""), std::string::npos) << sarif.out;
  EXPECT_NE(sarif.out.find("\"startLine\":5"), std::string::npos) << sarif.out;
  Result bad = Conform("lint tests/authoring");
  EXPECT_EQ(bad.status, 2) << bad.out;
}

// The catalogue lints clean (findings are fixed or justified in place).
TEST(Lint, CatalogueIsClean) {
  Result r = Conform("lint standards plugins");
  EXPECT_EQ(r.status, 0) << r.out << r.err;
}

// ---- 6. conform fmt

TEST(Fmt, GoldenLayoutKeepsComments) {
  std::string dir = std::string(CONFORM_SOURCE_DIR) + "/tests/authoring/fmt";
  Result r = Conform("fmt - < '" + dir + "/messy.clause'");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, conform::testing::Slurp(dir + "/messy.expected"));
  // Idempotent: the formatted text is a fixed point.
  Result again = Conform("fmt - < '" + dir + "/messy.expected'");
  EXPECT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(again.out, r.out);
}

TEST(Fmt, CheckAndRewrite) {
  fs::path f = Write("fmt/one.clause", "use core\nstandard one \"One\" {\n      clause 1 \"A\" { }\n}\n");
  Result check = Conform(fmt::format("fmt --check '{}'", f.parent_path().string()));
  EXPECT_EQ(check.status, 1);
  EXPECT_NE(check.out.find("one.clause"), std::string::npos) << check.out;
  EXPECT_EQ(Conform(fmt::format("fmt '{}'", f.string())).status, 0);
  EXPECT_EQ(conform::testing::Slurp(f), "use core\nstandard one \"One\" {\n  clause 1 \"A\" { }\n}\n");
  EXPECT_EQ(Conform(fmt::format("fmt --check '{}'", f.string())).status, 0);
  // A file that does not parse is left alone.
  fs::path bad = Write("fmt-bad/bad.clause", "standard s \"S\" { clause 1 \"A\" { requirement r : minor { pass 1 > } } }\n");
  Result b = Conform(fmt::format("fmt '{}'", bad.string()));
  EXPECT_EQ(b.status, 2);
  EXPECT_NE(b.err.find("E0101"), std::string::npos) << b.err;
}

// fmt is stable on every file of the catalogue: formatting a formatted copy changes nothing.
TEST(Fmt, IdempotentOnTheCatalogue) {
  fs::path copy = Scratch() / "fmt-catalogue";
  fs::remove_all(copy);
  fs::create_directories(copy);
  fs::copy(fs::path(CONFORM_SOURCE_DIR) / "standards", copy / "standards", fs::copy_options::recursive);
  fs::copy(fs::path(CONFORM_SOURCE_DIR) / "bench/catalogue", copy / "bench", fs::copy_options::recursive);
  Result first = Conform(fmt::format("fmt '{}'", copy.string()));
  ASSERT_EQ(first.status, 0) << first.err;
  Result second = Conform(fmt::format("fmt --check '{}'", copy.string()));
  EXPECT_EQ(second.status, 0) << second.out << second.err;
}

// ---- 8. shell completion and the manual page

// Runs a shell command line, capturing its output.
Result Shell(const std::string& cmd) {
  fs::path out = Scratch() / "sh-out", err = Scratch() / "sh-err";
  int rc = std::system(fmt::format("{} >'{}' 2>'{}'", cmd, out.string(), err.string()).c_str());
  Result r;
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.out = conform::testing::Slurp(out);
  r.err = conform::testing::Slurp(err);
  return r;
}

// The subcommand names of `conform --help`.
std::vector<std::string> Subcommands() {
  Result help = Conform("--help");
  std::vector<std::string> out;
  size_t at = help.out.find("Subcommands:");
  std::istringstream in(help.out.substr(at == std::string::npos ? help.out.size() : at));
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line))
    if (line.size() > 2 && line[0] == ' ') out.push_back(line.substr(2, line.find(' ', 2) - 2));
  return out;
}

// bash: the generated function completes subcommands, options and option values.
TEST(Completion, BashCompletesSubcommandsOptionsAndValues) {
  fs::path script = Write("completion/conform.bash", Conform("completion bash").out);
  auto complete = [&](const std::string& line) {
    // COMP_WORDS from the words of `line` (a trailing space starts an empty word).
    fs::path probe = Write("completion/probe.sh", fmt::format(R"(source '{}'
read -ra COMP_WORDS <<< "{}"
[[ "{}" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))
_conform
printf '%s\n' "${{COMPREPLY[@]}}"
)", script.string(), line, line));
    return Shell(fmt::format("bash '{}'", probe.string())).out;
  };
  EXPECT_NE(complete("conform li").find("lint\n"), std::string::npos);
  EXPECT_NE(complete("conform lint --fo").find("--format\n"), std::string::npos);
  EXPECT_EQ(complete("conform lint --format "), "text\njson\nsarif\n");
  EXPECT_EQ(complete("conform completion "), "bash\nzsh\nfish\n") << "positional choices";
  std::string nested = complete("conform catalogue s");
  EXPECT_NE(nested.find("show\n"), std::string::npos) << nested;
  EXPECT_NE(nested.find("search\n"), std::string::npos) << nested;
  EXPECT_NE(complete("conform check x.yaml --standard iso9001 --eng").find("--engine\n"), std::string::npos);
  // Every subcommand is offered.
  std::string all = complete("conform ");
  for (const auto& s : Subcommands()) EXPECT_NE(all.find(s + "\n"), std::string::npos) << s << "\n" << all;
}

TEST(Completion, ZshAndFishScriptsParseAndComplete) {
  fs::path zsh = Write("completion/_conform", Conform("completion zsh").out);
  Result zn = Shell(fmt::format("zsh -n '{}'", zsh.string()));
  EXPECT_EQ(zn.status, 0) << zn.err;
  std::string z = conform::testing::Slurp(zsh);
  EXPECT_EQ(z.rfind("#compdef conform", 0), 0u);
  EXPECT_NE(z.find("_conform_lint()"), std::string::npos);
  EXPECT_NE(z.find("_conform_catalogue_show()"), std::string::npos);
  EXPECT_NE(z.find("'1:shell:(bash zsh fish)'"), std::string::npos) << z;
  EXPECT_NE(z.find("--format[text (default), json or sarif]:value:(text json sarif)"), std::string::npos) << z;
  fs::path fish = Write("completion/conform.fish", Conform("completion fish").out);
  Result fn = Shell(fmt::format("fish -n '{}'", fish.string()));
  EXPECT_EQ(fn.status, 0) << fn.err;
  // fish completes a command line itself.
  Result values = Shell(
      fmt::format("fish -c \"source '{}'; complete -C 'conform lint --format '\"", fish.string()));
  EXPECT_NE(values.out.find("sarif"), std::string::npos) << values.out << values.err;
  Result shells = Shell(fmt::format("fish -c \"source '{}'; complete -C 'conform completion '\"", fish.string()));
  EXPECT_NE(shells.out.find("zsh"), std::string::npos) << shells.out << shells.err;
  Result subs = Shell(fmt::format("fish -c \"source '{}'; complete -C 'conform ca'\"", fish.string()));
  EXPECT_NE(subs.out.find("catalogue"), std::string::npos) << subs.out << subs.err;
  Result nested = Shell(fmt::format("fish -c \"source '{}'; complete -C 'conform catalogue sh'\"", fish.string()));
  EXPECT_NE(nested.out.find("show"), std::string::npos) << nested.out << nested.err;
}

// conform.1 names every subcommand and option; the build writes it (installed by cmake --install).
TEST(Man, PageCoversEveryCommandAndOption) {
  Result man = Conform("man");
  ASSERT_EQ(man.status, 0) << man.err;
  EXPECT_NE(man.out.find(".TH CONFORM 1"), std::string::npos);
  EXPECT_NE(man.out.find(".SH EXIT STATUS"), std::string::npos);
  for (const auto& s : Subcommands()) {
    EXPECT_NE(man.out.find(".SS \"conform " + s), std::string::npos) << s;
    Result help = Conform(s + " --help");
    for (size_t at = help.out.find("  --"); at != std::string::npos; at = help.out.find("  --", at + 1)) {
      std::string opt = help.out.substr(at + 4, help.out.find_first_of(" ,\n", at + 4) - at - 4);
      std::string roff;
      for (char c : opt) roff += c == '-' ? std::string("\\-") : std::string(1, c);
      EXPECT_NE(man.out.find("\\fB\\-\\-" + roff + "\\fR"), std::string::npos) << s << " --" << opt;
    }
  }
  EXPECT_NE(man.out.find(".SS \"conform catalogue show"), std::string::npos);
  EXPECT_EQ(conform::testing::Slurp(fs::path(CONFORM_BIN).parent_path() / "gen/conform.1"), man.out);
}

}  // namespace
