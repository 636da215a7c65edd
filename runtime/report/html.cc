// `--format html`: one self-contained file a consultant hands to a client — cover, executive
// summary and readiness, an SVG chart of conformance per clause, findings by grade with their
// evidence and every offending item, the action plan, the full requirement list, print CSS.
// No script, no external fetch: inline CSS and SVG only.
#include <fmt/format.h>

#include <functional>
#include <map>

#include "conform/compiler/calendar.h"
#include "conform/runtime/results.h"
#include "markup.h"
#include "table.h"

namespace conform::runtime {
namespace {

using detail::Xml;

const char* kCss = R"css(
:root{--ok:#2e7d32;--nc:#c62828;--ne:#ef8f00;--na:#9e9e9e;--ink:#1c2430;--mute:#5b6675;--line:#d9dee5;--acc:#294f86}
*{box-sizing:border-box}
body{font:14px/1.45 "DejaVu Sans",Helvetica,Arial,sans-serif;color:var(--ink);margin:0;background:#f4f6f9}
main{max-width:1100px;margin:0 auto;background:#fff;padding:32px 48px}
h1{font-size:30px;margin:0 0 8px}h2{font-size:21px;border-bottom:2px solid var(--acc);padding-bottom:4px;margin-top:40px}
h3{font-size:16px;margin:22px 0 6px}
.cover{border-bottom:1px solid var(--line);padding:40px 0 28px}
.cover .kicker{color:var(--acc);text-transform:uppercase;letter-spacing:.08em;font-size:12px;font-weight:bold}
dl.meta{display:grid;grid-template-columns:160px 1fr;gap:4px 16px;margin:18px 0 0}dl.meta dt{color:var(--mute)}dl.meta dd{margin:0}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border-bottom:1px solid var(--line);padding:5px 7px;text-align:left;vertical-align:top}
th{background:#eef2f7;font-size:12px;text-transform:uppercase;letter-spacing:.03em}td.n{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;border-radius:10px;padding:1px 9px;font-size:12px;font-weight:bold;color:#fff}
.ready{background:var(--ok)}.at_risk{background:var(--ne)}.not_ready{background:var(--nc)}.not_assessed{background:var(--na)}
.v-conform{color:var(--ok)}.v-nonconform{color:var(--nc)}.v-not_evidenced{color:var(--ne)}.v-not_applicable{color:var(--na)}.v-blocked{color:#8e24aa}
.finding{border:1px solid var(--line);border-left:5px solid var(--nc);border-radius:4px;padding:10px 14px;margin:10px 0;break-inside:avoid}
.finding[data-grade=minor]{border-left-color:#e65100}.finding[data-grade=observation]{border-left-color:#6d7f99}
.finding[data-verdict=not_evidenced]{border-left-color:var(--ne)}.finding.accepted{border-style:dashed}
.finding .head{font-weight:bold}.finding .ref{color:var(--mute);font-size:12px}.finding ul{margin:6px 0 0 18px;padding:0}
code{font:12px "DejaVu Sans Mono",monospace;background:#f0f2f5;padding:0 3px;border-radius:3px}
.legend span{display:inline-block;margin-right:14px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
.small{font-size:12px;color:var(--mute)}
@media print{body{background:#fff}main{padding:0;max-width:none}.cover{min-height:90vh}h2{break-before:page}
 h2.keep{break-before:auto}a{color:inherit;text-decoration:none}@page{size:A4;margin:16mm 14mm}}
)css";

std::string Grade(const RequirementRow& r) {
  if (r.verdict == Verdict::NotEvidenced) return "not evidenced";
  return ir::GradeName(r.declared_grade);
}

// Stacked bars per clause (depth 1 and 2): conform, nonconform, not evidenced, not applicable.
std::string Chart(const StandardResults& s) {
  std::vector<const ClauseRow*> rows;
  for (const ClauseRow& c : s.clauses)
    if (c.depth <= 2 && c.counts.total() > 0) rows.push_back(&c);
  const int bar_h = 16, gap = 6, label_w = 330, bar_w = 520, top = 8;
  int h = top + static_cast<int>(rows.size()) * (bar_h + gap) + 8;
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" aria-label=\"conformance per clause of {}\" "
      "width=\"100%\" viewBox=\"0 0 {} {}\" font-family=\"DejaVu Sans,Helvetica,Arial,sans-serif\" font-size=\"11\">\n",
      Xml(s.id), label_w + bar_w + 60, h);
  int y = top;
  for (const ClauseRow* c : rows) {
    std::string label = fmt::format("{}{} {}", c->depth == 2 ? "   " : "", c->number, c->title);
    if (label.size() > 52) label = ShortStatement(label, 52);
    out += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#1c2430\" font-weight=\"{}\" xml:space=\"preserve\">{}</text>\n", 4, y + 12,
                       c->depth == 1 ? "bold" : "normal", Xml(label));
    const Counts& k = c->counts;
    double total = k.total();
    double x = label_w;
    struct Part {
      int n;
      const char* color;
      const char* what;
    } parts[] = {{k.conform, "#2e7d32", "conform"},
                 {k.nonconform, "#c62828", "nonconform"},
                 {k.not_evidenced, "#ef8f00", "not evidenced"},
                 {k.blocked, "#8e24aa", "blocked"},
                 {k.not_applicable, "#bdbdbd", "not applicable"}};
    for (const Part& p : parts) {
      if (!p.n) continue;
      double w = bar_w * p.n / total;
      out += fmt::format("<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\"><title>{} {}: {} {}</title></rect>\n", x, y,
                         w, bar_h, p.color, Xml(c->number), Xml(c->title), p.n, p.what);
      x += w;
    }
    out += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#5b6675\">{}/{}</text>\n", label_w + bar_w + 6, y + 12, k.conform,
                       k.total() - k.not_applicable);
    y += bar_h + gap;
  }
  return out + "</svg>\n";
}

std::string Where(const std::string& path, const EvidencePos& pos) {
  return fmt::format("<code>{}</code>{}", Xml(path), pos.valid() ? fmt::format(" <span class=\"small\">line {}</span>", pos.line) : "");
}

}  // namespace

std::string WriteHtml(const Assessment& a) {
  const AssessmentInfo& i = a.info;
  std::string title = i.organization.empty() ? "Conformity assessment" : i.organization + " — conformity assessment";
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"generator\" content=\"conform {}\">\n<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n<main>\n",
      Xml(i.version), Xml(title), kCss);

  // Cover.
  out += "<section class=\"cover\" id=\"cover\">\n<div class=\"kicker\">Gap assessment report</div>\n";
  out += fmt::format("<h1>{}</h1>\n<dl class=\"meta\">\n", Xml(i.organization.empty() ? "Conformity assessment" : i.organization));
  if (!i.legal_entity.empty() && i.legal_entity != i.organization) out += fmt::format("<dt>Legal entity</dt><dd>{}</dd>\n", Xml(i.legal_entity));
  for (const auto& s : i.scope) out += fmt::format("<dt>Scope</dt><dd>{}</dd>\n", Xml(s));
  for (const auto& s : a.standards)
    out += fmt::format("<dt>Standard</dt><dd>{} — {}{}</dd>\n", Xml(s.id), Xml(s.title),
                       s.edition.empty() ? "" : " (edition " + Xml(s.edition) + ")");
  out += fmt::format("<dt>Assessor</dt><dd>{}</dd>\n", i.assessor.empty() ? "<span class=\"small\">not recorded</span>" : Xml(i.assessor));
  out += fmt::format("<dt>As of</dt><dd>{}</dd>\n<dt>Evidence</dt><dd><code>{}</code></dd>\n", cal::FormatDate(i.as_of), Xml(i.evidence_path));
  out += fmt::format("<dt>Prepared with</dt><dd>conform {} (engine {})</dd>\n</dl>\n</section>\n", Xml(i.version), Xml(i.engine));

  // Executive summary.
  out += "<section id=\"summary\">\n<h2 class=\"keep\">Executive summary</h2>\n";
  size_t gaps = a.Gaps();
  out += fmt::format("<p>{} requirement{} of {} standard{} were assessed against the evidence; <strong id=\"finding-count\">{}</strong> "
                     "finding{} call{} for action.</p>\n",
                     [&] {
                       size_t n = 0;
                       for (const auto& s : a.standards) n += s.requirements.size();
                       return n;
                     }(),
                     "s", a.standards.size(), a.standards.size() == 1 ? "" : "s", gaps, gaps == 1 ? "" : "s", gaps == 1 ? "s" : "");
  out += "<table class=\"summary\">\n<tr><th>Standard</th><th>Requirements</th><th>Conform</th><th>Major</th><th>Minor</th>"
         "<th>Observation</th><th>Not evidenced</th><th>Blocked</th><th>Not applicable</th><th>Accepted</th><th>Readiness</th></tr>\n";
  for (const auto& s : a.standards) {
    const Counts& c = s.summary;
    out += fmt::format("<tr data-standard=\"{}\"><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
                       "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>"
                       "<td class=\"n\">{}</td><td><span class=\"badge {}\">{}</span></td></tr>\n",
                       Xml(s.id), Xml(s.id), c.total(), c.conform, c.major, c.minor, c.observation, c.not_evidenced, c.blocked, c.not_applicable,
                       s.accepted, s.readiness.verdict, Xml(s.readiness.label));
  }
  out += "</table>\n";
  for (const auto& s : a.standards)
    out += fmt::format("<p class=\"readiness\"><strong>{}</strong>: {}. Grades are predictions from the rules; the certification "
                       "body's auditor decides.</p>\n",
                       Xml(s.id), Xml(ReadinessText(s.readiness)));
  out += "</section>\n";

  // Chart.
  out += "<section id=\"chart\">\n<h2>Conformance per clause</h2>\n<p class=\"legend\"><span><i style=\"background:#2e7d32\"></i>conform</span>"
         "<span><i style=\"background:#c62828\"></i>nonconform</span><span><i style=\"background:#ef8f00\"></i>not evidenced</span>"
         "<span><i style=\"background:#8e24aa\"></i>blocked</span><span><i style=\"background:#bdbdbd\"></i>not applicable</span></p>\n";
  for (const auto& s : a.standards) out += fmt::format("<h3>{} — {}</h3>\n{}", Xml(s.id), Xml(s.title), Chart(s));
  out += "</section>\n";

  // Findings by grade.
  out += "<section id=\"findings\">\n<h2>Findings</h2>\n";
  struct Group {
    const char* title;
    std::function<bool(const RequirementRow&)> in;
  };
  std::vector<Group> groups = {
      {"Major nonconformities", [](const RequirementRow& r) { return r.verdict == Verdict::Nonconform && r.declared_grade == ir::Grade::Major; }},
      {"Minor nonconformities", [](const RequirementRow& r) { return r.verdict == Verdict::Nonconform && r.declared_grade == ir::Grade::Minor; }},
      {"Observations", [](const RequirementRow& r) { return r.verdict == Verdict::Nonconform && r.declared_grade == ir::Grade::Observation; }},
      {"Not evidenced", [](const RequirementRow& r) { return r.verdict == Verdict::NotEvidenced; }}};
  if (!gaps) out += "<p>No findings: every applicable requirement conforms.</p>\n";
  int number = 0;
  std::map<const RequirementRow*, int> numbers;
  for (const Group& g : groups) {
    std::string body;
    int n = 0;
    for (const auto& s : a.standards)
      for (const auto& r : s.requirements) {
        if (!g.in(r)) continue;
        ++n;
        numbers[&r] = ++number;
        body += fmt::format("<article class=\"finding{}\" id=\"f{}\" data-standard=\"{}\" data-requirement=\"{}\" data-verdict=\"{}\" data-grade=\"{}\">\n",
                            r.deviation ? " accepted" : "", number, Xml(s.id), Xml(r.id), VerdictName(r.verdict),
                            r.verdict == Verdict::Nonconform ? ir::GradeName(r.declared_grade) : "none");
        body += fmt::format("<div class=\"head\">F{} · {} {} — {}</div>\n", number, Xml(s.id), Xml(r.clause), Xml(r.statement));
        body += fmt::format("<div class=\"ref\">{} {} · requirement <code>{}</code></div>\n", Xml(r.clause), Xml(r.clause_title), Xml(r.id));
        body += fmt::format("<p class=\"message\">{}</p>\n", Xml(HumanMessage(r.message)));
        // The requirements waiting for this one are not findings of their own: they are named here.
        if (auto waiting = BlockedBy(s, r); !waiting.empty()) {
          std::string names;
          for (const RequirementRow* w : waiting) names += fmt::format("<li>{} {}</li>", Xml(w->clause), Xml(w->statement));
          body += fmt::format("<div class=\"small blocks\">Until this is resolved, {} further requirement{} cannot be assessed</div><ul>{}</ul>\n",
                              waiting.size(), waiting.size() == 1 ? "" : "s", names);
        }
        if (r.deviation)
          body += fmt::format("<p class=\"deviation\"><strong>Accepted deviation</strong> until {}, approved by {}: {}</p>\n",
                              cal::FormatDate(r.deviation->accepted_until), Xml(r.deviation->approver), Xml(r.deviation->justification));
        std::string items;
        for (const Offender& o : r.offenders)
          items += fmt::format("<li class=\"offender\">{}{}</li>\n", o.label.empty() ? "" : Xml(o.label) + " — ", Where(o.path, o.pos));
        for (const FactRow& f : r.facts)
          if (!f.words.empty()) items += fmt::format("<li class=\"fact\">{} — {}</li>\n", Xml(f.words), Where(f.path, f.pos));
        if (!items.empty()) body += "<div class=\"small\">Evidence</div><ul>\n" + items + "</ul>\n";
        body += "</article>\n";
      }
    if (n) out += fmt::format("<h3>{} ({})</h3>\n{}", g.title, n, body);
  }
  // Blocked requirements: not findings (the finding is the prerequisite's), listed so the
  // reader knows what is still to be assessed once the prerequisite is put right.
  std::string blocked;
  size_t n_blocked = 0;
  for (const auto& s : a.standards)
    for (const auto& r : s.requirements)
      if (r.verdict == Verdict::Blocked) {
        ++n_blocked;
        blocked += fmt::format("<tr data-standard=\"{}\" data-requirement=\"{}\"><td>{} {}</td><td>{}</td><td>{}</td></tr>\n", Xml(s.id), Xml(r.id),
                               Xml(s.id), Xml(r.clause), Xml(r.statement), Xml(BlockedInWords(s, r)));
      }
  if (n_blocked)
    out += fmt::format("<h3 id=\"blocked\">Cannot be assessed yet ({})</h3>\n<p class=\"small\">These requirements depend on one that does not conform; "
                       "they are assessed once it does.</p>\n<table class=\"blocked\">\n<tr><th>Clause</th><th>Requirement</th><th>Waits for</th></tr>\n{}</table>\n",
                       n_blocked, blocked);
  out += "</section>\n";

  // Action plan.
  out += "<section id=\"actions\">\n<h2>Action plan</h2>\n<table class=\"actions\">\n<tr><th>#</th><th>Clause</th><th>Finding</th><th>Grade</th>"
         "<th>Action</th><th>Owner</th><th>Due</th></tr>\n";
  for (const Group& g : groups)
    for (const auto& s : a.standards)
      for (const auto& r : s.requirements) {
        if (!g.in(r)) continue;
        auto row = detail::TableRow(r);
        out += fmt::format("<tr><td><a href=\"#f{0}\">F{0}</a></td><td>{1} {2}</td><td>{3}</td><td>{4}</td><td>{5}</td><td>{6}</td><td>{7}</td></tr>\n",
                           numbers[&r], Xml(s.id), Xml(r.clause), Xml(r.statement), Xml(Grade(r)), Xml(row[9]), Xml(row[10]), Xml(row[11]));
      }
  out += "</table>\n<p class=\"small\">Owner and due date come from the corrective actions recorded in the evidence; blank where none is recorded.</p>\n</section>\n";

  // Appendix.
  out += "<section id=\"appendix\">\n<h2>Appendix: every requirement</h2>\n";
  for (const auto& s : a.standards) {
    out += fmt::format("<h3>{} — {}</h3>\n<table class=\"requirements\">\n<tr><th>Clause</th><th>Requirement</th><th>Verdict</th><th>Grade</th></tr>\n",
                       Xml(s.id), Xml(s.title));
    for (const auto& r : s.requirements) {
      auto g = r.grade();
      out += fmt::format("<tr data-verdict=\"{0}\"><td>{1}</td><td>{2}<div class=\"small\">{3}</div></td><td class=\"v-{0}\">{4}</td><td>{5}</td></tr>\n",
                         VerdictName(r.verdict), Xml(r.clause), Xml(r.says.empty() ? r.statement : r.says), Xml(r.id),
                         Xml(VerdictLabel(r.verdict) + (r.deviation ? " (accepted)" : "")), g ? ir::GradeName(*g) : "");
    }
    out += "</table>\n";
  }
  out += "</section>\n</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace conform::runtime
