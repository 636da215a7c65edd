// The certificate registry: import (JSON and CSV, all-or-nothing with line numbers), verify
// (every outcome, with the chain of reasons, on both sides of every date boundary), search.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "conform/compiler/calendar.h"
#include "conform/runtime/registry.h"

namespace fs = std::filesystem;
namespace rg = conform::runtime::registry;

namespace {

rg::Date D(const char* s) { return conform::cal::ParseDate(s).value(); }

std::string Example(const char* name) { return std::string(CONFORM_SOURCE_DIR) + "/examples/certification/" + name; }

class Registry : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("conform-registry-test-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    path_ = (dir_ / "sub" / "registry.sqlite").string();  // the folder is created on demand
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<rg::Registry> Open(bool create = true) {
    conform::Diagnostics d;
    auto r = rg::Registry::Open(path_, create, d);
    EXPECT_TRUE(r) << conform::RenderAll(d, sm_);
    return r;
  }
  std::unique_ptr<rg::Registry> Examples() {
    auto r = Open();
    conform::Diagnostics d;
    EXPECT_TRUE(r->ImportFile(Example("registry.json"), rg::ImportFormat::Auto, sm_, d)) << conform::RenderAll(d, sm_);
    EXPECT_TRUE(r->ImportFile(Example("registry-more.csv"), rg::ImportFormat::Auto, sm_, d)) << conform::RenderAll(d, sm_);
    return r;
  }
  int Count(const char* table) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* st = nullptr;
    std::string sql = std::string("SELECT count(*) FROM ") + table;
    sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
    int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
  }
  // Imports `text` as `name`; returns the codes and lines of the errors.
  std::vector<std::pair<std::string, uint32_t>> ImportText(rg::Registry& r, const std::string& name, const std::string& text,
                                                           bool* ok = nullptr) {
    conform::Diagnostics d;
    bool res = r.Import(name, text, rg::ImportFormat::Auto, sm_, d);
    if (ok) *ok = res;
    std::vector<std::pair<std::string, uint32_t>> out;
    for (const auto& x : d.items()) {
      uint32_t line = 0;
      if (const auto* f = sm_.Get(x.span.file)) line = f->Locate(x.span.begin).line;
      out.emplace_back(x.code, line);
    }
    return out;
  }

  fs::path dir_;
  std::string path_;
  conform::SourceManager sm_;
};

// ---- verification: every outcome ------------------------------------------------------------

struct OutcomeCase {
  const char* number;
  const char* as_of;
  rg::Outcome outcome;
  const char* failed_link;  // the link that failed, or "" when every link holds
  const char* reason;       // a part of that link's reason
};

class Outcomes : public Registry, public ::testing::WithParamInterface<OutcomeCase> {};

