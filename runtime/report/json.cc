// `--format json` and the batch NDJSON records: the Assessment through the one JSON writer.
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <fmt/format.h>

#include "conform/compiler/calendar.h"
#include "conform/runtime/results.h"
#include "json_writer.h"

namespace conform::runtime {

namespace {
// The position of the first character at or after `i` that JSON must escape (a control
// character, `"` or `\`), or `n`. Sixteen bytes at a time where SSE2 is there (every x86-64).
size_t NextToEscape(const char* p, size_t i, size_t n) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), control = _mm_set1_epi8(0x1f);
  for (; i + 16 <= n; i += 16) {
    __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    __m128i low = _mm_cmpeq_epi8(_mm_subs_epu8(x, control), _mm_setzero_si128());  // x <= 0x1f
    __m128i hit = _mm_or_si128(low, _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)));
    if (unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(hit))) return i + static_cast<size_t>(__builtin_ctz(mask));
  }
#endif
  for (; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(p[i]);
    if (c < 0x20 || c == '"' || c == '\\') return i;
  }
  return n;
}
}  // namespace

void AppendJsonQuoted(std::string& out, std::string_view s) {
  out += '"';
  size_t run = 0;  // start of the pending run of characters that need no escape
  for (size_t i = NextToEscape(s.data(), 0, s.size()); i < s.size(); i = NextToEscape(s.data(), i + 1, s.size())) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: out += fmt::format("\\u{:04x}", c);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

std::string JsonQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  AppendJsonQuoted(out, s);
  return out;
}

