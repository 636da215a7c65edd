// The conformance suite: one test per (case file, engine). Each case in cases/*.yaml holds
// Clause rules (a small schema and one standard), evidence, an as_of date, optional parameter
// overrides, and the verdict (and optionally message and witness) expected for every
// requirement. Expectations are derived by hand from docs/language.md.
// With extensions (`extension … extends`), `standard:` names the program to check.
//
// A case (or a single expectation) marked `known_failure: "<reason>"` documents a place where
// the tool disagrees with the reference: the runner expects it to fail, reports it as SKIPPED
// with the reason and the differences, and FAILS if it unexpectedly passes (remove the mark).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "conform/compiler/calendar.h"
#include "conform/compiler/diagnostics.h"
#include "conform/compiler/driver.h"
#include "conform/compiler/evaluate.h"
#include "conform/runtime/evidence.h"
#include "conform/runtime/report.h"

namespace fs = std::filesystem;

namespace conform {
namespace {

// An engine evaluates a compiled program over a document; `error` explains a failure to run.
using EngineFn = std::function<runtime::StandardReport(const std::shared_ptr<ir::Program>&, runtime::Document&,
                                                       int64_t as_of, const ParamValues&, std::string& error)>;

runtime::StandardReport RunInterp(const std::shared_ptr<ir::Program>& p, runtime::Document& doc, int64_t as_of,
                                  const ParamValues& params, std::string&) {
  return runtime::Evaluate(*p, doc, as_of, params, runtime::Engine::Interp, /*explain=*/true);
}

// The native engine: compiles the program (no object cache, so tests leave no files behind).
runtime::StandardReport RunJit(const std::shared_ptr<ir::Program>& p, runtime::Document& doc,
                                                int64_t as_of, const ParamValues& params, std::string& error) {
  jit::JitOptions opts;
  opts.use_cache = false;
  Diagnostics diags;
  std::unique_ptr<jit::CompiledProgram> native = jit::Compile(p, opts, diags);
  if (!native || diags.HasErrors()) {
    error = "jit::Compile failed: " + RenderAll(diags, SourceManager());
    return {};
  }
  return runtime::Evaluate(*p, doc, as_of, params, runtime::Engine::Jit, /*explain=*/true, native.get());
}

// The engines every case runs on. Adding an engine is one line here (the JIT: {"jit", RunJit}).
// A build without LLVM (CONFORM_WITH_JIT=OFF) has no native engine: its cases are not registered.
const std::vector<std::pair<std::string, EngineFn>>& Engines() {
  static const std::vector<std::pair<std::string, EngineFn>> kEngines = [] {
    std::vector<std::pair<std::string, EngineFn>> e = {{"interp", RunInterp}};
    if (jit::Available()) e.emplace_back("jit", RunJit);
    return e;
  }();
  return kEngines;
}

std::string CasesDir() {
  if (const char* env = std::getenv("CONFORM_CONFORMANCE_CASES")) return env;
  return CONFORM_CONFORMANCE_CASES;
}

std::vector<std::string> CaseFiles() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(CasesDir(), ec))
    if (e.is_regular_file() && (e.path().extension() == ".yaml" || e.path().extension() == ".yml"))
      out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

struct Param {
  std::string file;
  std::string engine;
};

// Keeps gtest from dumping the parameter's bytes.
void PrintTo(const Param& p, std::ostream* os) { *os << fs::path(p.file).filename().string() << " [" << p.engine << "]"; }

std::string TestName(const ::testing::TestParamInfo<Param>& info) {
  std::string stem = fs::path(info.param.file).stem().string();
  std::string out;
  for (char c : stem) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out + "_" + info.param.engine;
}

std::vector<Param> AllParams() {
  std::vector<Param> out;
  for (const auto& f : CaseFiles())
    for (const auto& [name, engine] : Engines()) out.push_back({f, name});
  return out;
}

const std::set<std::string> kCaseKeys = {"name", "standard",   "description", "rules",  "evidence", "evidence_format",
                                         "as_of",  "params",      "expect", "known_failure"};
const std::set<std::string> kExpectKeys = {"verdict", "message", "witness", "blocked_by", "facts", "known_failure"};
const std::set<std::string> kVerdicts = {"conform", "nonconform", "not_evidenced", "not_applicable", "blocked"};

struct Expectation {
  std::string id;
  std::string verdict;
  bool has_message = false, has_witness = false, has_blocked_by = false, has_facts = false;
  std::string message, witness, blocked_by;
  std::vector<std::string> facts;  // the explanation: "expr = value", in order
  std::string known_failure;
};

// Everything that went wrong with one case, split by whether it was announced.
struct Outcome {
  std::vector<std::string> problems;         // unexpected: the test fails
  std::vector<std::string> known;            // mismatches of expectations marked known_failure
  std::vector<std::string> known_now_pass;   // expectations marked known_failure that now hold
};

std::string Describe(const RequirementResult& r) {
  std::ostringstream s;
  s << VerdictName(r.verdict);
  if (!r.message.empty()) s << "\n      message: \"" << r.message << "\"";
  if (!r.witness.empty()) s << "\n      witness: " << r.witness;
  for (const auto& f : r.facts) s << "\n      fact: " << f.expr << " = " << f.value << (f.path.empty() ? "" : " @ " + f.path);
  return s.str();
}

std::string Scalar(const YAML::Node& n) { return n.IsScalar() ? n.Scalar() : std::string(); }

class Conformance : public ::testing::TestWithParam<Param> {};

TEST_P(Conformance, Case) {
  const Param& param = GetParam();
  EngineFn engine;
  for (const auto& [name, fn] : Engines())
    if (name == param.engine) engine = fn;
  ASSERT_TRUE(engine) << "unknown engine " << param.engine;

  YAML::Node doc;
  try {
    doc = YAML::LoadFile(param.file);
  } catch (const std::exception& e) {
    FAIL() << param.file << ": cannot read the case: " << e.what();
  }
  ASSERT_TRUE(doc.IsMap()) << param.file << ": a case is a mapping";
  for (const auto& kv : doc) {
    std::string key = kv.first.Scalar();
    ASSERT_TRUE(kCaseKeys.count(key)) << param.file << ": unknown case key `" << key << "`";
  }
  const std::string case_name = doc["name"] ? Scalar(doc["name"]) : fs::path(param.file).stem().string();
  ASSERT_TRUE(doc["rules"] && doc["rules"].IsScalar()) << param.file << ": `rules` (Clause text) is required";
  ASSERT_TRUE(doc["evidence"]) << param.file << ": `evidence` is required";
  ASSERT_TRUE(doc["as_of"] && doc["as_of"].IsScalar()) << param.file << ": `as_of` is required";
  ASSERT_TRUE(doc["expect"] && doc["expect"].IsMap()) << param.file << ": `expect` must map requirement ids to verdicts";
  const std::string case_known = doc["known_failure"] ? Scalar(doc["known_failure"]) : std::string();

  // Expectations.
  std::vector<Expectation> expects;
  for (const auto& kv : doc["expect"]) {
    Expectation x;
    x.id = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (v.IsScalar()) {
      x.verdict = v.Scalar();
    } else {
      ASSERT_TRUE(v.IsMap()) << param.file << ": expectation of `" << x.id << "` must be a verdict or a mapping";
      for (const auto& e : v) ASSERT_TRUE(kExpectKeys.count(e.first.Scalar())) << param.file << ": unknown key `" << e.first.Scalar() << "` in the expectation of `" << x.id << "`";
      ASSERT_TRUE(v["verdict"]) << param.file << ": expectation of `" << x.id << "` has no verdict";
      x.verdict = Scalar(v["verdict"]);
      if (v["message"]) x.has_message = true, x.message = Scalar(v["message"]);
      if (v["witness"]) x.has_witness = true, x.witness = Scalar(v["witness"]);
      if (v["blocked_by"]) x.has_blocked_by = true, x.blocked_by = Scalar(v["blocked_by"]);
      if (v["facts"]) {
        ASSERT_TRUE(v["facts"].IsSequence()) << param.file << ": `facts` of `" << x.id << "` must be a list";
        x.has_facts = true;
        for (const auto& f : v["facts"]) x.facts.push_back(Scalar(f));
      }
      if (v["known_failure"]) x.known_failure = Scalar(v["known_failure"]);
    }
    ASSERT_TRUE(kVerdicts.count(x.verdict)) << param.file << ": `" << x.verdict << "` is not a verdict";
    expects.push_back(std::move(x));
  }

  auto as_of = cal::ParseDate(Scalar(doc["as_of"]));
  ASSERT_TRUE(as_of) << param.file << ": as_of must be YYYY-MM-DD";

  Outcome out;
  auto run = [&]() {
    // Compile.
    Session session({});
    session.LoadText(case_name + ".clause", Scalar(doc["rules"]));
    auto programs = session.CompileAll();
    if (session.diags().HasErrors()) {
      out.problems.push_back("the rules do not compile:\n" + RenderAll(session.diags(), session.sources()));
      return;
    }
    // With extensions, `standard:` names the program to check (an extension, resolved with its bases).
    if (doc["standard"]) {
      std::string want = Scalar(doc["standard"]);
      std::erase_if(programs, [&](const auto& q) { return !q || q->standard != want; });
    }
    if (programs.size() != 1 || !programs[0]) {
      out.problems.push_back("the rules must declare exactly one standard (or name one with `standard:`), found " +
                             std::to_string(programs.size()));
      return;
    }
    const ir::Program& p = *programs[0];

    // Evidence: YAML text, or a mapping written back out as YAML.
    std::string text;
    if (doc["evidence"].IsScalar()) {
      text = doc["evidence"].Scalar();
    } else {
      YAML::Emitter em;
      em << doc["evidence"];
      text = em.c_str();
    }
    std::string fmt = doc["evidence_format"] ? Scalar(doc["evidence_format"]) : "yaml";
    std::string path = case_name + (fmt == "json" ? ".evidence.json" : ".evidence.yaml");
    Diagnostics ediags;
    auto evidence = runtime::LoadEvidence(path, text, *session.Schema(), session.literals().get(), session.sources(), ediags);
    if (!evidence || ediags.HasErrors()) {
      out.problems.push_back("the evidence does not load:\n" + RenderAll(ediags, session.sources()));
      return;
    }

    // Parameters: the evidence's `parameters:` block, then the case's `params` (like --param).
    std::vector<runtime::ParamOverride> overrides = evidence->parameters();
    if (doc["params"]) {
      if (!doc["params"].IsMap()) {
        out.problems.push_back("`params` must be a mapping");
        return;
      }
      for (const auto& kv : doc["params"]) {
        runtime::ParamOverride o;
        o.name = kv.first.Scalar();
        o.data_path = "--param " + o.name;
        if (kv.second.IsSequence()) {
          o.is_sequence = true;
          for (const auto& item : kv.second) o.items.push_back(Scalar(item));
        } else {
          o.text = Scalar(kv.second);
        }
        overrides.push_back(std::move(o));
      }
    }
    Diagnostics pdiags;
    ParamValues pv = runtime::ResolveParameters(p, overrides, evidence->strings(), session.sources(), pdiags);
    if (pdiags.HasErrors()) {
      out.problems.push_back("the parameters do not resolve:\n" + RenderAll(pdiags, session.sources()));
      return;
    }

    std::string engine_error;
    runtime::StandardReport report = engine(programs[0], *evidence, *as_of, pv, engine_error);
    if (!engine_error.empty()) {
      out.problems.push_back("the " + param.engine + " engine failed: " + engine_error);
      return;
    }
    if (report.results.size() != p.requirements.size()) {
      out.problems.push_back("Evaluate returned " + std::to_string(report.results.size()) + " results for " +
                             std::to_string(p.requirements.size()) + " requirements");
      return;
    }

    std::set<std::string> expected_ids;
    for (const auto& x : expects) {
      expected_ids.insert(x.id);
      size_t i = 0;
      while (i < p.requirements.size() && p.requirements[i].id != x.id) ++i;
      if (i == p.requirements.size()) {
        out.problems.push_back("`" + x.id + "`: no such requirement in the rules");
        continue;
      }
      const RequirementResult& r = report.results[i];
      std::vector<std::string> diffs;
      if (x.verdict != VerdictName(r.verdict)) diffs.push_back("verdict: expected " + x.verdict);
      if (x.has_message && x.message != r.message) diffs.push_back("message: expected \"" + x.message + "\"");
      if (x.has_witness && x.witness != r.witness) diffs.push_back("witness: expected " + (x.witness.empty() ? std::string("(none)") : x.witness));
      if (x.has_facts) {
        std::vector<std::string> got;
        for (const auto& f : r.facts) got.push_back(f.expr + " = " + f.value);
        if (got != x.facts) diffs.push_back("facts: expected " + std::to_string(x.facts.size()) + " facts as listed");
      }
      if (x.has_blocked_by && x.blocked_by != r.blocked_by)
        diffs.push_back("blocked_by: expected " + x.blocked_by + ", got " + (r.blocked_by.empty() ? std::string("(none)") : r.blocked_by));
      std::string where = "`" + x.id + "`";
      if (diffs.empty()) {
        if (!x.known_failure.empty()) out.known_now_pass.push_back(where + " (" + x.known_failure + ")");
        continue;
      }
      std::string text = where + ":";
      for (const auto& d : diffs) text += "\n    " + d;
      text += "\n    actual: " + Describe(r);
      if (!x.known_failure.empty())
        out.known.push_back(text + "\n    known failure: " + x.known_failure);
      else
        out.problems.push_back(text);
    }
    for (const auto& req : p.requirements)
      if (!expected_ids.count(req.id)) out.problems.push_back("`" + req.id + "`: no expectation (every requirement needs one)");
  };
  run();

  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += "\n  " + x;
    return s;
  };
  const std::string where = param.file + " [" + param.engine + "]";
  if (!case_known.empty()) {
    // The whole case is expected to fail.
    std::vector<std::string> all = out.problems;
    all.insert(all.end(), out.known.begin(), out.known.end());
    if (all.empty())
      FAIL() << where << ": marked known_failure (\"" << case_known
             << "\") but every expectation now holds: remove the mark";
    GTEST_SKIP() << "KNOWN FAILURE " << where << ": " << case_known << join(all);
  }
  for (const auto& p : out.problems) ADD_FAILURE() << where << ": " << p;
  for (const auto& p : out.known_now_pass)
    ADD_FAILURE() << where << ": " << p << " is marked known_failure but now holds: remove the mark";
  if (!out.problems.empty() || !out.known_now_pass.empty()) return;
  if (!out.known.empty()) GTEST_SKIP() << "KNOWN FAILURE " << where << ":" << join(out.known);
}

INSTANTIATE_TEST_SUITE_P(Cases, Conformance, ::testing::ValuesIn(AllParams()), TestName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Conformance);

}  // namespace
}  // namespace conform
