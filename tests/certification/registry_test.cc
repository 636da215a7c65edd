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
    const rg::LinkStatus expected = c.outcome == rg::Outcome::Unconfirmed ? rg::LinkStatus::Unconfirmed : rg::LinkStatus::Failed;
    for (const auto& l : v.chain)
      if (l.name == c.failed_link && l.status == expected) {
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
        // Accredited, but by an accreditation body that is not an MLA signatory for that scope.
        OutcomeCase{"GR-9001-2210", "2026-11-22", rg::Outcome::AccreditedNotRecognised, "recognition", "was not recognised"},
        // An accreditation body that left the MLA on 2024-06-30 (V14).
        OutcomeCase{"EA-9001-0310", "2024-06-30", rg::Outcome::ValidAccredited, "", ""},
        OutcomeCase{"EA-9001-0310", "2024-07-01", rg::Outcome::AccreditedNotRecognised, "recognition", "recognition ended on 2024-06-30"},
        // IATF 16949 follows the scheme's path: IATF approval under IAOB oversight, not IAF MLA accreditation.
        OutcomeCase{"AL-16949-0042", "2026-11-22", rg::Outcome::ValidAccredited, "", ""},
        OutcomeCase{"NC-16949-0007", "2026-11-22", rg::Outcome::ValidNotAccredited, "accreditation", "certified under IATF Rules"},
        // An accreditation that expired on 2026-05-31 covers earlier certificates for 6 months (V12).
        OutcomeCase{"AL-45001-0011", "2026-12-01", rg::Outcome::ValidAccredited, "", ""},
        OutcomeCase{"AL-45001-0011", "2026-12-02", rg::Outcome::ValidNotAccredited, "accreditation", "expired on 2026-06-01"},
        // The certificate's own data (V5–V7).
        OutcomeCase{"AL-9001-0133", "2026-11-22", rg::Outcome::Irregular, "certificate_data", "before the certification decision"},
        OutcomeCase{"AL-9001-0140", "2026-11-22", rg::Outcome::Irregular, "certificate_data", "later than 2028-06-01"},
        OutcomeCase{"NC-9001-0612", "2026-11-22", rg::Outcome::Irregular, "certificate_data", "names ukas"},
        // No IAF code on the certificate, a sector-restricted accreditation (V10).
        OutcomeCase{"NC-9001-0601", "2026-11-22", rg::Outcome::Unconfirmed, "accreditation", "sector unconfirmed"},
        // IAF MD 26: no initial or recertification audit to ISO/IEC 27001:2013 after 2024-04-30 (V11).
        OutcomeCase{"NC-27001-0150", "2025-06-01", rg::Outcome::ValidNotAccredited, "accreditation", "after 2024-04-30"},
        // Numbers are looked up normalised (case, surrounding and repeated spaces).
        OutcomeCase{" nc-9001-0417 ", "2026-11-22", rg::Outcome::ValidAccredited, "", ""},
        OutcomeCase{"NC-9001-0601", "2026-11-22", rg::Outcome::Unconfirmed, "accreditation", "names no IAF code"},
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
  EXPECT_EQ(r->Verify("B", D("2026-06-01")).outcome, rg::Outcome::AccreditedNotRecognised);  // a gap in recognition
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

// Table-driven checks on synthetic certificates, a date on each side of every boundary.
constexpr const char* kChain = R"(
  "accreditation_bodies": [ { "id": "ab", "name": "AB", "acronym": "ABX" } ],
  "recognitions": [ { "accreditation_body": "ab", "arrangement": "IAF MLA", "main_scope": "ISO/IEC 17021-1", "since": "2000-01-01", "until": "2027-03-31" } ],
  "certification_bodies": [ { "id": "cb", "name": "CB" } ],
  "accreditations": [
    { "id": "a9", "body": "cb", "accreditation_body": "ab", "normative": "ISO/IEC 17021-1", "standard": "ISO 9001", "edition": "2015",
      "iaf_codes": ["17", "18"], "valid_from": "2015-01-01", "valid_to": "2024-12-31" },
    { "id": "a14", "body": "cb", "accreditation_body": "ab", "normative": "ISO/IEC 17021-1", "standard": "ISO 14001", "edition": "2015",
      "valid_from": "2015-01-01" },
    { "id": "a27", "body": "cb", "accreditation_body": "ab", "normative": "ISO/IEC 27001", "standard": "ISO/IEC 27001", "edition": "2013",
      "valid_from": "2015-01-01" },
    { "id": "a27b", "body": "cb", "accreditation_body": "ab", "normative": "ISO/IEC 17021-1", "standard": "ISO/IEC 27001", "edition": "2013",
      "valid_from": "2015-01-01" } ],)";

