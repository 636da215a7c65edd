// Text and JSON output of `conform certify`: state, timeline, deadlines, irregularities,
// readiness (a prediction) and multi-site sampling, with the attestation kind in both.
#include <fmt/format.h>

#include "conform/runtime/lifecycle.h"
#include "../report/json_writer.h"

namespace conform::runtime::lifecycle {
namespace {

using detail::JsonWriter;

std::string D(Date d) { return cal::FormatDate(d); }

struct Paint {
  bool on;
  std::string operator()(const char* code, const std::string& s) const {
    return on ? fmt::format("\x1b[{}m{}\x1b[0m", code, s) : s;
  }
};

const char* StateColor(State s) {
  switch (s) {
    case State::Active: return "32";
    case State::Suspended:
    case State::Expired:
    case State::Withdrawn:
    case State::Refused: return "31";
    default: return "33";
  }
}

const char* ReadinessColor(Readiness r) {
  return r == Readiness::Ready ? "32" : r == Readiness::NotReady ? "31" : "33";
}

// "6 months", "3 years"; empty when the rule has no fixed limit.
std::string LimitText(const cal::Duration& d) {
  if (!d.months && !d.days) return {};
  if (!d.days && d.months > 12 && d.months % 12 == 0) return fmt::format("{} year{}", d.months / 12, d.months == 12 ? "" : "s");
  return cal::FormatDuration(d);
}

std::string Pad(const std::string& s, size_t n) { return s.size() >= n ? s + " " : s + std::string(n - s.size(), ' '); }

const char* kPrediction =
    "a prediction from the standard's own verdicts: the grades are the rule authors' predictions; the certification body's auditor "
    "decides";
const char* kPredictionAccreditation =
    "a prediction from the standard's own verdicts: the grades are the rule authors' predictions; the accreditation body's assessors "
    "decide";

void AttestationJson(JsonWriter& j, Attestation a) {
  j.Key("attestation").Object();
  j.KStr("kind", AttestationName(a));
  j.KStr("label", AttestationLabel(a));
  j.KStr("basis", AttestationBasis(a));
  if (auto aliases = AttestationAliases(a); !aliases.empty()) j.Key("aliases").Strs(aliases);
  j.EndObject();
}

void RuleJson(JsonWriter& j, const TimingRule& r) {
  j.Object();
  j.KStr("id", r.id);
  j.KStr("key", r.key);
  j.KStr("rule", r.summary);
  j.KStr("anchor", r.anchor);
  j.Key("limit");
  if (std::string l = LimitText(r.limit); !l.empty()) j.Str(l);
  else j.Null();
  j.KStr("source", r.source);
  j.KStr("basis", BasisName(r.basis));
  j.EndObject();
}

void SamplingJson(JsonWriter& j, const sampling::Plan& p, const std::string& origin) {
  j.Key("sampling").Object();
  j.KStr("source", p.source);
  j.KStr("origin", origin);
  j.KInt("sites", p.n);
  j.KInt("risk_increase", p.risk_increase);
  j.KStr("mode", sampling::ModeName(p.mode));
  j.KBool("eligibility_known", p.eligibility_known);
  j.Key("conditions").Array();
  for (const auto& c : sampling::Conditions()) {
    const auto& v = p.eligibility[static_cast<size_t>(c.condition)];
    j.Object().KStr("condition", c.key).KStr("text", c.text);
    j.Key("met");
    if (v) j.Bool(*v);
    else j.Null();
    j.EndObject();
  }
  j.EndArray();
  j.Key("visits").Array();
  for (const auto& v : p.visits) {
    j.Object();
    j.KStr("audit", sampling::AuditTypeName(v.type));
    j.KInt("minimum", v.minimum);
    j.KInt("sites", v.sites);
    j.KBool("central_function", v.central_function);
    j.KInt("total", v.total);
    j.KStr("formula", v.formula);
    j.EndObject();
  }
  j.EndArray();
  j.Key("notes").Strs(p.notes);
  j.EndObject();
}

void ItemsJson(JsonWriter& j, const char* key, const std::vector<ReadinessItem>& items) {
  j.Key(key).Array();
  for (const auto& it : items) {
    j.Object();
    j.KStr("clause", it.clause);
    j.KStr("requirement", it.requirement);
    j.KStr("predicted_grade", it.grade);
    j.KStr("message", it.message);
    if (it.grade == "minor") j.KBool("corrective_action_planned", it.planned);
    j.EndObject();
  }
  j.EndArray();
}

void GateJson(JsonWriter& j, const char* key, const GateReadiness& g) {
  j.Key(key).Object();
  j.KStr("verdict", ReadinessName(g.verdict));
  j.KStr("summary", g.summary);
  ItemsJson(j, "predicted_major", g.majors);
  ItemsJson(j, "predicted_minor", g.minors);
  j.KInt("minors_with_plan", g.minors_planned);
  ItemsJson(j, "not_evidenced", g.not_evidenced);
  ItemsJson(j, "blocked", g.blocked);
  j.Key("recorded_findings").Strs(g.recorded);
  j.EndObject();
}

void Items(std::string& out, const std::vector<ReadinessItem>& items, const char* mark, size_t max, const Paint& paint) {
  size_t shown = 0;
  for (const auto& it : items) {
    if (max && shown == max) {
      out += fmt::format("      … and {} more\n", items.size() - shown);
      break;
    }
    ++shown;
    // ✗ findings carry their grade (and, minors, their plan); ? and ⊘ are not findings.
    bool finding = std::string(mark) == "✗";
    std::string grade = finding && (it.grade == "major" || it.grade == "minor") ? fmt::format("[{}] ", it.grade) : "";
    out += fmt::format("      {} {}{} {}{}{}\n", paint(finding ? "31" : std::string(mark) == "?" ? "33" : "35", mark), grade, it.clause,
                       it.requirement, it.message.empty() ? "" : " — " + it.message,
                       it.grade == "minor" && finding ? (it.planned ? " (corrective action planned)" : " (no plan)") : "");
  }
}

void Gate(std::string& out, const char* name, const GateReadiness& g, const RenderOptions& o, const Paint& paint) {
  out += fmt::format("  {}: {} — {}\n", name, paint(ReadinessColor(g.verdict), ReadinessLabel(g.verdict)), g.summary);
  for (const auto& r : g.recorded) out += fmt::format("      ! recorded by the certification body: {}\n", r);
  Items(out, g.majors, "✗", o.max_items, paint);
  Items(out, g.minors, "✗", o.max_items, paint);
  Items(out, g.not_evidenced, "?", o.max_items, paint);
  Items(out, g.blocked, "⊘", o.max_items, paint);
}

}  // namespace

std::string RenderRulesText() {
  std::string out = "timing and decision rules of the certification lifecycle\n";
  for (const auto& r : TimingRules()) {
    out += fmt::format("  {:<4} {} — {}\n", r.id, r.key, r.summary);
    std::string limit = LimitText(r.limit);
    out += fmt::format("       {} · source: {} ({})\n",
                       limit.empty() ? fmt::format("no fixed limit; anchor: {}", r.anchor) : fmt::format("limit: {} after the {}", limit, r.anchor),
                       r.source, BasisName(r.basis));
  }
  return out;
}

std::string RenderSamplingText(const sampling::Plan& p, const std::string& origin) {
  std::string out = fmt::format("multi-site sampling per {} — {} site{} besides the central function ({})\n", p.source, p.n,
                                p.n == 1 ? "" : "s", origin);
  const char* mode = p.mode == sampling::Mode::Sampling     ? "sampling applies"
                     : p.mode == sampling::Mode::NoSampling ? "multi-site, but sampling is not appropriate"
                                                            : "not eligible as a multi-site organization";
  out += fmt::format("  eligibility: {}{}\n", mode, p.eligibility_known ? "" : " (some conditions unknown)");
  for (const auto& c : sampling::Conditions()) {
    const auto& v = p.eligibility[static_cast<size_t>(c.condition)];
    out += fmt::format("    {} {} — {}\n", !v ? "?" : *v ? "✓" : "✗", c.key, c.text);
  }
  out += fmt::format("  {:<17}{:>8}{:>20}   {}\n", "audit", "sites", "+ central function", "minimum");
  for (const auto& v : p.visits)
    out += fmt::format("  {:<17}{:>8}{:>20}   {}\n", sampling::AuditTypeName(v.type), v.sites, v.central_function ? v.total : v.sites,
                       v.formula + (v.sites > v.minimum ? fmt::format(" (+{} for risk)", v.sites - v.minimum) : ""));
  for (const auto& n : p.notes) out += fmt::format("  · {}\n", n);
  return out;
}

std::string RenderText(const CertifyReport& r, const RenderOptions& o) {
  Paint paint{o.color};
  std::string out;
  const bool accreditation = r.attestation == Attestation::Accreditation;
  out += fmt::format("{} — {} as of {}\n", r.standard, accreditation ? "accreditation readiness" : "certification lifecycle", D(r.as_of));
  if (!r.evidence.empty()) out += fmt::format("evidence {}\n", r.evidence);
  out += fmt::format("attestation: {} — {}\n", AttestationLabel(r.attestation), AttestationBasis(r.attestation));
  if (r.attestation == Attestation::Accreditation)
    out += "  (a body is accredited to this standard, not certified: the ISO/IEC 17021-1 certification lifecycle does not apply)\n";
  if (!r.evidence.empty() && r.records.empty() && !accreditation)
    out += fmt::format("\nno certification record for {} in the evidence (`certification_history`): state {}\n", r.standard,
                       StateLabel(State::None));
  for (const auto& rec : r.records) {
    const History& h = rec.history;
    const Status& s = rec.status;
    out += fmt::format("\nrecord {} · {}{} · certification body {}{}\n", h.id, h.standard, h.edition ? " (edition " + *h.edition + ")" : "",
                       h.certification_body,
                       h.accreditation_body ? fmt::format(" (accredited by {})", *h.accreditation_body)
                       : h.accredited && !*h.accredited ? " (not accredited)"
                                                         : "");
    out += fmt::format("  state: {}\n", paint(StateColor(s.state), StateLabel(s.state)));
    for (const auto& reason : s.reasons) out += fmt::format("    {}\n", reason);
    if (s.continues_since)
      out += fmt::format("    continues the cycle of record {} ({}), transferred {} [T17c]\n", s.continues_record, s.continues_body,
                         D(*s.continues_since));
    if (!s.timeline.empty()) {
      out += "\n  timeline\n";
      for (const auto& t : s.timeline)
        out += fmt::format("    {}  {}{}{}{}\n", D(t.date), Pad(StateLabel(t.state), 17), t.derived ? "! " : "", t.event,
                           t.rule.empty() ? "" : " [" + t.rule + "]");
    }
    out += "\n  next deadlines\n";
    if (s.deadlines.empty()) out += "    none\n";
    for (const auto& d : s.deadlines)
      out += fmt::format("    {}  {} {} [{}: {}]\n", D(d.due), d.status == DueStatus::Due ? std::string("due    ") : paint("31", "overdue"),
                         d.what, d.rule, Rule(d.rule).source);
    if (!s.irregularities.empty()) {
      out += "\n  irregularities in the recorded history\n";
      for (const auto& i : s.irregularities)
        out += fmt::format("    {}  {} [{}: {}]\n", D(i.date), i.message, i.rule, Rule(i.rule).source);
    }
  }
  if (r.readiness) {
    out += fmt::format("\nreadiness — {}\n", accreditation ? kPredictionAccreditation : kPrediction);
    std::string clauses;
    for (const auto& [num, topic] : r.readiness->stage1_clauses) clauses += (clauses.empty() ? "" : ", ") + num + " " + topic;
    if (!clauses.empty()) out += fmt::format("  documentation-level clauses for stage 1: {}\n", clauses);
    if (r.attestation == Attestation::Accreditation) {
      Gate(out, "accreditation assessment", r.readiness->stage2, o, paint);
    } else {
      Gate(out, "stage 1", r.readiness->stage1, o, paint);
      Gate(out, "stage 2 / decision gate", r.readiness->stage2, o, paint);
    }
  }
  if (r.sampling) out += "\n" + RenderSamplingText(*r.sampling, r.sampling_origin);
  if (r.show_rules) out += "\n" + RenderRulesText();
  return out;
}

std::string RenderJson(const CertifyReport& r) {
  JsonWriter j;
  j.Object();
  if (!r.standard.empty()) j.KStr("standard", r.standard);
  if (!r.title.empty()) j.KStr("title", r.title);
  if (!r.edition.empty()) j.KStr("edition", r.edition);
  if (!r.evidence.empty()) j.KStr("evidence", r.evidence);
  j.KDate("as_of", r.as_of);
  AttestationJson(j, r.attestation);
  j.Key("records").Array();
  for (const auto& rec : r.records) {
    const History& h = rec.history;
    const Status& s = rec.status;
    j.Object();
    j.KStr("id", h.id);
    j.KStr("standard", h.standard);
    j.KOptStr("edition", h.edition);
    j.KStr("certification_body", h.certification_body);
    j.KOptStr("accreditation_body", h.accreditation_body);
    j.Key("accredited");
    if (h.accredited) j.Bool(*h.accredited);
    else j.Null();
    AttestationJson(j, Attestation::Certification);
    j.KStr("state", StateName(s.state));
    j.KStr("state_label", StateLabel(s.state));
    j.Key("reasons").Strs(s.reasons);
    j.Key("continues");
    if (s.continues_since)
      j.Object().KStr("record", s.continues_record).KStr("certification_body", s.continues_body).KDate("transferred", s.continues_since).EndObject();
    else
      j.Null();
    j.Key("cycle").Object();
    j.KDate("initial_decision", s.initial_decision);
    j.KDate("start", s.cycle_start);
    j.KDate("expiry", s.expiry);
    j.Key("certificate");
    if (s.certificate.empty()) j.Null();
    else j.Str(s.certificate);
    j.EndObject();
    j.Key("timeline").Array();
    for (const auto& t : s.timeline) {
      j.Object().KDate("date", t.date).KStr("event", t.event).KStr("state", StateName(t.state));
      j.Key("rule");
      if (t.rule.empty()) j.Null();
      else j.Str(t.rule);
      j.Key("path");
      if (t.path.empty()) j.Null();
      else j.Str(t.path);
      j.KBool("derived", t.derived).EndObject();
    }
    j.EndArray();
    j.Key("deadlines").Array();
    for (const auto& d : s.deadlines)
      j.Object().KStr("rule", d.rule).KStr("what", d.what).KDate("due", d.due).KStr("status", DueStatusName(d.status)).KStr("source", Rule(d.rule).source).EndObject();
    j.EndArray();
    j.Key("irregularities").Array();
    for (const auto& i : s.irregularities) {
      j.Object().KStr("rule", i.rule).KDate("date", i.date).KStr("message", i.message).KStr("source", Rule(i.rule).source);
      j.Key("path");
      if (i.path.empty()) j.Null();
      else j.Str(i.path);
      j.EndObject();
    }
    j.EndArray();
    j.EndObject();
  }
  j.EndArray();
  if (r.readiness) {
    j.Key("readiness").Object();
    j.KBool("prediction", true);
    j.KStr("note", r.attestation == Attestation::Accreditation ? kPredictionAccreditation : kPrediction);
    j.Key("stage1_clauses").Array();
    for (const auto& [num, topic] : r.readiness->stage1_clauses) j.Object().KStr("clause", num).KStr("topic", topic).EndObject();
    j.EndArray();
    GateJson(j, "stage1", r.readiness->stage1);
    GateJson(j, "stage2", r.readiness->stage2);
    j.EndObject();
  }
  if (r.sampling) SamplingJson(j, *r.sampling, r.sampling_origin);
  j.Key("rules").Array();
  for (const auto& rule : TimingRules()) RuleJson(j, rule);
  j.EndArray();
  j.EndObject();
  return j.Take();
}

}  // namespace conform::runtime::lifecycle
