// End-to-end tests of extensions (`extension … extends`): lettered clause numbers, parameters
// qualified by any layer, `depends on` in amendments and across layers, and the origin fields of
// the reports and of `conform catalogue show`.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "conform_process.h"

namespace fs = std::filesystem;

namespace {

using conform::testing::Result;

fs::path Scratch() { return conform::testing::ScratchDir("conform-extension-cli-test"); }

Result Conform(const std::string& args) {
  return conform::testing::RunConform(CONFORM_BIN, CONFORM_SOURCE_DIR, Scratch(), "", args);
}

void Write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

const char* kAsOf = "--as-of 2026-11-22";

// requirement id → {verdict, blocked_by, origin} of the first standard of a JSON report.
struct Row {
  std::string verdict, blocked_by, origin, declared_in;
  std::vector<std::string> amended_by;
};
std::map<std::string, Row> Rows(const std::string& json) {
  std::map<std::string, Row> out;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS) return out;
  for (auto r : doc["standards"].at(0)["requirements"].get_array()) {
    Row row;
    row.verdict = std::string(r["verdict"].get_string().value());
    std::string_view b;
    if (r["blocked_by"].get_string().get(b) == simdjson::SUCCESS) row.blocked_by = std::string(b);
    row.origin = std::string(r["origin"].get_string().value());
    row.declared_in = std::string(r["declared_in"].get_string().value());
    for (auto a : r["amended_by"].get_array()) row.amended_by.emplace_back(a.get_string().value());
    out[std::string(r["id"].get_string().value())] = row;
  }
  return out;
}

// A package manifest: `requires` is the base of an extension ("" for a standard).
std::string Manifest(const std::string& id, const std::string& requires_id) {
  std::string m = fmt::format("id = \"{}\"\nversion = \"1.0.0\"\ntitle = \"{}\"\nkind = \"{}\"\nlanguage = \"0.2\"\n"
                              "[edition]\nname = \"1\"\n",
                              id, id, requires_id.empty() ? "standard" : "extension");
  if (!requires_id.empty()) m += fmt::format("[requires]\n{} = \">=1.0\"\n", requires_id);
  return m;
}

// A base standard with its own schema, and extensions of it, as packages in a scratch folder.
fs::path DependsPackages() {
  fs::path dir = Scratch() / "depends-packages";
  Write(dir / "base" / "plugin.toml", Manifest("base", ""));
  Write(dir / "base" / "base.clause", R"(schema t { root org { name: string  pa: bool?  pb: bool? } }
standard base "Base" {
  edition "1"
  clause 1 "One" {
    requirement a : major { says "a holds" pass default(pa, false) else "a fails" }
    requirement b : major { says "b holds" pass default(pb, false) else "b fails" }
    requirement c : minor { says "c holds" depends on a pass true }
  }
}
)");
  Write(dir / "ext" / "plugin.toml", Manifest("ext", "base"));
  // `c` now waits for `b` instead of `a`; the new `d` waits for the base's `a`.
  Write(dir / "ext" / "ext.clause", R"(extension ext "Ext" extends base >= "1" {
  edition "1"
  clause 1 {
    requirement d : minor { says "d holds" depends on a pass true }
  }
  amend base.c { depends on b }
}
)");
  Write(dir / "ext2" / "plugin.toml", Manifest("ext2", "ext"));
  // `depends on base, a`: keep ext's prerequisites (b) and add a.
  Write(dir / "ext2" / "ext2.clause", R"(extension ext2 "Ext2" extends ext >= "1" {
  edition "1"
  amend base.c { depends on base, a }
}
)");
  Write(dir / "org.yaml", "name: Org\npa: false\npb: true\n");
  return dir;
}

