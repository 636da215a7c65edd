// The embedding API through libconform.so: the C++ API (conform.hpp) and the C ABI under it.
// Results must equal `conform check`'s; one rule set must serve many threads; every failure
// must come back as a status with a readable message.
#include <conform/conform.h>
#include <conform/conform.hpp>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <latch>
#include <sstream>
#include <string>
#include <thread>

#include <unistd.h>

namespace {

const std::string kSrc = CONFORM_SOURCE_DIR;
const std::string kPrecision = kSrc + "/examples/precision-parts.yaml";
const std::string kIntegrated = kSrc + "/examples/integrated-manufacturer.yaml";

std::string Cli(const std::string& args, int* status = nullptr) {
  std::string cmd = std::string(CONFORM_BIN) + " " + args + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int st = pclose(p);
  if (status) *status = WEXITSTATUS(st);
  return out;
}

std::string Slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

conform::Engine OpenEngine() {
  auto e = conform::Engine::Open();
  EXPECT_TRUE(e.ok()) << e.error().message;
  return *e;
}

conform::RuleSet Compile(const std::vector<std::string>& standards, const std::string& engine = "jit") {
  conform::CompileOptions co;
  co.as_of = "2026-11-22";
  co.engine = engine;
  auto r = OpenEngine().Compile(standards, co);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return *r;
}

conform::EvalOptions AsOf(const std::string& date = "2026-11-22") {
  conform::EvalOptions o;
  o.as_of = date;
  return o;
}

TEST(EmbedApi, AbiVersionAndEngines) {
  EXPECT_EQ(conform_abi_version(), CONFORM_ABI_VERSION);
  EXPECT_STREQ(conform_version(), "0.1.0");
  EXPECT_EQ(Compile({"iso9001"}, "interp").engine(), "interp");
  EXPECT_EQ(Compile({"iso9001"}, "jit").engine(), conform_has_jit() ? "jit" : "interp");
}

// The JSON and text of a report are byte for byte what `conform check` prints.
TEST(EmbedApi, ReportEqualsConformCheck) {
  for (const char* engine : {"jit", "interp"}) {
    auto rules = Compile({"iso9001", "iso14001", "iso45001"}, engine);
    auto report = rules.Check(kIntegrated, AsOf());
    ASSERT_TRUE(report.ok()) << report.error().message;
    int status = -1;
    std::string args = kIntegrated + " -s iso9001 -s iso14001 -s iso45001 --as-of 2026-11-22 --engine " + engine;
    EXPECT_EQ(report->json(), Cli("check " + args + " --format json", &status));
    EXPECT_EQ(status, report->conforms() ? 0 : 1);
    EXPECT_EQ(report->text(), Cli("check " + args + " --color never"));
  }
}

// Typed results agree with themselves: summaries count the findings; roll-ups are the worst.
TEST(EmbedApi, TypedResults) {
  auto rules = Compile({"iso9001"});
  EXPECT_EQ(rules.standards(), std::vector<std::string>{"iso9001"});
  auto report = rules.Check(kPrecision, AsOf());
  ASSERT_TRUE(report.ok()) << report.error().message;
  ASSERT_EQ(report->standards().size(), 1u);
  const conform::StandardResult& s = report->standards()[0];
  EXPECT_EQ(s.id, "iso9001");
  EXPECT_FALSE(s.edition.empty());
  conform::Summary n;
  bool calibration_gap = false;
  for (const auto& f : s.findings) {
    ++n.requirements;
    if (f.verdict == "conform") ++n.conform;
    if (f.verdict == "nonconform") {
      ++n.nonconform;
      EXPECT_EQ(f.verdict_code, CONFORM_NONCONFORM);
      EXPECT_FALSE(f.grade.empty()) << f.id;
      EXPECT_FALSE(f.message.empty()) << f.id;
      if (f.clause == "7.1.5.2") {
        calibration_gap = true;
        EXPECT_FALSE(f.facts.empty()) << "deciding values of " << f.id;
      }
    } else {
      EXPECT_TRUE(f.grade.empty()) << f.id;
    }
    if (f.verdict == "not_evidenced") ++n.not_evidenced;
    if (f.verdict == "not_applicable") ++n.not_applicable;
  }
  EXPECT_TRUE(calibration_gap) << "examples/precision-parts.yaml has an overdue gauge (7.1.5.2)";
  EXPECT_EQ(n.requirements, s.summary.requirements);
  EXPECT_EQ(n.conform, s.summary.conform);
  EXPECT_EQ(n.nonconform, s.summary.nonconform);
  EXPECT_EQ(n.not_evidenced, s.summary.not_evidenced);
  EXPECT_EQ(n.not_applicable, s.summary.not_applicable);
  EXPECT_FALSE(report->conforms());
  bool clause7_nonconform = false;
  for (const auto& c : s.clauses)
    if (c.number == "7") clause7_nonconform = c.verdict == "nonconform" && c.counts.nonconform > 0;
  EXPECT_TRUE(clause7_nonconform);
}

// Blocked requirements (a `depends on` prerequisite does not conform) are counted in their own
// field of every summary, in the C ABI and the C++ API, and the categories add up.
TEST(EmbedApi, SummariesCountBlocked) {
  auto rules = Compile({"iso9001"});
  auto report = rules.Check(kSrc + "/examples/young-company.yaml", AsOf());
  ASSERT_TRUE(report.ok()) << report.error().message;
  const conform::StandardResult& s = report->standards()[0];
  int blocked = 0;
  for (const auto& f : s.findings) blocked += f.verdict == "blocked";
  EXPECT_GT(blocked, 0) << "examples/young-company.yaml has no quality policy, so dependants are blocked";
  EXPECT_EQ(s.summary.blocked, blocked);
  const conform::Summary& n = s.summary;
  EXPECT_EQ(n.requirements, n.conform + n.nonconform + n.not_evidenced + n.not_applicable + n.blocked);
  int clause_blocked = 0;
  for (const auto& c : s.clauses)
    if (c.depth == 1) clause_blocked += c.counts.blocked;
  EXPECT_EQ(clause_blocked, blocked);
  EXPECT_FALSE(report->conforms());
}

// Evidence from a file, a string and a builder give the same report.
TEST(EmbedApi, EvidenceFromStringAndBuilder) {
  auto rules = Compile({"iso9001"});
  auto from_file = rules.Check(kPrecision, AsOf());
  auto ev = rules.LoadString(Slurp(kPrecision), kPrecision);
  ASSERT_TRUE(ev.ok()) << ev.error().message;
  auto from_string = rules.Evaluate(*ev, AsOf());
  ASSERT_TRUE(from_file.ok() && from_string.ok());
  EXPECT_EQ(from_file->json(), from_string->json());

  std::string json =
      "{\"name\":\"Small Ltd\",\"employees\":12,\"documents\":[{\"id\":\"QM-1\",\"code\":\"QM\",\"title\":"
      "\"Quality manual\",\"doc_type\":\"manual\",\"version\":\"2\",\"status\":\"approved\",\"approved_at\":\"2026-01-05\"}]}";
  conform::Value org = conform::Value::Map();
  org.Set("name", "Small Ltd").Set("employees", 12);
  conform::Value docs = conform::Value::List();
  docs.Add(conform::Value::Map()
               .Set("id", "QM-1")
               .Set("code", "QM")
               .Set("title", "Quality manual")
               .Set("doc_type", "manual")
               .Set("version", "2")
               .Set("status", "approved")
               .Set("approved_at", "2026-01-05"));
  org.Set("documents", docs);
  EXPECT_EQ(org.json(), json);
  auto built = rules.Load(org, "small");  // no positions: a Value has no lines
  conform::LoadOptions no_lines;
  no_lines.positions = false;
  auto parsed = rules.LoadString(json, "small", no_lines);
  ASSERT_TRUE(built.ok()) << built.error().message;
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(built.value().diagnostics_json(), "[]");  // every field known: no warning
  EXPECT_EQ(rules.Evaluate(*built, AsOf())->json(), rules.Evaluate(*parsed, AsOf())->json());
}

// LoadOptions::positions = false (JSON through the batch's fast path): the same verdicts,
// messages and facts as with positions, only no evidence lines; a bad value is still reported
// with its line (the diagnostic loader takes over). Evidence built in memory has no lines.
TEST(EmbedApi, EvidenceWithoutPositionsGivesTheSameFindings) {
  auto rules = Compile({"iso9001"});
  conform::LoadOptions with, without;
  with.format = without.format = "json";
  without.positions = false;
  // Every `"location":{…}` object of a report, as null.
  auto no_locations = [](std::string json) {
    const std::string key = "\"location\":{";
    for (size_t at; (at = json.find(key)) != std::string::npos;)
      json.replace(at + key.size() - 1, json.find('}', at) - (at + key.size() - 1) + 1, "null");
    return json;
  };
  std::vector<std::string> inputs;
  std::istringstream lines(Slurp(kSrc + "/examples/orgs.ndjson"));
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) inputs.push_back(line);
  // Over several lines: a document past its review date and one without an approver.
  inputs.push_back(R"({"name": "Delta Ltd", "employees": 30,
    "documents": [
      {"id": "D1", "code": "QM", "title": "Quality manual", "doc_type": "manual", "version": "3",
       "status": "approved", "approver": "P1", "approved_at": "2025-01-10", "next_review_due": "2026-01-31"},
      {"id": "D2", "code": "WI-7", "title": "Packing", "doc_type": "work_instruction", "version": "1",
       "status": "approved", "approved_at": "2026-02-01"}
    ]})");
  int n = 0, located = 0;
  for (const std::string& line : inputs) {
    auto a = rules.LoadString(line, "org", with);
    auto b = rules.LoadString(line, "org", without);
    if (!a.ok()) {  // a line the examples keep as an error: reported either way
      EXPECT_FALSE(b.ok()) << line;
      continue;
    }
    ASSERT_TRUE(b.ok()) << b.error().message;
    std::string ra = rules.Evaluate(*a, AsOf())->json(), rb = rules.Evaluate(*b, AsOf())->json();
    located += ra.find("\"location\":{") != std::string::npos;
    EXPECT_EQ(rb.find("\"location\":{"), std::string::npos) << line;
    EXPECT_EQ(no_locations(ra), rb) << line;
    ++n;
  }
  EXPECT_EQ(n, 3);
  EXPECT_GT(located, 0) << "with positions, some finding names its evidence line";
  auto bad = rules.LoadString("{\"name\": \"X\",\n \"employees\": \"many\"}", "bad.json", without);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("E0704"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("bad.json:2"), std::string::npos) << bad.error().message;
}

