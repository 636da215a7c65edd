// `--format oscal`: an OSCAL 1.0.4 assessment-results document. One result per standard; per
// applicable requirement a finding whose target (the requirement, as an objective) is
// `satisfied` or `not-satisfied`, and an observation carrying the message and the evidence
// (data paths with lines in the evidence file). Not-applicable requirements give no finding.
// Identifiers are deterministic UUIDs named by organization, date, standard and requirement.
#include <fmt/format.h>

#include <cctype>

#include "conform/compiler/calendar.h"
#include "conform/runtime/results.h"
#include "json_writer.h"
#include "markup.h"
#include "table.h"

namespace conform::runtime {

namespace {

using detail::JsonWriter;
using detail::NameUuid;

// A property, only when its value is not blank (OSCAL values may not be empty).
void Prop(JsonWriter& w, const char* name, const std::string& value) {
  if (value.empty() || value.front() == ' ' || value.back() == ' ') return;
  w.Object().KStr("name", name).KStr("ns", "urn:conform:oscal").KStr("value", value).EndObject();
}

// OSCAL tokens: a letter or _, then letters, digits, . - _.
std::string Token(const std::string& s) {
  std::string out;
  for (unsigned char c : s) out += (std::isalnum(c) || c == '.' || c == '-' || c == '_') ? static_cast<char>(c) : '_';
  if (out.empty() || !(std::isalpha(static_cast<unsigned char>(out[0])) || out[0] == '_')) out = "_" + out;
  return out;
}

}  // namespace

std::string WriteOscal(const Assessment& a) {
  const AssessmentInfo& i = a.info;
  std::string date = cal::FormatDate(i.as_of);
  std::string when = date + "T00:00:00Z";
  std::string base = i.organization + "|" + date + "|" + i.evidence_path;
  JsonWriter w(true);
  w.Object().Key("assessment-results").Object().KStr("uuid", NameUuid(base));
  w.Key("metadata").Object();
  w.KStr("title", (i.organization.empty() ? std::string("Conformity assessment") : i.organization + " — conformity assessment"));
  w.KStr("last-modified", when).KStr("version", i.version).KStr("oscal-version", "1.0.4");
  w.Key("props").Array();
  Prop(w, "evidence", i.evidence_path);
  Prop(w, "engine", i.engine);
  w.EndArray();
  if (!i.organization.empty() || !i.assessor.empty()) {
    w.Key("roles").Array();
    if (!i.organization.empty()) w.Object().KStr("id", "assessed-organization").KStr("title", "Assessed organization").EndObject();
    if (!i.assessor.empty()) w.Object().KStr("id", "assessor").KStr("title", "Assessor").EndObject();
    w.EndArray();
    w.Key("parties").Array();
    if (!i.organization.empty()) w.Object().KStr("uuid", NameUuid(base + "|org")).KStr("type", "organization").KStr("name", i.organization).EndObject();
    if (!i.assessor.empty()) w.Object().KStr("uuid", NameUuid(base + "|assessor")).KStr("type", "person").KStr("name", i.assessor).EndObject();
    w.EndArray();
    w.Key("responsible-parties").Array();
    if (!i.organization.empty())
      w.Object().KStr("role-id", "assessed-organization").Key("party-uuids").Strs({NameUuid(base + "|org")}).EndObject();
    if (!i.assessor.empty()) w.Object().KStr("role-id", "assessor").Key("party-uuids").Strs({NameUuid(base + "|assessor")}).EndObject();
    w.EndArray();
  }
  w.EndObject();  // metadata
  // No OSCAL assessment plan is produced: the plan is the standard's catalogue, named here.
  w.Key("import-ap").Object().KStr("href", "#conform-catalogue");
  w.KStr("remarks", "Assessed against the Conform catalogue's rules for the standards listed in each result.").EndObject();
  w.Key("results").Array();
  for (const StandardResults& s : a.standards) {
    std::string sb = base + "|" + s.id;
    w.Object().KStr("uuid", NameUuid(sb)).KStr("title", fmt::format("{} — {}{}", s.id, s.title, s.edition.empty() ? "" : " (" + s.edition + ")"));
    w.KStr("description", fmt::format("{}: {}. {}.", s.id, SummaryLine(s.summary, s.accepted), ReadinessText(s.readiness)));
    w.KStr("start", when).KStr("end", when);
    w.Key("props").Array();
    Prop(w, "standard", s.id);
    Prop(w, "edition", s.edition);
    Prop(w, "readiness", s.readiness.verdict);
    w.EndArray();
    w.Key("reviewed-controls").Object().Key("control-selections").Array().Object().KStr("description", "every requirement of " + s.id);
    w.Key("include-all").Object().EndObject().EndObject().EndArray().EndObject();
    // Observations: what was seen, with the evidence.
    w.Key("observations").Array();
    for (const RequirementRow& r : s.requirements) {
      if (r.verdict == Verdict::NotApplicable) continue;
      w.Object().KStr("uuid", NameUuid(sb + "|obs|" + r.id)).KStr("title", r.clause + " " + r.statement);
      w.KStr("description", r.verdict == Verdict::Conform ? "The evidence satisfies the requirement." : HumanMessage(r.message));
      w.Key("props").Array();
      Prop(w, "verdict", VerdictName(r.verdict));
      Prop(w, "requirement", r.id);
      w.EndArray();
      w.Key("methods").Strs({"TEST"});
      std::vector<std::pair<std::string, std::string>> ev;  // (href, description)
      for (const Offender& o : r.offenders)
        ev.push_back({i.evidence_path + (o.pos.valid() ? fmt::format("#L{}", o.pos.line) : ""),
                      o.path + (o.label.empty() ? "" : " " + o.label)});
      for (const FactRow& f : r.facts)
        if (!f.path.empty())
          ev.push_back({i.evidence_path + (f.pos.valid() ? fmt::format("#L{}", f.pos.line) : ""),
                        f.words.empty() ? f.path + ": " + f.value : f.words + " (" + f.path + ")"});
      if (ev.empty() && r.verdict != Verdict::Conform) {  // computed values only: the file and what was computed
        std::string computed;
        for (const FactRow& f : r.facts) computed += (computed.empty() ? "" : "; ") + f.expr + " = " + f.value;
        ev.push_back({i.evidence_path, computed.empty() ? "the organization's evidence file" : "computed from the evidence: " + computed});
      }
      if (!ev.empty()) {
        w.Key("relevant-evidence").Array();
        for (const auto& [href, desc] : ev) w.Object().KStr("href", href).KStr("description", desc).EndObject();
        w.EndArray();
      }
      w.KStr("collected", when).EndObject();
    }
    w.EndArray();
    w.Key("findings").Array();
    for (const RequirementRow& r : s.requirements) {
      if (r.verdict == Verdict::NotApplicable) continue;
      w.Object().KStr("uuid", NameUuid(sb + "|finding|" + r.id)).KStr("title", r.clause + " " + r.statement);
      w.KStr("description", r.says.empty() ? r.statement : r.says);
      w.Key("props").Array();
      Prop(w, "clause", r.clause);
      if (auto g = r.grade()) Prop(w, "grade", ir::GradeName(*g));
      if (r.deviation) Prop(w, "accepted-deviation-until", cal::FormatDate(r.deviation->accepted_until));
      w.EndArray();
      w.Key("target").Object().KStr("type", "objective-id").KStr("target-id", Token(s.id + "-" + r.id));
      w.Key("status").Object().KStr("state", r.verdict == Verdict::Conform ? "satisfied" : "not-satisfied");
      if (r.verdict != Verdict::Conform) w.KStr("reason", r.deviation ? "accepted-deviation" : Token(VerdictName(r.verdict)));
      w.EndObject().EndObject();
      w.Key("related-observations").Array().Object().KStr("observation-uuid", NameUuid(sb + "|obs|" + r.id)).EndObject().EndArray();
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray().EndObject().EndObject();
  return w.Take();
}

}  // namespace conform::runtime