TEST_P(Outcomes, VerifyWalksTheChain) {
  const OutcomeCase& c = GetParam();
  auto r = Examples();
  rg::Verification v = r->Verify(c.number, D(c.as_of));
  std::string chain;
  for (const auto& l : v.chain) chain += l.name + " " + rg::LinkStatusName(l.status) + ": " + l.reason + "\n";
  EXPECT_EQ(v.outcome, c.outcome) << c.number << " " << c.as_of << "\n" << chain;
  if (*c.failed_link) {
    bool found = false;
    for (const auto& l : v.chain)
      if (l.name == c.failed_link && l.status == rg::LinkStatus::Failed) {
        found = true;
        EXPECT_NE(l.reason.find(c.reason), std::string::npos) << l.reason;
      }
    EXPECT_TRUE(found) << chain;
  } else {
    for (const auto& l : v.chain) EXPECT_EQ(l.status, rg::LinkStatus::Ok) << chain;
  }
  // The attestation kind is always stated, except when nothing is found.
  EXPECT_EQ(v.attestation.has_value(), c.outcome != rg::Outcome::Unknown);
  if (c.outcome == rg::Outcome::SelfDeclared) {
    EXPECT_EQ(*v.attestation, rg::Attestation::SelfDeclaration);
  } else if (v.attestation) {
    EXPECT_EQ(*v.attestation, rg::Attestation::Certification);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Examples, Outcomes,
    ::testing::Values(
        OutcomeCase{"NC-9001-0417", "2026-11-22", rg::Outcome::ValidAccredited, "", ""},
        OutcomeCase{"NC-27001-0188", "2026-11-22", rg::Outcome::ValidAccredited, "", ""},
        // The accreditation was suspended on 2026-09-01: usable until transferred, 6 months (IAF MD 2).
        OutcomeCase{"AL-14001-0102", "2027-03-01", rg::Outcome::ValidAccredited, "", ""},
        OutcomeCase{"AL-14001-0102", "2027-03-02", rg::Outcome::ValidNotAccredited, "accreditation", "had to be transferred"},
        OutcomeCase{"AL-9001-0120", "2026-11-22", rg::Outcome::ValidNotAccredited, "accreditation", "does not cover IAF code 3"},
        OutcomeCase{"QC-9001-7788", "2026-11-22", rg::Outcome::ValidNotAccredited, "accreditation", "holds no accreditation"},
        OutcomeCase{"GR-9001-2210", "2026-11-22", rg::Outcome::ValidNotAccredited, "recognition", "was not recognised"},
        OutcomeCase{"LA-9001-0031", "2026-11-22", rg::Outcome::ValidNotAccredited, "accreditation", "holds no accreditation"},
        OutcomeCase{"NC-9001-0560", "2026-11-22", rg::Outcome::ValidNotAccredited, "accreditation", "ISO 14001"},
        OutcomeCase{"SD-2025-0042", "2026-11-22", rg::Outcome::SelfDeclared, "certificate", "no audit by a certification body"},
        OutcomeCase{"SD-2026-0007", "2026-11-22", rg::Outcome::SelfDeclared, "certificate", "no certificate"},
        // Suspended from its status date on.
        OutcomeCase{"NC-9001-0533", "2026-09-30", rg::Outcome::ValidAccredited, "", ""},
        OutcomeCase{"NC-9001-0533", "2026-10-01", rg::Outcome::Suspended, "certificate", "suspended since 2026-10-01"},
        OutcomeCase{"AL-9001-0077", "2025-08-13", rg::Outcome::ValidAccredited, "", ""},
        OutcomeCase{"AL-9001-0077", "2025-08-14", rg::Outcome::Withdrawn, "certificate", "withdrawn on 2025-08-14"},
        // Expiry: in force on its expiry date, expired the day after.
        OutcomeCase{"AL-14001-0091", "2024-05-09", rg::Outcome::ValidAccredited, "", ""},
        OutcomeCase{"AL-14001-0091", "2024-05-10", rg::Outcome::Expired, "certificate", "no longer in force from 2024-05-10"},
        // ISO/IEC 27001:2013: valid through 2025-10-31, past its transition end from 2025-11-01.
        OutcomeCase{"NC-27001-0101", "2025-10-31", rg::Outcome::ValidAccredited, "", ""},
        OutcomeCase{"NC-27001-0101", "2025-11-01", rg::Outcome::EditionPastTransition, "edition", "ended on 2025-10-31"},
        // Before its issue date no certificate of that number was in force.
        OutcomeCase{"NC-9001-0417", "2026-01-14", rg::Outcome::Unknown, "certificate", "issued on 2026-01-15"},
        OutcomeCase{"XX-0000", "2026-11-22", rg::Outcome::Unknown, "certificate", "not in the registry"}));

TEST_F(Registry, RecognitionAtTheDecisionDateIafMlaThenGaci) {
  auto r = Open();
  std::string json = R"({
    "accreditation_bodies": [ { "id": "ab", "name": "AB" } ],
    "recognitions": [
      { "accreditation_body": "ab", "arrangement": "IAF MLA", "main_scope": "ISO/IEC 17021-1", "sub_scope": "ISO 9001", "since": "2010-01-01", "until": "2025-12-31" },
      { "accreditation_body": "ab", "arrangement": "GACI MRA", "main_scope": "ISO/IEC 17021-1", "since": "2026-02-01" } ],
    "certification_bodies": [ { "id": "cb", "name": "CB" } ],
    "accreditations": [ { "id": "acc", "body": "cb", "accreditation_body": "ab", "normative": "ISO/IEC 17021-1", "standard": "ISO 9001",
                          "edition": "2015", "valid_from": "2015-01-01", "valid_to": "2030-12-31" } ],
    "certificates": [
      { "number": "A", "body": "cb", "organization": "O", "standards": ["ISO 9001:2015"], "decision_date": "2025-12-31", "issued": "2025-12-31", "expiry": "2028-12-30", "status": "active" },
      { "number": "B", "body": "cb", "organization": "O", "standards": ["ISO 9001:2015"], "decision_date": "2026-01-01", "issued": "2026-01-01", "expiry": "2028-12-31", "status": "active" },
      { "number": "C", "body": "cb", "organization": "O", "standards": ["ISO 9001:2015"], "decision_date": "2026-02-01", "issued": "2026-02-01", "expiry": "2029-01-31", "status": "active" } ]
  })";
  conform::Diagnostics d;
  ASSERT_TRUE(r->Import("rec.json", json, rg::ImportFormat::Auto, sm_, d)) << conform::RenderAll(d, sm_);
  EXPECT_EQ(r->Verify("A", D("2026-06-01")).outcome, rg::Outcome::ValidAccredited);
  EXPECT_EQ(r->Verify("B", D("2026-06-01")).outcome, rg::Outcome::ValidNotAccredited);  // a gap in recognition
  EXPECT_EQ(r->Verify("C", D("2026-06-01")).outcome, rg::Outcome::ValidAccredited);
}

