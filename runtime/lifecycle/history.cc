// Reads the certification history (module `certification`) from a loaded document, by field
// name through the schema, and checks its internal consistency (E1001-E1004).
#include <fmt/format.h>

#include <map>
#include <set>

#include "conform/runtime/evidence.h"
#include "conform/runtime/lifecycle.h"
#include "conform/runtime/record_reader.h"

namespace conform::runtime::lifecycle {
namespace {

template <class E, size_t N>
std::optional<E> FromName(const std::optional<std::string>& name, const char* (*namer)(E)) {
  if (!name) return std::nullopt;
  for (size_t i = 0; i < N; ++i)
    if (*name == namer(static_cast<E>(i))) return static_cast<E>(i);
  return std::nullopt;
}

std::vector<std::string> StringsOr(const RecordReader& r, std::string_view f) {
  return r.Strings(f).value_or(std::vector<std::string>{});
}

class Reader {
 public:
  Reader(const std::string& evidence, Diagnostics& diags) : evidence_(evidence), diags_(diags) {}

  Diagnostic& Error(const char* code, const std::string& data_path, std::string message, std::string help = {}) {
    auto& d = diags_.Error(code, {}, std::move(message), std::move(help));
    d.path = evidence_;
    d.data_path = data_path;
    return d;
  }

  void Order(const std::optional<Date>& first, const std::optional<Date>& then, const RecordReader& r,
             const char* first_name, const char* then_name, bool strict = false) {
    if (!first || !then) return;
    if (*then < *first || (strict && *then == *first))
      Error("E1002", r.PathOf(then_name),
            fmt::format("`{}` ({}) is {} `{}` ({})", then_name, cal::FormatDate(*then), strict ? "not after" : "before",
                        first_name, cal::FormatDate(*first)),
            "check both dates");
  }

  History Read(const RecordReader& r) {
    History h;
    h.path = r.path();
    h.id = r.String("id").value_or("");
    h.standard = r.String("standard_id").value_or("");
    h.certification_body = r.String("certification_body").value_or("");
    h.edition = r.String("edition");
    h.accreditation_body = r.String("accreditation_body");
    h.transferred_from = r.String("transferred_from");
    h.transferred_to = r.String("transferred_to");
    h.accredited = r.Bool("accredited");
    h.multi_site = r.Bool("multi_site");
    h.sites_legally_linked = r.Bool("sites_legally_linked");
    h.sites_similar_processes = r.Bool("sites_similar_processes");
    h.transferred_at = r.Date("transferred_at");

    for (const RecordReader& a : r.List("applications").value_or(std::vector<RecordReader>{})) {
      Application x;
      x.id = a.String("id").value_or("");
      x.submitted = a.Date("submitted_at").value_or(0);
      x.reviewed = a.Date("reviewed_at");
      if (auto o = a.Enum("outcome")) x.accepted = *o == "accepted";
      x.path = a.path();
      Order(x.submitted, x.reviewed, a, "submitted_at", "reviewed_at");
      h.applications.push_back(std::move(x));
    }
    for (const RecordReader& a : r.List("audits").value_or(std::vector<RecordReader>{})) {
      Audit x;
      x.id = a.String("id").value_or("");
      x.kind = FromName<AuditKind, 6>(a.Enum("kind"), AuditKindName).value_or(AuditKind::Special);
      x.start = a.Date("start").value_or(0);
      x.end = a.Date("end");
      x.sites = StringsOr(a, "sites");
      x.team = StringsOr(a, "team");
      x.lead_auditor = a.String("lead_auditor");
      x.ready_for_stage2 = a.Bool("ready_for_stage2");
      x.path = a.path();
      Order(x.start, x.end, a, "start", "end");
      h.audits.push_back(std::move(x));
    }
    for (const RecordReader& f : r.List("findings").value_or(std::vector<RecordReader>{})) {
      Finding x;
      x.id = f.String("id").value_or("");
      x.audit_id = f.String("audit_id").value_or("");
      x.statement = f.String("statement").value_or("");
      x.grade = FromName<Grade, 3>(f.Enum("grade"), GradeName).value_or(Grade::Minor);
      x.raised = f.Date("raised_at").value_or(0);
      x.clause = f.String("clause_ref");
      x.correction_accepted = f.Date("correction_accepted_at");
      x.action_accepted = f.Date("corrective_action_accepted_at");
      x.correction_verified = f.Date("correction_verified_at");
      x.action_verified = f.Date("corrective_action_verified_at");
      x.closed = f.Date("closed_at");
      x.path = f.path();
      for (const char* field : {"correction_accepted_at", "corrective_action_accepted_at", "correction_verified_at",
                                "corrective_action_verified_at", "closed_at"})
        Order(x.raised, f.Date(field), f, "raised_at", field);
      h.findings.push_back(std::move(x));
    }
    for (const RecordReader& d : r.List("decisions").value_or(std::vector<RecordReader>{})) {
      Decision x;
      x.id = d.String("id").value_or("");
      x.decided_by = d.String("decided_by").value_or("");
      x.decided = d.Date("decided_at").value_or(0);
      x.outcome = FromName<Outcome, 10>(d.Enum("outcome"), OutcomeName).value_or(Outcome::Grant);
      x.audit_ids = StringsOr(d, "audit_ids");
      x.certificate = d.String("certificate");
      x.reason = d.String("reason");
      x.until = d.Date("until");
      x.path = d.path();
      Order(x.decided, x.until, d, "decided_at", "until");
      h.decisions.push_back(std::move(x));
    }
    for (const RecordReader& c : r.List("certificates").value_or(std::vector<RecordReader>{})) {
      Certificate x;
      x.number = c.String("number").value_or("");
      x.issued = c.Date("issued_at").value_or(0);
      x.effective_from = c.Date("effective_from");
      x.original = c.Date("original_certification_date");
      x.expiry = c.Date("expiry").value_or(0);
      x.edition = c.String("edition");
      x.path = c.path();
      Order(x.issued, x.expiry, c, "issued_at", "expiry", /*strict=*/true);
      for (const RecordReader& e : c.List("status_history").value_or(std::vector<RecordReader>{})) {
        StatusEvent s;
        s.kind = FromName<StatusChange, 6>(e.Enum("kind"), StatusChangeName).value_or(StatusChange::ScopeExtended);
        s.at = e.Date("at").value_or(0);
        s.until = e.Date("until");
        s.reason = e.String("reason");
        s.path = e.path();
        Order(s.at, s.until, e, "at", "until");
        x.status.push_back(std::move(s));
      }
      h.certificates.push_back(std::move(x));
    }
    CheckIds(h);
    return h;
  }