// One compiled rule set evaluated from many threads at once gives exactly the serial results:
// every thread starts at the same moment (a latch) and evaluates every organization, in its own
// order, several times; some threads share one loaded evidence (its evaluations are
// serialized), the others load their own. Both engines. (Run once under ThreadSanitizer:
// docs/embedding.md, Threads.)
TEST(EmbedApi, OneRuleSetManyThreadsEqualsSerial) {
  const std::vector<std::string> files = {kPrecision, kIntegrated, kSrc + "/examples/young-company.yaml",
                                          kSrc + "/examples/saas-company.yaml",
                                          kSrc + "/examples/logistics-operator.yaml"};
  std::vector<std::string> texts;
  for (const auto& f : files) texts.push_back(Slurp(f));
  for (const char* engine : {"jit", "interp"}) {
    auto rules = Compile({"iso9001", "iso14001", "iso45001", "hs"}, engine);
    std::vector<std::string> serial;  // the reference: one thread, one organization at a time
    for (const auto& t : texts) {
      auto r = rules.Evaluate(*rules.LoadString(t, "org"), AsOf());
      ASSERT_TRUE(r.ok()) << r.error().message;
      serial.push_back(r->json() + (r->conforms() ? "conforms" : "gaps"));
    }
    auto shared = rules.LoadString(texts[1], "org");
    ASSERT_TRUE(shared.ok());
    constexpr int kThreads = 12, kRounds = 3;
    std::latch start(kThreads);
    std::vector<std::vector<std::string>> got(kThreads);
    std::vector<std::thread> pool;
    for (int t = 0; t < kThreads; ++t)
      pool.emplace_back([&, t] {
        start.arrive_and_wait();
        for (int round = 0; round < kRounds; ++round)
          for (size_t k = 0; k < texts.size(); ++k) {
            size_t i = (k + t) % texts.size();  // each thread in its own order
            if (t % 4 == 3 && i == 1) {         // a shared evidence
              auto r = rules.Evaluate(*shared, AsOf());
              got[t].push_back(r.ok() ? r->json() + (r->conforms() ? "conforms" : "gaps") : r.error().message);
              continue;
            }
            auto ev = rules.LoadString(texts[i], "org");
            auto r = ev.ok() ? rules.Evaluate(*ev, AsOf()) : conform::Result<conform::Report>(ev.error());
            got[t].push_back(r.ok() ? r->json() + (r->conforms() ? "conforms" : "gaps") : r.error().message);
          }
      });
    for (auto& th : pool) th.join();
    for (int t = 0; t < kThreads; ++t) {
      ASSERT_EQ(got[t].size(), kRounds * texts.size());
      for (size_t n = 0; n < got[t].size(); ++n) {
        size_t i = (n % texts.size() + t) % texts.size();
        EXPECT_EQ(got[t][n], serial[i]) << engine << ": thread " << t << ", evaluation " << n << " (" << files[i] << ")";
      }
    }
  }
}