TEST_F(Registry, AccreditationValidityAndEditionAtTheDecisionDate) {
  auto r = Open();
  std::string json = R"({
    "accreditation_bodies": [ { "id": "ab", "name": "AB" } ],
    "recognitions": [ { "accreditation_body": "ab", "arrangement": "IAF MLA", "main_scope": "ISO/IEC 17021-1", "since": "2000-01-01" } ],
    "certification_bodies": [ { "id": "cb", "name": "CB" } ],
    "accreditations": [ { "id": "acc", "body": "cb", "accreditation_body": "ab", "normative": "ISO/IEC 17021-1", "standard": "ISO 9001",
                          "edition": "2015", "valid_from": "2020-01-01", "valid_to": "2024-12-31" } ],
    "certificates": [
      { "number": "IN", "body": "cb", "organization": "O", "standards": ["ISO 9001:2015"], "issued": "2024-12-31", "expiry": "2027-12-30", "status": "active" },
      { "number": "OUT", "body": "cb", "organization": "O", "standards": ["ISO 9001:2015"], "issued": "2025-01-01", "expiry": "2027-12-31", "status": "active" },
      { "number": "EARLY", "body": "cb", "organization": "O", "standards": ["ISO 9001:2015"], "issued": "2019-12-31", "expiry": "2022-12-30", "status": "active" },
      { "number": "ED", "body": "cb", "organization": "O", "standards": ["ISO 9001:2008"], "issued": "2021-01-01", "expiry": "2023-12-31", "status": "active" },
      { "number": "AMD", "body": "cb", "organization": "O", "standards": ["ISO 9001:2015+A1:2024"], "issued": "2024-06-01", "expiry": "2027-05-31", "status": "active" } ]
  })";
  conform::Diagnostics d;
  ASSERT_TRUE(r->Import("acc.json", json, rg::ImportFormat::Auto, sm_, d)) << conform::RenderAll(d, sm_);
  EXPECT_EQ(r->Verify("IN", D("2025-06-01")).outcome, rg::Outcome::ValidAccredited);
  EXPECT_EQ(r->Verify("OUT", D("2025-06-01")).outcome, rg::Outcome::ValidNotAccredited);
  EXPECT_EQ(r->Verify("EARLY", D("2021-06-01")).outcome, rg::Outcome::ValidNotAccredited);
  EXPECT_EQ(r->Verify("ED", D("2022-06-01")).outcome, rg::Outcome::ValidNotAccredited);
  EXPECT_EQ(r->Verify("AMD", D("2025-06-01")).outcome, rg::Outcome::ValidAccredited);  // an amendment of the 2015 edition
}