struct SyntheticCase {
  const char* certificate;  // the JSON object's fields after "number", "body", "organization"
  const char* as_of;
  rg::Outcome outcome;
};
class Synthetic : public Registry, public ::testing::WithParamInterface<SyntheticCase> {};
TEST_P(Synthetic, EveryCheckOnBothSidesOfItsBoundary) {
  const SyntheticCase& c = GetParam();
  auto r = Open();
  std::string json = std::string("{") + kChain + R"(
  "certificates": [ { "number": "X-1", "body": "cb", "organization": "O", )" + c.certificate + " } ] }";
  conform::Diagnostics d;
  ASSERT_TRUE(r->Import("syn.json", json, rg::ImportFormat::Auto, sm_, d)) << conform::RenderAll(d, sm_);
  rg::Verification v = r->Verify("X-1", D(c.as_of));
  std::string chain;
  for (const auto& l : v.chain) chain += l.name + " " + rg::LinkStatusName(l.status) + ": " + l.reason + "\n";
  EXPECT_EQ(rg::OutcomeName(v.outcome), std::string(rg::OutcomeName(c.outcome))) << c.certificate << " @" << c.as_of << "\n" << chain;
}
INSTANTIATE_TEST_SUITE_P(
    Table, Synthetic,
    ::testing::Values(
        // V5: the issue date is not before the decision.
        SyntheticCase{R"("standards": ["ISO 14001:2015"], "decision_date": "2024-03-15", "issued": "2024-03-15", "expiry": "2027-03-14", "status": "active")", "2024-06-01", rg::Outcome::ValidAccredited},
        SyntheticCase{R"("standards": ["ISO 14001:2015"], "decision_date": "2024-03-15", "issued": "2024-03-14", "expiry": "2027-03-13", "status": "active")", "2024-06-01", rg::Outcome::Irregular},
        // V6: at most 3 years — through the day before the third anniversary of the decision …
        SyntheticCase{R"("standards": ["ISO 14001:2015"], "decision_date": "2024-03-15", "issued": "2024-03-15", "expiry": "2027-03-15", "status": "active")", "2024-06-01", rg::Outcome::Irregular},
        SyntheticCase{R"("standards": ["ISO 14001:2015"], "decision_date": "2024-02-29", "issued": "2024-02-29", "expiry": "2027-02-28", "status": "active")", "2024-06-01", rg::Outcome::ValidAccredited},
        SyntheticCase{R"("standards": ["ISO 14001:2015"], "decision_date": "2024-02-29", "issued": "2024-02-29", "expiry": "2027-03-01", "status": "active")", "2024-06-01", rg::Outcome::Irregular},
        // … or, for a recertification, of the cycle continuing the previous expiry (original 2020-02-03 → 2023-02-02 → 2026-02-02).
        SyntheticCase{R"("standards": ["ISO 14001:2015"], "original_date": "2020-02-03", "decision_date": "2026-01-15", "issued": "2026-01-15", "expiry": "2029-02-02", "status": "active")", "2026-06-01", rg::Outcome::ValidAccredited},
        SyntheticCase{R"("standards": ["ISO 14001:2015"], "original_date": "2020-02-03", "decision_date": "2026-01-15", "issued": "2026-01-15", "expiry": "2029-02-03", "status": "active")", "2026-06-01", rg::Outcome::Irregular},
        // V7: the accreditation body named is the accrediting one (id, name or acronym).
        SyntheticCase{R"("standards": ["ISO 14001:2015"], "accreditation_body": "ABX", "issued": "2024-03-15", "expiry": "2027-03-14", "status": "active")", "2024-06-01", rg::Outcome::ValidAccredited},
        SyntheticCase{R"("standards": ["ISO 14001:2015"], "accreditation_body": "UKAS", "issued": "2024-03-15", "expiry": "2027-03-14", "status": "active")", "2024-06-01", rg::Outcome::Irregular},
        // V9/V10: IAF codes against a sector-restricted accreditation; none named → sector unconfirmed.
        SyntheticCase{R"("standards": ["ISO 9001:2015"], "iaf_codes": ["17"], "issued": "2024-03-15", "expiry": "2027-03-14", "status": "active")", "2024-06-01", rg::Outcome::ValidAccredited},
        SyntheticCase{R"("standards": ["ISO 9001:2015"], "iaf_codes": ["28"], "issued": "2024-03-15", "expiry": "2027-03-14", "status": "active")", "2024-06-01", rg::Outcome::ValidNotAccredited},
        SyntheticCase{R"("standards": ["ISO 9001:2015"], "issued": "2024-03-15", "expiry": "2027-03-14", "status": "active")", "2024-06-01", rg::Outcome::Unconfirmed},
        SyntheticCase{R"("standards": ["ISO 14001:2015"], "issued": "2024-03-15", "expiry": "2027-03-14", "status": "active")", "2024-06-01", rg::Outcome::ValidAccredited},
        // V12: the 9001 accreditation expired after 2024-12-31: 6 months for earlier certificates, not forever.
        SyntheticCase{R"("standards": ["ISO 9001:2015"], "iaf_codes": ["17"], "issued": "2024-03-15", "expiry": "2027-03-14", "status": "active")", "2025-07-01", rg::Outcome::ValidAccredited},
        SyntheticCase{R"("standards": ["ISO 9001:2015"], "iaf_codes": ["17"], "issued": "2024-03-15", "expiry": "2027-03-14", "status": "active")", "2025-07-02", rg::Outcome::ValidNotAccredited},
        SyntheticCase{R"("standards": ["ISO 9001:2015"], "iaf_codes": ["17"], "issued": "2025-01-01", "expiry": "2027-12-31", "status": "active")", "2025-02-01", rg::Outcome::ValidNotAccredited},
        // V11: ISO/IEC 27001:2013 — no initial or recertification audit after 2024-04-30.
        SyntheticCase{R"("standards": ["ISO/IEC 27001:2013"], "audit_date": "2024-04-30", "decision_date": "2024-05-20", "issued": "2024-05-20", "expiry": "2027-05-19", "status": "active")", "2024-06-01", rg::Outcome::ValidAccredited},
        SyntheticCase{R"("standards": ["ISO/IEC 27001:2013"], "audit_date": "2024-05-01", "decision_date": "2024-05-20", "issued": "2024-05-20", "expiry": "2027-05-19", "status": "active")", "2024-06-01", rg::Outcome::ValidNotAccredited},
        SyntheticCase{R"("standards": ["ISO/IEC 27001:2013"], "decision_date": "2024-04-30", "issued": "2024-04-30", "expiry": "2027-04-29", "status": "active")", "2024-06-01", rg::Outcome::ValidAccredited},
        SyntheticCase{R"("standards": ["ISO/IEC 27001:2013"], "decision_date": "2024-05-01", "issued": "2024-05-01", "expiry": "2027-04-30", "status": "active")", "2024-06-01", rg::Outcome::Unconfirmed},
        // V13/V14: recognised on the decision date, and still on the query date (until 2027-03-31).
        SyntheticCase{R"("standards": ["ISO 14001:2015"], "issued": "2024-03-15", "expiry": "2027-03-14", "status": "active")", "2027-03-14", rg::Outcome::ValidAccredited},
        SyntheticCase{R"("standards": ["ISO 14001:2015"], "issued": "2027-02-01", "expiry": "2030-01-31", "status": "active")", "2027-03-31", rg::Outcome::ValidAccredited},
        SyntheticCase{R"("standards": ["ISO 14001:2015"], "issued": "2027-02-01", "expiry": "2030-01-31", "status": "active")", "2027-04-01", rg::Outcome::AccreditedNotRecognised}));

