// The requirement table shared by the CSV and XLSX formats.
#include "table.h"

#include <fmt/format.h>

#include "conform/compiler/calendar.h"

namespace conform::runtime::detail {

const std::vector<std::string>& TableColumns() {
  static const std::vector<std::string> cols = {"standard", "clause",  "clause title", "requirement", "statement",
                                                "verdict",  "grade",   "message",      "evidence",    "action",
                                                "owner",    "due",     "accepted deviation"};
  return cols;
}

std::string EvidenceCell(const RequirementRow& r) {
  std::string out;
  auto add = [&](const std::string& path, const std::string& label, const EvidencePos& pos) {
    if (path.empty() || out.find(path) != std::string::npos) return;
    out += (out.empty() ? "" : "; ") + path + (label.empty() ? "" : " (" + label + ")") +
           (pos.valid() ? fmt::format(", line {}", pos.line) : "");
  };
  for (const Offender& o : r.offenders) add(o.path, o.label, o.pos);
  for (const FactRow& f : r.facts) add(f.path, {}, f.pos);
  return out;
}

std::vector<std::string> TableRow(const RequirementRow& r) {
  std::string action, owner, due, deviation;
  if (r.IsGap()) {
    action = SuggestedAction(r);
    for (const ActionItem& x : r.actions) {
      if (!x.description.empty()) action = x.description + (x.action.empty() ? "" : " (" + x.action + ")");
      if (!x.owner.empty()) owner = x.owner;
      if (x.due) due = cal::FormatDate(*x.due);
      break;
    }
  }
  if (r.deviation)
    deviation = fmt::format("until {}, approved by {}: {}", cal::FormatDate(r.deviation->accepted_until), r.deviation->approver,
                            r.deviation->justification);
  auto grade = r.grade();
  return {r.standard,
          r.clause,
          r.clause_title,
          r.id,
          r.statement,
          VerdictLabel(r.verdict),
          grade ? ir::GradeName(*grade) : "",
          r.verdict == Verdict::NotApplicable ? NotApplicableReason(r) : HumanMessage(r.message),
          EvidenceCell(r),
          action,
          owner,
          due,
          deviation};
}

}  // namespace conform::runtime::detail