TEST_F(Registry, JsonOutputNamesTheOutcomeTheAttestationAndEveryLink) {
  auto r = Examples();
  for (const char* n : {"NC-9001-0417", "SD-2025-0042", "XX-0000", "NC-27001-0101"}) {
    std::string out = rg::RenderJson(r->Verify(n, D("2026-11-22")));
    simdjson::dom::parser p;
    simdjson::dom::element doc;
    ASSERT_FALSE(p.parse(out).get(doc)) << out;
    std::string_view outcome;
    ASSERT_FALSE(doc["outcome"].get(outcome));
    simdjson::dom::array chain;
    ASSERT_FALSE(doc["chain"].get(chain));
    EXPECT_GT(chain.size(), 0u);
    for (auto l : chain) {
      std::string_view s;
      EXPECT_FALSE(l["status"].get(s));
      EXPECT_FALSE(l["reason"].get(s));
      EXPECT_FALSE(l["source"].get(s));
    }
    simdjson::dom::element att;
    ASSERT_FALSE(doc["attestation"].get(att));
    if (std::string(n) == "XX-0000") EXPECT_TRUE(att.is_null());
    else EXPECT_FALSE(att["kind"].get(outcome));
  }
}

// ---- import ---------------------------------------------------------------------------------

TEST_F(Registry, ExamplesImport) {
  auto r = Open();
  conform::Diagnostics d;
  rg::ImportStats st;
  ASSERT_TRUE(r->ImportFile(Example("registry.json"), rg::ImportFormat::Auto, sm_, d, &st)) << conform::RenderAll(d, sm_);
  EXPECT_EQ(st.rows["certificate"], 10);
  EXPECT_EQ(st.rows["recognition"], 9);
  EXPECT_EQ(Count("certificates"), 10);
  EXPECT_EQ(Count("certificate_sites"), 9);
  EXPECT_EQ(Count("editions"), 4);  // two built in (ISO/IEC 27001), two from the file
  ASSERT_TRUE(r->ImportFile(Example("registry-more.csv"), rg::ImportFormat::Auto, sm_, d, &st)) << conform::RenderAll(d, sm_);
  EXPECT_EQ(Count("certificates"), 12);
  EXPECT_EQ(Count("certificate_standards"), 13);  // NC-9001-0560 has two
  // Importing again replaces rows: same counts.
  ASSERT_TRUE(r->ImportFile(Example("registry.json"), rg::ImportFormat::Auto, sm_, d));
  EXPECT_EQ(Count("certificates"), 12);
  EXPECT_EQ(Count("certificate_sites"), 9);
}

TEST_F(Registry, ABadCsvRowRejectsTheWholeFileWithItsLine) {
  auto r = Examples();
  int before = Count("certificates"), bodies = Count("bodies");
  std::string csv =
      "record,id,name,number,body,organization,standards,issued,expiry,status\n"
      "certification_body,cb-new,New CB,,,,,,,\n"
      "certificate,,,N-1,cb-new,Org A,ISO 9001:2015,2025-01-01,2028-01-01,active\n"
      "certificate,,,N-2,cb-new,Org B,ISO 9001:2015,2025-02-30,2028-01-01,active\n"
      "certificate,,,N-3,cb-new,Org C,ISO 9001:2015,2025-01-01,2028-01-01,active\n";
  bool ok = true;
  auto errs = ImportText(*r, "bad.csv", csv, &ok);
  EXPECT_FALSE(ok);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0], (std::pair<std::string, uint32_t>{"E1025", 4}));
  EXPECT_EQ(Count("certificates"), before);  // nothing half-written
  EXPECT_EQ(Count("bodies"), bodies);
  EXPECT_EQ(r->Verify("N-1", D("2026-01-01")).outcome, rg::Outcome::Unknown);
}