TEST(EmbedApi, BatchEqualsConformCheckBatch) {
  std::string good1 = "{\"name\":\"A\",\"employees\":3,\"documents\":[]}";
  std::string good2 = "{\"name\":\"B\",\"employees\":40}";
  std::string text = good1 + "\n{\"name\": 5}\nnot json\n\n" + good2 + "\n";
  for (int i = 0; i < 50; ++i) text += (i % 2 ? good1 : good2) + "\n";
  std::string path = testing::TempDir() + "/embed-orgs.ndjson";
  std::ofstream(path) << text;
  auto rules = Compile({"iso9001", "hs"});
  conform::BatchOptions bo;
  bo.as_of = "2026-11-22";
  bo.threads = 2;
  auto out = rules.Batch(text, bo);
  ASSERT_TRUE(out.ok()) << out.error().message;
  std::string cli = Cli("check --batch " + path + " -s iso9001 -s hs --as-of 2026-11-22");
  // Error records name the source: the CLI its file, the library "<batch>".
  size_t at;
  while ((at = cli.find(path)) != std::string::npos) cli.replace(at, path.size(), "<batch>");
  EXPECT_EQ(*out, cli);
  bo.first_line = 101;  // a slice of a larger input keeps its line numbers
  auto slice = rules.Batch(good2 + "\n", bo);
  EXPECT_EQ(slice->rfind("{\"line\":101,", 0), 0u) << *slice;
}

