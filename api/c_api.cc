// The C ABI (conform.h) over the embedding core. Only conform_* symbols leave libconform.so.
#include "conform/conform.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <sstream>
#include <string>

#include "conform/compiler/calendar.h"
#include "conform/embed/certify.h"
#include "conform/embed/engine.h"
#include "conform/runtime/results.h"

using namespace conform;

struct conform_engine {
  std::unique_ptr<embed::Engine> engine;
};
struct conform_rules {
  std::shared_ptr<const embed::RuleSet> rules;
  std::vector<std::string> ids;
};
struct conform_evidence {
  std::shared_ptr<const embed::RuleSet> rules;  // keeps the schema and literals alive
  std::shared_ptr<embed::Evidence> evidence;
};
struct conform_report {
  std::shared_ptr<const embed::RuleSet> rules;
  std::shared_ptr<embed::Evidence> evidence;  // the report may outlive the evidence handle
  embed::Evaluation eval;
  std::vector<std::string> editions;  // per report
  mutable std::mutex mu;              // rendering reads the evidence document
  SourceManager deviation_sources;    // the deviations file ("deviations" option)
  Diagnostics deviation_diags;        // its warnings (W1101, W1102)
};

struct conform_certification {
  embed::Certification cert;
};

namespace {

thread_local std::string g_error;
thread_local std::string g_diags_json = "[]";

std::string DiagnosticsJson(const Diagnostics& d, const SourceManager* sm) {
  std::string out = "[";
  bool first = true;
  for (const auto& x : d.items()) {
    std::string file = x.path;
    uint32_t line = 0, col = 0;
    if (x.span.valid() && sm) {
      if (const SourceFile* f = sm->Get(x.span.file)) {
        file = f->path();
        LineCol lc = f->Locate(x.span.begin);
        line = lc.line;
        col = lc.col;
      }
    }
    out += fmt::format(
        "{}{{\"severity\":\"{}\",\"code\":{},\"message\":{},\"help\":{},\"file\":{},\"line\":{},\"column\":{},"
        "\"data_path\":{},\"rendered\":{}}}",
        first ? "" : ",", x.severity == Severity::Error ? "error" : x.severity == Severity::Warning ? "warning" : "note",
        runtime::JsonQuote(x.code), runtime::JsonQuote(x.message), runtime::JsonQuote(x.help),
        runtime::JsonQuote(file), line, col, runtime::JsonQuote(x.data_path),
        runtime::JsonQuote(sm ? Render(x, *sm, false) : x.message));
    first = false;
  }
  return out + "]";
}

conform_status Ok() {
  g_error.clear();
  g_diags_json = "[]";
  return CONFORM_OK;
}

conform_status Fail(conform_status s, std::string message) {
  g_error = std::move(message);
  g_diags_json = "[]";
  return s;
}

// The first error (rendered like the CLI, without color) and every diagnostic as JSON.
conform_status Fail(conform_status s, const Diagnostics& d, const SourceManager& sm) {
  std::string text;
  for (const auto& x : d.items())
    if (x.severity == Severity::Error) text += Render(x, sm, false);
  if (text.empty()) text = "unknown error";
  while (!text.empty() && text.back() == '\n') text.pop_back();
  g_error = text;
  g_diags_json = DiagnosticsJson(d, &sm);
  return s;
}

char* Dup(const std::string& s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (p) std::memcpy(p, s.c_str(), s.size() + 1);
  return p;
}

// Options objects: `allowed` keys only; a bad one is E1204.
struct Options {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  bool present = false;
  std::string error;

