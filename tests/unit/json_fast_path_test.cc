// The JSON fast path (runtime/evidence/json_plan.cc) against the diagnostic loader
// (json_loader.cc): the same text loaded with and without a load plan must give the same
// records (every slot, presence bit, string id, list and set order) and the same diagnostics.
// Inputs: examples/*.yaml written as JSON, the evidence of every conformance case (YAML
// written as JSON), the evidence and batch fuzz corpora, and edge cases written here.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "conform/compiler/driver.h"
#include "conform/runtime/evidence.h"
#include "../support/evidence_dump.h"
#include "../fuzz/fuzz_rules.h"

namespace conform::runtime {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// RFC 8259 number grammar (a plain YAML scalar that is a JSON number stays a number).
bool JsonNumber(const std::string& s) {
  static const std::regex kNumber(R"(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)");
  return std::regex_match(s, kNumber);
}

void Quote(std::string& out, const std::string& s) {
  out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

// YAML as JSON: quoted scalars are strings; plain ones are true/false/null or a number when
// they read as one, otherwise strings (as a YAML file's dates and words are).
void ToJson(const YAML::Node& n, std::string& out) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      out += '{';
      bool first = true;
      for (const auto& kv : n) {
        if (!first) out += ',';
        first = false;
        Quote(out, kv.first.Scalar());
        out += ':';
        ToJson(kv.second, out);
      }
      out += '}';
      return;
    }
    case YAML::NodeType::Sequence: {
      out += '[';
      for (size_t i = 0; i < n.size(); ++i) {
        if (i) out += ',';
        ToJson(n[i], out);
      }
      out += ']';
      return;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      if (n.Tag() == "?" && (s == "true" || s == "false" || s == "null" || s == "~" || JsonNumber(s)))
        out += s == "~" ? "null" : s;
      else
        Quote(out, s);
      return;
    }
    default: out += "null"; return;
  }
}

std::string YamlToJson(const std::string& yaml) {
  std::string out;
  ToJson(YAML::Load(yaml), out);
  return out;
}

// What comparing one text through both loaders found.
struct Compared {
  bool slow_ok = false;   // the diagnostic loader gave a document
  bool clean = false;     // ... with no diagnostic at all
  bool fast_took = false;  // the fast path alone gave a document
};

// Loads `json` three ways — the diagnostic loader alone, LoadEvidence with the plan (fast path,
// falling back), and the fast path alone — and expects the same records and diagnostics.
Compared Compare(const std::string& what, const std::string& json, const SchemaModel& schema, const StringPool* literals,
                 const JsonPlan& plan, LoadOptions opts = {}) {
  Compared c;
  opts.format = EvidenceFormat::Json;
  SourceManager sm1, sm2;
  Diagnostics d1, d2;
  LoadOptions slow = opts, auto_ = opts;
  slow.json_plan = nullptr;
  auto_.json_plan = &plan;
  auto a = LoadEvidence("e.json", json, schema, literals, sm1, d1, slow);
  auto b = LoadEvidence("e.json", json, schema, literals, sm2, d2, auto_);
  std::string da = testing::DumpDocument(schema, a.get());
  EXPECT_EQ(da, testing::DumpDocument(schema, b.get())) << what;
  EXPECT_EQ(testing::DumpDiagnostics(d1), testing::DumpDiagnostics(d2)) << what;
  c.slow_ok = a != nullptr;
  c.clean = a && d1.empty();
  auto f = LoadJsonFastOnly(json, plan, literals);
  c.fast_took = f != nullptr;
  if (f) {
    // The fast path takes only documents the diagnostic loader loads without a word.
    EXPECT_TRUE(c.clean) << what << ": the fast path took a document with diagnostics:\n"
                         << testing::DumpDiagnostics(d1);
    EXPECT_EQ(da, testing::DumpDocument(schema, f.get())) << what;
  }
  return c;
}