// Certification through the API is byte for byte `conform certify`, exit status included.
TEST(EmbedApi, CertifyEqualsConformCertify) {
  auto rules = Compile({"iso9001"}, "interp");
  for (const char* example : {"history.yaml", "applicant.yaml", "transfer.yaml"}) {
    std::string path = kSrc + "/examples/certification/" + example;
    auto ev = rules.LoadFile(path);
    ASSERT_TRUE(ev.ok()) << ev.error().message;
    conform::CertifyOptions co;
    co.standard = "iso9001";
    co.as_of = "2026-11-22";
    auto c = rules.Certify(*ev, co);
    ASSERT_TRUE(c.ok()) << c.error().message;
    std::string args = "certify " + path + " --standard iso9001 --as-of 2026-11-22";
    int status = -1;
    EXPECT_EQ(c->json(), Cli(args + " --format json", &status)) << example;
    EXPECT_EQ(status, c->active() ? 0 : 1) << example;
    EXPECT_EQ(c->text(), Cli(args + " --color never")) << example;
    EXPECT_EQ(c->text(false, 0), Cli(args + " --color never --all")) << example;
    EXPECT_EQ(c->standard(), "iso9001");
    EXPECT_GE(c->records(), 1u) << example;
    EXPECT_NE(c->stage2(), "not_assessed") << example;
  }
  // history.yaml: an active certification with nothing overdue; applicant.yaml is not certified.
  auto history = rules.Certify(*rules.LoadFile(kSrc + "/examples/certification/history.yaml"),
                               conform::CertifyOptions{"", "2026-11-22"});  // the only standard
  ASSERT_TRUE(history.ok()) << history.error().message;
  EXPECT_TRUE(history->active());
  EXPECT_EQ(history->state(), "active");
  EXPECT_EQ(history->overdue(), 0u);
  auto applicant = rules.Certify(*rules.LoadFile(kSrc + "/examples/certification/applicant.yaml"),
                                 conform::CertifyOptions{"iso9001", "2026-11-22"});
  ASSERT_TRUE(applicant.ok()) << applicant.error().message;
  EXPECT_FALSE(applicant->active());
  EXPECT_NE(applicant->state(), "active");

  // Without evidence: the sampling plan of `conform certify --sites N`.
  conform::CertifyOptions plan;
  plan.sites = 26;
  plan.not_met = {"similar_processes"};
  plan.rules = true;
  auto p = conform::Certification::Plan(plan);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->sampling_sites(), 26);
  EXPECT_FALSE(p->active());
  EXPECT_EQ(p->json(), Cli("certify --sites 26 --not-met similar_processes --rules --format json"));
  EXPECT_EQ(p->text(), Cli("certify --sites 26 --not-met similar_processes --rules"));
}