  bool Parse(const char* json, std::initializer_list<const char*> allowed) {
    if (!json || !*json) return true;
    simdjson::dom::element root;
    if (auto e = parser.parse(json, std::strlen(json)).get(root)) {
      error = fmt::format("error[E1204]: options are not valid JSON ({})", simdjson::error_message(e));
      return false;
    }
    if (root.get(obj)) {
      error = "error[E1204]: options must be a JSON object";
      return false;
    }
    present = true;
    for (auto [k, v] : obj) {
      bool known = false;
      for (const char* a : allowed) known = known || k == a;
      if (!known) {
        std::string list;
        for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
        error = fmt::format("error[E1204]: unknown option `{}`\n  = help: the options here are: {}", k, list);
        return false;
      }
    }
    return true;
  }
  std::optional<simdjson::dom::element> Get(const char* key) {
    if (!present) return std::nullopt;
    simdjson::dom::element e;
    if (obj[key].get(e)) return std::nullopt;
    return e;
  }
  bool String(const char* key, std::string& out) {
    auto e = Get(key);
    if (!e) return true;
    std::string_view sv;
    if (e->get(sv)) return Bad(key, "a string");
    out = std::string(sv);
    return true;
  }
  bool Bool(const char* key, bool& out) {
    auto e = Get(key);
    if (!e) return true;
    if (e->get(out)) return Bad(key, "true or false");
    return true;
  }
  bool UInt(const char* key, uint64_t& out) {
    auto e = Get(key);
    if (!e) return true;
    if (e->get(out)) return Bad(key, "a non-negative integer");
    return true;
  }
  bool Int(const char* key, int& out) {
    auto e = Get(key);
    if (!e) return true;
    int64_t v = 0;
    if (e->get(v) || v < INT32_MIN || v > INT32_MAX) return Bad(key, "an integer");
    out = static_cast<int>(v);
    return true;
  }
  bool Strings(const char* key, std::vector<std::string>& out) {
    auto e = Get(key);
    if (!e) return true;
    simdjson::dom::array arr;
    if (e->get(arr)) return Bad(key, "an array of strings");
    for (auto item : arr) {
      std::string_view sv;
      if (item.get(sv)) return Bad(key, "an array of strings");
      out.emplace_back(sv);
    }
    return true;
  }
  bool AsOf(int64_t& out) {
    std::string text = "today";
    if (!String("as_of", text)) return false;
    auto d = embed::ParseAsOf(text);
    if (!d) {
      error = fmt::format("error[E1204]: invalid as_of `{}`\n  = help: write a date as YYYY-MM-DD, or `today`", text);
      return false;
    }
    out = *d;
    return true;
  }
  // "params": {"name": "value" | number | bool | ["a", "b"]}
  bool Params(std::vector<runtime::ParamOverride>& out) {
    auto e = Get("params");
    if (!e) return true;
    simdjson::dom::object o;
    if (e->get(o)) return Bad("params", "an object of parameter names to values");
    for (auto [k, v] : o) {
      runtime::ParamOverride po;
      po.name = std::string(k);
      po.data_path = "params." + po.name;
      if (v.is_array()) {
        po.is_sequence = true;
        for (auto item : v.get_array()) {
          std::string t;
          if (!Scalar(item, t)) return Bad("params", "scalars or arrays of scalars");
          po.items.push_back(t);
          po.item_spans.push_back({});
        }
      } else if (!Scalar(v, po.text)) {
        return Bad("params", "scalars or arrays of scalars");
      }
      out.push_back(std::move(po));
    }
    return true;
  }
  static bool Scalar(simdjson::dom::element v, std::string& out) {
    switch (v.type()) {
      case simdjson::dom::element_type::STRING: out = std::string(v.get_string().value()); return true;
      case simdjson::dom::element_type::BOOL: out = v.get_bool().value() ? "true" : "false"; return true;
      case simdjson::dom::element_type::INT64: out = std::to_string(v.get_int64().value()); return true;
      case simdjson::dom::element_type::UINT64: out = std::to_string(v.get_uint64().value()); return true;
      case simdjson::dom::element_type::DOUBLE: out = fmt::format("{}", v.get_double().value()); return true;
      default: return false;
    }
  }
  bool Bad(const char* key, const char* want) {
    error = fmt::format("error[E1204]: option `{}` must be {}", key, want);
    return false;
  }
};

template <class F>
conform_status Guard(F&& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    return Fail(CONFORM_ERROR_INTERNAL, fmt::format("error[E0900]: internal error: {}", e.what()));
  } catch (...) {
    return Fail(CONFORM_ERROR_INTERNAL, "error[E0900]: internal error");
  }
}

