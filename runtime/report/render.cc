// Text and JSON renderings of evaluation reports.
#include <fmt/format.h>

#include "conform/compiler/calendar.h"
#include "conform/runtime/report.h"

namespace conform::runtime {

std::string JsonQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) out += fmt::format("\\u{:04x}", c);
        else out += static_cast<char>(c);
    }
  }
  out += '"';
  return out;
}

namespace {

const char* Mark(Verdict v) {
  switch (v) {
    case Verdict::Conform: return "✓";
    case Verdict::Nonconform: return "✗";
    case Verdict::NotEvidenced: return "?";
    case Verdict::NotApplicable: return "–";
  }
  return " ";
}

const char* Color(Verdict v) {
  switch (v) {
    case Verdict::Conform: return "\033[32m";
    case Verdict::Nonconform: return "\033[31m";
    case Verdict::NotEvidenced: return "\033[33m";
    case Verdict::NotApplicable: return "\033[2m";
  }
  return "";
}

std::string SummaryLine(const Counts& c) {
  std::string nc = fmt::format("{} nonconform", c.nonconform);
  if (c.nonconform)
    nc += fmt::format(" ({} major, {} minor, {} observation{})", c.major, c.minor, c.observation,
                      c.observation == 1 ? "" : "s");
  return fmt::format("{} requirements: {} conform, {}, {} not evidenced, {} not applicable", c.total(), c.conform, nc,
                     c.not_evidenced, c.not_applicable);
}

std::string CountsJson(const Counts& c) {
  return fmt::format(
      "{{\"requirements\":{},\"conform\":{},\"nonconform\":{},\"major\":{},\"minor\":{},\"observation\":{},"
      "\"not_evidenced\":{},\"not_applicable\":{}}}",
      c.total(), c.conform, c.nonconform, c.major, c.minor, c.observation, c.not_evidenced, c.not_applicable);
}

}  // namespace

std::string RenderText(const StandardReport& r, const RunInfo& info, const TextOptions& opts) {
  const ir::Program& p = *r.program;
  std::string out;
  auto paint = [&](const char* color, const std::string& s) {
    return opts.color ? fmt::format("{}{}\033[0m", color, s) : s;
  };
  std::string edition = p.Meta("edition");
  out += paint("\033[1m", fmt::format("{} — {}{}", p.standard, p.title, edition.empty() ? "" : " (" + edition + ")")) + "\n";
  out += fmt::format("evidence {} · as of {} · engine {}\n", info.evidence_path, cal::FormatDate(info.as_of),
                     EngineName(info.engine));
  // Requirements grouped under their clause, clauses in declaration order.
  std::vector<std::vector<size_t>> by_clause(p.clauses.size());
  for (size_t i = 0; i < p.requirements.size(); ++i) by_clause[p.requirements[i].clause_index].push_back(i);
  for (size_t c = 0; c < p.clauses.size(); ++c) {
    const ClauseRollup& cr = r.clauses[c];
    std::string indent(2 * (cr.depth - 1), ' ');
    if (cr.depth == 1) out += "\n";
    std::string head = fmt::format("{}{} {}", indent, cr.number, cr.title);
    if (cr.depth == 1) head = paint("\033[1m", head);
    out += head + "\n";
    for (size_t i : by_clause[c]) {
      const auto& req = p.requirements[i];
      const RequirementResult& res = r.results[i];
      if (res.verdict == Verdict::Conform && !opts.show_conforming) continue;
      std::string line = fmt::format("{}  {} {}", indent, paint(Color(res.verdict), Mark(res.verdict)), req.id);
      switch (res.verdict) {
        case Verdict::Nonconform:
          line += " " + paint(Color(res.verdict), fmt::format("[{}]", ir::GradeName(req.grade))) + " " + res.message;
          break;
        case Verdict::NotEvidenced: line += "  not evidenced: " + res.message; break;
        case Verdict::NotApplicable: line += "  not applicable: " + res.message; break;
        case Verdict::Conform: break;
      }
      out += line + "\n";
      if (opts.explain && (res.verdict == Verdict::Nonconform || res.verdict == Verdict::NotEvidenced)) {
        size_t shown = 0;
        for (const Fact& f : res.facts) {
          if (++shown > 4) break;
          out += paint("\033[2m", fmt::format("{}      {} = {}{}", indent, f.expr, f.value,
                                              f.path.empty() ? "" : fmt::format("  ({})", f.path))) + "\n";
        }
      }
    }
  }
  out += "\n" + paint("\033[1m", fmt::format("{}: {}", p.standard, SummaryLine(r.summary))) + "\n";
  return out;
}

