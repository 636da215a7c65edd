// `conform diff BEFORE.json AFTER.json`: what changed between two assessments of one
// organization — closed gaps, new gaps, changed grades, newly blocked — read back from the
// JSON reports into the typed results, rendered as text, JSON or HTML.
#include <fmt/format.h>
#include <simdjson.h>

#include <map>

#include "conform/compiler/calendar.h"
#include "conform/runtime/results.h"
#include "json_writer.h"
#include "markup.h"

namespace conform::runtime {

std::optional<Verdict> ParseVerdict(std::string_view name) {
  for (int v = 0; v < 16; ++v) {
    std::string_view n = VerdictName(static_cast<Verdict>(v));
    if (n == "?") break;
    if (n == name) return static_cast<Verdict>(v);
  }
  return std::nullopt;
}

namespace {

namespace sj = simdjson;

std::string Str(sj::dom::element e) {
  std::string_view s;
  return e.get_string().get(s) ? std::string() : std::string(s);
}

int Int(sj::dom::element e, const char* key) {
  int64_t v = 0;
  return e[key].get_int64().get(v) ? 0 : static_cast<int>(v);
}

Counts ReadCounts(sj::dom::element e) {
  Counts c;
  c.conform = Int(e, "conform");
  c.nonconform = Int(e, "nonconform");
  c.major = Int(e, "major");
  c.minor = Int(e, "minor");
  c.observation = Int(e, "observation");
  c.not_evidenced = Int(e, "not_evidenced");
  c.not_applicable = Int(e, "not_applicable");
  c.blocked = Int(e, "blocked");
  return c;
}

std::optional<ir::Grade> ParseGrade(const std::string& g) {
  if (g == "major") return ir::Grade::Major;
  if (g == "minor") return ir::Grade::Minor;
  if (g == "observation") return ir::Grade::Observation;
  return std::nullopt;
}

bool Blocked(const RequirementRow& r) { return r.verdict == Verdict::Blocked; }

}  // namespace

std::optional<Assessment> ReadAssessmentJson(const std::string& text, std::string& error) {
  sj::dom::parser parser;
  sj::dom::element doc;
  if (auto e = parser.parse(text).get(doc)) {
    error = std::string("not valid JSON: ") + sj::error_message(e);
    return std::nullopt;
  }
  sj::dom::array standards;
  if (doc["standards"].get_array().get(standards)) {
    error = "not a `conform check --format json` report (no \"standards\" list)";
    return std::nullopt;
  }
  Assessment a;
  a.info.version = Str(doc["conform_version"]);
  a.info.evidence_path = Str(doc["evidence"]);
  a.info.engine = Str(doc["engine"]);
  if (auto d = cal::ParseDate(Str(doc["as_of"]))) a.info.as_of = *d;
  sj::dom::element org;
  if (!doc["organization"].get(org)) {
    a.info.organization = Str(org["name"]);
    a.info.legal_entity = Str(org["legal_entity"]);
    a.info.assessor = Str(org["assessor"]);
    sj::dom::array scope;
    if (!org["scope"].get_array().get(scope))
      for (auto s : scope) a.info.scope.push_back(Str(s));
  }
  for (auto s : standards) {
    StandardResults sr;
    sr.id = Str(s["standard"]);
    sr.title = Str(s["title"]);
    sr.edition = Str(s["edition"]);
    sj::dom::element sum;
    if (!s["summary"].get(sum)) sr.summary = ReadCounts(sum);
    sj::dom::array reqs;
    if (s["requirements"].get_array().get(reqs)) {
      error = "standard `" + sr.id + "` has no \"requirements\" list";
      return std::nullopt;
    }
    for (auto r : reqs) {
      RequirementRow row;
      row.standard = sr.id;
      row.clause = Str(r["clause"]);
      row.id = Str(r["id"]);
      row.says = Str(r["says"]);
      row.statement = Str(r["statement"]);
      if (row.statement.empty()) row.statement = ShortStatement(row.says.empty() ? row.id : row.says);
      std::string v = Str(r["verdict"]);
      auto verdict = ParseVerdict(v);
      if (!verdict) {
        error = fmt::format("requirement `{}` of `{}` has an unknown verdict `{}`", row.id, sr.id, v);
        return std::nullopt;
      }
      row.verdict = *verdict;
      std::string g = Str(r["grade"]);
      if (g.empty()) g = Str(r["declared_grade"]);
      if (auto grade = ParseGrade(g)) row.declared_grade = *grade;
      row.message = Str(r["message"]);
      row.blocked_by = Str(r["blocked_by"]);
      sj::dom::element dev;
      if (!r["deviation"].get(dev) && dev.is_object()) {
        Deviation d;
        d.requirement = row.id;
        d.justification = Str(dev["justification"]);
        d.approver = Str(dev["approver"]);
        if (auto u = cal::ParseDate(Str(dev["accepted_until"]))) d.accepted_until = *u;
        row.deviation = d;
      }
      sr.requirements.push_back(std::move(row));
    }
    a.standards.push_back(std::move(sr));
  }
  return a;
}

AssessmentDiff DiffAssessments(const Assessment& before, const Assessment& after) {
  AssessmentDiff d;
  d.before = before.info;
  d.after = after.info;
  std::map<std::pair<std::string, std::string>, const RequirementRow*> old_rows;
  for (const auto& s : before.standards)
    for (const auto& r : s.requirements) old_rows[{s.id, r.id}] = &r;
  for (const auto& s : after.standards) {
    const StandardResults* bs = nullptr;
    for (const auto& x : before.standards)
      if (x.id == s.id) bs = &x;
    d.standards.push_back({s.id, bs ? bs->summary : Counts{}, s.summary, bs != nullptr});
    for (const auto& r : s.requirements) {
      auto it = old_rows.find({s.id, r.id});
      if (it == old_rows.end()) {
        DiffEntry e{s.id, r.clause, r.id, r.statement, std::nullopt, r, r.IsGap() || Blocked(r) ? r.message : ""};
        d.added.push_back(e);
        if (r.IsGap()) d.opened.push_back(e);
        continue;
      }
      const RequirementRow& o = *it->second;
      old_rows.erase(it);
      DiffEntry e{s.id, r.clause, r.id, r.statement, o, r, r.message.empty() ? o.message : r.message};
      bool was_gap = o.IsGap(), is_gap = r.IsGap();
      if (Blocked(r) && !Blocked(o)) d.blocked.push_back(e);
      else if (was_gap && !is_gap && !Blocked(r)) d.closed.push_back(e);
      else if (!was_gap && is_gap) d.opened.push_back(e);
      else if (was_gap && is_gap && (o.verdict != r.verdict || o.grade() != r.grade())) d.regraded.push_back(e);
    }
  }
  for (const auto& [key, r] : old_rows) d.removed.push_back({key.first, r->clause, r->id, r->statement, *r, std::nullopt, {}});
  return d;
}

std::string RowState(const std::optional<RequirementRow>& r) {
  if (!r) return "absent";
  auto g = r->grade();
  return VerdictLabel(r->verdict) + (g ? fmt::format(" ({})", ir::GradeName(*g)) : "");
}

namespace {

struct Section {
  const char* key;
  const char* title;
  const std::vector<DiffEntry> AssessmentDiff::*list;
};

const Section kSections[] = {
    {"closed", "Closed gaps", &AssessmentDiff::closed},
    {"new", "New gaps", &AssessmentDiff::opened},
    {"changed", "Changed grades", &AssessmentDiff::regraded},
    {"blocked", "Newly blocked", &AssessmentDiff::blocked},
    {"added", "Requirements added to the catalogue", &AssessmentDiff::added},
    {"removed", "Requirements no longer in the catalogue", &AssessmentDiff::removed},
};

std::string Title(const AssessmentDiff& d) {
  std::string org = d.after.organization.empty() ? d.before.organization : d.after.organization;
  return fmt::format("{}progress from {} to {}", org.empty() ? "" : org + " — ", cal::FormatDate(d.before.as_of),
                     cal::FormatDate(d.after.as_of));
}

}  // namespace

std::string WriteDiffText(const AssessmentDiff& d) {
  std::string out = Title(d) + "\n";
  out += fmt::format("before {} · after {}\n", d.before.evidence_path, d.after.evidence_path);
  for (const auto& s : d.standards)
    out += fmt::format("{}: gaps {} → {} (major {} → {}, minor {} → {}, observation {} → {}, not evidenced {} → {})\n", s.id,
                       s.before.nonconform + s.before.not_evidenced, s.after.nonconform + s.after.not_evidenced, s.before.major,
                       s.after.major, s.before.minor, s.after.minor, s.before.observation, s.after.observation,
                       s.before.not_evidenced, s.after.not_evidenced);
  for (const Section& sec : kSections) {
    const auto& list = d.*sec.list;
    if (list.empty() && std::string_view(sec.key) != "closed" && std::string_view(sec.key) != "new") continue;
    out += fmt::format("\n{} ({})\n", sec.title, list.size());
    for (const DiffEntry& e : list) {
      out += fmt::format("  {} {} — {}\n      {} → {}\n", e.standard, e.clause, e.statement, RowState(e.before), RowState(e.after));
      if (!e.message.empty() && std::string_view(sec.key) != "closed") out += "      " + HumanMessage(e.message) + "\n";
    }
  }
  return out;
}

std::string WriteDiffJson(const AssessmentDiff& d) {
  detail::JsonWriter w(true);
  auto info = [&](const char* key, const AssessmentInfo& i) {
    w.Key(key).Object().KStrOrNull("organization", i.organization).KStr("evidence", i.evidence_path).KDate("as_of", i.as_of);
    w.EndObject();
  };
  auto state = [&](const char* key, const std::optional<RequirementRow>& r) {
    w.Key(key);
    if (!r) {
      w.Null();
      return;
    }
    w.Object().KStr("verdict", VerdictName(r->verdict)).Key("grade");
    if (auto g = r->grade()) w.Str(ir::GradeName(*g));
    else w.Null();
    w.KBool("accepted", r->deviation.has_value()).EndObject();
  };
  w.Object();
  info("before", d.before);
  info("after", d.after);
  w.Key("standards").Array();
  for (const auto& s : d.standards) {
    w.Object().KStr("standard", s.id).KBool("in_before", s.in_before);
    w.Key("gaps_before").Int(s.before.nonconform + s.before.not_evidenced);
    w.Key("gaps_after").Int(s.after.nonconform + s.after.not_evidenced).EndObject();
  }
  w.EndArray();
  for (const Section& sec : kSections) {
    w.Key(sec.key).Array();
    for (const DiffEntry& e : d.*sec.list) {
      w.Object().KStr("standard", e.standard).KStr("clause", e.clause).KStr("id", e.id).KStr("statement", e.statement);
      state("before", e.before);
      state("after", e.after);
      w.KStrOrNull("message", e.message).EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return w.Take();
}

std::string WriteDiffHtml(const AssessmentDiff& d) {
  using detail::Xml;
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{0}</title>\n<style>\n"
      "body{{font:14px/1.45 \"DejaVu Sans\",Helvetica,Arial,sans-serif;color:#1c2430;max-width:1000px;margin:24px auto;padding:0 24px}}\n"
      "table{{border-collapse:collapse;width:100%}}th,td{{border-bottom:1px solid #d9dee5;padding:5px 7px;text-align:left;vertical-align:top}}\n"
      "th{{background:#eef2f7}}h2{{border-bottom:2px solid #294f86;padding-bottom:4px}}.closed{{color:#2e7d32}}.new{{color:#c62828}}\n"
      "@media print{{@page{{size:A4;margin:16mm}}}}\n</style>\n</head>\n<body>\n<h1>{0}</h1>\n"
      "<p>Before: <code>{1}</code> ({2}) · after: <code>{3}</code> ({4})</p>\n",
      Xml(Title(d)), Xml(d.before.evidence_path), cal::FormatDate(d.before.as_of), Xml(d.after.evidence_path),
      cal::FormatDate(d.after.as_of));
  out += "<table>\n<tr><th>Standard</th><th>Gaps before</th><th>Gaps after</th><th>Major</th><th>Minor</th><th>Not evidenced</th></tr>\n";
  for (const auto& s : d.standards)
    out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{} → {}</td><td>{} → {}</td><td>{} → {}</td></tr>\n", Xml(s.id),
                       s.before.nonconform + s.before.not_evidenced, s.after.nonconform + s.after.not_evidenced, s.before.major,
                       s.after.major, s.before.minor, s.after.minor, s.before.not_evidenced, s.after.not_evidenced);
  out += "</table>\n";
  for (const Section& sec : kSections) {
    const auto& list = d.*sec.list;
    if (list.empty() && std::string_view(sec.key) != "closed" && std::string_view(sec.key) != "new") continue;
    out += fmt::format("<h2 class=\"{}\">{} ({})</h2>\n", sec.key, sec.title, list.size());
    if (list.empty()) continue;
    out += "<table>\n<tr><th>Clause</th><th>Requirement</th><th>Before</th><th>After</th></tr>\n";
    for (const DiffEntry& e : list)
      out += fmt::format("<tr class=\"change {}\" data-requirement=\"{}\"><td>{} {}</td><td>{}<div><small>{}</small></div></td><td>{}</td><td>{}</td></tr>\n",
                         sec.key, Xml(e.id), Xml(e.standard), Xml(e.clause), Xml(e.statement), Xml(HumanMessage(e.message)),
                         Xml(RowState(e.before)), Xml(RowState(e.after)));
    out += "</table>\n";
  }
  return out + "</body>\n</html>\n";
}

}  // namespace conform::runtime