TEST(EmbedApi, CertifyErrors) {
  auto rules = Compile({"iso9001", "hs"}, "interp");
  auto ev = rules.LoadFile(kSrc + "/examples/certification/history.yaml");
  ASSERT_TRUE(ev.ok()) << ev.error().message;
  conform::CertifyOptions co;
  co.as_of = "2026-11-22";
  auto unnamed = rules.Certify(*ev, co);  // two standards: which one?
  ASSERT_FALSE(unnamed.ok());
  EXPECT_EQ(unnamed.error().status, CONFORM_ERROR_ARGUMENT);
  EXPECT_NE(unnamed.error().message.find("error[E1208]: name the standard to certify"), std::string::npos)
      << unnamed.error().message;
  co.standard = "iso14001";
  auto missing = rules.Certify(*ev, co);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("error[E1208]: the rule set does not hold standard `iso14001`"),
            std::string::npos) << missing.error().message;
  EXPECT_NE(missing.error().message.find("iso9001, hs"), std::string::npos) << missing.error().message;
  co.standard = "hs";
  EXPECT_TRUE(rules.Certify(*ev, co).ok());
  co.not_met = {"legal_lnk"};
  auto condition = rules.Certify(*ev, co);
  ASSERT_FALSE(condition.ok());
  EXPECT_NE(condition.error().message.find("error[E1209]: unknown sampling condition `legal_lnk`"), std::string::npos)
      << condition.error().message;
  EXPECT_NE(condition.error().message.find("did you mean `legal_link`?"), std::string::npos);
  co.not_met.clear();
  co.sites = 0;
  auto sites = rules.Certify(*ev, co);
  ASSERT_FALSE(sites.ok());
  EXPECT_NE(sites.error().diagnostics_json.find("\"code\":\"E1210\""), std::string::npos)
      << sites.error().diagnostics_json;
  conform::CertifyOptions risk;
  risk.sites = 4;
  risk.risk_increase = -1;
  auto r = conform::Certification::Plan(risk);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("E1210"), std::string::npos) << r.error().message;
  // The records are checked like the command checks them (E1003: a finding of an unknown audit).
  auto bad = rules.LoadString("name: X\nemployees: 2\ncertification_history:\n  - id: cr\n    standard_id: iso9001\n"
                              "    certification_body: CB\n    audits:\n      - { id: a1, kind: stage2, start: 2025-01-01, "
                              "sites: [], team: [] }\n    findings:\n      - { id: f1, audit_id: a9, grade: major, "
                              "raised_at: 2025-01-02, statement: x }\n", "bad.yaml");
  ASSERT_TRUE(bad.ok()) << bad.error().message;
  co.sites = -1;
  co.standard = "iso9001";
  auto records = rules.Certify(*bad, co);
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.error().status, CONFORM_ERROR_EVIDENCE);
  EXPECT_NE(records.error().message.find("E1003"), std::string::npos) << records.error().message;
  // The C ABI: options are checked, handles too.
  conform_certification* c = nullptr;
  EXPECT_EQ(conform_certify_plan("{\"sites\": \"many\"}", &c), CONFORM_ERROR_ARGUMENT);
  EXPECT_NE(std::string(conform_last_error()).find("E1204"), std::string::npos) << conform_last_error();
  EXPECT_EQ(conform_certify(nullptr, nullptr, nullptr, &c), CONFORM_ERROR_ARGUMENT);
  EXPECT_EQ(conform_certification_active(nullptr), 0);
}

// Report::conforms() is `conform check`'s exit status 0, with and without accepted deviations:
// a gap an accepted deviation covers no longer fails the run; a blocked requirement still does.
std::string DeviationsYaml(const std::vector<std::string>& ids, const std::string& until) {
  std::string y = "deviations:\n";
  for (const auto& id : ids)
    y += "  - requirement: " + id + "\n    justification: accepted for the test\n    approver: QA lead\n"
         "    accepted_until: " + until + "\n";
  return y;
}