TEST(ExtensionCli, AmendReplacesOrAddsPrerequisites) {
  fs::path dir = DependsPackages();
  auto run = [&](const std::string& std) {
    Result r = Conform(fmt::format("check '{}' -s {} {} -f json --plugin-dir '{}'", (dir / "org.yaml").string(), std, kAsOf,
                                   dir.string()));
    EXPECT_EQ(r.status, 1) << r.err;  // `a` is nonconform in every case
    return Rows(r.out);
  };
  auto base = run("base");
  EXPECT_EQ(base["c"].verdict, "blocked");
  EXPECT_EQ(base["c"].blocked_by, "a");
  // ext replaces c's prerequisites with b (which conforms); its own d depends on the base's a.
  auto ext = run("ext");
  EXPECT_EQ(ext["c"].verdict, "conform");
  EXPECT_EQ(ext["c"].origin, "amended by ext");
  EXPECT_EQ(ext["d"].verdict, "blocked");
  EXPECT_EQ(ext["d"].blocked_by, "a");
  EXPECT_EQ(ext["d"].origin, "ext");
  // ext2 keeps b and adds a again.
  auto ext2 = run("ext2");
  EXPECT_EQ(ext2["c"].verdict, "blocked");
  EXPECT_EQ(ext2["c"].blocked_by, "a");
  EXPECT_EQ(ext2["c"].amended_by, (std::vector<std::string>{"ext", "ext2"}));
  // Both engines agree.
  for (const char* std : {"ext", "ext2"}) {
    Result jit = Conform(fmt::format("check '{}' -s {} {} -f json --engine jit --plugin-dir '{}'",
                                     (dir / "org.yaml").string(), std, kAsOf, dir.string()));
    Result interp = Conform(fmt::format("check '{}' -s {} {} -f json --engine interp --plugin-dir '{}'",
                                        (dir / "org.yaml").string(), std, kAsOf, dir.string()));
    auto a = Rows(jit.out), b = Rows(interp.out);
    ASSERT_FALSE(a.empty());
    for (const auto& [id, row] : a) EXPECT_EQ(row.verdict, b[id].verdict) << std << " " << id;
  }
}

TEST(ExtensionCli, AmendedPrerequisiteThatDoesNotExistIsE0411) {
  fs::path dir = DependsPackages();
  Write(dir / "ext" / "ext.clause", R"(extension ext "Ext" extends base >= "1" {
  edition "1"
  amend base.c { depends on bb }
}
)");
  Result r = Conform(fmt::format("compile '{}' --plugin-dir '{}'", (dir / "ext").string(), dir.string()));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("E0411"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean `b`?"), std::string::npos) << r.err;
}