TEST_F(Registry, ABadJsonRowAfterGoodRowsRejectsTheWholeFile) {
  auto r = Open();
  std::string json = "{\n"
                     "  \"certification_bodies\": [ { \"id\": \"cb\", \"name\": \"CB\" } ],\n"
                     "  \"certificates\": [\n"
                     "    { \"number\": \"G-1\", \"body\": \"cb\", \"organization\": \"O\", \"standards\": [\"ISO 9001:2015\"], \"issued\": \"2025-01-01\", \"expiry\": \"2028-01-01\", \"status\": \"active\" },\n"
                     "    { \"number\": \"G-2\", \"body\": \"cb\", \"organization\": \"O\", \"standards\": [\"ISO 9001:2015\"], \"issued\": \"2025-01-01\", \"expiry\": \"2028-01-01\", \"status\": \"valid\" }\n"
                     "  ]\n"
                     "}\n";
  bool ok = true;
  auto errs = ImportText(*r, "bad.json", json, &ok);
  EXPECT_FALSE(ok);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0], (std::pair<std::string, uint32_t>{"E1025", 5}));
  EXPECT_EQ(Count("certificates"), 0);
  EXPECT_EQ(Count("bodies"), 0);
}

struct BadCase {
  const char* name;
  const char* text;
  const char* code;
  uint32_t line;
};
class BadImports : public Registry, public ::testing::WithParamInterface<BadCase> {};
TEST_P(BadImports, ReportTheCodeAtTheLine) {
  const BadCase& c = GetParam();
  auto r = Open();
  bool ok = true;
  auto errs = ImportText(*r, c.name, c.text, &ok);
  EXPECT_FALSE(ok);
  ASSERT_FALSE(errs.empty());
  EXPECT_EQ(errs[0].first, c.code) << c.name;
  EXPECT_EQ(errs[0].second, c.line) << c.name;
  EXPECT_EQ(Count("certificates"), 0);
  EXPECT_EQ(Count("bodies"), 0);
}
INSTANTIATE_TEST_SUITE_P(
    Table, BadImports,
    ::testing::Values(
        BadCase{"syntax.json", "{\n  \"certificates\": [\n    { \"number\": \"Z\", }\n  ]\n}\n", "E1022", 3},
        BadCase{"unclosed.csv", "record,id,name\ncertification_body,cb,\"New\n", "E1022", 2},
        BadCase{"cells.csv", "record,id,name\ncertification_body,cb,CB,extra\n", "E1022", 2},
        BadCase{"kind.csv", "record,id,name\ncertification_bdy,cb,CB\n", "E1023", 2},
        BadCase{"column.csv", "record,id,nmae\ncertification_body,cb,CB\n", "E1023", 1},
        BadCase{"nokind.csv", "id,name\ncb,CB\n", "E1023", 1},
        BadCase{"section.json", "{\n \"certifcates\": []\n}\n", "E1023", 2},
        BadCase{"field.json", "{\n \"certification_bodies\": [\n  { \"id\": \"cb\", \"name\": \"CB\", \"colour\": 1 }\n ]\n}\n", "E1023", 3},
        BadCase{"missing.json", "{\n \"certification_bodies\": [\n  { \"id\": \"cb\" }\n ]\n}\n", "E1024", 3},
        BadCase{"enum.csv", "record,id,name,kind\ncertification_body,cb,CB,registrar\n", "E1025", 2},
        BadCase{"standard.csv", "record,number,body,organization,standards,issued,expiry,status\ncertificate,N,cb,O,ISO 9001,2025-01-01,2028-01-01,active\n", "E1025", 2},
        BadCase{"period.csv", "record,number,body,organization,standards,issued,expiry,status\ncertificate,N,cb,O,ISO 9001:2015,2025-01-01,2025-01-01,active\n", "E1025", 2},
        BadCase{"dup.csv", "record,id,name\ncertification_body,cb,CB\ncertification_body,cb,CB again\n", "E1026", 3},
        BadCase{"ref.json", "{\n \"accreditations\": [\n  { \"id\": \"a\", \"body\": \"cb\", \"accreditation_body\": \"ab\", \"normative\": \"ISO/IEC 17021-1\", \"valid_from\": \"2020-01-01\" }\n ]\n}\n", "E1028", 3}));