TEST_F(Registry, NumbersAreNormalisedAtImportAndLookup) {
  auto r = Open();
  std::string json = R"({ "certification_bodies": [ { "id": "cb", "name": "CB" } ],
    "certificates": [ { "number": "  ab-12   x ", "body": "cb", "organization": "O", "standards": ["ISO 9001:2015"], "issued": "2024-01-01", "expiry": "2026-12-31", "status": "active" } ],
    "self_declarations": [ { "id": " sd-1 ", "organization": "O", "standard": "ISO 9001", "declared_at": "2024-01-01" } ] })";
  conform::Diagnostics d;
  ASSERT_TRUE(r->Import("n.json", json, rg::ImportFormat::Auto, sm_, d)) << conform::RenderAll(d, sm_);
  EXPECT_EQ(rg::NormalizeNumber("  ab-12   x "), "AB-12 X");
  EXPECT_EQ(rg::NormalizeNumber("nc\xC2\xA0" "9001\t0417"), "NC 9001 0417");  // a no-break space and a tab
  for (const char* n : {"AB-12 X", "ab-12 x", " Ab-12  X\t"}) EXPECT_EQ(r->Verify(n, D("2025-01-01")).number, "AB-12 X") << n;
  EXPECT_NE(r->Verify("ab-12 x", D("2025-01-01")).outcome, rg::Outcome::Unknown);
  EXPECT_NE(r->Verify("AB-12X", D("2025-01-01")).outcome, rg::Outcome::ValidAccredited);  // inner spaces are kept (as one)
  EXPECT_EQ(r->Verify("SD-1", D("2025-01-01")).outcome, rg::Outcome::SelfDeclared);
  // Two spellings of one number in a file are the same key.
  bool ok = true;
  auto errs = ImportText(*r, "dup.csv",
                         "record,number,body,organization,standards,issued,expiry,status\n"
                         "certificate,Q-1,cb,O,ISO 9001:2015,2024-01-01,2026-12-31,active\n"
                         "certificate, q-1 ,cb,O,ISO 9001:2015,2024-01-01,2026-12-31,active\n",
                         &ok);
  EXPECT_FALSE(ok);
  ASSERT_FALSE(errs.empty());
  EXPECT_EQ(errs[0], (std::pair<std::string, uint32_t>{"E1026", 3}));
}