namespace {

using detail::JsonWriter;

void WriteCounts(JsonWriter& w, const Counts& c) {
  w.Object()
      .KInt("requirements", c.total())
      .KInt("conform", c.conform)
      .KInt("nonconform", c.nonconform)
      .KInt("major", c.major)
      .KInt("minor", c.minor)
      .KInt("observation", c.observation)
      .KInt("not_evidenced", c.not_evidenced)
      .KInt("not_applicable", c.not_applicable)
      .KInt("blocked", c.blocked)
      .EndObject();
}

void WritePos(JsonWriter& w, const EvidencePos& p) {
  if (!p.valid()) {
    w.Null();
    return;
  }
  w.Object().KInt("line", p.line).KInt("column", p.col).EndObject();
}

// `brief`: the batch record's requirement (no statement, evidence positions, actions; facts
// only when there are some).
void WriteRequirement(JsonWriter& w, const RequirementRow& r, bool brief) {
  w.Object();
  if (!brief) w.KStr("standard", r.standard);
  w.KStr("clause", r.clause).KStr("id", r.id);
  if (!brief) w.KStr("origin", r.origin).KStr("declared_in", r.declared_in).Key("amended_by").Strs(r.amended_by);
  w.KStr("verdict", VerdictName(r.verdict));
  w.Key("grade");
  if (auto g = r.grade()) w.Str(ir::GradeName(*g));
  else w.Null();
  if (!brief) w.KStr("declared_grade", ir::GradeName(r.declared_grade));
  w.KStrOrNull("message", r.message);
  if (!brief || !r.blocked_by.empty()) w.KStrOrNull("blocked_by", r.blocked_by);
  if (!brief) {
    w.KStr("says", r.says).KStr("statement", r.statement).KStrOrNull("witness", r.witness);
    w.Key("location");
    WritePos(w, r.location);
  }
  if (!brief || !r.facts.empty()) {
    w.Key("facts").Array();
    for (const FactRow& f : r.facts) {
      w.Object().KStr("expr", f.expr).KStr("value", f.value).KStrOrNull("path", f.path);
      if (!brief) {
        w.KStrOrNull("words", f.words);
        w.Key("location");
        WritePos(w, f.pos);
      }
      w.EndObject();
    }
    w.EndArray();
  }
  if (!brief) {
    w.Key("offenders").Array();
    for (const Offender& o : r.offenders) {
      w.Object().KStr("path", o.path).KStrOrNull("label", o.label).Key("location");
      WritePos(w, o.pos);
      w.EndObject();
    }
    w.EndArray();
    w.Key("actions").Array();
    for (const ActionItem& x : r.actions)
      w.Object()
          .KStr("nonconformity", x.nonconformity)
          .KStrOrNull("action", x.action)
          .KStrOrNull("description", x.description)
          .KStrOrNull("owner", x.owner)
          .KDate("due", x.due)
          .EndObject();
    w.EndArray();
    w.Key("deviation");
    if (r.deviation)
      w.Object()
          .KStr("justification", r.deviation->justification)
          .KStr("approver", r.deviation->approver)
          .KDate("accepted_until", r.deviation->accepted_until)
          .EndObject();
    else
      w.Null();
  }
  w.EndObject();
}

void WriteStandard(JsonWriter& w, const StandardResults& s, bool brief) {
  w.Object().KStr("standard", s.id);
  if (!brief) w.KStr("title", s.title).KStr("edition", s.edition);
  w.Key("summary");
  WriteCounts(w, s.summary);
  if (!brief) {
    w.KInt("accepted", s.accepted);
    if (!s.layers.empty()) {
      w.Key("layers").Array();
      for (const auto& l : s.layers) w.Object().KStr("id", l.id).KStr("title", l.title).KStr("edition", l.edition).EndObject();
      w.EndArray();
      w.Key("summary_by_origin").Object();
      for (const auto& [origin, counts] : s.by_origin) {
        w.Key(origin);
        WriteCounts(w, counts);
      }
      w.EndObject();
      w.Key("parameters_set").Array();
      for (const auto& ps : s.parameters_set)
        w.Object()
            .KStr("name", ps.name)
            .KStr("declared_in", ps.declared_in)
            .KStr("set_by", ps.set_by)
            .KStr("value", ps.value)
            .KStr("base_value", ps.base_value)
            .EndObject();
      w.EndArray();
    }
    w.Key("readiness")
        .Object()
        .KStr("verdict", s.readiness.verdict)
        .KInt("predicted_majors", s.readiness.majors)
        .KInt("predicted_minors", s.readiness.minors)
        .KInt("minors_with_plan", s.readiness.minors_planned)
        .KInt("not_evidenced", s.readiness.not_evidenced)
        .KInt("blocked", s.readiness.blocked)
        .EndObject();
    w.Key("clauses").Array();
    for (const ClauseRow& c : s.clauses) {
      w.Object().KStr("clause", c.number).KStr("title", c.title);
      if (!c.origin.empty()) w.KStr("origin", c.origin);
      w.KStr("verdict", VerdictName(c.verdict)).Key("counts");
      WriteCounts(w, c.counts);
      w.EndObject();
    }
    w.EndArray();
  }
  w.Key("requirements").Array();
  for (const RequirementRow& r : s.requirements) WriteRequirement(w, r, brief);
  w.EndArray();
  if (!s.warnings.empty()) {
    w.Key("warnings").Array();
    for (const auto& [code, message] : s.warnings) w.Object().KStr("code", code).KStr("message", message).EndObject();
    w.EndArray();
  }
  w.EndObject();
}

void WriteOrganization(JsonWriter& w, const AssessmentInfo& i) {
  w.Key("organization")
      .Object()
      .KStrOrNull("name", i.organization)
      .KStrOrNull("legal_entity", i.legal_entity)
      .Key("scope")
      .Strs(i.scope)
      .KStrOrNull("assessor", i.assessor)
      .EndObject();
}

}  // namespace

std::string WriteJson(const Assessment& a) {
  JsonWriter w(false);
  w.Object()
      .KStr("conform_version", a.info.version)
      .KStr("evidence", a.info.evidence_path)
      .KStr("as_of", cal::FormatDate(a.info.as_of))
      .KStr("engine", a.info.engine);
  WriteOrganization(w, a.info);
  w.Key("standards").Array();
  for (const StandardResults& s : a.standards) WriteStandard(w, s, false);
  w.EndArray();
  if (a.has_evidence_usage) {
    w.Key("evidence_usage").Array();
    for (const EvidenceUse& u : a.evidence_usage) {
      w.Object().KStr("path", u.path).KStrOrNull("label", u.label).Key("served").Array();
      for (const auto& [standard, clauses] : u.served) w.Object().KStr("standard", standard).Key("clauses").Strs(clauses).EndObject();
      w.EndArray().EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return w.Take();
}

std::string WriteJsonRecord(size_t line, const Assessment& a) {
  JsonWriter w(false);
  w.Object().KInt("line", static_cast<int64_t>(line));
  if (!a.info.organization.empty()) w.KStr("organization", a.info.organization);
  w.Key("standards").Array();
  for (const StandardResults& s : a.standards) WriteStandard(w, s, true);
  w.EndArray().EndObject();
  return w.TakeRaw();
}

}  // namespace conform::runtime
