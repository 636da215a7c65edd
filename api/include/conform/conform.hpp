// conform.hpp — the C++ API of libconform: conform::Engine, RuleSet, Evidence, Report.
// Header-only over the stable C ABI (conform.h), so a program built against one libconform.so
// keeps working with the next compatible one; no type of the compiler's internals appears. Errors are
// values: every fallible call returns a Result<T> holding the value or the error (its message
// and the diagnostics as JSON). See docs/embedding.md.
#pragma once
#include <conform/conform.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace conform {

// What went wrong: the status, the first error rendered like the CLI, all diagnostics (JSON).
struct Error {
  conform_status status = CONFORM_OK;
  std::string message;
  std::string diagnostics_json;
};

template <class T>
class Result {
 public:
  Result(T v) : v_(std::move(v)) {}
  Result(Error e) : v_(std::move(e)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

namespace detail {
inline Error LastError(conform_status s) { return Error{s, conform_last_error(), conform_last_diagnostics_json()}; }
inline std::string Take(char* p) {
  std::string s = p ? p : "";
  conform_free(p);
  return s;
}
// A JSON string literal (options are built by hand: no JSON library needed by embedders).
inline std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += static_cast<char>(c);
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else out += static_cast<char>(c);
  }
  return out + "\"";
}
// {"name": "value", …}
inline std::string Object(const std::map<std::string, std::string>& m) {
  std::string out;
  for (const auto& [k, v] : m) out += (out.empty() ? "" : ",") + Quote(k) + ":" + Quote(v);
  return "{" + out + "}";
}
// ["a", "b"]
inline std::string Array(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + Quote(s);
  return "[" + out + "]";
}
}  // namespace detail

// A JSON-like value, for building evidence in memory: Value::Map().Set("name", "Acme") …
class Value {
 public:
  Value() : json_("null") {}
  Value(bool b) : json_(b ? "true" : "false") {}
  Value(int v) : json_(std::to_string(v)) {}
  Value(int64_t v) : json_(std::to_string(v)) {}
  Value(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    json_ = buf;
  }
  Value(const char* s) : json_(detail::Quote(s)) {}
  Value(const std::string& s) : json_(detail::Quote(s)) {}
  static Value Map() { return Value("{}", 0); }
  static Value List() { return Value("[]", 0); }
  // Dates and durations are written as strings: "2024-03-01", "6 months".
  Value& Set(const std::string& key, const Value& v) { return Insert(detail::Quote(key) + ":" + v.json_); }
  Value& Add(const Value& v) { return Insert(v.json_); }
  const std::string& json() const { return json_; }

 private:
  Value(const char* raw, int) : json_(raw) {}
  Value& Insert(const std::string& item) {
    json_.insert(json_.size() - 1, json_.size() > 2 ? "," + item : item);
    return *this;
  }
  std::string json_;
};

struct Summary {
  int requirements = 0, conform = 0, nonconform = 0, major = 0, minor = 0, observation = 0, not_evidenced = 0,
      not_applicable = 0, blocked = 0;
};

struct DecidingValue {  // one value that decided a verdict
  std::string expr, value, path;
};

struct Finding {  // one requirement's verdict
  std::string id, clause;
  std::string verdict;  // conform | nonconform | not_evidenced | not_applicable | blocked
  int verdict_code = 0; // conform_verdict
  std::string grade;    // major | minor | observation when nonconform
  std::string says, message, witness;
  std::vector<DecidingValue> facts;
  bool conforms() const { return verdict == "conform"; }
};

struct ClauseResult {  // a clause with its roll-up (worst verdict of what it contains)
  std::string number, title, verdict;
  int depth = 1;
  Summary counts;
};

struct StandardResult {
  std::string id, title, edition;
  Summary summary;
  std::vector<Finding> findings;  // in declaration order
  std::vector<ClauseResult> clauses;
};