std::vector<fs::path> Files(const fs::path& dir, const std::string& ext) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ext) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(JsonFastPath, ExamplesAsJsonLoadOnTheFastPathWithTheSameRecords) {
  Session session({CONFORM_SOURCE_DIR "/standards"});
  for (const auto& e : fs::directory_iterator(CONFORM_SOURCE_DIR "/standards"))
    if (e.is_directory() && e.path().filename() != "certification") session.LoadModule(e.path().filename().string());
  auto schema = session.Schema();
  ASSERT_TRUE(schema);
  auto plan = MakeJsonPlan(*schema);
  size_t fast = 0, files = 0;
  for (const auto& p : Files(CONFORM_SOURCE_DIR "/examples", ".yaml")) {
    ++files;
    std::string json = YamlToJson(ReadAll(p));
    Compared c = Compare(p.string(), json, *schema, session.literals().get(), *plan);
    EXPECT_TRUE(c.slow_ok) << p;
    // A document that loads without a word must load on the fast path (but `parameters:`).
    if (c.clean && json.find("\"parameters\":") == std::string::npos) {
      EXPECT_TRUE(c.fast_took) << p << ": the fast path gave up on a clean document";
    }
    fast += c.fast_took;
  }
  EXPECT_GE(files, 5u);
  EXPECT_GE(fast, 3u) << "examples loaded on the fast path";
}

TEST(JsonFastPath, ConformanceCaseEvidenceGivesTheSameRecordsAndDiagnostics) {
  size_t cases = 0, fast = 0;
  for (const auto& p : Files(CONFORM_SOURCE_DIR "/tests/conformance/cases", ".yaml")) {
    YAML::Node c = YAML::LoadFile(p.string());
    Session session({});
    session.LoadText("case.clause", c["rules"].Scalar());
    session.CompileAll();
    auto schema = session.Schema();
    if (!schema || schema->root < 0) continue;
    std::string text;
    if (c["evidence"].IsScalar()) {
      text = c["evidence"].Scalar();
    } else {
      YAML::Emitter em;
      em << c["evidence"];
      text = em.c_str();
    }
    bool json = c["evidence_format"] && c["evidence_format"].Scalar() == "json";
    std::string as_json;
    try {
      as_json = json ? text : YamlToJson(text);
    } catch (const YAML::Exception&) {
      continue;
    }
    ++cases;
    auto plan = MakeJsonPlan(*schema);
    Compared r = Compare(p.string(), as_json, *schema, session.literals().get(), *plan);
    fast += r.fast_took;
  }
  EXPECT_GE(cases, 40u);
  EXPECT_GE(fast, cases / 2) << "conformance evidence loaded on the fast path";
}

// The evidence fuzz corpus is loaded against the core and certification schemas (as the fuzz
// target does); the batch corpus line by line against the batch target's rules, with the
// batch's own options (one error at most).
TEST(JsonFastPath, FuzzCorporaGiveTheSameRecordsAndDiagnostics) {
  {
    Session session({CONFORM_SOURCE_DIR "/standards"});
    session.LoadModule("core");
    session.LoadModule("certification");
    auto schema = session.Schema();
    ASSERT_TRUE(schema);
    auto plan = MakeJsonPlan(*schema);
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(CONFORM_SOURCE_DIR "/tests/fuzz/corpus/evidence")) {
      std::string raw = ReadAll(e.path());
      if (raw.empty()) continue;
      for (bool positions : {false, true}) {
        LoadOptions o;
        o.keep_positions = positions;
        Compare(e.path().string(), raw.substr(1), *schema, session.literals().get(), *plan, o);  // byte 0: the mode
        Compare(e.path().string() + " (whole)", raw, *schema, session.literals().get(), *plan, o);
      }
      ++n;
    }
    EXPECT_GE(n, 5u);
  }
  Session session({});
  session.LoadText("fz.clause", fuzz::kRules);
  ASSERT_TRUE(session.Compile("fz"));
  auto schema = session.Schema();
  auto plan = MakeJsonPlan(*schema);
  size_t lines = 0, fast = 0;
  for (const auto& e : fs::directory_iterator(CONFORM_SOURCE_DIR "/tests/fuzz/corpus/batch")) {
    std::istringstream in(ReadAll(e.path()));
    std::string line;
    while (std::getline(in, line)) {
      LoadOptions o;
      o.max_errors = 1;
      Compared c = Compare(e.path().string() + ": " + line.substr(0, 80), line, *schema, session.literals().get(), *plan, o);
      ++lines;
      fast += c.fast_took;
    }
  }
  EXPECT_GE(lines, 10u);
  EXPECT_GE(fast, 3u);
}