  void CheckIds(const History& h) {
    auto unique = [&](const char* what, auto const& items, auto key) {
      std::map<std::string, std::string> seen;
      for (const auto& x : items) {
        auto [it, fresh] = seen.emplace(key(x), x.path);
        if (!fresh)
          Error("E1004", x.path, fmt::format("{} `{}` appears twice in certification record `{}`", what, key(x), h.id),
                fmt::format("the first is at {}", it->second));
      }
    };
    unique("application id", h.applications, [](const Application& a) { return a.id; });
    unique("audit id", h.audits, [](const Audit& a) { return a.id; });
    unique("finding id", h.findings, [](const Finding& a) { return a.id; });
    unique("decision id", h.decisions, [](const Decision& a) { return a.id; });
    // A certificate number may be re-issued (restore, recertification): number + issue date is the key.
    unique("certificate", h.certificates,
           [](const Certificate& c) { return c.number + " issued " + cal::FormatDate(c.issued); });

    std::set<std::string> audits;
    std::vector<std::string> audit_list;
    for (const auto& a : h.audits) audits.insert(a.id), audit_list.push_back(a.id);
    auto help = [&](const std::string& id) {
      std::string near = ClosestMatch(id, audit_list);
      return near.empty() ? std::string("refer to the id of an audit in this record's `audits`")
                          : fmt::format("did you mean `{}`?", near);
    };
    for (const auto& f : h.findings)
      if (!audits.count(f.audit_id))
        Error("E1003", f.path + ".audit_id", fmt::format("finding `{}` refers to unknown audit `{}`", f.id, f.audit_id),
              help(f.audit_id));
    for (const auto& d : h.decisions)
      for (const auto& a : d.audit_ids)
        if (!audits.count(a))
          Error("E1003", d.path + ".audit_ids", fmt::format("decision `{}` refers to unknown audit `{}`", d.id, a), help(a));
  }

 private:
  const std::string& evidence_;
  Diagnostics& diags_;
};

}  // namespace

History ReadHistory(const RecordReader& record, const std::string& evidence_path, Diagnostics& diags) {
  Reader reader(evidence_path, diags);
  return reader.Read(record);
}

std::vector<History> ReadHistories(const SchemaModel& schema, Document& doc, const std::string& evidence_path,
                                   Diagnostics& diags) {
  std::vector<History> out;
  RecordReader root = RecordReader::Root(schema, doc);
  if (!root.Declares("certification_history")) {
    auto& d = diags.Error("E1001", {}, "the evidence schema has no `certification_history`",
                          "load the schema module `certification` (standards/certification) with the standard");
    d.path = evidence_path;
    return out;
  }
  Reader reader(evidence_path, diags);
  for (const RecordReader& r : root.List("certification_history").value_or(std::vector<RecordReader>{}))
    out.push_back(reader.Read(r));
  return out;
}

}  // namespace conform::runtime::lifecycle
