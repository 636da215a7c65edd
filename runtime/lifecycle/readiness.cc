// Certification readiness, predicted from a standard's verdicts (iso-domain.md §9.5, §10.3):
// the grades are the rule author's predictions; the auditor decides.
#include <fmt/format.h>

#include "conform/runtime/lifecycle.h"
#include "conform/runtime/record_reader.h"
#include "conform/runtime/report.h"

namespace conform::runtime::lifecycle {
namespace {

bool Under(const std::string& c, const std::string& p) {
  return c == p || (c.size() > p.size() && c.compare(0, p.size(), p) == 0 && c[p.size()] == '.');
}

// An open nonconformity of the organization (core `nonconformities`) on this clause, with at
// least one corrective action that has a due date: a corrective-action plan exists.
bool Planned(const RecordReader& root, const std::string& standard, const std::string& clause) {
  auto ncs = root.List("nonconformities");
  if (!ncs) return false;
  for (const RecordReader& n : *ncs) {
    auto ref = n.String("clause_ref");
    if (!ref || !(Under(clause, *ref) || Under(*ref, clause))) continue;
    auto status = n.Enum("status");
    if (status && (*status == "closed" || *status == "verified_effective")) continue;
    if (auto systems = n.Strings("systems"); systems && !systems->empty()) {
      bool mine = false;
      for (const auto& s : *systems) mine = mine || s == standard;
      if (!mine) continue;
    }
    for (const RecordReader& a : n.List("corrective_actions").value_or(std::vector<RecordReader>{}))
      if (a.Has("due_at")) return true;
  }
  return false;
}

std::string Count(size_t n, const char* one, const char* many) { return fmt::format("{} {}", n, n == 1 ? one : many); }

}  // namespace

const std::vector<std::pair<std::string, std::string>>& Stage1Clauses() {
  static const std::vector<std::pair<std::string, std::string>> clauses = {
      {"4.1", "context"},       {"4.3", "scope"},          {"5.2", "policy"},
      {"6.1", "risks and opportunities"}, {"6.2", "objectives"}, {"9.2", "internal audit"},
      {"9.3", "management review"},
  };
  return clauses;
}

ReadinessReport AssessReadiness(const ir::Program& program, const StandardReport& report, const RecordReader& root,
                                const History* history, Date as_of) {
  ReadinessReport out;
  // Stage 1's documentation-level clauses are the harmonized structure's: only for standards
  // whose clause 4 is "Context of the organization".
  bool hs = false;
  for (const auto& c : program.clauses)
    if (c.number == "4" && c.title.rfind("Context", 0) == 0) hs = true;
  for (const auto& [num, topic] : hs ? Stage1Clauses() : std::vector<std::pair<std::string, std::string>>{})
    for (const auto& c : program.clauses)
      if (c.number == num) {
        out.stage1_clauses.emplace_back(num, topic);
        break;
      }
  auto in_stage1 = [&](const std::string& clause) {
    for (const auto& [num, topic] : out.stage1_clauses)
      if (Under(clause, num)) return true;
    return false;
  };

  for (size_t i = 0; i < program.requirements.size() && i < report.results.size(); ++i) {
    const ir::Requirement& req = program.requirements[i];
    const RequirementResult& res = report.results[i];
    ReadinessItem item{req.clause, req.id, ir::GradeName(req.grade), res.message, false};
    bool s1 = in_stage1(req.clause);
    if (res.verdict == Verdict::Nonconform) {
      if (req.grade == ir::Grade::Major) {
        out.stage2.majors.push_back(item);
        if (s1) out.stage1.majors.push_back(item);
      } else if (req.grade == ir::Grade::Minor) {
        item.planned = Planned(root, program.standard, req.clause);
        if (item.planned) out.stage2.minors_planned++;
        out.stage2.minors.push_back(item);
        if (s1) {
          out.stage1.minors.push_back(item);
          if (item.planned) out.stage1.minors_planned++;
        }
      }
    } else if (res.verdict == Verdict::NotEvidenced) {
      out.stage2.not_evidenced.push_back(item);
      if (s1) out.stage1.not_evidenced.push_back(item);
    } else if (res.verdict == Verdict::Blocked) {
      out.stage2.blocked.push_back(item);
      if (s1) out.stage1.blocked.push_back(item);
    }
  }

  // Findings the certification body actually recorded at the last stage 2 or recertification
  // audit, still blocking the decision (T4): facts, not predictions.
  if (history) {
    const Audit* last = nullptr;
    for (const auto& a : history->audits)
      if ((a.kind == AuditKind::Stage2 || a.kind == AuditKind::Recertification) && a.start <= as_of &&
          (!last || a.start > last->start))
        last = &a;
    bool decided = false;
    if (last)
      for (const auto& d : history->decisions)
        if (d.decided >= last->start && d.decided <= as_of &&
            (d.outcome == Outcome::Grant || d.outcome == Outcome::Recertify || d.outcome == Outcome::Restore ||
             d.outcome == Outcome::Refuse))
          decided = true;
    if (last && !decided)
      for (const auto& f : history->findings) {
        if (f.audit_id != last->id || f.raised > as_of) continue;
        if (f.grade == Grade::Major && !(f.Verified() && *f.Verified() <= as_of))
          out.stage2.recorded.push_back(fmt::format("major {} (audit {}{}): correction and corrective action not verified", f.id,
                                                    last->id, f.clause ? ", " + *f.clause : ""));
        else if (f.grade == Grade::Minor && !(f.PlanAccepted() && *f.PlanAccepted() <= as_of))
          out.stage2.recorded.push_back(fmt::format("minor {} (audit {}{}): corrective-action plan not accepted", f.id, last->id,
                                                    f.clause ? ", " + *f.clause : ""));
      }
  }

  // Stage 1.
  GateReadiness& s1 = out.stage1;
  if (out.stage1_clauses.empty()) {
    s1.verdict = Readiness::NotAssessed;
    s1.summary = "the standard does not follow the harmonized structure: its documentation-level clauses for stage 1 are not defined";
  } else {
    s1.verdict = !s1.majors.empty() || !s1.blocked.empty()                 ? Readiness::NotReady
                 : (!s1.minors.empty() || !s1.not_evidenced.empty()) ? Readiness::AtRisk
                                                                     : Readiness::Ready;
    s1.summary = fmt::format("{}, {}, {}{} in the documentation-level clauses", Count(s1.majors.size(), "predicted major", "predicted majors"),
                             Count(s1.minors.size(), "minor", "minors"), fmt::format("{} not evidenced", s1.not_evidenced.size()),
                             s1.blocked.empty() ? "" : fmt::format(", {} blocked", s1.blocked.size()));
  }

  // Stage 2 / decision gate.
  GateReadiness& s2 = out.stage2;
  bool recorded_major = false;
  for (const auto& r : s2.recorded) recorded_major = recorded_major || r.rfind("major", 0) == 0;
  size_t unplanned = s2.minors.size() - static_cast<size_t>(s2.minors_planned);
  s2.verdict = (!s2.majors.empty() || recorded_major || !s2.blocked.empty())            ? Readiness::NotReady
               : (unplanned > 0 || !s2.not_evidenced.empty() || !s2.recorded.empty()) ? Readiness::AtRisk
                                                                                      : Readiness::Ready;
  s2.summary = fmt::format("{}, {} ({} with a corrective-action plan), {}{}{}", Count(s2.majors.size(), "predicted major", "predicted majors"),
                           Count(s2.minors.size(), "minor", "minors"), s2.minors_planned,
                           fmt::format("{} not evidenced", s2.not_evidenced.size()),
                           s2.blocked.empty() ? "" : fmt::format(", {} blocked", s2.blocked.size()),
                           s2.recorded.empty() ? "" : fmt::format("; {} recorded by the certification body", Count(s2.recorded.size(), "open finding", "open findings")));
  return out;
}

}  // namespace conform::runtime::lifecycle