// `grid` has no schema type (a list of lists: TypeKind::Error); the diagnostic loader skips it.
constexpr const char* kSchema = R"(schema t {
  enum st { a, b, c }
  entity item { code: string  due: date? }
  entity node { name: string  kids: list<node>? }
  root org {
    name: string
    n: int?
    items: list<item>?
    tags: set<string>?
    status: st?
    ok: bool?
    score: decimal?
    every: duration?
    states: set<st>?
    days: set<date>?
    nums: set<int>?
    grid: list<list<int>>?
    head: item?
    tree: node?
  }
})";

class FastPathCases : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(session_.LoadText("t.clause", kSchema));
    schema_ = session_.Schema();
    ASSERT_TRUE(schema_);
    plan_ = MakeJsonPlan(*schema_);
  }
  // Same records and diagnostics both ways; whether the fast path alone took it.
  bool Fast(const std::string& json) {
    return Compare(json, json, *schema_, session_.literals().get(), *plan_).fast_took;
  }
  Session session_{{}};
  std::shared_ptr<const SchemaModel> schema_;
  std::shared_ptr<const JsonPlan> plan_;
};

TEST_F(FastPathCases, CleanDocumentsAreLoadedOnTheFastPath) {
  EXPECT_TRUE(Fast(R"({"name":"acme","n":42,"items":[{"code":"A-1","due":"2024-03-31"},{"code":"B"}],)"
                   R"("tags":["x","y","x"],"status":"b","ok":true,"score":-2.5,"every":"12 months",)"
                   R"("states":["c","a","c"],"days":["2024-01-02","2023-05-06"],"nums":[3,1,2,3],)"
                   R"("head":{"code":"H"},"tree":{"name":"r","kids":[{"name":"k"}]}})"));
  // Fields in any order, escapes in keys and strings, a byte order mark, null optional fields.
  EXPECT_TRUE(Fast(R"({"status":"a","na\u006de":"a\"b\\c\u00e9\n","score":3,"n":null,"ok":false})"));
  EXPECT_TRUE(Fast("\xEF\xBB\xBF{\"name\":\"bom\"}"));
  EXPECT_TRUE(Fast(R"({"name":"x","score":0.1,"n":-0,"nums":[-0,0]})"));
  EXPECT_TRUE(Fast(R"({"name":"x","score":1e2,"n":9223372036854775807})"));
  EXPECT_TRUE(Fast(R"({"name":"x","score":0.0,"nums":[-0]})"));
  EXPECT_TRUE(Fast(R"({"name":"x","score":-0.0})"));
  EXPECT_TRUE(Fast(R"({"name":"pre-e-mail, re-entry","score":0.0})"));
  EXPECT_TRUE(Fast(R"({"name":"x","score":5e-324})"));  // subnormal: the same double both ways
  EXPECT_TRUE(Fast(R"({"name":"emb\u0000edded"})"));
}

