// End-to-end tests of `conform certify` and `conform registry`: exit codes and outputs.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "conform_process.h"
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace {

using conform::testing::Result;
using conform::testing::Slurp;

fs::path Scratch() { return conform::testing::ScratchDir("conform-cert-cli"); }

// Runs conform from the source folder with a private XDG_DATA_HOME (the registry's default place).
Result Conform(const std::string& args) {
  fs::path dir = Scratch();
  return conform::testing::RunConform(CONFORM_BIN, CONFORM_SOURCE_DIR, dir,
                                      fmt::format("XDG_DATA_HOME='{}'", (dir / "xdg").string()), args);
}

bool Has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

const char* kHistory = "examples/certification/history.yaml --standard iso9001";

// ---- conform certify ------------------------------------------------------------------------

TEST(Certify, ExampleHistoryPrintsStateTimelineDeadlinesAndReadiness) {
  Result r = Conform(fmt::format("certify {} --as-of 2026-11-22", kHistory));
  EXPECT_EQ(r.status, 0) << r.err;
  for (const char* part :
       {"attestation: third-party certification", "ISO/IEC 17021-1", "state: active", "timeline", "next deadlines",
        "2026-12-31  due     surveillance audit in 2026 (this calendar year)",
        "2027-12-31  due     surveillance audit in 2027", "2029-02-02  due     recertification decision",
        "surveillance missed: no surveillance audit in calendar year 2021", "certification suspended",
        "certification restored", "not certified 2023-02-03 – 2023-03-19", "irregularities in the recorded history",
        "readiness — a prediction", "the certification body's auditor decides", "stage 1: at risk",
        "stage 2 / decision gate:", "(corrective action planned)", "multi-site sampling per IAF MD 1",
        "initial                 3                   4   ceil(√8) = 3"})
    EXPECT_TRUE(Has(r.out, part)) << part << "\n" << r.out;
}

TEST(Certify, StateAtOtherDatesAndExitStatus) {
  struct Case {
    const char* as_of;
    const char* state;
    int status;
  } cases[] = {
      {"2019-12-01", "state: findings open", 1}, {"2020-01-25", "state: decision pending", 1},
      {"2022-02-01", "state: suspended", 1},      {"2023-02-10", "state: expired", 1},
      {"2023-04-01", "state: active", 0},
  };
  for (const auto& c : cases) {
    Result r = Conform(fmt::format("certify {} --as-of {}", kHistory, c.as_of));
    EXPECT_EQ(r.status, c.status) << c.as_of << "\n" << r.out << r.err;
    EXPECT_TRUE(Has(r.out, c.state)) << c.as_of << "\n" << r.out;
  }
  Result r = Conform(fmt::format("certify {} --as-of 2023-02-10", kHistory));
  EXPECT_TRUE(Has(r.out, "restore: complete the recertification activities")) << r.out;
  EXPECT_TRUE(Has(r.out, "2023-08-02")) << r.out;
}

TEST(Certify, JsonHasEveryPart) {
  Result r = Conform(fmt::format("certify {} --as-of 2026-11-22 --format json", kHistory));
  ASSERT_EQ(r.status, 0) << r.err;
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_FALSE(p.parse(r.out).get(doc)) << r.out;
  std::string_view s;
  ASSERT_FALSE(doc["attestation"]["kind"].get(s));
  EXPECT_EQ(s, "certification");
  simdjson::dom::array records;
  ASSERT_FALSE(doc["records"].get(records));
  ASSERT_EQ(records.size(), 1u);
  simdjson::dom::element rec = records.at(0);
  ASSERT_FALSE(rec["state"].get(s));
  EXPECT_EQ(s, "active");
  ASSERT_FALSE(rec["attestation"]["basis"].get(s));
  EXPECT_EQ(s, "ISO/IEC 17021-1");
  ASSERT_FALSE(rec["cycle"]["expiry"].get(s));
  EXPECT_EQ(s, "2029-02-02");
  simdjson::dom::array timeline, deadlines, irregular;
  ASSERT_FALSE(rec["timeline"].get(timeline));
  EXPECT_GT(timeline.size(), 20u);
  ASSERT_FALSE(rec["deadlines"].get(deadlines));
  ASSERT_EQ(deadlines.size(), 4u);
  ASSERT_FALSE(deadlines.at(0)["source"].get(s));
  EXPECT_EQ(s, "ISO/IEC 17021-1:2015 9.6.2.2, 9.6.5");
  ASSERT_FALSE(rec["irregularities"].get(irregular));
  EXPECT_EQ(irregular.size(), 1u);
  bool prediction = false;
  ASSERT_FALSE(doc["readiness"]["prediction"].get(prediction));
  EXPECT_TRUE(prediction);
  ASSERT_FALSE(doc["readiness"]["stage1"]["verdict"].get(s));
  EXPECT_EQ(s, "at_risk");
  ASSERT_FALSE(doc["readiness"]["stage2"]["verdict"].get(s));
  int64_t total = 0;
  ASSERT_FALSE(doc["sampling"]["visits"].at(0)["total"].get(total));
  EXPECT_EQ(total, 4);
  simdjson::dom::array rules;
  ASSERT_FALSE(doc["rules"].get(rules));
  EXPECT_GE(rules.size(), 12u);
}

TEST(Certify, SamplingAlone) {
  Result r = Conform("certify --sites 25");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "attestation: third-party certification")) << r.out;
  EXPECT_TRUE(Has(r.out, "initial                 5                   6   ceil(√25) = 5")) << r.out;
  EXPECT_TRUE(Has(r.out, "surveillance            3                   4   ceil(0.6 × √25) = 3")) << r.out;
  EXPECT_TRUE(Has(r.out, "recertification         4                   5   ceil(0.8 × √25) = 4")) << r.out;
  Result n = Conform("certify --sites 11 --not-met similar_processes");
  EXPECT_TRUE(Has(n.out, "ceil(30% × 11) = 4")) << n.out;
  Result j = Conform("certify --sites 26 --format json");
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_FALSE(p.parse(j.out).get(doc)) << j.out;
  int64_t sites = 0;
  ASSERT_FALSE(doc["sampling"]["visits"].at(1)["sites"].get(sites));
  EXPECT_EQ(sites, 4);
  std::string_view kind;
  ASSERT_FALSE(doc["attestation"]["kind"].get(kind));
  EXPECT_EQ(kind, "certification");
}