TEST(EmbedApi, ConformsIsTheExitStatus) {
  auto rules = Compile({"iso9001"}, "interp");
  auto plain = rules.Check(kPrecision, AsOf());
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  std::vector<std::string> gaps;
  for (const auto& f : plain->standards()[0].findings)
    if (f.verdict == "nonconform" || f.verdict == "not_evidenced") gaps.push_back(f.id);
  ASSERT_GE(gaps.size(), 2u) << "examples/precision-parts.yaml has gaps against ISO 9001";
  std::string dir = testing::TempDir() + "embed-conforms-" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  std::string all = dir + "/embed-dev-all.yaml", some = dir + "/embed-dev-some.yaml", old = dir + "/embed-dev-old.yaml";
  std::ofstream(all) << DeviationsYaml(gaps, "2027-12-31");
  std::ofstream(some) << DeviationsYaml(std::vector<std::string>(gaps.begin() + 1, gaps.end()), "2027-12-31");
  std::ofstream(old) << DeviationsYaml(gaps, "2026-01-31");  // expired: ignored (W1101)
  struct Case {
    std::string deviations;
    bool conforms;
  };
  for (const Case& c : {Case{"", false}, Case{all, true}, Case{some, false}, Case{old, false}}) {
    conform::EvalOptions eo = AsOf();
    eo.deviations = c.deviations;
    auto ev = rules.LoadFile(kPrecision);
    auto report = rules.Evaluate(*ev, eo);
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_EQ(report->conforms(), c.conforms) << c.deviations;
    int status = -1;
    std::string json = Cli("check " + kPrecision + " -s iso9001 --as-of 2026-11-22 --engine interp --format json" +
                               (c.deviations.empty() ? "" : " --deviations " + c.deviations), &status);
    EXPECT_EQ(status, report->conforms() ? 0 : 1) << c.deviations;
    EXPECT_EQ(report->json(), json) << c.deviations;
    // Accepted gaps keep their verdicts: only the run's outcome changes.
    EXPECT_EQ(report->standards()[0].summary.nonconform, plain->standards()[0].summary.nonconform);
    if (c.deviations == old) EXPECT_NE(report->diagnostics_json().find("\"code\":\"W1101\""), std::string::npos);
  }
  // A deviations file that names no requirement of the standards checked is an error (E1103).
  std::string bad = dir + "/embed-dev-bad.yaml";
  std::ofstream(bad) << DeviationsYaml({"no_such_requirement"}, "2027-12-31");
  conform::EvalOptions eo = AsOf();
  eo.deviations = bad;
  auto r = rules.Evaluate(*rules.LoadFile(kPrecision), eo);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, CONFORM_ERROR_EVIDENCE);
  EXPECT_NE(r.error().message.find("E1103"), std::string::npos) << r.error().message;

  // Blocked: `after` depends on `enough` (nonconform); accepting `enough` leaves `after` blocked.
  std::string cat = dir + "/embed-blocked-cat", pkg = cat + "/blk";
  std::filesystem::create_directories(pkg);
  std::ofstream(pkg + "/plugin.toml") << "id = \"blk\"\nversion = \"1.0.0\"\ntitle = \"Blocked\"\nkind = \"standard\"\n"
                                         "language = \"0.2\"\n[edition]\nname = \"1\"\n[requires]\ncore = \">=1.0\"\n";
  std::ofstream(pkg + "/blk.clause")
      << "use core\nstandard blk \"Blocked\" {\n  clause 4 \"Context\" {\n"
         "    requirement enough : minor { says \"many documents\" pass count(documents) > 1000 else \"few documents\" }\n"
         "    requirement after : minor { says \"after enough\" depends on enough pass true }\n  }\n}\n";
  conform::EngineOptions opts;
  opts.plugin_dirs = {cat};
  auto blk = conform::Engine::Open(opts)->Compile({"blk"}, conform::CompileOptions{"interp", true, "", "2026-11-22"});
  ASSERT_TRUE(blk.ok()) << blk.error().message;
  std::string accept = dir + "/embed-dev-blk.yaml";
  std::ofstream(accept) << DeviationsYaml({"enough"}, "2027-12-31");
  eo.deviations = accept;
  auto br = blk->Evaluate(*blk->LoadFile(kPrecision), eo);
  ASSERT_TRUE(br.ok()) << br.error().message;
  ASSERT_EQ(br->standards()[0].findings.size(), 2u);
  EXPECT_EQ(br->standards()[0].findings[1].verdict, "blocked");
  EXPECT_EQ(br->standards()[0].findings[1].verdict_code, CONFORM_BLOCKED);
  EXPECT_FALSE(br->conforms());
  int status = -1;
  Cli("check " + kPrecision + " -s blk --plugin-dir " + cat + " --as-of 2026-11-22 --deviations " + accept, &status);
  EXPECT_EQ(status, 1);
  std::filesystem::remove_all(dir);
}

