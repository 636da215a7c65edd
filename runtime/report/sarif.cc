// `--format sarif` (SARIF 2.1.0): one rule per requirement (id, statement, grade, clause), one
// result per gap located at the evidence file's line and column of the deciding data path.
// Nonconform: kind "fail", level by grade (major error, minor warning, observation note); not
// evidenced: kind "review"; an accepted deviation carries an accepted external suppression.
#include <fmt/format.h>

#include <cctype>

#include "conform/compiler/calendar.h"
#include "conform/runtime/results.h"
#include "json_writer.h"

namespace conform::runtime {

namespace {

const char* Level(ir::Grade g) {
  switch (g) {
    case ir::Grade::Major: return "error";
    case ir::Grade::Minor: return "warning";
    case ir::Grade::Observation: return "note";
  }
  return "warning";
}

std::string UriOf(const std::string& path) {
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '.' || c == '-' || c == '_' || c == '~') out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

}  // namespace

std::string WriteSarif(const Assessment& a) {
  detail::JsonWriter w(true);
  w.Object().KStr("$schema", "https://json.schemastore.org/sarif-2.1.0.json").KStr("version", "2.1.0");
  w.Key("runs").Array().Object();
  w.Key("tool").Object().Key("driver").Object().KStr("name", "conform").KStr("version", a.info.version);
  w.Key("rules").Array();
  for (const StandardResults& s : a.standards)
    for (const RequirementRow& r : s.requirements) {
      w.Object().KStr("id", s.id + "/" + r.id).KStr("name", r.id);
      w.Key("shortDescription").Object().KStr("text", r.statement).EndObject();
      w.Key("fullDescription").Object().KStr("text", r.says.empty() ? r.statement : r.says).EndObject();
      w.Key("defaultConfiguration").Object().KStr("level", Level(r.declared_grade)).EndObject();
      w.Key("properties")
          .Object()
          .KStr("standard", s.id)
          .KStr("edition", s.edition)
          .KStr("clause", r.clause)
          .KStr("clause_title", r.clause_title)
          .KStr("grade", ir::GradeName(r.declared_grade))
          .Key("tags")
          .Strs({s.id, "clause " + r.clause})
          .EndObject();
      w.EndObject();
    }
  w.EndArray().EndObject().EndObject();  // rules, driver, tool
  w.Key("artifacts").Array().Object().Key("location").Object().KStr("uri", UriOf(a.info.evidence_path)).EndObject();
  w.EndObject().EndArray();
  w.Key("invocations").Array().Object().KBool("executionSuccessful", true).EndObject().EndArray();
  w.Key("results").Array();
  int rule_index = 0;
  for (const StandardResults& s : a.standards)
    for (const RequirementRow& r : s.requirements) {
      int index = rule_index++;
      if (!r.IsGap()) continue;
      w.Object().KStr("ruleId", s.id + "/" + r.id).KInt("ruleIndex", index);
      if (r.verdict == Verdict::Nonconform) w.KStr("kind", "fail").KStr("level", Level(r.declared_grade));
      else w.KStr("kind", "review").KStr("level", "none");
      w.Key("message").Object().KStr("text", HumanMessage(r.message)).EndObject();
      // Where: the deciding data path's position; the offending elements as logical locations.
      w.Key("locations").Array().Object();
      w.Key("physicalLocation").Object();
      w.Key("artifactLocation").Object().KStr("uri", UriOf(a.info.evidence_path)).KInt("index", 0).EndObject();
      if (r.location.valid())
        w.Key("region").Object().KInt("startLine", r.location.line).KInt("startColumn", r.location.col).EndObject();
      w.EndObject();
      std::string logical = !r.offenders.empty() ? r.offenders[0].path : !r.facts.empty() ? r.facts[0].path : "";
      if (!logical.empty())
        w.Key("logicalLocations").Array().Object().KStr("fullyQualifiedName", logical).KStr("kind", "object").EndObject().EndArray();
      w.EndObject().EndArray();
      if (r.offenders.size() > 1) {
        w.Key("relatedLocations").Array();
        for (size_t k = 0; k < r.offenders.size(); ++k) {
          const Offender& o = r.offenders[k];
          w.Object().KInt("id", static_cast<int64_t>(k));
          w.Key("physicalLocation").Object();
          w.Key("artifactLocation").Object().KStr("uri", UriOf(a.info.evidence_path)).KInt("index", 0).EndObject();
          if (o.pos.valid()) w.Key("region").Object().KInt("startLine", o.pos.line).KInt("startColumn", o.pos.col).EndObject();
          w.EndObject();
          w.Key("message").Object().KStr("text", o.label.empty() ? o.path : o.path + " " + o.label).EndObject();
          w.EndObject();
        }
        w.EndArray();
      }
      if (r.deviation)
        w.Key("suppressions")
            .Array()
            .Object()
            .KStr("kind", "external")
            .KStr("status", "accepted")
            .KStr("justification", fmt::format("accepted until {} by {}: {}", cal::FormatDate(r.deviation->accepted_until),
                                               r.deviation->approver, r.deviation->justification))
            .EndObject()
            .EndArray();
      w.Key("properties").Object().KStr("clause", r.clause).KStr("verdict", VerdictName(r.verdict));
      if (auto g = r.grade()) w.KStr("grade", ir::GradeName(*g));
      w.Key("facts").Array();
      for (const FactRow& f : r.facts) w.Str(f.words.empty() ? f.expr + " = " + f.value : f.words);
      w.EndArray().EndObject();
      w.EndObject();
    }
  w.EndArray();
  w.Key("properties")
      .Object()
      .KStr("organization", a.info.organization)
      .KStr("assessor", a.info.assessor)
      .KStr("as_of", cal::FormatDate(a.info.as_of))
      .KStr("engine", a.info.engine)
      .EndObject();
  w.EndObject().EndArray().EndObject();
  return w.Take();
}

}  // namespace conform::runtime