TEST(Certify, RulesListTheirSources) {
  Result r = Conform("certify --rules");
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(Has(r.out, "T8a")) << r.out;
  EXPECT_TRUE(Has(r.out, "ISO/IEC 17021-1:2015 9.6.3.2.5")) << r.out;
}

TEST(Certify, InputErrorsExit2) {
  EXPECT_EQ(Conform("certify").status, 2);
  EXPECT_EQ(Conform("certify examples/certification/history.yaml").status, 2);  // no --standard
  Result a = Conform(fmt::format("certify {} --as-of 2026-02-30", kHistory));
  EXPECT_EQ(a.status, 2);
  EXPECT_TRUE(Has(a.err, "invalid --as-of")) << a.err;
  Result s = Conform("certify examples/certification/history.yaml --standard iso9002");
  EXPECT_EQ(s.status, 2);
  EXPECT_TRUE(Has(s.err, "E0602")) << s.err;
  EXPECT_EQ(Conform("certify --sites 0").status, 2);
  Result c = Conform("certify --sites 5 --not-met central_fuction");
  EXPECT_EQ(c.status, 2);
  EXPECT_TRUE(Has(c.err, "did you mean `central_function`?")) << c.err;
  EXPECT_EQ(Conform(fmt::format("certify {} --format xml", kHistory)).status, 2);

  fs::path bad = Scratch() / "bad-history.yaml";
  std::ofstream(bad) << "name: X\nemployees: 2\ncertification_history:\n  - id: cr\n    standard_id: iso9001\n"
                        "    certification_body: CB\n    audits:\n      - { id: a1, kind: stage2, start: 2025-01-01, sites: [], team: [] }\n"
                        "    findings:\n      - { id: f1, audit_id: a9, grade: major, raised_at: 2025-01-02, statement: x }\n";
  Result h = Conform(fmt::format("certify '{}' --standard iso9001 --as-of 2025-06-01", bad.string()));
  EXPECT_EQ(h.status, 2);
  EXPECT_TRUE(Has(h.err, "error[E1003]: finding `f1` refers to unknown audit `a9`")) << h.err;
  EXPECT_TRUE(Has(h.err, "$.certification_history[0].findings[0].audit_id")) << h.err;
  EXPECT_TRUE(Has(h.err, "did you mean `a1`?")) << h.err;
}