// The result of one evaluation: typed values, plus the CLI's JSON and text renderings.
class Report {
 public:
  // No open gap: `conform check`'s exit status 0 (with the same deviations). Every requirement
  // conforms or is not applicable, or is nonconform / not evidenced and covered by an accepted
  // deviation in force (EvalOptions::deviations); none is blocked.
  bool conforms() const { return conform_report_conforms(h_.get()) != 0; }
  const std::vector<StandardResult>& standards() const { return standards_; }
  std::string json() const {
    char* out = nullptr;
    conform_report_json(h_.get(), &out);
    return detail::Take(out);
  }
  std::string text(bool color = false) const {
    char* out = nullptr;
    conform_report_text(h_.get(), color ? 1 : 0, &out);
    return detail::Take(out);
  }
  // Any format of `conform check --format`: text, json, html, junit, sarif, oscal, csv, md.
  Result<std::string> render(const std::string& format) const {
    char* out = nullptr;
    if (auto s = conform_report_render(h_.get(), format.c_str(), &out)) return detail::LastError(s);
    return detail::Take(out);
  }
  std::string diagnostics_json() const {  // evaluation warnings (edition withdrawn …)
    char* out = nullptr;
    conform_report_diagnostics_json(h_.get(), &out);
    return detail::Take(out);
  }

 private:
  friend class RuleSet;
  explicit Report(conform_report* h) : h_(h, conform_report_free) {
    for (size_t s = 0; s < conform_report_standard_count(h); ++s) {
      conform_standard cs{};
      conform_report_standard(h, s, &cs);
      StandardResult sr{cs.id, cs.title, cs.edition, Convert(cs.summary), {}, {}};
      for (size_t i = 0; i < cs.requirement_count; ++i) {
        conform_requirement r{};
        conform_report_requirement(h, s, i, &r);
        Finding f{r.id, r.clause, r.verdict, r.verdict_code, r.grade ? r.grade : "", r.says, r.message, r.witness, {}};
        for (size_t k = 0; k < r.fact_count; ++k) {
          conform_fact cf{};
          conform_report_fact(h, s, i, k, &cf);
          f.facts.push_back({cf.expr, cf.value, cf.path});
        }
        sr.findings.push_back(std::move(f));
      }
      for (size_t i = 0; i < cs.clause_count; ++i) {
        conform_clause c{};
        conform_report_clause(h, s, i, &c);
        sr.clauses.push_back({c.number, c.title, c.verdict, c.depth, Convert(c.counts)});
      }
      standards_.push_back(std::move(sr));
    }
  }
  static Summary Convert(const conform_summary& c) {
    return {c.requirements, c.conform, c.nonconform, c.major, c.minor, c.observation, c.not_evidenced, c.not_applicable, c.blocked};
  }
  std::shared_ptr<conform_report> h_;
  std::vector<StandardResult> standards_;
};

class Evidence {
 public:
  std::string diagnostics_json() const {  // loading warnings (unknown fields …)
    char* out = nullptr;
    conform_evidence_diagnostics_json(h_.get(), &out);
    return detail::Take(out);
  }

 private:
  friend class RuleSet;
  explicit Evidence(conform_evidence* h) : h_(h, conform_evidence_free) {}
  std::shared_ptr<conform_evidence> h_;
};

struct LoadOptions {
  std::string format = "auto";  // auto | yaml | json
  bool strict = false;          // unknown fields are errors
  // Remember where each value was written, so findings name evidence lines. Off, JSON evidence
  // loads through the batch's fast path (several times faster); findings then carry data paths only.
  bool positions = true;
  std::string Json() const {
    return "{\"format\":" + detail::Quote(format) + ",\"strict\":" + (strict ? "true" : "false") +
           ",\"positions\":" + (positions ? "true" : "false") + "}";
  }
};

struct EvalOptions {
  std::string as_of = "today";  // YYYY-MM-DD
  std::map<std::string, std::string> params;  // name → value, after the evidence's own parameters
  bool explain = true;                        // collect the deciding values
  std::string deviations;                     // accepted deviations file (YAML), like --deviations
  std::string Json() const {
    return "{\"as_of\":" + detail::Quote(as_of) + ",\"explain\":" + (explain ? "true" : "false") +
           ",\"params\":" + detail::Object(params) +
           (deviations.empty() ? std::string() : ",\"deviations\":" + detail::Quote(deviations)) + "}";
  }
};