TEST_F(FastPathCases, WhatTheDiagnosticLoaderReportsIsLeftToIt) {
  for (const char* doc : {
           R"({"name":"x","n":1.5})",                   // decimal in an int field
           R"({"name":"x","n":9223372036854775808})",   // past int64
           R"({"name":"x","n":"5"})",                   // quoted number
           R"({"name":"x","score":-0})",                // -0 is -0.0 through from_chars
           R"({"name":"x","score":1e-400})",            // underflow: out of range
           R"({"name":"x","score":1e400})",             // overflow: malformed for simdjson
           R"({"name":"x","score":0.0,"n":1e-5})",      // zero, in a text with a negative exponent
           R"({"name":"x","score":0.0,"n":1E-5})",
           R"({"name":5})",                             // a number in a string field is its text
           R"({"name":true})",
           R"({"name":"x","name":"y"})",                // duplicate key
           R"({"name":"x","extra":1})",                 // unknown field: W0701
           R"({"name":null})",                          // required and null
           R"({"n":1})",                                // required missing
           R"({"name":"x","items":[null]})",            // null list item
           R"({"name":"x","items":[{"due":"2024-01-01"}]})",  // nested required missing
           R"({"name":"x","status":"d"})",              // unknown enum member
           R"({"name":"x","days":["2024-02-30"]})",     // no such day
           R"({"name":"x","every":"soon"})",            // bad duration
           R"({"name":"x","ok":"true"})",               // quoted bool
           R"({"name":"x","items":{}})",                // a mapping for a list
           R"({"name":"x","head":[]})",                 // a list for an entity
           R"({"name":"x","parameters":{"t.limit":3}})",  // parameters: the diagnostic loader's
           R"({"name":"x","grid":[[1,2],[],[3]]})",     // a field of no type
           R"({"name":"x"} trailing)",                  // malformed
           R"({"name":"x",})",
           R"([1,2])",
           R"("just a string")",
           "",
           R"({"name":"x"})"
           "\n{}",
       }) {
    EXPECT_FALSE(Fast(doc)) << doc;
  }
  // Zeros in decimal fields: the whole text is scanned (sixteen bytes at a time) for `-0` and
  // negative exponents, at every offset.
  for (size_t pad = 0; pad < 40; ++pad) {
    std::string name(pad, 'x');
    EXPECT_FALSE(Fast(R"({"name":")" + name + R"(","score":-0})")) << pad;
    EXPECT_FALSE(Fast(R"({"name":")" + name + R"(","score":0.0,"n":1E-0})")) << pad;
    EXPECT_FALSE(Fast("{\"score\":0,\"n\":-0,\"name\":\"" + name + "\"}")) << pad;  // -0 anywhere counts
    EXPECT_TRUE(Fast(R"({"name":")" + name + R"(-05 e-mail","score":0,"n":-5})")) << pad;
    EXPECT_TRUE(Fast(R"({"name":")" + name + R"(","score":0.0,"days":["2024-01-02"]})")) << pad;
  }
  // Nesting past kMaxEvidenceDepth: E0710 from the diagnostic loader.
  std::string deep = R"({"name":"x","tree":)", close;
  for (int i = 0; i < 70; ++i) {
    deep += R"({"name":"n","kids":[)";
    close += "]}";
  }
  deep += R"({"name":"leaf"})" + close + "}";
  EXPECT_FALSE(Fast(deep));
}

// A root field named `parameters` is shadowed by the evidence's parameters mapping (the
// diagnostic loader reads the key as parameters before it looks for a field): the fast path
// leaves it to the diagnostic loader even when it is the next field in schema order.
TEST(JsonFastPath, RootParametersKeyIsTheDiagnosticLoadersEvenAsAField) {
  Session session({});
  ASSERT_TRUE(session.LoadText("p.clause", "schema p { root org { name: string  parameters: string? } }"));
  auto schema = session.Schema();
  ASSERT_TRUE(schema);
  auto plan = MakeJsonPlan(*schema);
  for (const char* doc : {R"({"name":"x","parameters":"y"})", R"({"name":"x","parameters":{"p.k":1}})"})
    EXPECT_FALSE(Compare(doc, doc, *schema, session.literals().get(), *plan).fast_took) << doc;
  EXPECT_TRUE(Compare("name only", R"({"name":"x"})", *schema, session.literals().get(), *plan).fast_took);
}

}  // namespace
}  // namespace conform::runtime