// A missed surveillance stays an overdue obligation: exit 1 until it is held. A transfer continues
// the cycle of the record it took over; a new 3-year cycle at transfer is irregular.
TEST(Certify, MissedSurveillanceAndTransfer) {
  fs::path file = Scratch() / "transfer-history.yaml";
  std::ofstream(file) << R"(name: X
employees: 12
certification_history:
  - id: cr-old
    standard_id: iso9001
    certification_body: Old CB
    transferred_to: New CB
    transferred_at: 2025-06-10
    audits:
      - { id: s1, kind: stage1, start: 2023-01-10, end: 2023-01-10, sites: [], team: [A], ready_for_stage2: true }
      - { id: s2, kind: stage2, start: 2023-02-14, end: 2023-02-15, sites: [], team: [A] }
    decisions:
      - { id: g, decided_at: 2023-03-15, decided_by: D, outcome: grant, certificate: OLD-1 }
    certificates:
      - { number: OLD-1, issued_at: 2023-03-15, expiry: 2026-03-14 }
  - id: cr-new
    standard_id: iso9001
    certification_body: New CB
    transferred_from: Old CB
    audits:
      - { id: tr, kind: transfer_review, start: 2025-06-01, end: 2025-06-01, sites: [], team: [B] }
    decisions:
      - { id: acc, decided_at: 2025-06-10, decided_by: E, outcome: accept_transfer, certificate: NEW-1 }
    certificates:
      - { number: NEW-1, issued_at: 2025-06-10, expiry: 2028-06-09 }
)";
  Result before = Conform(fmt::format("certify '{}' --standard iso9001 --as-of 2024-03-15", file.string()));
  EXPECT_EQ(before.status, 0) << before.out << before.err;
  EXPECT_TRUE(Has(before.out, "2024-03-15  due     first surveillance audit")) << before.out;
  Result missed = Conform(fmt::format("certify '{}' --standard iso9001 --as-of 2024-03-16", file.string()));
  EXPECT_EQ(missed.status, 1) << missed.out << missed.err;
  EXPECT_TRUE(Has(missed.out, "2024-03-15  overdue first surveillance audit (missed: a suspension trigger)")) << missed.out;
  EXPECT_TRUE(Has(missed.out, "state: active")) << missed.out;

  Result t = Conform(fmt::format("certify '{}' --standard iso9001 --as-of 2025-07-01 --format json", file.string()));
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_FALSE(p.parse(t.out).get(doc)) << t.out << t.err;
  simdjson::dom::array records;
  ASSERT_FALSE(doc["records"].get(records));
  ASSERT_EQ(records.size(), 2u);
  std::string_view s;
  ASSERT_FALSE(records.at(1)["cycle"]["start"].get(s));
  EXPECT_EQ(s, "2023-03-15");  // the cycle continues
  ASSERT_FALSE(records.at(1)["continues"]["record"].get(s)) << t.out;
  EXPECT_EQ(s, "cr-old");
  EXPECT_TRUE(records.at(0)["continues"].is_null());
  bool new_cycle = false;
  for (auto i : records.at(1)["irregularities"]) {
    std::string_view rule, msg;
    if (!i["rule"].get(rule) && rule == "T17c" && !i["message"].get(msg))
      new_cycle = msg.find("a new 3-year cycle was started at transfer") != std::string_view::npos;
  }
  EXPECT_TRUE(new_cycle) << t.out;
}