// Edition warnings look at every layer of a program, not only at the package selected: an
// extension on a withdrawn edition of its base warns about the base.
TEST(ExtensionCli, EditionWarningsCoverTheBases) {
  fs::path dir = DependsPackages();
  Write(dir / "base" / "plugin.toml", Manifest("base", "") + "withdrawn = 2025-06-30\n");
  Result r = Conform(fmt::format("check '{}' -s ext {} --plugin-dir '{}'", (dir / "org.yaml").string(), kAsOf, dir.string()));
  EXPECT_NE(r.err.find("W0601"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("base edition 1 was withdrawn on 2025-06-30"), std::string::npos) << r.err;
  // Two extensions checked as one program: still one warning for their shared base.
  Result two = Conform(fmt::format("check '{}' -s ext -s ext2 {} --plugin-dir '{}'", (dir / "org.yaml").string(), kAsOf,
                                   dir.string()));
  size_t first = two.err.find("W0601");
  ASSERT_NE(first, std::string::npos) << two.err;
  EXPECT_EQ(two.err.find("W0601", first + 1), std::string::npos) << two.err;
}

// `--param iso9001.x` on a standard with extensions applied: any layer of the chain qualifies.
TEST(ExtensionCli, ParametersQualifiedByAnyLayer) {
  const std::string ev = "plugins/tyne_csr/examples/complete.yaml";
  Result plain = Conform(fmt::format("check {} -s iatf16949 {} -f json", ev, kAsOf));
  Result strict = Conform(fmt::format("check {} -s iatf16949 {} -f json --param iso9001.audit_interval=\"1 day\"", ev, kAsOf));
  EXPECT_EQ(strict.status, 1) << strict.err;
  auto p = Rows(plain.out), s = Rows(strict.out);
  ASSERT_FALSE(p.empty());
  int changed = 0;
  for (const auto& [id, row] : s)
    if (row.verdict != p[id].verdict) ++changed;
  EXPECT_GT(changed, 0) << "--param iso9001.audit_interval was ignored on iatf16949";
  // The extension's own parameter, qualified by its layer, on a program named after a layer above.
  Result cycle = Conform(fmt::format("check {} -s tyne_csr {} -f json --param iatf16949.process_audit_cycle=\"1 day\"", ev, kAsOf));
  auto c = Rows(cycle.out);
  EXPECT_EQ(c["manufacturing_processes_audited"].verdict, "nonconform") << cycle.err;
  // A layer that does not declare the parameter: E0432, naming the one that does.
  Result wrong = Conform(fmt::format("check {} -s tyne_csr {} --param iatf16949.audit_interval=\"1 day\"", ev, kAsOf));
  EXPECT_EQ(wrong.status, 2);
  EXPECT_NE(wrong.err.find("E0432"), std::string::npos) << wrong.err;
  EXPECT_NE(wrong.err.find("iso9001.audit_interval"), std::string::npos) << wrong.err;
  // A typo under a layer: E0711 with a suggestion.
  Result typo = Conform(fmt::format("check {} -s tyne_csr {} --param iso9001.audit_intervall=1", ev, kAsOf));
  EXPECT_EQ(typo.status, 2);
  EXPECT_NE(typo.err.find("E0711"), std::string::npos) << typo.err;
  EXPECT_NE(typo.err.find("did you mean `iso9001.audit_interval`?"), std::string::npos) << typo.err;
  // Another standard's parameter is still left to that standard.
  Result other = Conform(fmt::format("check {} -s tyne_csr {} --param iso14001.audit_interval=1", ev, kAsOf));
  EXPECT_NE(other.status, 2) << other.err;
}

// Origins in the text and JSON reports and in `catalogue show`.
TEST(ExtensionCli, OriginsInTextJsonAndCatalogue) {
  const std::string ev = "plugins/tyne_csr/examples/gaps.yaml";
  Result json = Conform(fmt::format("check {} -s tyne_csr {} -f json", ev, kAsOf));
  auto rows = Rows(json.out);
  ASSERT_FALSE(rows.empty()) << json.err;
  EXPECT_EQ(rows["audit_programme_current"].origin, "iso9001");
  EXPECT_EQ(rows["customer_told_within_a_day"].origin, "tyne_csr");
  EXPECT_EQ(rows["customer_told_within_a_day"].declared_in, "tyne_csr");
  EXPECT_EQ(rows["problem_solving_complete"].origin, "amended by tyne_csr");
  EXPECT_EQ(rows["problem_solving_complete"].declared_in, "iatf16949");
  EXPECT_EQ(rows["non_applicability_permissible"].origin, "amended by iatf16949");
  EXPECT_EQ(rows["non_applicability_permissible"].amended_by, std::vector<std::string>{"iatf16949"});
  int iatf_own = 0;
  for (const auto& [id, row] : rows) iatf_own += row.origin == "iatf16949";
  EXPECT_GT(iatf_own, 90);

  Result text = Conform(fmt::format("check {} -s tyne_csr {}", ev, kAsOf));
  EXPECT_NE(text.out.find("resolved from iso9001:2015+A1:2024 + iatf16949:2016 + tyne_csr:2026"), std::string::npos);
  EXPECT_NE(text.out.find("  iso9001: "), std::string::npos) << "summary per origin";
  EXPECT_NE(text.out.find("  amended by tyne_csr: "), std::string::npos);
  EXPECT_NE(text.out.find("· tyne_csr\n"), std::string::npos);
  EXPECT_NE(text.out.find("· amended by iatf16949\n"), std::string::npos);

  Result show = Conform("catalogue show tyne_csr");
  EXPECT_EQ(show.status, 0) << show.err;
  EXPECT_NE(show.out.find("problem_solving_complete (amended by tyne_csr)"), std::string::npos);
  EXPECT_NE(show.out.find("customer_told_within_a_day (tyne_csr)"), std::string::npos);
  EXPECT_NE(show.out.find("(iso9001)"), std::string::npos);
  EXPECT_NE(show.out.find("(set by tyne_csr)"), std::string::npos);
}

// Lettered control sets beyond one annex letter: `CLD.6.3.1` (ISO/IEC 27017) is a clause number.
TEST(ExtensionCli, LetteredClauseNumbers) {
  fs::path f = Scratch() / "cld.clause";
  Write(f, R"(schema t { root org { staff: int } }
standard s "Lettered" {
  edition "1"
  clause 1 "One" { requirement one : minor { says "x" pass staff > 0 } }
  clause A "Annex" { clause A.5 "Five" { requirement five : minor { says "x" pass staff > 1 } } }
  clause CLD "Cloud" {
    clause CLD.6 "[Six]" {
      clause CLD.6.3 "Three" {
        clause CLD.6.3.1 "One" { requirement cld : minor { says "x" pass staff > 2 } }
      }
    }
  }
}
)");
  Result c = Conform(fmt::format("compile '{}' --emit ir", f.string()));
  ASSERT_EQ(c.status, 0) << c.err;
  EXPECT_NE(c.out.find("CLD.6.3.1"), std::string::npos) << c.out;
  Write(Scratch() / "bad.clause", R"(schema t { root org { staff: int } }
standard s "Bad" { clause Cld "Mixed case" { requirement r : minor { says "x" pass staff > 0 } } }
)");
  Result bad = Conform(fmt::format("compile '{}'", (Scratch() / "bad.clause").string()));
  EXPECT_NE(bad.err.find("E0630"), std::string::npos) << bad.err;
}

}  // namespace

