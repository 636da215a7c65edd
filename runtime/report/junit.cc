// `--format junit`: one <testsuite> per standard, one <testcase> per requirement. Nonconform is
// a <failure> whose type is the grade; not evidenced is an <error type="not_evidenced"> (the
// requirement could not be decided); not applicable is <skipped>; an accepted deviation is
// <skipped type="accepted_deviation"> (neither passed nor failing the pipeline).
#include <fmt/format.h>

#include "conform/compiler/calendar.h"
#include "conform/runtime/results.h"
#include "markup.h"
#include "table.h"

namespace conform::runtime {

using detail::Xml;

std::string WriteJunit(const Assessment& a) {
  int tests = 0, failures = 0, errors = 0, skipped = 0;
  std::string suites;
  for (const StandardResults& s : a.standards) {
    int t = 0, f = 0, e = 0, sk = 0;
    std::string cases;
    for (const RequirementRow& r : s.requirements) {
      ++t;
      std::string detail = HumanMessage(r.message);
      std::string ev = detail::EvidenceCell(r);
      if (!ev.empty()) detail += "\nevidence: " + ev;
      for (const FactRow& x : r.facts)
        if (!x.words.empty()) detail += "\n" + x.words;
      std::string body;
      if (r.deviation) {
        ++sk;
        body = fmt::format("      <skipped type=\"accepted_deviation\" message=\"{}\"/>\n",
                           Xml(fmt::format("{} accepted until {} (approved by {}): {}", VerdictLabel(r.verdict),
                                           cal::FormatDate(r.deviation->accepted_until), r.deviation->approver,
                                           r.deviation->justification)));
      } else {
        switch (r.verdict) {
          case Verdict::Conform: break;
          case Verdict::Nonconform:
            ++f;
            body = fmt::format("      <failure type=\"{}\" message=\"{}\">{}</failure>\n", ir::GradeName(r.declared_grade),
                               Xml(HumanMessage(r.message)), Xml(detail));
            break;
          case Verdict::NotEvidenced:
            ++e;
            body = fmt::format("      <error type=\"not_evidenced\" message=\"{}\">{}</error>\n", Xml(HumanMessage(r.message)), Xml(detail));
            break;
          case Verdict::Blocked:
            ++sk;
            body = fmt::format("      <skipped type=\"blocked\" message=\"{}\"/>\n", Xml(r.message));
            break;
          case Verdict::NotApplicable:
            ++sk;
            body = fmt::format("      <skipped type=\"not_applicable\" message=\"{}\"/>\n", Xml(NotApplicableReason(r)));
            break;
        }
      }
      cases += fmt::format("    <testcase classname=\"{}.{}\" name=\"{} {}\" file=\"{}\"{}>\n{}"
                           "      <system-out>{}</system-out>\n    </testcase>\n",
                           Xml(s.id), Xml(r.clause), Xml(r.clause), Xml(r.id), Xml(a.info.evidence_path),
                           r.location.valid() ? fmt::format(" line=\"{}\"", r.location.line) : "", body, Xml(r.says));
    }
    suites += fmt::format(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"0\" timestamp=\"{}T00:00:00\">\n"
        "    <properties>\n"
        "      <property name=\"title\" value=\"{}\"/>\n"
        "      <property name=\"edition\" value=\"{}\"/>\n"
        "      <property name=\"organization\" value=\"{}\"/>\n"
        "      <property name=\"as_of\" value=\"{}\"/>\n"
        "      <property name=\"engine\" value=\"{}\"/>\n"
        "      <property name=\"readiness\" value=\"{}\"/>\n"
        "    </properties>\n{}  </testsuite>\n",
        Xml(s.id), t, f, e, sk, cal::FormatDate(a.info.as_of), Xml(s.title), Xml(s.edition), Xml(a.info.organization),
        cal::FormatDate(a.info.as_of), Xml(a.info.engine), Xml(s.readiness.verdict), cases);
    tests += t;
    failures += f;
    errors += e;
    skipped += sk;
  }
  return fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"0\">\n{}</testsuites>\n",
                     Xml(a.info.organization.empty() ? "conform" : "conform: " + a.info.organization), tests, failures, errors,
                     skipped, suites);
}

}  // namespace conform::runtime