// The example transfer: the accepting body's record continues the old cycle.
TEST(Certify, ExampleTransferContinuesTheCycle) {
  Result r = Conform("certify examples/certification/transfer.yaml --standard iso9001 --as-of 2025-06-01");
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_TRUE(Has(r.out, "state: transferred")) << r.out;
  EXPECT_TRUE(Has(r.out, "certified: certificate LA-9001-0052, cycle started 2023-03-15, expires 2026-03-14")) << r.out;
  EXPECT_TRUE(Has(r.out, "the cycle continues")) << r.out;
  EXPECT_TRUE(Has(r.out, "continues the cycle of record cr-nordic (Nordic Certification B.V.), transferred 2024-09-16")) << r.out;
  EXPECT_FALSE(Has(r.out, "irregularities in the recorded history")) << r.out;
  Result later = Conform("certify examples/certification/transfer.yaml --standard iso9001 --as-of 2026-11-22");
  EXPECT_EQ(later.status, 0) << later.out;
  EXPECT_TRUE(Has(later.out, "2026-12-31  due     surveillance audit in 2026")) << later.out;
}

TEST(Certify, AnApplicantWithOpenFindings) {
  Result r = Conform("certify examples/certification/applicant.yaml --standard iso9001 --as-of 2026-11-22");
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_TRUE(Has(r.out, "state: findings open")) << r.out;
  EXPECT_TRUE(Has(r.out, "verification of the majors' corrections and corrective actions")) << r.out;
  EXPECT_TRUE(Has(r.out, "stage 2 / decision gate: not ready")) << r.out;
  EXPECT_TRUE(Has(r.out, "recorded by the certification body: major")) << r.out;
}

// ---- conform registry -----------------------------------------------------------------------

class RegistryCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = (Scratch() / "registry-cli.sqlite").string();
    fs::remove(db_);
    Result a = Conform(fmt::format("registry import examples/certification/registry.json --db '{}'", db_));
    ASSERT_EQ(a.status, 0) << a.err;
    EXPECT_TRUE(Has(a.out, "imported 55 rows")) << a.out;
    Result b = Conform(fmt::format("registry import examples/certification/registry-more.csv --db '{}'", db_));
    ASSERT_EQ(b.status, 0) << b.err;
  }
  static std::string Db() { return fmt::format("--db '{}'", db_); }
  static std::string db_;
};
std::string RegistryCli::db_;

TEST_F(RegistryCli, VerifyDistinguishesEveryOutcome) {
  struct Case {
    const char* number;
    const char* outcome;
    const char* label;
    const char* attestation;
    int status;
  } cases[] = {
      {"NC-9001-0417", "valid_accredited", "valid and accredited", "certification", 0},
      {"QC-9001-7788", "valid_not_accredited", "valid but not accredited", "certification", 1},
      {"GR-9001-2210", "accredited_not_recognised", "accredited, but the accreditation body is not recognised for that scope",
       "certification", 1},
      {"NC-9001-0601", "accreditation_unconfirmed", "valid, accreditation unconfirmed", "certification", 1},
      {"AL-9001-0140", "irregular", "irregular certificate", "certification", 1},
      {"AL-16949-0042", "valid_accredited", "valid and accredited", "certification", 0},
      {"SD-2025-0042", "self_declared", "self-declared (not certified)", "self_declaration", 1},
      {"NC-9001-0533", "suspended", "suspended", "certification", 1},
      {"AL-9001-0077", "withdrawn", "withdrawn", "certification", 1},
      {"AL-14001-0091", "expired", "expired", "certification", 1},
      {"NC-27001-0101", "edition_past_transition", "edition past its transition end", "certification", 1},
      {"XX-0000", "unknown", "unknown", nullptr, 1},
  };
  for (const auto& c : cases) {
    Result t = Conform(fmt::format("registry verify {} --as-of 2026-11-22 {}", c.number, Db()));
    EXPECT_EQ(t.status, c.status) << c.number << "\n" << t.out << t.err;
    EXPECT_TRUE(Has(t.out, fmt::format("{} — {} (as of 2026-11-22)", c.number, c.label))) << t.out;
    EXPECT_TRUE(Has(t.out, "chain:")) << t.out;
    EXPECT_TRUE(Has(t.out, "attestation:")) << t.out;
    Result j = Conform(fmt::format("registry verify {} --as-of 2026-11-22 --format json {}", c.number, Db()));
    EXPECT_EQ(j.status, c.status);
    simdjson::dom::parser p;
    simdjson::dom::element doc;
    ASSERT_FALSE(p.parse(j.out).get(doc)) << j.out;
    std::string_view s;
    ASSERT_FALSE(doc["outcome"].get(s));
    EXPECT_EQ(s, c.outcome);
    if (c.attestation) {
      ASSERT_FALSE(doc["attestation"]["kind"].get(s)) << j.out;
      EXPECT_EQ(s, c.attestation);
    } else {
      EXPECT_TRUE(doc["attestation"].is_null());
    }
    simdjson::dom::array chain;
    ASSERT_FALSE(doc["chain"].get(chain));
    EXPECT_GT(chain.size(), 0u);
  }
}