TEST_F(Registry, SchemeArrangementsAreData) {
  auto r = Open();
  bool ok = true;
  auto errs = ImportText(*r, "arr.json",
                         "{ \"accreditation_bodies\": [ { \"id\": \"o\", \"name\": \"O\", \"kind\": \"scheme_oversight\" } ],\n"
                         "  \"recognitions\": [ { \"accreditation_body\": \"o\", \"arrangement\": \"AS Scheme\", \"main_scope\": \"AS Rules\", \"since\": \"2020-01-01\" } ] }\n",
                         &ok);
  EXPECT_FALSE(ok);
  ASSERT_FALSE(errs.empty());
  EXPECT_EQ(errs[0], (std::pair<std::string, uint32_t>{"E1025", 2}));
  conform::Diagnostics d;
  std::string json = R"({ "schemes": [ { "standard": "AS 9100", "normative": "AS Rules", "arrangements": ["AS Scheme"], "owner": "IAQG" } ],
    "accreditation_bodies": [ { "id": "o", "name": "O", "kind": "scheme_oversight" } ],
    "recognitions": [ { "accreditation_body": "o", "arrangement": "AS Scheme", "main_scope": "AS Rules", "since": "2020-01-01" } ],
    "certification_bodies": [ { "id": "cb", "name": "CB" } ],
    "accreditations": [ { "id": "ap", "body": "cb", "accreditation_body": "o", "normative": "AS Rules", "standard": "AS 9100", "edition": "D", "valid_from": "2020-01-01" } ],
    "certificates": [ { "number": "AS-1", "body": "cb", "organization": "O", "standards": ["AS 9100:D"], "issued": "2024-01-01", "expiry": "2026-12-31", "status": "active" } ] })";
  ASSERT_TRUE(r->Import("scheme.json", json, rg::ImportFormat::Auto, sm_, d)) << conform::RenderAll(d, sm_);
  EXPECT_EQ(r->Verify("AS-1", D("2025-01-01")).outcome, rg::Outcome::ValidAccredited);
}