struct BatchOptions {
  std::string as_of = "today";
  std::map<std::string, std::string> params;
  unsigned threads = 0;     // 0: all cores
  size_t first_line = 1;    // line number of the first input line
  std::string Json() const {
    return "{\"as_of\":" + detail::Quote(as_of) + ",\"threads\":" + std::to_string(threads) +
           ",\"first_line\":" + std::to_string(first_line) + ",\"params\":" + detail::Object(params) + "}";
  }
};

struct CertifyOptions {
  std::string standard;          // the standard certified; "": the rule set's only standard
  std::string as_of = "today";   // YYYY-MM-DD
  std::map<std::string, std::string> params;
  int sites = -1;                // > 0: sampling plan for this many sites (else the evidence's in-scope sites)
  int risk_increase = 0;         // sites added to each minimum sample
  std::vector<std::string> met, not_met;  // IAF MD 1 conditions: central_function, legal_link …
  bool rules = false;            // list the timing rules with their sources
  std::string Json() const {
    return "{\"standard\":" + detail::Quote(standard) + ",\"as_of\":" + detail::Quote(as_of) +
           ",\"params\":" + detail::Object(params) + ",\"sites\":" + std::to_string(sites) +
           ",\"risk_increase\":" + std::to_string(risk_increase) + ",\"met\":" + detail::Array(met) +
           ",\"not_met\":" + detail::Array(not_met) + ",\"rules\":" + (rules ? "true" : "false") + "}";
  }
};

// `conform certify`: the certification lifecycle, readiness and sampling plan of an organization.
class Certification {
 public:
  // Active with nothing overdue: `conform certify`'s exit status 0.
  bool active() const { return summary_.active != 0; }
  std::string standard() const { return summary_.standard; }
  std::string state() const { return summary_.state; }    // of the current record: active, suspended …
  std::string stage1() const { return summary_.stage1; }  // ready | at_risk | not_ready | not_assessed
  std::string stage2() const { return summary_.stage2; }  // stage 2 / the decision gate
  size_t records() const { return summary_.records; }
  size_t deadlines() const { return summary_.deadlines; }
  size_t overdue() const { return summary_.overdue; }
  size_t irregularities() const { return summary_.irregularities; }
  int sampling_sites() const { return summary_.sampling_sites; }  // 0: no sampling plan
  std::string json() const {  // = conform certify --format json
    char* out = nullptr;
    conform_certification_json(h_.get(), &out);
    return detail::Take(out);
  }
  std::string text(bool color = false, size_t max_items = 12) const {  // = conform certify (0: all items)
    char* out = nullptr;
    conform_certification_text(h_.get(), color ? 1 : 0, max_items, &out);
    return detail::Take(out);
  }
  // Without evidence: the sampling plan for o.sites sites and/or the timing rules (o.rules).
  static Result<Certification> Plan(const CertifyOptions& o) {
    conform_certification* c = nullptr;
    if (auto s = conform_certify_plan(o.Json().c_str(), &c)) return detail::LastError(s);
    return Certification(c);
  }

 private:
  friend class RuleSet;
  explicit Certification(conform_certification* h) : h_(h, conform_certification_free) {
    conform_certification_summary_get(h, &summary_);
  }
  std::shared_ptr<conform_certification> h_;
  conform_certification_summary summary_{};
};

// Compiled standards. Copies share one immutable rule set; evaluate from any number of threads.
class RuleSet {
 public:
  std::vector<std::string> standards() const {
    std::vector<std::string> out;
    for (size_t i = 0; i < conform_rules_standard_count(h_.get()); ++i) out.emplace_back(conform_rules_standard(h_.get(), i));
    return out;
  }
  std::string engine() const { return conform_rules_engine(h_.get()); }

  Result<Evidence> LoadFile(const std::string& path, const LoadOptions& o = {}) const {
    conform_evidence* e = nullptr;
    if (auto s = conform_evidence_load_file(h_.get(), path.c_str(), o.Json().c_str(), &e)) return detail::LastError(s);
    return Evidence(e);
  }
  Result<Evidence> LoadString(const std::string& text, const std::string& name = "<string>",
                              const LoadOptions& o = {}) const {
    conform_evidence* e = nullptr;
    if (auto s = conform_evidence_load_string(h_.get(), text.data(), text.size(), name.c_str(), o.Json().c_str(), &e))
      return detail::LastError(s);
    return Evidence(e);
  }
  // Evidence built in memory (a Value::Map() of the schema's root fields). It has no lines, so
  // it loads without positions, through the JSON fast path.
  Result<Evidence> Load(const Value& v, const std::string& name = "<value>") const {
    LoadOptions o;
    o.format = "json";
    o.positions = false;
    return LoadString(v.json(), name, o);
  }

