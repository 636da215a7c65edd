// Certification on the embedding core (certify.h): lifecycle, readiness, multi-site sampling.
#include "conform/embed/certify.h"

#include <fmt/format.h>

#include <set>

#include "conform/runtime/record_reader.h"
#include "conform/runtime/registry.h"

namespace conform::embed {
namespace {

namespace lc = runtime::lifecycle;
namespace smp = runtime::sampling;

// Sites and MD 1 eligibility read from the evidence (core `sites`, `internal_audits`,
// `management_reviews`) and the certification record.
smp::Eligibility EvidenceEligibility(const runtime::RecordReader& root, const lc::History* h, int& n) {
  smp::Eligibility e{};
  n = 0;
  auto sites = root.List("sites");
  std::set<std::string> in_scope;
  if (sites) {
    bool central = false;
    for (const auto& s : *sites) {
      if (!s.Bool("in_scope").value_or(false)) continue;
      if (s.Enum("kind").value_or("") == "central_function") {
        central = true;
        continue;
      }
      in_scope.insert(s.String("id").value_or(""));
    }
    n = static_cast<int>(in_scope.size());
    e[static_cast<size_t>(smp::Condition::CentralFunction)] = central;
  }
  // Every in-scope site appears in an internal audit, planned or performed: subject to the
  // programme. A site that appears nowhere is not evidence that it is outside the programme.
  if (auto audits = root.List("internal_audits"); audits && sites) {
    std::set<std::string> covered;
    for (const auto& a : *audits)
      for (const auto& s : a.Strings("sites").value_or(std::vector<std::string>{})) covered.insert(s);
    bool all = true;
    for (const auto& s : in_scope) all = all && covered.count(s);
    if (all) e[static_cast<size_t>(smp::Condition::InternalAuditAllSites)] = true;
  }
  if (auto reviews = root.List("management_reviews"))
    e[static_cast<size_t>(smp::Condition::CentralManagementReview)] = !reviews->empty();
  if (h) {
    e[static_cast<size_t>(smp::Condition::LegalLink)] = h->sites_legally_linked;
    e[static_cast<size_t>(smp::Condition::SimilarProcesses)] = h->sites_similar_processes;
  }
  return e;
}

}  // namespace

bool CheckSamplingOptions(const CertifyOptions& o, smp::Eligibility& flags, Diagnostics& diags) {
  if (o.sites == 0 || o.sites < -1)
    diags.Error("E1210", {}, fmt::format("invalid number of sites {}", o.sites),
                "give the number of sites (1 or more) besides the central function");
  if (o.risk_increase < 0)
    diags.Error("E1210", {}, fmt::format("invalid risk increase {}", o.risk_increase),
                "give a number of sites, 0 or more");
  std::vector<std::string> keys;
  for (const auto& c : smp::Conditions()) keys.push_back(c.key);
  auto set = [&](const std::string& key, bool value) {
    for (const auto& c : smp::Conditions())
      if (key == c.key) {
        flags[static_cast<size_t>(c.condition)] = value;
        return;
      }
    std::string near = ClosestMatch(key, keys), list;
    for (const auto& k : keys) list += (list.empty() ? "" : ", ") + k;
    diags.Error("E1209", {}, fmt::format("unknown sampling condition `{}`", key),
                near.empty() ? "conditions: " + list : fmt::format("did you mean `{}`?", near));
  };
  for (const auto& k : o.met) set(k, true);
  for (const auto& k : o.not_met) set(k, false);
  return !diags.HasErrors();
}

bool Certification::Active() const {
  if (!ok) return false;
  bool fine = false;
  for (const auto& r : report.records) {
    if (r.status.state == lc::State::Transferred || r.status.state == lc::State::None) continue;
    fine = r.status.state == lc::State::Active;
    for (const auto& d : r.status.deadlines) fine = fine && d.status == lc::DueStatus::Due;
  }
  return fine;
}

Certification PlanSampling(const CertifyOptions& o) {
  Certification out;
  out.report.as_of = o.as_of;
  out.report.show_rules = o.show_rules;
  out.report.standard = o.standard;
  smp::Eligibility flags{};
  if (!CheckSamplingOptions(o, flags, out.diags)) return out;
  if (o.sites > 0) {
    out.report.sampling = smp::MakePlan(o.sites, flags, o.risk_increase);
    out.report.sampling_origin = "--sites";
  }
  out.ok = true;
  return out;
}

std::string RenderText(const Certification& c, const RenderOptions& ro) {
  if (!c.report.evidence.empty()) return lc::RenderText(c.report, ro);
  std::string out;
  if (c.report.sampling) {
    out += fmt::format("attestation: {} — {}\n", lc::AttestationLabel(lc::Attestation::Certification),
                       lc::AttestationBasis(lc::Attestation::Certification));
    out += lc::RenderSamplingText(*c.report.sampling, c.report.sampling_origin);
  }
  if (c.report.show_rules) out += (out.empty() ? "" : "\n") + lc::RenderRulesText();
  return out;
}

std::string RenderJson(const Certification& c) { return lc::RenderJson(c.report); }

Certification Certify(const RuleSet& rules, Evidence& ev, const CertifyOptions& o) {
  Certification out;
  lc::CertifyReport& report = out.report;
  report.as_of = o.as_of;
  report.show_rules = o.show_rules;
  smp::Eligibility flags{};
  if (!CheckSamplingOptions(o, flags, out.diags)) return out;
  if (!rules.ok() || !ev.ok()) {
    out.diags.Error("E1203", {}, fmt::format("evidence `{}` is not loaded", ev.path()),
                    "certify evidence that loaded without errors, from the same rule set");
    return out;
  }
  // The standard certified: one of the rule set's programs.
  size_t index = rules.programs().size();
  std::vector<std::string> ids;
  for (size_t i = 0; i < rules.programs().size(); ++i) {
    ids.push_back(rules.programs()[i]->standard);
    bool named = ids.back() == o.standard || (i < rules.packages().size() && rules.packages()[i].id == o.standard);
    if (named || (o.standard.empty() && rules.programs().size() == 1)) index = i;
  }
  if (index == rules.programs().size()) {
    std::string list;
    for (const auto& id : ids) list += (list.empty() ? "" : ", ") + id;
    out.diags.Error("E1208",
                    {}, o.standard.empty() ? "name the standard to certify: the rule set holds several"
                                           : fmt::format("the rule set does not hold standard `{}`", o.standard),
                    fmt::format("certify one of the standards compiled ({}), or compile `{}`", list,
                                o.standard.empty() ? "it" : o.standard));
    return out;
  }
  const ir::Program& program = *rules.programs()[index];

  // The certification records, then the standard's verdicts (parameters as `conform check`).
  std::vector<lc::History> histories;
  {
    std::lock_guard<std::mutex> lock(ev.mu_);
    histories = lc::ReadHistories(rules.schema(), *ev.doc_, ev.path(), out.diags);
  }
  Evaluation eval = rules.Evaluate(ev, o.as_of, o.params, true);
  out.diags.Append(eval.diags);
  if (out.diags.HasErrors()) return out;
  const runtime::StandardReport& sr = eval.reports[index];

  report.standard = program.standard;
  report.attestation = lc::AttestationFor(program.standard);
  report.title = program.title;
  report.edition = program.Meta("edition");
  report.evidence = ev.path();
  std::string key = runtime::registry::StandardKey(program.standard);
  const lc::History* current = nullptr;
  std::vector<lc::Status> statuses = lc::EvaluateAll(histories, o.as_of);  // transfers link records (IAF MD 2)
  for (size_t i = 0; i < histories.size(); ++i) {
    if (runtime::registry::StandardKey(histories[i].standard) != key) continue;
    report.records.push_back({histories[i], std::move(statuses[i])});
  }
  if (!report.records.empty()) current = &report.records.back().history;
  std::lock_guard<std::mutex> lock(ev.mu_);
  runtime::RecordReader root = runtime::RecordReader::Root(rules.schema(), *ev.doc_);
  report.readiness = lc::AssessReadiness(program, sr, root, current, o.as_of);

  int n = 0;
  smp::Eligibility e = EvidenceEligibility(root, current, n);
  for (size_t i = 0; i < smp::kConditions; ++i)
    if (flags[i]) e[i] = flags[i];
  bool multi = (current && current->multi_site.value_or(false)) || o.sites > 0;
  if (o.sites > 0) n = o.sites;
  if (multi && n > 0) {
    report.sampling = smp::MakePlan(n, e, o.risk_increase);
    report.sampling_origin = o.sites > 0 ? "--sites" : "the in-scope sites of the evidence";
  }
  out.ok = true;
  return out;
}

}  // namespace conform::embed