conform_status NullArg(const char* what) {
  return Fail(CONFORM_ERROR_ARGUMENT, fmt::format("error[E1205]: `{}` is NULL", what));
}

void Fill(conform_summary& s, const runtime::Counts& c) {
  s = {c.total(), c.conform, c.nonconform, c.major, c.minor, c.observation, c.not_evidenced, c.not_applicable, c.blocked};
}

const runtime::StandardReport* Report(const conform_report* r, size_t s) {
  return r && s < r->eval.reports.size() ? &r->eval.reports[s] : nullptr;
}

conform_status OutOfRange(const char* what, size_t i, size_t n) {
  return Fail(CONFORM_ERROR_ARGUMENT, fmt::format("error[E1205]: {} index {} is out of range (there are {})", what, i, n));
}

// The handles of an evaluation or a certification: present, and the evidence loaded by `rules`.
template <class Out>
conform_status CheckHandles(const conform_rules* rules, const conform_evidence* evidence, Out** out, const char* verb) {
  if (!out) return NullArg("out");
  *out = nullptr;
  if (!rules) return NullArg("rules");
  if (!evidence) return NullArg("evidence");
  if (evidence->rules != rules->rules)
    return Fail(CONFORM_ERROR_ARGUMENT,
                fmt::format("error[E1206]: the evidence was loaded by another rule set\n  = help: load it with the rule "
                            "set that {} it (the layout of evidence depends on the standards compiled)", verb));
  return CONFORM_OK;
}
}  // namespace