  Result<Report> Evaluate(const Evidence& ev, const EvalOptions& o = {}) const {
    conform_report* r = nullptr;
    if (auto s = conform_evaluate(h_.get(), ev.h_.get(), o.Json().c_str(), &r)) return detail::LastError(s);
    return Report(r);
  }
  // Load and evaluate in one call.
  Result<Report> Check(const std::string& path, const EvalOptions& o = {}) const {
    auto ev = LoadFile(path);
    if (!ev) return ev.error();
    return Evaluate(*ev, o);
  }

  // `conform certify`: needs a rule set compiled from a catalogue with the `certification`
  // schema module (the installed one has it).
  Result<Certification> Certify(const Evidence& ev, const CertifyOptions& o = {}) const {
    conform_certification* c = nullptr;
    if (auto s = conform_certify(h_.get(), ev.h_.get(), o.Json().c_str(), &c)) return detail::LastError(s);
    return Certification(c);
  }

  // `conform check --batch`: NDJSON in, one JSON record per line out.
  Result<std::string> Batch(const std::string& ndjson, const BatchOptions& o = {}) const {
    char* out = nullptr;
    if (auto s = conform_check_batch(h_.get(), ndjson.data(), ndjson.size(), o.Json().c_str(), &out, nullptr))
      return detail::LastError(s);
    return detail::Take(out);
  }

 private:
  friend class Engine;
  explicit RuleSet(conform_rules* h) : h_(h, conform_rules_free) {}
  std::shared_ptr<conform_rules> h_;
};

struct EngineOptions {
  std::vector<std::string> plugin_dirs;  // searched first
  bool use_env = true;                   // $CONFORM_PLUGIN_PATH
  bool use_installed = true;             // the catalogue installed with libconform
};

struct CompileOptions {
  std::string engine = "jit";  // jit | interp (an interpreter-only build always interprets)
  bool cache = true;           // compiled-program and object caches
  std::string cache_dir;       // default: $XDG_CACHE_HOME/conform
  std::string as_of = "today"; // picks the editions current at this date
};

// An open catalogue.
class Engine {
 public:
  static Result<Engine> Open(const EngineOptions& o = {}) {
    std::string dirs;
    for (const auto& d : o.plugin_dirs) dirs += (dirs.empty() ? "" : ",") + detail::Quote(d);
    std::string json = "{\"plugin_dirs\":[" + dirs + "],\"use_env\":" + (o.use_env ? "true" : "false") +
                       ",\"use_installed\":" + (o.use_installed ? "true" : "false") + "}";
    conform_engine* e = nullptr;
    if (auto s = conform_engine_open(json.c_str(), &e)) return detail::LastError(s);
    return Engine(e);
  }
  // The catalogue as a JSON array of {id, kind, edition, version, title, dir}.
  std::string CatalogueJson() const {
    char* out = nullptr;
    conform_engine_catalogue_json(h_.get(), &out);
    return detail::Take(out);
  }
  Result<RuleSet> Compile(const std::vector<std::string>& standards, const CompileOptions& o = {}) const {
    std::vector<const char*> ids;
    for (const auto& s : standards) ids.push_back(s.c_str());
    std::string json = "{\"engine\":" + detail::Quote(o.engine) + ",\"cache\":" + (o.cache ? "true" : "false") +
                       ",\"as_of\":" + detail::Quote(o.as_of) +
                       (o.cache_dir.empty() ? std::string() : ",\"cache_dir\":" + detail::Quote(o.cache_dir)) + "}";
    conform_rules* r = nullptr;
    if (auto s = conform_compile(h_.get(), ids.data(), ids.size(), json.c_str(), &r)) return detail::LastError(s);
    return RuleSet(r);
  }

 private:
  explicit Engine(conform_engine* h) : h_(h, conform_engine_free) {}
  std::shared_ptr<conform_engine> h_;
};

}  // namespace conform