TEST_F(Registry, OpenErrors) {
  conform::Diagnostics d;
  EXPECT_FALSE(rg::Registry::Open(path_, /*create=*/false, d));
  ASSERT_FALSE(d.items().empty());
  EXPECT_EQ(d.items().back().code, "E1020");
  fs::create_directories(dir_);
  std::string other = (dir_ / "other.sqlite").string();
  sqlite3* db = nullptr;
  sqlite3_open(other.c_str(), &db);
  sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  conform::Diagnostics d2;
  EXPECT_FALSE(rg::Registry::Open(other, true, d2));
  EXPECT_EQ(d2.items().back().code, "E1029");
  std::string text = (dir_ / "text.sqlite").string();
  std::ofstream(text) << "hello, not a database\n";
  conform::Diagnostics d3;
  EXPECT_FALSE(rg::Registry::Open(text, true, d3));
  EXPECT_EQ(d3.items().back().code, "E1029");
}

TEST_F(Registry, SearchFindsEveryAttestationKind) {
  auto r = Examples();
  rg::Query q;
  q.text = "harbourline";
  auto hits = r->Search(q, D("2026-11-22"));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].kind, "certificate");
  EXPECT_EQ(hits[0].outcome, "valid_accredited");
  EXPECT_EQ(hits[0].attestation, rg::Attestation::Certification);

  q = {};
  q.kind = "self_declarations";
  hits = r->Search(q, D("2026-11-22"));
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].attestation, rg::Attestation::SelfDeclaration);

  q = {};
  q.kind = "bodies";
  q.text = "rva";
  hits = r->Search(q, D("2026-11-22"));
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits.back().kind, "accreditation_body");
  EXPECT_EQ(hits.back().attestation, rg::Attestation::Accreditation);
  EXPECT_NE(hits.back().detail.find("GACI MRA"), std::string::npos);

  q = {};
  q.standard = "iso27001";
  q.kind = "certificates";
  hits = r->Search(q, D("2026-11-22"));
  ASSERT_EQ(hits.size(), 2u);
  q.outcome = "edition_past_transition";
  hits = r->Search(q, D("2026-11-22"));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].id, "NC-27001-0101");

  q = {};
  q.body = "cb-albion";
  q.kind = "certificates";
  EXPECT_EQ(r->Search(q, D("2026-11-22")).size(), 4u);
  q.outcome = "suspended";
  EXPECT_TRUE(r->Search(q, D("2026-11-22")).empty());
}

TEST(RegistryKeys, StandardKeyAndDefaultPath) {
  EXPECT_EQ(rg::StandardKey("ISO/IEC 27001"), "iso27001");
  EXPECT_EQ(rg::StandardKey("ISO 27001"), "iso27001");
  EXPECT_EQ(rg::StandardKey("iso9001"), "iso9001");
  EXPECT_EQ(rg::StandardKey("ISO/IEC 17021-1"), "iso17021-1");
  const char* home = std::getenv("HOME");
  std::string saved = home ? home : "";
  setenv("XDG_DATA_HOME", "/tmp/xdg", 1);
  EXPECT_EQ(rg::DefaultPath(), "/tmp/xdg/conform/registry.sqlite");
  unsetenv("XDG_DATA_HOME");
  setenv("HOME", "/home/someone", 1);
  EXPECT_EQ(rg::DefaultPath(), "/home/someone/.local/share/conform/registry.sqlite");
  if (home) setenv("HOME", saved.c_str(), 1);
}

}  // namespace

namespace {
TEST(RegistryKeys, CatalogueIdsMatchStandardNames) {
  EXPECT_EQ(rg::StandardKey("iso17021_1"), rg::StandardKey("ISO/IEC 17021-1"));
}
}  // namespace