TEST_F(RegistryCli, ChainOfReasonsInText) {
  Result r = Conform(fmt::format("registry verify GR-9001-2210 --as-of 2026-11-22 {}", Db()));
  EXPECT_TRUE(Has(r.out, "✓ certificate")) << r.out;
  EXPECT_TRUE(Has(r.out, "✓ issuing_body")) << r.out;
  EXPECT_TRUE(Has(r.out, "✓ accreditation")) << r.out;
  EXPECT_TRUE(Has(r.out, "✗ recognition      GACMS was not recognised")) << r.out;
}

TEST_F(RegistryCli, NumbersJsonAliasesAndRules) {
  Result t = Conform(fmt::format("registry verify '  nc-9001-0417 ' --as-of 2026-11-22 {}", Db()));
  EXPECT_EQ(t.status, 0) << t.out << t.err;
  EXPECT_TRUE(Has(t.out, "NC-9001-0417 — valid and accredited")) << t.out;
  Result j = Conform(fmt::format("registry verify NC-9001-0417 --as-of 2026-11-22 --format json {}", Db()));
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_FALSE(p.parse(j.out).get(doc)) << j.out;
  std::string_view s;
  ASSERT_FALSE(doc["attestation"]["aliases"].at(0).get(s)) << j.out;
  EXPECT_EQ(s, "registration (North America)");
  ASSERT_FALSE(doc["subject"]["issuing_body_aka"].at(0).get(s)) << j.out;
  EXPECT_EQ(s, "Nordic Registrar");
  Result u = Conform(fmt::format("registry verify NC-9001-0601 --as-of 2026-11-22 {}", Db()));
  EXPECT_TRUE(Has(u.out, "? accreditation")) << u.out;
  EXPECT_TRUE(Has(u.out, "sector unconfirmed")) << u.out;
  Result r = Conform("registry rules");
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(Has(r.out, "V12")) << r.out;
  EXPECT_TRUE(Has(r.out, "IAF MD 2:2017")) << r.out;
  Result rj = Conform("registry rules --format json");
  simdjson::dom::element rules;
  ASSERT_FALSE(p.parse(rj.out).get(rules)) << rj.out;
  ASSERT_FALSE(rules["rules"].at(13)["id"].get(s));
  EXPECT_EQ(s, "V14");
}