TEST(EmbedApi, ErrorsAreStatusesWithMessages) {
  conform::Engine engine = OpenEngine();
  auto unknown = engine.Compile({"iso9999"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().status, CONFORM_ERROR_CATALOGUE);
  EXPECT_NE(unknown.error().message.find("E0602"), std::string::npos) << unknown.error().message;
  EXPECT_NE(unknown.error().diagnostics_json.find("\"code\":\"E0602\""), std::string::npos);

  auto rules = Compile({"iso9001"});
  auto bad = rules.LoadString("name: A\nemployees: [1, 2\n", "bad.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().status, CONFORM_ERROR_EVIDENCE);
  EXPECT_NE(bad.error().message.find("E0702"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("bad.yaml:"), std::string::npos) << bad.error().message;

  auto wrong_type = rules.LoadString("{\"name\": \"A\", \"employees\": \"many\"}", "org.json");
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_NE(wrong_type.error().diagnostics_json.find("\"data_path\":\"$.employees\""), std::string::npos)
      << wrong_type.error().diagnostics_json;

  auto ev = rules.LoadFile(kPrecision);
  ASSERT_TRUE(ev.ok());
  conform::EvalOptions bad_param = AsOf();
  bad_param.params["iso9001.no_such_parameter"] = "3";
  auto r = rules.Evaluate(*ev, bad_param);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, CONFORM_ERROR_PARAMETER);
  EXPECT_NE(r.error().message.find("E0711"), std::string::npos) << r.error().message;

  auto missing = rules.LoadFile("/no/such/file.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("E0701"), std::string::npos) << missing.error().message;

  // The C ABI directly: NULL handles, bad options, indices out of range.
  conform_rules* out = nullptr;
  EXPECT_EQ(conform_compile(nullptr, nullptr, 0, nullptr, &out), CONFORM_ERROR_ARGUMENT);
  EXPECT_NE(std::string(conform_last_error()).find("E1205"), std::string::npos);
  conform_engine* e = nullptr;
  EXPECT_EQ(conform_engine_open("{\"plugin_dir\": []}", &e), CONFORM_ERROR_ARGUMENT);
  EXPECT_NE(std::string(conform_last_error()).find("unknown option `plugin_dir`"), std::string::npos)
      << conform_last_error();
  EXPECT_EQ(conform_engine_open("{", &e), CONFORM_ERROR_ARGUMENT);
  EXPECT_EQ(conform_engine_open(nullptr, &e), CONFORM_OK);
  EXPECT_STREQ(conform_last_error(), "");
  const char* ids[] = {"iso9001"};
  EXPECT_EQ(conform_compile(e, ids, 1, "{\"engine\": \"fast\"}", &out), CONFORM_ERROR_ARGUMENT);
  ASSERT_EQ(conform_compile(e, ids, 1, "{\"engine\": \"interp\", \"as_of\": \"2026-11-22\"}", &out), CONFORM_OK);
  conform_evidence* cev = nullptr;
  ASSERT_EQ(conform_evidence_load_file(out, kPrecision.c_str(), nullptr, &cev), CONFORM_OK);
  conform_report* rep = nullptr;
  EXPECT_EQ(conform_evaluate(out, cev, "{\"as_of\": \"2026-13-01\"}", &rep), CONFORM_ERROR_ARGUMENT);
  ASSERT_EQ(conform_evaluate(out, cev, "{\"as_of\": \"2026-11-22\"}", &rep), CONFORM_OK);
  conform_requirement req;
  EXPECT_EQ(conform_report_requirement(rep, 1, 0, &req), CONFORM_ERROR_ARGUMENT);
  EXPECT_NE(std::string(conform_last_error()).find("out of range"), std::string::npos);
  EXPECT_EQ(conform_report_requirement(rep, 0, 100000, &req), CONFORM_ERROR_ARGUMENT);
  ASSERT_EQ(conform_report_requirement(rep, 0, 0, &req), CONFORM_OK);
  EXPECT_STRNE(req.verdict, "");
  conform_report_free(rep);
  conform_evidence_free(cev);
  conform_rules_free(out);
  conform_engine_free(e);
}

}  // namespace