std::string RenderJson(const std::vector<StandardReport>& reports, const RunInfo& info, const std::string& evidence_json) {
  std::string out = fmt::format("{{\"conform_version\":{},\"evidence\":{},\"as_of\":\"{}\",\"engine\":\"{}\",\"standards\":[",
                                JsonQuote(info.version), JsonQuote(info.evidence_path), cal::FormatDate(info.as_of),
                                EngineName(info.engine));
  for (size_t s = 0; s < reports.size(); ++s) {
    const StandardReport& r = reports[s];
    const ir::Program& p = *r.program;
    if (s) out += ",";
    out += fmt::format("{{\"standard\":{},\"title\":{},\"edition\":{},\"summary\":{},\"clauses\":[", JsonQuote(p.standard),
                       JsonQuote(p.title), JsonQuote(p.Meta("edition")), CountsJson(r.summary));
    for (size_t c = 0; c < r.clauses.size(); ++c) {
      const ClauseRollup& cr = r.clauses[c];
      out += fmt::format("{}{{\"clause\":{},\"title\":{},\"verdict\":\"{}\",\"counts\":{}}}", c ? "," : "",
                         JsonQuote(cr.number), JsonQuote(cr.title), VerdictName(cr.verdict), CountsJson(cr.counts));
    }
    out += "],\"requirements\":[";
    for (size_t i = 0; i < p.requirements.size(); ++i) {
      const auto& req = p.requirements[i];
      const RequirementResult& res = r.results[i];
      std::string facts;
      for (size_t f = 0; f < res.facts.size(); ++f)
        facts += fmt::format("{}{{\"expr\":{},\"value\":{},\"path\":{}}}", f ? "," : "", JsonQuote(res.facts[f].expr),
                             JsonQuote(res.facts[f].value),
                             res.facts[f].path.empty() ? "null" : JsonQuote(res.facts[f].path));
      out += fmt::format(
          "{}{{\"standard\":{},\"clause\":{},\"id\":{},\"verdict\":\"{}\",\"grade\":{},\"declared_grade\":\"{}\","
          "\"message\":{},\"says\":{},\"witness\":{},\"facts\":[{}]}}",
          i ? "," : "", JsonQuote(p.standard), JsonQuote(req.clause), JsonQuote(req.id), VerdictName(res.verdict),
          res.verdict == Verdict::Nonconform ? fmt::format("\"{}\"", ir::GradeName(req.grade)) : "null",
          ir::GradeName(req.grade), res.message.empty() ? "null" : JsonQuote(res.message), JsonQuote(req.says),
          res.witness.empty() ? "null" : JsonQuote(res.witness), facts);
    }
    out += "]";
    if (!r.warnings.empty()) {
      out += ",\"warnings\":[";
      for (size_t w = 0; w < r.warnings.size(); ++w)
        out += fmt::format("{}{{\"code\":\"{}\",\"message\":{}}}", w ? "," : "", r.warnings[w].code,
                           JsonQuote(r.warnings[w].message));
      out += "]";
    }
    out += "}";
  }
  out += "]";
  if (!evidence_json.empty()) out += ",\"evidence_usage\":" + evidence_json;
  out += "}\n";
  return out;
}

}  // namespace conform::runtime