TEST_F(Registry, AVersionOneRegistryIsUpgraded) {
  {
    auto r = Examples();
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  const char* downgrade =
      "ALTER TABLE certificates DROP COLUMN audit_date; ALTER TABLE editions DROP COLUMN last_audit; "
      "ALTER TABLE accreditation_bodies DROP COLUMN kind; DROP TABLE schemes; "
      "UPDATE certificates SET number = 'nc-9001-0417 ' WHERE number = 'NC-9001-0417'; "
      "UPDATE certificate_standards SET number = 'nc-9001-0417 ' WHERE number = 'NC-9001-0417'; PRAGMA user_version = 1;";
  ASSERT_EQ(sqlite3_exec(db, downgrade, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
  auto r = Open(false);
  ASSERT_TRUE(r);
  rg::Verification v = r->Verify("NC-9001-0417", D("2026-11-22"));
  EXPECT_EQ(v.outcome, rg::Outcome::ValidAccredited);
  EXPECT_EQ(v.standards.size(), 1u);
  EXPECT_EQ(r->Verify("AL-16949-0042", D("2026-11-22")).outcome, rg::Outcome::ValidAccredited);  // the built-in IATF scheme is back
}

TEST(RegistryRules, EveryCheckHasASourceAndAnOutcome) {
  std::vector<std::string> ids;
  for (const auto& r : rg::VerifyRules()) {
    EXPECT_NE(std::string(r.source), "") << r.id;
    EXPECT_NE(r.fails, rg::Outcome::ValidAccredited) << r.id;
    ids.push_back(r.id);
  }
  EXPECT_EQ(ids.size(), 14u);
  EXPECT_EQ(rg::VerifyRuleById("V12").fails, rg::Outcome::ValidNotAccredited);
  EXPECT_STREQ(rg::VerifyRuleById("V12").source, "IAF MD 2:2017");
  EXPECT_EQ(rg::VerifyRuleById("V14").fails, rg::Outcome::AccreditedNotRecognised);
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
    if (std::string(n) == "NC-9001-0417") {
      // The aliases of the attestation kind and of the issuing body travel with the JSON.
      simdjson::dom::array aliases;
      ASSERT_FALSE(att["aliases"].get(aliases)) << out;
      std::string_view first;
      ASSERT_FALSE(aliases.at(0).get(first));
      EXPECT_EQ(first, "registration (North America)");
      std::string_view aka;
      ASSERT_FALSE(doc["subject"]["issuing_body_aka"].at(0).get(aka)) << out;
      EXPECT_EQ(aka, "Nordic Registrar");
      simdjson::dom::array rules;
      ASSERT_FALSE(doc["chain"].at(0)["rules"].get(rules));
      EXPECT_GT(rules.size(), 0u);
    }
  }
}

// ---- import ---------------------------------------------------------------------------------

TEST_F(Registry, ExamplesImport) {
  auto r = Open();
  conform::Diagnostics d;
  rg::ImportStats st;
  ASSERT_TRUE(r->ImportFile(Example("registry.json"), rg::ImportFormat::Auto, sm_, d, &st)) << conform::RenderAll(d, sm_);
  EXPECT_EQ(st.rows["certificate"], 18);
  EXPECT_EQ(st.rows["recognition"], 12);
  EXPECT_EQ(Count("certificates"), 18);
  EXPECT_EQ(Count("certificate_sites"), 9);
  EXPECT_EQ(Count("editions"), 4);  // two built in (ISO/IEC 27001), two from the file
  EXPECT_EQ(Count("schemes"), 1);   // built in: IATF 16949
  ASSERT_TRUE(r->ImportFile(Example("registry-more.csv"), rg::ImportFormat::Auto, sm_, d, &st)) << conform::RenderAll(d, sm_);
  EXPECT_EQ(Count("certificates"), 21);
  EXPECT_EQ(Count("certificate_standards"), 22);  // NC-9001-0560 has two
  // Importing again replaces rows: same counts.
  ASSERT_TRUE(r->ImportFile(Example("registry.json"), rg::ImportFormat::Auto, sm_, d));
  EXPECT_EQ(Count("certificates"), 21);
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
  ASSERT_EQ(hits.size(), 3u);
  q.outcome = "edition_past_transition";
  hits = r->Search(q, D("2026-11-22"));
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].id, "NC-27001-0101");
  q.outcome = "accredited_not_recognised";
  q.standard.clear();
  hits = r->Search(q, D("2026-11-22"));
  ASSERT_EQ(hits.size(), 2u);  // GR-9001-2210, EA-9001-0310
  q.outcome = "accreditation_unconfirmed";
  hits = r->Search(q, D("2026-11-22"));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].id, "NC-9001-0601");

  q = {};
  q.body = "cb-albion";
  q.kind = "certificates";
  EXPECT_EQ(r->Search(q, D("2026-11-22")).size(), 8u);
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
