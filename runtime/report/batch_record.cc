// The batch NDJSON record without the typed model in between (see batch_record.h).
#include "batch_record.h"

#include <charconv>

#include "conform/runtime/record_reader.h"
#include "conform/runtime/results.h"

namespace conform::runtime::detail {

void AppendInt(std::string& out, int64_t n) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, r.ptr);
}

namespace {

void QuotedOrNull(std::string& out, std::string_view s) {
  if (s.empty())
    out += "null";
  else
    AppendJsonQuoted(out, s);
}

void WriteCounts(std::string& out, const Counts& c) {
  out += "{\"requirements\":";
  AppendInt(out, c.total());
  const std::pair<const char*, int> rest[] = {{",\"conform\":", c.conform},
                                              {",\"nonconform\":", c.nonconform},
                                              {",\"major\":", c.major},
                                              {",\"minor\":", c.minor},
                                              {",\"observation\":", c.observation},
                                              {",\"not_evidenced\":", c.not_evidenced},
                                              {",\"not_applicable\":", c.not_applicable},
                                              {",\"blocked\":", c.blocked}};
  for (const auto& [key, n] : rest) {
    out += key;
    AppendInt(out, n);
  }
  out += '}';
}

}  // namespace

BatchRecordWriter::BatchRecordWriter(const std::vector<std::shared_ptr<ir::Program>>& programs) {
  for (const auto& p : programs) {
    Std s;
    s.head = "{\"standard\":";
    AppendJsonQuoted(s.head, p->standard);
    s.head += ",\"summary\":";
    for (const ir::Requirement& r : p->requirements) {
      Req q;
      q.head = "{\"clause\":";
      AppendJsonQuoted(q.head, r.clause);
      q.head += ",\"id\":";
      AppendJsonQuoted(q.head, r.id);
      q.head += ",\"verdict\":\"";
      q.conform = q.head + "conform\",\"grade\":null,\"message\":null}";
      q.nonconform = "nonconform\",\"grade\":";
      AppendJsonQuoted(q.nonconform, ir::GradeName(r.grade));
      q.nonconform += ",\"message\":";
      s.reqs.push_back(std::move(q));
    }
    std_.push_back(std::move(s));
  }
}

bool BatchRecordWriter::Write(std::string& out, size_t line, Document& doc,
                              const std::vector<StandardReport>& reports) const {
  bool open_gap = false;
  // The organization's name, as BuildAssessment reads it.
  std::string organization;
  if (!reports.empty() && reports[0].program && reports[0].program->schema && doc.root())
    organization = RecordReader::Root(*reports[0].program->schema, doc).String("name").value_or("");
  out += "{\"line\":";
  AppendInt(out, static_cast<int64_t>(line));
  if (!organization.empty()) {
    out += ",\"organization\":";
    AppendJsonQuoted(out, organization);
  }
  out += ",\"standards\":[";
  for (size_t k = 0; k < reports.size() && k < std_.size(); ++k) {
    const StandardReport& rep = reports[k];
    const Std& s = std_[k];
    if (k) out += ',';
    out += s.head;
    WriteCounts(out, rep.summary);
    out += ",\"requirements\":[";
    for (size_t i = 0; i < s.reqs.size() && i < rep.results.size(); ++i) {
      const RequirementResult& res = rep.results[i];
      const Req& q = s.reqs[i];
      if (i) out += ',';
      open_gap |= res.verdict == Verdict::Nonconform || res.verdict == Verdict::NotEvidenced ||
                  res.verdict == Verdict::Blocked;
      if (res.verdict == Verdict::Conform && res.message.empty() && res.blocked_by.empty() && res.facts.empty()) {
        out += q.conform;
        continue;
      }
      out += q.head;
      if (res.verdict == Verdict::Nonconform) {
        out += q.nonconform;
      } else {
        out += VerdictName(res.verdict);
        out += "\",\"grade\":null,\"message\":";
      }
      QuotedOrNull(out, res.message);
      if (!res.blocked_by.empty()) {
        out += ",\"blocked_by\":";
        AppendJsonQuoted(out, res.blocked_by);
      }
      if (!res.facts.empty()) {
        out += ",\"facts\":[";
        for (size_t f = 0; f < res.facts.size(); ++f) {
          const Fact& x = res.facts[f];
          out += f ? ",{\"expr\":" : "{\"expr\":";
          AppendJsonQuoted(out, x.expr);
          out += ",\"value\":";
          AppendJsonQuoted(out, x.value);
          out += ",\"path\":";
          QuotedOrNull(out, x.path);
          out += '}';
        }
        out += ']';
      }
      out += '}';
    }
    out += ']';
    if (!rep.warnings.empty()) {
      out += ",\"warnings\":[";
      for (size_t w = 0; w < rep.warnings.size(); ++w) {
        out += w ? ",{\"code\":" : "{\"code\":";
        AppendJsonQuoted(out, rep.warnings[w].code);
        out += ",\"message\":";
        AppendJsonQuoted(out, rep.warnings[w].message);
        out += '}';
      }
      out += ']';
    }
    out += '}';
  }
  out += "]}";
  return open_gap;
}

}  // namespace conform::runtime::detail
