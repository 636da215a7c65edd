// `--format md`: a Markdown report (for wikis, pull requests and tickets): header, summary per
// standard, findings with their evidence, and the action plan.
#include <fmt/format.h>

#include "conform/compiler/calendar.h"
#include "conform/runtime/results.h"
#include "table.h"

namespace conform::runtime {
namespace {

// Markdown table cells: no line breaks, pipes escaped.
std::string Md(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out;
}

}  // namespace

std::string WriteMarkdown(const Assessment& a) {
  const AssessmentInfo& i = a.info;
  std::string out = fmt::format("# {}\n\n", i.organization.empty() ? "Conformity assessment" : Md(i.organization) + " — conformity assessment");
  if (!i.legal_entity.empty() && i.legal_entity != i.organization) out += fmt::format("- **Legal entity:** {}\n", Md(i.legal_entity));
  for (const auto& s : i.scope) out += fmt::format("- **Scope:** {}\n", Md(s));
  if (!i.assessor.empty()) out += fmt::format("- **Assessor:** {}\n", Md(i.assessor));
  for (const auto& s : a.standards)
    out += fmt::format("- **Standard:** {} — {}{}\n", s.id, Md(s.title), s.edition.empty() ? "" : " (edition " + s.edition + ")");
  out += fmt::format("- **As of:** {} · evidence `{}` · engine {}\n", cal::FormatDate(i.as_of), i.evidence_path, i.engine);

  out += "\n## Summary\n\n| standard | requirements | conform | nonconform | major | minor | observation | not evidenced | blocked | not applicable | accepted | readiness |\n"
         "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n";
  for (const auto& s : a.standards) {
    const Counts& c = s.summary;
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", s.id, c.total(), c.conform, c.nonconform, c.major,
                       c.minor, c.observation, c.not_evidenced, c.blocked, c.not_applicable, s.accepted, s.readiness.label);
  }
  for (const auto& s : a.standards) out += fmt::format("\n{}: {}\n", s.id, ReadinessText(s.readiness));

  out += "\n## Findings\n";
  size_t n = 0;
  for (const auto& s : a.standards)
    for (const auto& r : s.requirements) {
      if (!r.IsGap()) continue;
      ++n;
      auto g = r.grade();
      out += fmt::format("\n### {} {} — {}\n\n", s.id, r.clause, Md(r.statement));
      out += fmt::format("- **Verdict:** {}{}{}\n", VerdictLabel(r.verdict), g ? std::string(" (") + ir::GradeName(*g) + ")" : "",
                         r.deviation ? " — accepted deviation" : "");
      out += fmt::format("- **Finding:** {}\n", Md(HumanMessage(r.message)));
      for (const auto& f : r.facts)
        if (!f.words.empty()) out += fmt::format("  - {} (`{}`{})\n", Md(f.words), f.path, f.pos.valid() ? fmt::format(", line {}", f.pos.line) : "");
      for (const auto& o : r.offenders)
        out += fmt::format("- **Evidence:** `{}`{}{}\n", o.path, o.label.empty() ? "" : " " + Md(o.label),
                           o.pos.valid() ? fmt::format(" (line {})", o.pos.line) : "");
      if (r.deviation)
        out += fmt::format("- **Accepted until** {} by {}: {}\n", cal::FormatDate(r.deviation->accepted_until), Md(r.deviation->approver),
                           Md(r.deviation->justification));
      out += fmt::format("- **Requirement:** `{}` — {}\n", r.id, Md(r.says));
    }
  if (!n) out += "\nNo findings: every applicable requirement conforms.\n";

  out += "\n## Action plan\n\n| standard | clause | requirement | grade | action | owner | due |\n|---|---|---|---|---|---|---|\n";
  for (const auto& s : a.standards)
    for (const auto& r : s.requirements) {
      if (!r.IsGap()) continue;
      auto row = detail::TableRow(r);  // action 9, owner 10, due 11
      out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", s.id, r.clause, Md(r.statement), row[6].empty() ? "—" : row[6], Md(row[9]),
                         Md(row[10]), row[11]);
    }
  return out;
}

}  // namespace conform::runtime
