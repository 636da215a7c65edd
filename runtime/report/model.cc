// BuildAssessment: the typed results every output format renders — organization details from
// the evidence, requirement rows with facts in words, offending elements, evidence positions,
// action-plan entries from the evidence's corrective actions, accepted deviations, readiness.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "conform/compiler/calendar.h"
#include "conform/compiler/result.h"
#include "conform/runtime/lifecycle.h"
#include "conform/runtime/record_reader.h"
#include "conform/runtime/results.h"

namespace conform::runtime {

size_t Assessment::Gaps() const {
  size_t n = 0;
  for (const auto& s : standards)
    for (const auto& r : s.requirements) n += r.IsGap();
  return n;
}

size_t Assessment::OpenGaps() const {
  size_t n = 0;
  for (const auto& s : standards)
    for (const auto& r : s.requirements) n += r.IsOpenGap();
  return n;
}

std::string BlockedInWords(const StandardResults& s, const RequirementRow& r) {
  auto find = [&](const std::string& id) -> const RequirementRow* {
    for (const auto& q : s.requirements)
      if (q.id == id) return &q;
    return nullptr;
  };
  std::string out;
  const RequirementRow* cur = &r;
  size_t links = 0;
  // Prerequisite graphs are acyclic (E0412); the bound only guards against a malformed report.
  for (size_t hops = 0; cur->verdict == Verdict::Blocked && hops <= s.requirements.size(); ++hops) {
    const RequirementRow* pre = find(cur->blocked_by);
    if (!pre) return HumanMessage(r.message);
    out += fmt::format("{}{} “{}”", out.empty() ? "" : links == 1 ? " waits for " : ", which waits for ", pre->clause, pre->statement);
    cur = pre;
    ++links;
  }
  if (cur == &r) return HumanMessage(r.message);
  return out + (links == 1 ? " is " : ", which is ") + VerdictLabel(cur->verdict);
}

std::vector<const RequirementRow*> BlockedBy(const StandardResults& s, const RequirementRow& prerequisite) {
  std::vector<const RequirementRow*> out;
  for (const auto& q : s.requirements)
    if (q.verdict == Verdict::Blocked && q.blocked_by == prerequisite.id) out.push_back(&q);
  return out;
}

std::string VerdictLabel(Verdict v) {
  std::string s = VerdictName(v);
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

std::string ShortStatement(const std::string& says, size_t max) {
  std::string s = says;
  // The first sentence: a full stop followed by a space and a capital letter.
  for (size_t i = 0; i + 2 < s.size(); ++i)
    if (s[i] == '.' && s[i + 1] == ' ' && std::isupper(static_cast<unsigned char>(s[i + 2]))) {
      s.resize(i + 1);
      break;
    }
  if (s.size() <= max) return s;
  size_t cut = s.rfind(' ', max - 1);
  if (cut == std::string::npos || cut < max / 2) cut = max - 1;
  // Never cut inside a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  while (!s.empty() && (s.back() == ',' || s.back() == ';' || s.back() == ':' || s.back() == ' ')) s.pop_back();
  return s + " …";
}

std::string HumanMessage(const std::string& message) {
  std::string out;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (size_t i = 0; i < message.size();) {
    if (message.compare(i, 7, "unknown") == 0 && (i == 0 || !word(message[i - 1])) &&
        (i + 7 == message.size() || !word(message[i + 7]))) {
      out += "not recorded";
      i += 7;
    } else {
      out += message[i++];
    }
  }
  return out;
}

std::string NotApplicableReason(const RequirementRow& r) {
  if (r.message.rfind(kDoesNotApply, 0) == 0 || r.message.empty())
    return "the condition under which it applies does not hold";
  return r.message;
}

std::string SuggestedAction(const RequirementRow& r) {
  switch (r.verdict) {
    case Verdict::Nonconform: return "Correct the gap and record the evidence: " + r.statement;
    case Verdict::NotEvidenced: return "Compile and add the missing evidence for: " + r.statement;
    case Verdict::Blocked: return "First meet the prerequisite " + r.blocked_by + ", then assess: " + r.statement;
    default: return {};
  }
}

namespace {

std::string Words(std::string_view snake) {
  std::string s(snake);
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

bool Under(const std::string& c, const std::string& p) {
  return c == p || (c.size() > p.size() && c.compare(0, p.size(), p) == 0 && c[p.size()] == '.');
}

// A data path $.a[2].b["k"].c as segments: fields (name) and indexes (index >= 0).
struct Seg {
  std::string name;
  long index = -1;
};

std::vector<Seg> ParsePath(const std::string& path) {
  std::vector<Seg> out;
  if (path.empty() || path[0] != '$') return out;
  size_t i = 1;
  while (i < path.size()) {
    if (path[i] == '.') {
      size_t j = i + 1;
      while (j < path.size() && path[j] != '.' && path[j] != '[') ++j;
      out.push_back({path.substr(i + 1, j - i - 1), -1});
      i = j;
    } else if (path[i] == '[') {
      size_t j = path.find(']', i);
      if (j == std::string::npos) break;
      std::string inner = path.substr(i + 1, j - i - 1);
      if (!inner.empty() && inner[0] == '"')
        out.push_back({inner.substr(1, inner.size() >= 2 ? inner.size() - 2 : 0), -1});
      else
        out.push_back({"", std::strtol(inner.c_str(), nullptr, 10)});
      i = j + 1;
    } else {
      break;
    }
  }
  return out;
}

// Names records of the evidence in words: "context issue ci-hiring (Fast hiring dilutes …)".
class Describer {
 public:
  Describer(const SchemaModel* schema, Document* doc) {
    if (schema && doc && doc->root()) root_ = RecordReader::Root(*schema, *doc);
  }
  bool valid() const { return root_.valid(); }
  RecordReader root() const { return root_; }

  static std::string Label(const RecordReader& r, bool with_title) {
    std::string id;
    for (const char* f : {"id", "code", "number"})
      if (auto v = r.String(f)) {
        id = *v;
        break;
      }
    std::string title;
    if (with_title)
      for (const char* f : {"name", "title", "description", "statement"})
        if (auto v = r.String(f); v && *v != id) {
          title = ShortStatement(*v, 60);
          break;
        }
    if (id.empty()) return title;
    return title.empty() ? id : id + " (" + title + ")";
  }

  // The deepest record on `path` and the segments after it.
  struct Resolved {
    RecordReader record;
    bool is_root = true;
    std::vector<Seg> rest;
  };
  Resolved Resolve(const std::string& path) const {
    Resolved out{root_, true, {}};
    std::vector<Seg> segs = ParsePath(path);
    size_t i = 0;
    RecordReader cur = root_;
    while (i < segs.size()) {
      if (segs[i].index >= 0) break;
      // field then optional index
      if (i + 1 < segs.size() && segs[i + 1].index >= 0) {
        auto elem = cur.At(segs[i].name, static_cast<size_t>(segs[i + 1].index));
        if (!elem) break;
        cur = std::move(*elem);
        i += 2;
      } else {
        auto rec = cur.Record(segs[i].name);
        if (!rec) break;
        cur = *rec;
        i += 1;
      }
      out.record = cur;
      out.is_root = false;
      out.rest.assign(segs.begin() + i, segs.end());
    }
    if (out.is_root) out.rest = segs;
    return out;
  }

  std::string Subject(const Resolved& r, bool with_title) const {
    if (r.is_root) return "organization";
    const EntityDef* e = r.record.entity();
    std::string label = Label(r.record, with_title);
    return Words(e ? e->name : "item") + (label.empty() ? "" : " " + label);
  }

  std::string Describe(const std::string& path) const {
    if (!valid()) return {};
    Resolved r = Resolve(path);
    if (r.is_root) return {};
    return Label(r.record, true);
  }

 private:
  RecordReader root_;
};

std::string ValueWords(const Fact& f, const std::string& field) {
  const std::string& v = f.value;
  auto starts = [&](const char* p) { return f.expr.rfind(p, 0) == 0; };
  if (v == "unknown") return field + ": not recorded";
  if (starts("count(") || starts("len(")) {
    if (v == "0") return field + ": none recorded";
    return fmt::format("{}: {}", field, v);
  }
  if (starts("exists ") || starts("all ") || starts("none ")) {
    // "false (12 of 12 checked)"
    size_t open = v.find('(');
    std::string detail = open == std::string::npos ? "" : v.substr(open + 1, v.size() - open - 2);
    std::string checked;
    if (size_t of = detail.find(" of "); of != std::string::npos) checked = detail.substr(of + 4);
    if (size_t sp = checked.find(' '); sp != std::string::npos) checked.resize(sp);
    bool truth = v.rfind("true", 0) == 0;
    if (starts("exists "))
      return truth ? field + ": a matching item is recorded"
                   : fmt::format("{}: none of the {} recorded matches", field, checked.empty() ? "items" : checked);
    return fmt::format("{}: {}", field, truth ? "all match" : "not every item matches");
  }
  if (v == "true") return field + ": yes";
  if (v == "false") return field + ": no";
  return field + ": " + v;
}

// Open nonconformities recorded on this clause (or the one the witness points into), with
// their corrective actions: the action plan's owner and due date.
std::vector<ActionItem> Actions(const RecordReader& root, const std::string& standard, const std::string& clause,
                                const std::string& witness) {
  std::vector<ActionItem> out;
  auto ncs = root.List("nonconformities");
  if (!ncs) return out;
  for (size_t k = 0; k < ncs->size(); ++k) {
    const RecordReader& n = (*ncs)[k];
    bool by_witness = !witness.empty() && witness.rfind(n.path(), 0) == 0;
    auto ref = n.String("clause_ref");
    bool by_clause = ref && (Under(clause, *ref) || Under(*ref, clause));
    if (!by_witness && !by_clause) continue;
    auto status = n.Enum("status");
    if (!by_witness && status && (*status == "closed" || *status == "verified_effective")) continue;
    if (auto systems = n.Strings("systems"); !by_witness && systems && !systems->empty() &&
                                             std::find(systems->begin(), systems->end(), standard) == systems->end())
      continue;
    std::string nc = n.String("id").value_or(n.path());
    for (const RecordReader& a : n.List("corrective_actions").value_or(std::vector<RecordReader>{})) {
      if (a.Has("implemented_at") && a.Has("verified_at")) continue;
      out.push_back({nc, a.String("id").value_or(""), a.String("description").value_or(""), a.String("owner").value_or(""),
                     a.Date("due_at")});
    }
  }
  return out;
}

EvidencePos Pos(Document* doc, const std::string& path) {
  if (!doc || path.empty()) return {};
  LineCol lc = doc->PositionOf(path);
  return {lc.line, lc.col};
}

}  // namespace

Assessment BuildAssessment(const std::vector<StandardReport>& reports, const RunInfo& info, Document* doc,
                           const BuildOptions& opts) {
  Assessment a;
  a.info.evidence_path = info.evidence_path;
  a.info.as_of = info.as_of;
  a.info.engine = EngineName(info.engine);
  a.info.version = info.version;
  const SchemaModel* schema = reports.empty() || !reports[0].program ? nullptr : reports[0].program->schema.get();
  Describer describe(schema, opts.words ? doc : nullptr);
  RecordReader root = schema && doc && doc->root() ? RecordReader::Root(*schema, *doc) : RecordReader();
  if (root.valid()) {
    a.info.organization = root.String("name").value_or("");
    a.info.legal_entity = root.String("legal_entity").value_or("");
    a.info.assessor = root.String("assessor").value_or("");
    for (const RecordReader& s : root.List("scopes").value_or(std::vector<RecordReader>{}))
      if (auto st = s.String("statement")) a.info.scope.push_back(*st);
  }

  for (const StandardReport& r : reports) {
    const ir::Program& p = *r.program;
    StandardResults s;
    s.id = p.standard;
    s.title = p.title;
    s.edition = p.Meta("edition");
    s.summary = r.summary;
    for (size_t c = 0; c < r.clauses.size() && opts.words; ++c)
      s.clauses.push_back({r.clauses[c].number, r.clauses[c].title, r.clauses[c].depth,
                           c < p.clauses.size() ? p.clauses[c].parent : -1, r.clauses[c].verdict, r.clauses[c].counts,
                           c < p.clauses.size() ? p.clauses[c].origin : std::string()});
    s.layers = p.layers;
    s.by_origin = r.by_origin;
    if (!p.layers.empty()) {
      LayeredStrings strings(p.literals.get());
      for (const auto& pi : p.params) {
        if (pi.set_by.empty()) continue;
        auto value = [&](int64_t v, const std::vector<int64_t>& set) {
          if (p.types.Kind(pi.type) != TypeKind::Set) return FormatValue(p, strings, pi.type, v, true);
          std::string out = "{";
          for (size_t k = 0; k < set.size(); ++k)
            out += (k ? ", " : "") + FormatValue(p, strings, p.types[pi.type].elem, set[k], true);
          return out + "}";
        };
        s.parameters_set.push_back({pi.name, pi.origin, pi.set_by, value(pi.value, pi.set_value),
                                    value(pi.base_value, pi.base_set_value)});
      }
    }
    s.requirements.reserve(p.requirements.size());
    for (size_t i = 0; i < p.requirements.size() && i < r.results.size(); ++i) {
      const ir::Requirement& req = p.requirements[i];
      const RequirementResult& res = r.results[i];
      RequirementRow row;
      row.standard = p.standard;
      row.clause = req.clause;
      row.id = req.id;
      row.declared_in = req.origin.empty() ? p.standard : req.origin;
      row.origin = req.origin.empty() ? p.standard : req.Provenance();
      row.amended_by = req.amended_by;
      if (opts.words) {  // batch records carry neither statements nor clause titles
        if (req.clause_index >= 0 && static_cast<size_t>(req.clause_index) < p.clauses.size())
          row.clause_title = p.clauses[req.clause_index].title;
        row.says = req.says;
        row.statement = ShortStatement(req.says);
        if (row.statement.empty()) row.statement = Words(req.id);
      }
      row.declared_grade = req.grade;
      row.verdict = res.verdict;
      row.message = res.message;
      row.witness = res.witness;
      row.blocked_by = res.blocked_by;
      std::string deciding;
      for (const Fact& f : res.facts) {
        FactRow fr{f.expr, f.value, f.path, {}, Pos(doc, f.path)};
        if (describe.valid() && !f.path.empty()) {
          auto rs = describe.Resolve(f.path);
          std::string field;
          for (const Seg& sg : rs.rest)
            if (sg.index < 0) field = Words(sg.name);
          if (field.empty()) field = "it";
          if (f.inline_call) field = f.expr;  // "document D2 — open_ok(d): no"
          fr.words = describe.Subject(rs, false) + " — " + ValueWords(f, field);
        }
        if (deciding.empty() && !f.path.empty() && (res.witness.empty() || f.path.rfind(res.witness, 0) == 0))
          deciding = f.path;
        row.facts.push_back(std::move(fr));
      }
      if (!res.witness.empty()) {
        // Every failing element of a top-level all/none (the first is the witness).
        bool first_listed = !res.witnesses.empty() && res.witnesses.front() == res.witness;
        if (!first_listed)
          row.offenders.push_back({res.witness, describe.valid() ? describe.Describe(res.witness) : "", Pos(doc, res.witness)});
        for (const std::string& w : res.witnesses)
          row.offenders.push_back({w, describe.valid() ? describe.Describe(w) : "", Pos(doc, w)});
        if (deciding.empty()) deciding = res.witness;
      }
      if (deciding.empty())
        for (const Fact& f : res.facts)
          if (!f.path.empty()) {
            deciding = f.path;
            break;
          }
      // Computed facts only (no data path): the organization's record, the root mapping.
      row.location = Pos(doc, deciding.empty() && row.IsGap() ? std::string("$") : deciding);
      if (root.valid() && opts.words && row.IsGap()) row.actions = Actions(root, p.standard, req.clause, res.witness);
      s.requirements.push_back(std::move(row));
    }
    for (const auto& w : r.warnings) s.warnings.emplace_back(w.code, w.message);
    // Readiness (stage 2 / decision gate), predicted from the grades.
    if (root.valid() && opts.words) {
      auto rr = lifecycle::AssessReadiness(p, r, root, nullptr, info.as_of);
      s.readiness = {lifecycle::ReadinessName(rr.stage2.verdict), lifecycle::ReadinessLabel(rr.stage2.verdict),
                     static_cast<int>(rr.stage2.majors.size()), static_cast<int>(rr.stage2.minors.size()),
                     rr.stage2.minors_planned, static_cast<int>(rr.stage2.not_evidenced.size()),
                     static_cast<int>(rr.stage2.blocked.size())};
    } else {
      const Counts& c = r.summary;
      s.readiness.majors = c.major;
      s.readiness.minors = c.minor;
      s.readiness.not_evidenced = c.not_evidenced;
      s.readiness.blocked = c.blocked;
      lifecycle::Readiness v = (c.major || c.blocked) ? lifecycle::Readiness::NotReady
                               : (c.minor || c.not_evidenced) ? lifecycle::Readiness::AtRisk
                                                              : lifecycle::Readiness::Ready;
      s.readiness.verdict = lifecycle::ReadinessName(v);
      s.readiness.label = lifecycle::ReadinessLabel(v);
    }
    a.standards.push_back(std::move(s));
  }
  return a;
}

std::optional<Format> ParseFormat(std::string_view name) {
  static const std::pair<const char*, Format> kFormats[] = {
      {"text", Format::Text},   {"json", Format::Json},   {"html", Format::Html},
      {"junit", Format::Junit}, {"sarif", Format::Sarif}, {"oscal", Format::Oscal},
      {"csv", Format::Csv},     {"xlsx", Format::Xlsx},   {"md", Format::Markdown}};
  for (const auto& [n, f] : kFormats)
    if (name == n) return f;
  return std::nullopt;
}

const std::vector<std::string>& FormatNames() {
  static const std::vector<std::string> names = {"text", "json", "html", "junit", "sarif", "oscal", "csv", "xlsx", "md"};
  return names;
}

}  // namespace conform::runtime