// `--db NAME` with a bare relative file name: created in the working directory.
TEST(RegistryCliErrors, BareRelativeDbName) {
  fs::path dir = Scratch() / "bare";
  fs::remove_all(dir);
  fs::create_directories(dir);
  Result a = conform::testing::RunConform(
      CONFORM_BIN, dir.string(), Scratch(), "",
      fmt::format("registry import '{}/examples/certification/registry.json' --db reg.sqlite", CONFORM_SOURCE_DIR));
  EXPECT_EQ(a.status, 0) << a.err;
  EXPECT_TRUE(fs::exists(dir / "reg.sqlite"));
  Result v = conform::testing::RunConform(CONFORM_BIN, dir.string(), Scratch(), "",
                                          "registry verify NC-9001-0417 --as-of 2026-11-22 --db reg.sqlite");
  EXPECT_EQ(v.status, 0) << v.out << v.err;
}

TEST_F(RegistryCli, Search) {
  Result r = Conform(fmt::format("registry search --standard 'ISO/IEC 27001' --as-of 2026-11-22 {}", Db()));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "NC-27001-0101")) << r.out;
  EXPECT_TRUE(Has(r.out, "edition_past_transition")) << r.out;
  EXPECT_TRUE(Has(r.out, "attestation: third-party certification")) << r.out;
  Result s = Conform(fmt::format("registry search --kind self_declarations --format json {}", Db()));
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_FALSE(p.parse(s.out).get(doc)) << s.out;
  int64_t n = 0;
  ASSERT_FALSE(doc["count"].get(n));
  EXPECT_EQ(n, 2);
  std::string_view kind;
  ASSERT_FALSE(doc["results"].at(0)["attestation"]["kind"].get(kind));
  EXPECT_EQ(kind, "self_declaration");
  Result none = Conform(fmt::format("registry search no-such-thing {}", Db()));
  EXPECT_EQ(none.status, 1);
  EXPECT_TRUE(Has(none.out, "no match")) << none.out;
}

TEST_F(RegistryCli, BadImportIsRejectedWholeWithItsLine) {
  fs::path bad = Scratch() / "bad-rows.csv";
  std::ofstream(bad) << "record,id,name,number,body,organization,standards,issued,expiry,status\n"
                        "certificate,,,NEW-1,cb-nordcert,Org,ISO 9001:2015,2025-01-01,2028-01-01,active\n"
                        "certificate,,,NEW-2,cb-nordcert,Org,ISO 9001:2015,2025-13-01,2028-01-01,active\n";
  Result r = Conform(fmt::format("registry import '{}' {}", bad.string(), Db()));
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(Has(r.err, "error[E1025]: invalid date `2025-13-01` in `issued`")) << r.err;
  EXPECT_TRUE(Has(r.err, "bad-rows.csv:3:")) << r.err;
  EXPECT_TRUE(Has(r.err, "nothing was written")) << r.err;
  Result v = Conform(fmt::format("registry verify NEW-1 --as-of 2026-11-22 {}", Db()));
  EXPECT_TRUE(Has(v.out, "unknown")) << v.out;
}

TEST(RegistryCliErrors, MissingDatabaseAndFileAndDefaultPath) {
  fs::path missing = Scratch() / "missing.sqlite";
  fs::remove(missing);
  Result v = Conform(fmt::format("registry verify X --db '{}'", missing.string()));
  EXPECT_EQ(v.status, 2);
  EXPECT_TRUE(Has(v.err, "E1020")) << v.err;
  Result f = Conform(fmt::format("registry import no-such-file.json --db '{}'", missing.string()));
  EXPECT_EQ(f.status, 2);
  EXPECT_TRUE(Has(f.err, "E1021")) << f.err;
  EXPECT_EQ(Conform("registry").status, 2);
  EXPECT_EQ(Conform("registry verify").status, 2);
  // Without --db: $XDG_DATA_HOME/conform/registry.sqlite.
  fs::remove_all(Scratch() / "xdg");
  Result d = Conform("registry import examples/certification/registry.json");
  EXPECT_EQ(d.status, 0) << d.err;
  EXPECT_TRUE(fs::exists(Scratch() / "xdg" / "conform" / "registry.sqlite"));
  EXPECT_EQ(Conform("registry verify NC-9001-0417 --as-of 2026-11-22").status, 0);
}

}  // namespace