namespace {

// docs/extensions.md builds the overlay that ships in examples/overlays/acme_supplier: every
// block of the tutorial headed `# ~/overlays/acme_supplier/FILE` (or `// …`) is that file, and the
// package passes its tests with full coverage.
TEST(ExtensionCli, TutorialOverlayShipsAndPasses) {
  std::string doc = conform::testing::Slurp(fs::path(CONFORM_SOURCE_DIR) / "docs" / "extensions.md");
  int blocks = 0;
  for (size_t at = doc.find("```"); at != std::string::npos; at = doc.find("```", at + 3)) {
    size_t body = doc.find('\n', at) + 1, end = doc.find("```", body);
    if (end == std::string::npos) break;
    std::string text = doc.substr(body, end - body);
    at = end;
    for (const char* lead : {"# ~/overlays/", "// ~/overlays/"}) {
      if (text.rfind(lead, 0) != 0) continue;
      std::string rel = text.substr(std::string(lead).size(), text.find('\n') - std::string(lead).size());
      fs::path file = fs::path(CONFORM_SOURCE_DIR) / "examples" / "overlays" / rel;
      EXPECT_EQ(conform::testing::Slurp(file), text) << file << " differs from its block in docs/extensions.md";
      ++blocks;
    }
  }
  EXPECT_EQ(blocks, 4);  // plugin.toml, acme_supplier.clause, two tests
  Result r = Conform("test examples/overlays/acme_supplier --plugin-dir examples/overlays --require-coverage");
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("2 tests, 2 passed, 0 failed"), std::string::npos) << r.out;
}

}  // namespace
