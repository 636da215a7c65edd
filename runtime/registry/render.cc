// Text and JSON output of `conform registry verify` and `conform registry search`.
#include <fmt/format.h>

#include "../report/json_writer.h"
#include "conform/runtime/registry.h"

namespace conform::runtime::registry {
namespace {

using detail::JsonWriter;

std::string D(Date d) { return cal::FormatDate(d); }

std::string Standards(const std::vector<StandardRef>& ss) {
  std::string out;
  for (size_t i = 0; i < ss.size(); ++i) out += (i ? ", " : "") + ss[i].standard + (ss[i].edition.empty() ? "" : ":" + ss[i].edition);
  return out;
}

void AttestationJson(JsonWriter& j, const std::optional<Attestation>& a) {
  j.Key("attestation");
  if (!a) {
    j.Null();
    return;
  }
  j.Object();
  j.KStr("kind", lifecycle::AttestationName(*a));
  j.KStr("label", lifecycle::AttestationLabel(*a));
  j.KStr("basis", lifecycle::AttestationBasis(*a));
  if (auto aliases = lifecycle::AttestationAliases(*a); !aliases.empty()) j.Key("aliases").Strs(aliases);
  j.EndObject();
}

const char* Mark(LinkStatus s) {
  switch (s) {
    case LinkStatus::Ok: return "✓";
    case LinkStatus::Failed: return "✗";
    case LinkStatus::Unconfirmed: return "?";
    case LinkStatus::NotChecked: return "–";
  }
  return "–";
}

// The rule ids judged in a link (their sources: `conform registry rules`), else its source.
std::string RulesText(const Link& l) {
  std::string ids;
  for (const auto& r : l.rules) ids += (ids.empty() ? "" : ", ") + r;
  return ids.empty() ? l.source : ids;
}

}  // namespace

std::string RenderText(const Verification& v) {
  std::string out;
  out += fmt::format("{} — {} (as of {})\n", v.number, OutcomeLabel(v.outcome), D(v.as_of));
  out += fmt::format("  attestation: {}\n",
                     v.attestation ? fmt::format("{} — {}", lifecycle::AttestationLabel(*v.attestation), lifecycle::AttestationBasis(*v.attestation))
                                   : std::string("none found"));
  out += fmt::format("  {}\n", v.summary);
  if (!v.organization.empty()) {
    out += fmt::format("  organization: {}{}\n", v.organization, v.country.empty() ? "" : " (" + v.country + ")");
    if (!v.standards.empty()) out += fmt::format("  standard: {}\n", Standards(v.standards));
    if (!v.scope.empty()) out += fmt::format("  scope: {}\n", v.scope);
    if (!v.sites.empty()) {
      std::string sites;
      for (const auto& s : v.sites) sites += (sites.empty() ? "" : "; ") + s;
      out += fmt::format("  sites: {}\n", sites);
    }
    if (!v.iaf_codes.empty()) {
      std::string codes;
      for (const auto& c : v.iaf_codes) codes += (codes.empty() ? "" : ", ") + c;
      out += fmt::format("  IAF codes: {}\n", codes);
    }
  }
  out += "  chain:\n";
  for (const auto& l : v.chain) out += fmt::format("    {} {:<16} {} [{}]\n", Mark(l.status), l.name, l.reason, RulesText(l));
  return out;
}

std::string RenderJson(const Verification& v) {
  JsonWriter j;
  j.Object();
  j.KStr("number", v.number);
  j.KDate("as_of", v.as_of);
  j.KStr("outcome", OutcomeName(v.outcome));
  j.KStr("outcome_label", OutcomeLabel(v.outcome));
  AttestationJson(j, v.attestation);
  j.KStr("summary", v.summary);
  if (v.attestation) {
    j.Key("subject").Object();
    j.KStr("organization", v.organization);
    if (!v.country.empty()) j.KStr("country", v.country);
    j.Key("standards").Array();
    for (const auto& s : v.standards) j.Object().KStr("standard", s.standard).KStr("edition", s.edition).EndObject();
    j.EndArray();
    if (!v.scope.empty()) j.KStr("scope", v.scope);
    if (!v.body.empty()) j.KStr("issuing_body", v.body);
    if (!v.body_name.empty()) j.KStr("issuing_body_name", v.body_name);
    if (!v.body_aka.empty()) j.Key("issuing_body_aka").Strs(v.body_aka);
    if (!v.iaf_codes.empty()) j.Key("iaf_codes").Strs(v.iaf_codes);
    if (!v.sites.empty()) j.Key("sites").Strs(v.sites);
    if (!v.status.empty()) j.KStr("status", v.status);
    j.KDate("status_since", v.status_since);
    j.KDate("issued", v.issued);
    j.KDate("decision", v.decision);
    j.KDate("expiry", v.expiry);
    j.EndObject();
  }
  j.Key("chain").Array();
  for (const auto& l : v.chain) {
    j.Object().KStr("link", l.name).KStr("status", LinkStatusName(l.status)).KStr("reason", l.reason).KStr("source", l.source);
    j.Key("rules").Strs(l.rules);
    j.EndObject();
  }
  j.EndArray();
  j.EndObject();
  return j.Take();
}

std::string RenderRulesText() {
  std::string out = "checks of `conform registry verify` (a failed check leads to its outcome; when several fail, the most serious)\n";
  for (const auto& r : VerifyRules())
    out += fmt::format("  {:<4} {:<16} {}\n       → {} [{}]\n", r.id, r.link, r.summary, OutcomeName(r.fails), r.source);
  return out;
}

std::string RenderRulesJson() {
  JsonWriter j;
  j.Object();
  j.Key("rules").Array();
  for (const auto& r : VerifyRules())
    j.Object().KStr("id", r.id).KStr("link", r.link).KStr("rule", r.summary).KStr("outcome", OutcomeName(r.fails)).KStr("source", r.source).EndObject();
  j.EndArray();
  j.Key("outcomes").Array();
  for (int o = 0; o <= static_cast<int>(Outcome::ValidAccredited); ++o)
    j.Object().KStr("outcome", OutcomeName(static_cast<Outcome>(o))).KStr("label", OutcomeLabel(static_cast<Outcome>(o))).EndObject();
  j.EndArray();
  j.EndObject();
  return j.Take();
}

std::string RenderText(const std::vector<Hit>& hits, Date as_of) {
  std::string out;
  if (hits.empty()) return fmt::format("no match (as of {})\n", D(as_of));
  out += fmt::format("{} match{} (as of {})\n", hits.size(), hits.size() == 1 ? "" : "es", D(as_of));
  for (const auto& h : hits) {
    out += fmt::format("  {:<20} {:<22} {}{}\n", h.id, h.kind, h.name, h.country.empty() ? "" : " (" + h.country + ")");
    out += fmt::format("    attestation: {} — {}\n", lifecycle::AttestationLabel(h.attestation), lifecycle::AttestationBasis(h.attestation));
    if (!h.outcome.empty())
      out += fmt::format("    {}: {}{}\n", Standards(h.standards), h.outcome, h.expiry ? " · expires " + D(*h.expiry) : "");
    if (!h.detail.empty()) out += fmt::format("    {}\n", h.detail);
  }
  return out;
}

std::string RenderJson(const std::vector<Hit>& hits, Date as_of) {
  JsonWriter j;
  j.Object();
  j.KDate("as_of", as_of);
  j.KInt("count", static_cast<int64_t>(hits.size()));
  j.Key("results").Array();
  for (const auto& h : hits) {
    j.Object();
    j.KStr("kind", h.kind);
    AttestationJson(j, h.attestation);
    j.KStr("id", h.id);
    j.KStr("name", h.name);
    if (!h.country.empty()) j.KStr("country", h.country);
    j.Key("standards").Array();
    for (const auto& s : h.standards) j.Object().KStr("standard", s.standard).KStr("edition", s.edition).EndObject();
    j.EndArray();
    if (!h.outcome.empty()) j.KStr("outcome", h.outcome);
    if (h.expiry) j.KDate("expiry", h.expiry);
    if (!h.detail.empty()) j.KStr("detail", h.detail);
    j.EndObject();
  }
  j.EndArray();
  j.EndObject();
  return j.Take();
}

}  // namespace conform::runtime::registry
