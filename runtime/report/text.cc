// `--format text`: the report a quality manager reads — a header naming the organization, its
// scope, the standards and the date; each requirement by its statement; facts in words.
#include <fmt/format.h>

#include "conform/compiler/calendar.h"
#include "conform/runtime/results.h"

namespace conform::runtime {
namespace {

const char* Mark(const RequirementRow& r) {
  if (r.deviation) return "≈";
  switch (r.verdict) {
    case Verdict::Conform: return "✓";
    case Verdict::Nonconform: return "✗";
    case Verdict::NotEvidenced: return "?";
    case Verdict::NotApplicable: return "–";
    case Verdict::Blocked: return "⊘";
  }
  return " ";
}

const char* Color(Verdict v) {
  switch (v) {
    case Verdict::Conform: return "\033[32m";
    case Verdict::Nonconform: return "\033[31m";
    case Verdict::NotEvidenced: return "\033[33m";
    case Verdict::NotApplicable: return "\033[2m";
    case Verdict::Blocked: return "\033[35m";
  }
  return "";
}

std::string Plural(int n, const char* one, const char* many) { return fmt::format("{} {}", n, n == 1 ? one : many); }

}  // namespace

std::string SummaryLine(const Counts& c, int accepted) {
  std::string nc = fmt::format("{} nonconform", c.nonconform);
  if (c.nonconform)
    nc += fmt::format(" ({} major, {} minor, {} observation{})", c.major, c.minor, c.observation,
                      c.observation == 1 ? "" : "s");
  // Blocked requirements are named only when there are some (most rule sets declare no dependencies).
  std::string out = fmt::format("{} requirements: {} conform, {}, {} not evidenced, {}{} not applicable", c.total(), c.conform,
                                nc, c.not_evidenced, c.blocked ? fmt::format("{} blocked, ", c.blocked) : "", c.not_applicable);
  if (accepted) out += fmt::format("; {} accepted as deviation{}", accepted, accepted == 1 ? "" : "s");
  return out;
}

std::string ReadinessText(const ReadinessLine& r) {
  std::string planned = r.minors ? fmt::format(" ({} with a corrective-action plan)", r.minors_planned) : "";
  return fmt::format("certification readiness: {} — {}, {}{}, {} not evidenced{}", r.label,
                     Plural(r.majors, "predicted major", "predicted majors"),
                     Plural(r.minors, "predicted minor", "predicted minors"), planned, r.not_evidenced,
                     r.blocked ? fmt::format(", {} blocked", r.blocked) : "");
}

std::string WriteText(const Assessment& a, const TextOptions& opts) {
  auto paint = [&](const char* color, const std::string& s) {
    return opts.color ? fmt::format("{}{}\033[0m", color, s) : s;
  };
  std::string out;
  // Header: who, what, against which standards, when.
  const AssessmentInfo& i = a.info;
  out += paint("\033[1m", i.organization.empty() ? "Conformity assessment" : i.organization + " — conformity assessment") + "\n";
  if (!i.legal_entity.empty() && i.legal_entity != i.organization) out += "legal entity: " + i.legal_entity + "\n";
  for (const auto& s : i.scope) out += "scope: " + s + "\n";
  if (!i.assessor.empty()) out += "assessor: " + i.assessor + "\n";
  std::string standards;
  for (const auto& s : a.standards)
    standards += (standards.empty() ? "" : "; ") + fmt::format("{} {}{}", s.id, s.title, s.edition.empty() ? "" : ", edition " + s.edition);
  out += "standards: " + standards + "\n";
  out += fmt::format("evidence {} · as of {} · engine {}\n", i.evidence_path, cal::FormatDate(i.as_of), i.engine);

  for (const StandardResults& s : a.standards) {
    out += "\n" + paint("\033[1m", fmt::format("{} — {}{}", s.id, s.title, s.edition.empty() ? "" : " (" + s.edition + ")")) + "\n";
    const bool layered = !s.layers.empty();
    if (layered) {
      std::string chain;
      for (const auto& l : s.layers) chain += (chain.empty() ? "" : " + ") + l.id + (l.edition.empty() ? "" : ":" + l.edition);
      out += "resolved from " + chain + "\n";
      for (const auto& ps : s.parameters_set)
        out += fmt::format("parameter {}.{} = {} (set by {}; {} default {})\n", ps.declared_in, ps.name, ps.value, ps.set_by,
                           ps.declared_in, ps.base_value);
    }
    // What each clause shows; a clause heading is printed when something under it is (--quiet).
    std::vector<std::vector<std::string>> lines(s.clauses.size());
    std::vector<bool> shown(s.clauses.size(), opts.show_conforming);
    for (const RequirementRow& r : s.requirements) {
      size_t c = 0;
      while (c < s.clauses.size() && s.clauses[c].number != r.clause) ++c;
      if (c == s.clauses.size()) continue;
      bool gap = r.IsGap();
      if (!gap && !opts.show_conforming) continue;
      std::string indent(2 * s.clauses[c].depth, ' ');
      std::string line = indent + paint(Color(r.verdict), Mark(r));
      auto& L = lines[c];
      switch (r.verdict) {
        case Verdict::Nonconform:
          line += " " + paint(Color(r.verdict), fmt::format("[{}]", ir::GradeName(r.declared_grade))) + " " + r.statement;
          break;
        case Verdict::NotEvidenced: line += " [not evidenced] " + r.statement; break;
        case Verdict::NotApplicable: line += " " + r.statement + " — not applicable: " + NotApplicableReason(r); break;
        case Verdict::Blocked: line += " [blocked] " + r.statement + " — cannot be assessed yet: " + BlockedInWords(s, r); break;
        case Verdict::Conform: line += " " + r.statement; break;
      }
      if (layered) line += paint("\033[2m", fmt::format("  · {}", r.origin));
      L.push_back(line);
      if (gap) {
        std::string sub = indent + "    ";
        L.push_back(sub + HumanMessage(r.message));
        if (r.deviation)
          L.push_back(sub + fmt::format("accepted deviation until {} (approved by {}): {}", cal::FormatDate(r.deviation->accepted_until),
                                        r.deviation->approver, r.deviation->justification));
        if (opts.explain) {
          size_t n = 0;
          for (const FactRow& f : r.facts) {
            if (f.words.empty()) continue;
            if (++n > 4) break;
            std::string where = f.pos.valid() ? fmt::format("{}, line {}", f.path, f.pos.line) : f.path;
            L.push_back(paint("\033[2m", fmt::format("{}· {}  ({})", sub, f.words, where)));
          }
          if (n == 0 && r.offenders.size() == 1)
            for (const Offender& o : r.offenders) {
              std::string where = o.pos.valid() ? fmt::format("{}, line {}", o.path, o.pos.line) : o.path;
              L.push_back(paint("\033[2m", fmt::format("{}· evidence: {}  ({})", sub, o.label.empty() ? o.path : o.label, where)));
            }
          if (r.offenders.size() > 1) {
            // Every failing element, the first few by name (the JSON report lists them all).
            constexpr size_t kShown = 5;
            std::string list;
            for (size_t k = 0; k < r.offenders.size() && k < kShown; ++k) {
              const Offender& o = r.offenders[k];
              std::string where = o.pos.valid() ? fmt::format("line {}", o.pos.line) : o.path;
              list += fmt::format("{}{} ({})", k ? ", " : "", o.label.empty() ? o.path : o.label, where);
            }
            if (r.offenders.size() > kShown) list += fmt::format(" and {} more", r.offenders.size() - kShown);
            L.push_back(paint("\033[2m", fmt::format("{}· {} failing: {}", sub, r.offenders.size(), list)));
          }
          for (const ActionItem& x : r.actions)
            L.push_back(sub + fmt::format("· corrective action {}{}{}{}", x.action.empty() ? x.nonconformity : x.action,
                                          x.description.empty() ? "" : ": " + x.description,
                                          x.owner.empty() ? "" : ", owner " + x.owner,
                                          x.due ? ", due " + cal::FormatDate(*x.due) : ""));
        }
      }
      for (int p = static_cast<int>(c); p >= 0; p = s.clauses[p].parent) shown[p] = true;
    }
    for (size_t c = 0; c < s.clauses.size(); ++c) {
      if (!shown[c]) continue;
      const ClauseRow& cr = s.clauses[c];
      if (cr.depth == 1) out += "\n";
      std::string head = fmt::format("{}{} {}", std::string(2 * (cr.depth - 1), ' '), cr.number, cr.title);
      if (layered && cr.origin != s.layers.front().id) head += fmt::format("  ({})", cr.origin);
      out += (cr.depth == 1 ? paint("\033[1m", head) : head) + "\n";
      for (const auto& l : lines[c]) out += l + "\n";
    }
    if (!opts.show_conforming && s.requirements.size() && a.Gaps() == 0) out += "\nevery applicable requirement conforms\n";
    out += "\n" + paint("\033[1m", fmt::format("{}: {}", s.id, SummaryLine(s.summary, s.accepted))) + "\n";
    for (const auto& [origin, counts] : s.by_origin) out += fmt::format("  {}: {}\n", origin, SummaryLine(counts));
    out += fmt::format("{}: {}\n", s.id, ReadinessText(s.readiness));
  }
  return out;
}

}  // namespace conform::runtime