extern "C" {

int conform_abi_version(void) { return CONFORM_ABI_VERSION; }
const char* conform_version(void) { return embed::kVersion; }
int conform_has_jit(void) { return embed::HasJit() ? 1 : 0; }
const char* conform_last_error(void) { return g_error.c_str(); }
const char* conform_last_diagnostics_json(void) { return g_diags_json.c_str(); }
void conform_free(void* p) { std::free(p); }

conform_status conform_engine_open(const char* options_json, conform_engine** out) {
  return Guard([&] {
    if (!out) return NullArg("out");
    *out = nullptr;
    Options o;
    embed::CatalogueOptions co;
    if (!o.Parse(options_json, {"plugin_dirs", "use_env", "use_installed"}) || !o.Strings("plugin_dirs", co.plugin_dirs) ||
        !o.Bool("use_env", co.use_env) || !o.Bool("use_installed", co.use_installed))
      return Fail(CONFORM_ERROR_ARGUMENT, o.error);
    auto e = std::make_unique<conform_engine>();
    e->engine = std::make_unique<embed::Engine>(co);
    *out = e.release();
    return Ok();
  });
}

void conform_engine_free(conform_engine* engine) { delete engine; }

conform_status conform_engine_catalogue_json(const conform_engine* engine, char** out_json) {
  return Guard([&] {
    if (!engine) return NullArg("engine");
    if (!out_json) return NullArg("out_json");
    std::string out = "[";
    for (const auto& p : engine->engine->catalogue().plugins())
      out += fmt::format("{}{{\"id\":{},\"kind\":{},\"edition\":{},\"version\":{},\"title\":{},\"dir\":{}}}",
                         out.size() > 1 ? "," : "", runtime::JsonQuote(p.id), runtime::JsonQuote(p.kind),
                         runtime::JsonQuote(p.edition), runtime::JsonQuote(p.version.Text()),
                         runtime::JsonQuote(p.title), runtime::JsonQuote(p.dir));
    *out_json = Dup(out + "]");
    return Ok();
  });
}

conform_status conform_compile(const conform_engine* engine, const char* const* standards, size_t count,
                               const char* options_json, conform_rules** out) {
  return Guard([&] {
    if (!out) return NullArg("out");
    *out = nullptr;
    if (!engine) return NullArg("engine");
    if (count && !standards) return NullArg("standards");
    std::vector<std::string> ids;
    for (size_t i = 0; i < count; ++i) {
      if (!standards[i]) return NullArg("standards[i]");
      ids.emplace_back(standards[i]);
    }
    Options o;
    embed::CompileOptions co;
    std::string eng = "jit";
    int64_t as_of = 0;
    if (!o.Parse(options_json, {"engine", "cache", "cache_dir", "as_of"}) || !o.String("engine", eng) ||
        !o.Bool("cache", co.use_cache) || !o.String("cache_dir", co.cache_dir) || !o.AsOf(as_of))
      return Fail(CONFORM_ERROR_ARGUMENT, o.error);
    if (eng != "jit" && eng != "interp")
      return Fail(CONFORM_ERROR_ARGUMENT, fmt::format("error[E1204]: unknown engine `{}`\n  = help: use jit or interp", eng));
    co.engine = eng == "interp" ? runtime::Engine::Interp : runtime::Engine::Jit;
    co.as_of = as_of;
    auto rules = engine->engine->Compile(ids, co);
    if (!rules->ok()) {
      Diagnostics errs = embed::ErrorsOnly(rules->diags());
      bool catalogue = !errs.empty() && errs.items().front().code.rfind("E06", 0) == 0;
      return Fail(catalogue ? CONFORM_ERROR_CATALOGUE : CONFORM_ERROR_COMPILE, errs, rules->sources());
    }
    auto r = std::make_unique<conform_rules>();
    r->rules = rules;
    for (const auto& p : rules->programs()) r->ids.push_back(p->standard);
    *out = r.release();
    return Ok();
  });
}

void conform_rules_free(conform_rules* rules) { delete rules; }
size_t conform_rules_standard_count(const conform_rules* rules) { return rules ? rules->ids.size() : 0; }
const char* conform_rules_standard(const conform_rules* rules, size_t index) {
  return rules && index < rules->ids.size() ? rules->ids[index].c_str() : nullptr;
}
const char* conform_rules_engine(const conform_rules* rules) {
  return rules ? runtime::EngineName(rules->rules->engine()) : nullptr;
}

namespace {
conform_status LoadWith(const conform_rules* rules, const char* options_json, conform_evidence** out,
                        const std::function<std::unique_ptr<embed::Evidence>(const runtime::LoadOptions&)>& load) {
  if (!out) return NullArg("out");
  *out = nullptr;
  if (!rules) return NullArg("rules");
  Options o;
  std::string format = "auto";
  runtime::LoadOptions lo;
  lo.keep_positions = true;  // evidence lines in reports, as the CLI
  if (!o.Parse(options_json, {"format", "strict", "positions"}) || !o.String("format", format) ||
      !o.Bool("strict", lo.unknown_fields_are_errors) || !o.Bool("positions", lo.keep_positions))
    return Fail(CONFORM_ERROR_ARGUMENT, o.error);
  if (format == "yaml") lo.format = runtime::EvidenceFormat::Yaml;
  else if (format == "json") lo.format = runtime::EvidenceFormat::Json;
  else if (format != "auto")
    return Fail(CONFORM_ERROR_ARGUMENT, fmt::format("error[E1204]: unknown format `{}`\n  = help: use auto, yaml or json", format));
  auto ev = load(lo);
  if (!ev->ok()) return Fail(CONFORM_ERROR_EVIDENCE, ev->diags(), ev->sources());
  auto e = std::make_unique<conform_evidence>();
  e->rules = rules->rules;
  e->evidence = std::move(ev);
  *out = e.release();
  return Ok();
}
}  // namespace

conform_status conform_evidence_load_file(const conform_rules* rules, const char* path, const char* options_json,
                                          conform_evidence** out) {
  return Guard([&] {
    if (!path) return NullArg("path");
    return LoadWith(rules, options_json, out, [&](const runtime::LoadOptions& lo) { return rules->rules->LoadFile(path, lo); });
  });
}

conform_status conform_evidence_load_string(const conform_rules* rules, const char* text, size_t length,
                                            const char* name, const char* options_json, conform_evidence** out) {
  return Guard([&] {
    if (!text && length) return NullArg("text");
    return LoadWith(rules, options_json, out, [&](const runtime::LoadOptions& lo) {
      return rules->rules->LoadText(name ? name : "<string>", std::string(text ? text : "", length), lo);
    });
  });
}

void conform_evidence_free(conform_evidence* evidence) { delete evidence; }

conform_status conform_evidence_diagnostics_json(const conform_evidence* evidence, char** out_json) {
  return Guard([&] {
    if (!evidence) return NullArg("evidence");
    if (!out_json) return NullArg("out_json");
    *out_json = Dup(DiagnosticsJson(evidence->evidence->diags(), &evidence->evidence->sources()));
    return Ok();
  });
}


conform_status conform_evaluate(const conform_rules* rules, conform_evidence* evidence, const char* options_json,
                                conform_report** out) {
  return Guard([&] {
    if (auto st = CheckHandles(rules, evidence, out, "evaluates")) return st;
    Options o;
    int64_t as_of = 0;
    bool explain = true;
    std::vector<runtime::ParamOverride> params;
    std::string deviations;
    if (!o.Parse(options_json, {"as_of", "params", "explain", "deviations"}) || !o.AsOf(as_of) ||
        !o.Bool("explain", explain) || !o.Params(params) || !o.String("deviations", deviations))
      return Fail(CONFORM_ERROR_ARGUMENT, o.error);
    auto r = std::make_unique<conform_report>();
    r->rules = rules->rules;
    r->evidence = evidence->evidence;
    r->eval = rules->rules->Evaluate(*evidence->evidence, as_of, params, explain);
    if (!r->eval.ok) return Fail(CONFORM_ERROR_PARAMETER, r->eval.diags, evidence->evidence->sources());
    if (!deviations.empty() && !r->eval.AcceptDeviations(deviations, r->deviation_sources, r->deviation_diags))
      return Fail(CONFORM_ERROR_EVIDENCE, r->deviation_diags, r->deviation_sources);
    for (const auto& rep : r->eval.reports) r->editions.push_back(rep.program->Meta("edition"));
    *out = r.release();
    return Ok();
  });
}

void conform_report_free(conform_report* report) { delete report; }
int conform_report_conforms(const conform_report* report) { return report && report->eval.Conforms() ? 1 : 0; }

namespace {
// The report in one of the formats of `conform check --format` (runtime/report's writers).
conform_status Render(const conform_report* report, const std::string& format, bool color, char** out) {
  if (!report) return NullArg("report");
  if (!out) return NullArg("out");
  *out = nullptr;
  auto f = runtime::ParseFormat(format);
  if (!f || *f == runtime::Format::Xlsx) {
    std::string names;
    for (const auto& n : runtime::FormatNames())
      if (n != "xlsx") names += (names.empty() ? "" : ", ") + n;
    return Fail(CONFORM_ERROR_ARGUMENT, fmt::format("error[E1204]: unknown format `{}`\n  = help: the formats are: {}", format, names));
  }
  std::lock_guard<std::mutex> lock(report->mu);
  runtime::Assessment a = report->eval.Assess(report->evidence->document());
  std::string text;
  switch (*f) {
    case runtime::Format::Text: {
      runtime::TextOptions to;
      to.color = color;
      text = runtime::WriteText(a, to);
      break;
    }
    case runtime::Format::Json: text = runtime::WriteJson(a); break;
    case runtime::Format::Html: text = runtime::WriteHtml(a); break;
    case runtime::Format::Junit: text = runtime::WriteJunit(a); break;
    case runtime::Format::Sarif: text = runtime::WriteSarif(a); break;
    case runtime::Format::Oscal: text = runtime::WriteOscal(a); break;
    case runtime::Format::Csv: text = runtime::WriteCsv(a); break;
    case runtime::Format::Markdown: text = runtime::WriteMarkdown(a); break;
    case runtime::Format::Xlsx: break;
  }
  *out = Dup(text);
  return Ok();
}
}  // namespace

conform_status conform_report_json(const conform_report* report, char** out_json) {
  return Guard([&] { return Render(report, "json", false, out_json); });
}

conform_status conform_report_text(const conform_report* report, int color, char** out_text) {
  return Guard([&] { return Render(report, "text", color != 0, out_text); });
}

conform_status conform_report_render(const conform_report* report, const char* format, char** out) {
  return Guard([&] {
    if (!format) return NullArg("format");
    return Render(report, format, false, out);
  });
}

size_t conform_report_standard_count(const conform_report* report) {
  return report ? report->eval.reports.size() : 0;
}

conform_status conform_report_standard(const conform_report* report, size_t standard, conform_standard* out) {
  return Guard([&] {
    if (!out) return NullArg("out");
    const runtime::StandardReport* r = Report(report, standard);
    if (!r) return report ? OutOfRange("standard", standard, report->eval.reports.size()) : NullArg("report");
    const ir::Program& p = *r->program;
    out->id = p.standard.c_str();
    out->title = p.title.c_str();
    out->edition = report->editions[standard].c_str();
    out->requirement_count = p.requirements.size();
    out->clause_count = p.clauses.size();
    Fill(out->summary, r->summary);
    return Ok();
  });
}

conform_status conform_report_requirement(const conform_report* report, size_t standard, size_t index,
                                          conform_requirement* out) {
  return Guard([&] {
    if (!out) return NullArg("out");
    const runtime::StandardReport* r = Report(report, standard);
    if (!r) return report ? OutOfRange("standard", standard, report->eval.reports.size()) : NullArg("report");
    const ir::Program& p = *r->program;
    if (index >= p.requirements.size()) return OutOfRange("requirement", index, p.requirements.size());
    const ir::Requirement& req = p.requirements[index];
    const RequirementResult& res = r->results[index];
    out->id = req.id.c_str();
    out->clause = req.clause.c_str();
    out->verdict = VerdictName(res.verdict);
    out->verdict_code = static_cast<int>(res.verdict);
    out->grade = res.verdict == Verdict::Nonconform ? ir::GradeName(req.grade) : nullptr;
    out->says = req.says.c_str();
    out->message = res.message.c_str();
    out->witness = res.witness.c_str();
    out->fact_count = res.facts.size();
    return Ok();
  });
}

conform_status conform_report_fact(const conform_report* report, size_t standard, size_t requirement, size_t index,
                                   conform_fact* out) {
  return Guard([&] {
    if (!out) return NullArg("out");
    const runtime::StandardReport* r = Report(report, standard);
    if (!r) return report ? OutOfRange("standard", standard, report->eval.reports.size()) : NullArg("report");
    if (requirement >= r->results.size()) return OutOfRange("requirement", requirement, r->results.size());
    const auto& facts = r->results[requirement].facts;
    if (index >= facts.size()) return OutOfRange("fact", index, facts.size());
    out->expr = facts[index].expr.c_str();
    out->value = facts[index].value.c_str();
    out->path = facts[index].path.c_str();
    return Ok();
  });
}

conform_status conform_report_clause(const conform_report* report, size_t standard, size_t index, conform_clause* out) {
  return Guard([&] {
    if (!out) return NullArg("out");
    const runtime::StandardReport* r = Report(report, standard);
    if (!r) return report ? OutOfRange("standard", standard, report->eval.reports.size()) : NullArg("report");
    if (index >= r->clauses.size()) return OutOfRange("clause", index, r->clauses.size());
    const runtime::ClauseRollup& c = r->clauses[index];
    out->number = c.number.c_str();
    out->title = c.title.c_str();
    out->depth = c.depth;
    out->verdict = VerdictName(c.verdict);
    out->verdict_code = static_cast<int>(c.verdict);
    Fill(out->counts, c.counts);
    return Ok();
  });
}

conform_status conform_report_diagnostics_json(const conform_report* report, char** out_json) {
  return Guard([&] {
    if (!report) return NullArg("report");
    if (!out_json) return NullArg("out_json");
    const auto* ev = report->eval.evidence;
    std::string json = DiagnosticsJson(report->eval.diags, ev ? &ev->sources() : nullptr);
    if (!report->deviation_diags.empty()) {  // then the deviations file's warnings
      std::string more = DiagnosticsJson(report->deviation_diags, &report->deviation_sources);
      json = json.size() > 2 ? json.substr(0, json.size() - 1) + "," + more.substr(1) : more;
    }
    *out_json = Dup(json);
    return Ok();
  });
}

conform_status conform_check_batch(const conform_rules* rules, const char* ndjson, size_t length,
                                   const char* options_json, char** out_ndjson, conform_batch_stats* stats) {
  return Guard([&] {
    if (!rules) return NullArg("rules");
    if (!out_ndjson) return NullArg("out_ndjson");
    if (!ndjson && length) return NullArg("ndjson");
    *out_ndjson = nullptr;
    Options o;
    int64_t as_of = 0;
    std::vector<runtime::ParamOverride> params;
    uint64_t threads = 0, first_line = 1;
    std::string source = "<batch>";
    if (!o.Parse(options_json, {"as_of", "params", "threads", "first_line", "source_name"}) || !o.AsOf(as_of) ||
        !o.Params(params) || !o.UInt("threads", threads) || !o.UInt("first_line", first_line) ||
        !o.String("source_name", source))
      return Fail(CONFORM_ERROR_ARGUMENT, o.error);
    runtime::BatchJob job = rules->rules->BatchJob(as_of, params, static_cast<unsigned>(threads));
    job.source_name = source;
    job.first_line = first_line ? first_line : 1;
    std::istringstream in(std::string(ndjson ? ndjson : "", length));
    std::ostringstream out;
    runtime::BatchStats st = runtime::RunBatch(in, out, job);
    if (stats) *stats = {st.lines, st.ok, st.errors, st.not_conforming, st.seconds};
    *out_ndjson = Dup(out.str());
    return Ok();
  });
}

// ---- certification

namespace {
// The certify options shared by conform_certify and conform_certify_plan.
bool CertifyOptionsFrom(Options& o, const char* json, embed::CertifyOptions& co) {
  return o.Parse(json, {"standard", "as_of", "params", "sites", "risk_increase", "met", "not_met", "rules"}) &&
         o.String("standard", co.standard) && o.AsOf(co.as_of) && o.Params(co.params) && o.Int("sites", co.sites) &&
         o.Int("risk_increase", co.risk_increase) && o.Strings("met", co.met) && o.Strings("not_met", co.not_met) &&
         o.Bool("rules", co.show_rules);
}

// The status of a failed certify, from its first error: options (E12xx), parameters (E07xx),
// the certification records (E10xx: evidence).
conform_status CertifyStatus(const Diagnostics& d) {
  for (const auto& x : d.items()) {
    if (x.severity != Severity::Error) continue;
    if (x.code.rfind("E07", 0) == 0) return CONFORM_ERROR_PARAMETER;
    if (x.code.rfind("E10", 0) == 0) return CONFORM_ERROR_EVIDENCE;
    return CONFORM_ERROR_ARGUMENT;
  }
  return CONFORM_ERROR_INTERNAL;
}

conform_status Finish(embed::Certification&& c, const SourceManager& sm, conform_certification** out) {
  if (!c.ok) return Fail(CertifyStatus(c.diags), c.diags, sm);
  auto h = std::make_unique<conform_certification>();
  h->cert = std::move(c);
  *out = h.release();
  return Ok();
}
}  // namespace

conform_status conform_certify(const conform_rules* rules, conform_evidence* evidence, const char* options_json,
                               conform_certification** out) {
  return Guard([&] {
    if (auto st = CheckHandles(rules, evidence, out, "certifies")) return st;
    Options o;
    embed::CertifyOptions co;
    if (!CertifyOptionsFrom(o, options_json, co)) return Fail(CONFORM_ERROR_ARGUMENT, o.error);
    embed::Certification c = embed::Certify(*rules->rules, *evidence->evidence, co);
    return Finish(std::move(c), evidence->evidence->sources(), out);
  });
}

conform_status conform_certify_plan(const char* options_json, conform_certification** out) {
  return Guard([&] {
    if (!out) return NullArg("out");
    *out = nullptr;
    Options o;
    embed::CertifyOptions co;
    if (!CertifyOptionsFrom(o, options_json, co)) return Fail(CONFORM_ERROR_ARGUMENT, o.error);
    return Finish(embed::PlanSampling(co), SourceManager(), out);
  });
}

void conform_certification_free(conform_certification* c) { delete c; }

int conform_certification_active(const conform_certification* c) { return c && c->cert.Active() ? 1 : 0; }

conform_status conform_certification_json(const conform_certification* c, char** out_json) {
  return Guard([&] {
    if (!c) return NullArg("certification");
    if (!out_json) return NullArg("out_json");
    *out_json = Dup(embed::RenderJson(c->cert));
    return Ok();
  });
}

conform_status conform_certification_text(const conform_certification* c, int color, size_t max_items, char** out_text) {
  return Guard([&] {
    if (!c) return NullArg("certification");
    if (!out_text) return NullArg("out_text");
    embed::RenderOptions ro;
    ro.color = color != 0;
    ro.max_items = max_items;
    *out_text = Dup(embed::RenderText(c->cert, ro));
    return Ok();
  });
}

conform_status conform_certification_summary_get(const conform_certification* c, conform_certification_summary* out) {
  return Guard([&] {
    if (!c) return NullArg("certification");
    if (!out) return NullArg("out");
    namespace lc = runtime::lifecycle;
    const lc::CertifyReport& r = c->cert.report;
    *out = {};
    out->standard = r.standard.c_str();
    lc::State state = r.records.empty() ? lc::State::None : r.records.back().status.state;
    for (const auto& rec : r.records)  // the current record, as conform_certification_active judges it
      if (rec.status.state != lc::State::Transferred && rec.status.state != lc::State::None) state = rec.status.state;
    out->state = lc::StateName(state);
    out->stage1 = lc::ReadinessName(r.readiness ? r.readiness->stage1.verdict : lc::Readiness::NotAssessed);
    out->stage2 = lc::ReadinessName(r.readiness ? r.readiness->stage2.verdict : lc::Readiness::NotAssessed);
    out->records = r.records.size();
    for (const auto& rec : r.records) {
      out->deadlines += rec.status.deadlines.size();
      for (const auto& d : rec.status.deadlines) out->overdue += d.status == lc::DueStatus::Overdue;
      out->irregularities += rec.status.irregularities.size();
    }
    out->sampling_sites = r.sampling ? r.sampling->n : 0;
    out->active = c->cert.Active() ? 1 : 0;
    return Ok();
  });
}

}  // extern "C"
