// The timing and decision rules of the certification lifecycle, as data with their sources
// (iso-domain.md §9.3), and the names of the lifecycle's enums.
#include <array>

#include "conform/runtime/lifecycle.h"
#include "conform/runtime/registry.h"

namespace conform::runtime::lifecycle {

const char* AttestationName(Attestation a) {
  switch (a) {
    case Attestation::SelfDeclaration: return "self_declaration";
    case Attestation::Certification: return "certification";
    case Attestation::Accreditation: return "accreditation";
  }
  return "certification";
}

const char* AttestationLabel(Attestation a) {
  switch (a) {
    case Attestation::SelfDeclaration: return "first-party self-declaration (no audit, no certification body)";
    case Attestation::Certification: return "third-party certification of a management system (\"registration\" in North America)";
    case Attestation::Accreditation: return "accreditation of a conformity-assessment body";
  }
  return "";
}

const char* AttestationBasis(Attestation a) {
  switch (a) {
    case Attestation::SelfDeclaration: return "ISO/IEC 17050-1";
    case Attestation::Certification: return "ISO/IEC 17021-1";
    case Attestation::Accreditation: return "ISO/IEC 17011";
  }
  return "";
}

std::vector<std::string> AttestationAliases(Attestation a) {
  switch (a) {
    case Attestation::Certification: return {"registration (North America)", "registrar = certification body"};
    case Attestation::SelfDeclaration: return {"supplier's declaration of conformity", "first-party conformity assessment"};
    case Attestation::Accreditation: return {};
  }
  return {};
}

const std::vector<BodyStandard>& BodyStandards() {
  // Requirements for bodies (IAF MLA level 3 main scopes and level 4 scheme documents,
  // iso-domain §11.1): a body is accredited to them, nobody is certified to them.
  static const std::vector<BodyStandard> list = {
      {"ISO/IEC 17021-1", "ISO/IEC 17021", "certification bodies for management systems", "ISO/IEC 17021-1:2015; IAF MLA level 3"},
      {"ISO/IEC 17021-2", "", "certification bodies for environmental management systems (competence)", "ISO/IEC 17021-2"},
      {"ISO/IEC 17021-3", "", "certification bodies for quality management systems (competence)", "ISO/IEC 17021-3"},
      {"ISO/IEC 27006-1", "ISO/IEC 27006", "certification bodies for information security management systems", "ISO/IEC 27006-1; IAF MLA level 4"},
      {"ISO/TS 22003-1", "ISO/TS 22003;ISO 22003-1", "certification bodies for food safety management systems", "ISO/TS 22003-1:2022; IAF MLA level 4"},
      {"ISO 50003", "", "certification bodies for energy management systems", "ISO 50003:2021; IAF MLA level 4"},
      {"ISO/IEC 17065", "", "product, process and service certification bodies", "ISO/IEC 17065:2012; IAF MLA level 3"},
      {"ISO/IEC 17024", "", "bodies certifying persons", "ISO/IEC 17024:2012; IAF MLA level 3"},
      {"ISO/IEC 17029", "ISO 14065", "validation and verification bodies", "ISO/IEC 17029:2019, ISO 14065:2020"},
      {"ISO/IEC 17025", "", "testing and calibration laboratories", "ISO/IEC 17025:2017; ILAC MRA"},
      {"ISO 15189", "", "medical laboratories", "ISO 15189:2022; ILAC MRA"},
      {"ISO/IEC 17020", "", "inspection bodies", "ISO/IEC 17020:2012; ILAC MRA"},
      {"ISO/IEC 17043", "", "proficiency-testing providers", "ISO/IEC 17043:2023; ILAC MRA"},
      {"ISO 17034", "", "reference-material producers", "ISO 17034:2016; ILAC MRA"},
      {"ISO/IEC 17011", "", "accreditation bodies (peer-evaluated, not accredited)", "ISO/IEC 17011:2017; IAF/ILAC (GACI) peer evaluation"},
  };
  return list;
}

Attestation AttestationFor(const std::string& standard) {
  const std::string key = registry::StandardKey(standard);
  auto same = [&](std::string_view name) { return !name.empty() && registry::StandardKey(std::string(name)) == key; };
  for (const auto& b : BodyStandards()) {
    if (same(b.name)) return Attestation::Accreditation;
    std::string_view rest = b.aliases;
    while (!rest.empty()) {
      size_t semi = rest.find(';');
      if (same(rest.substr(0, semi))) return Attestation::Accreditation;
      rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
    }
  }
  return Attestation::Certification;
}

const char* BasisName(Basis b) {
  switch (b) {
    case Basis::Normative: return "normative";
    case Basis::IafMandatory: return "iaf_mandatory";
    case Basis::Practice: return "practice";
  }
  return "normative";
}

const std::vector<TimingRule>& TimingRules() {
  static const std::vector<TimingRule> rules = {
      {"T2", "stage1_validity",
       "stage 1 to stage 2: no fixed maximum interval; the CB judges whether the stage-1 results are still valid "
       "(many CBs use 6 months as an internal limit)",
       "last day of stage 1", {6, 0}, "EA FAQ 49.3 (March 2025); CB practice, not ISO/IEC 17021-1", Basis::Practice},
      {"T4", "decision_gate",
       "before the certification decision every major nonconformity has its correction and corrective action "
       "accepted and verified, and every minor has an accepted corrective-action plan",
       "certification decision", {0, 0}, "ISO/IEC 17021-1:2015 9.5", Basis::Normative},
      {"T4i", "decision_independence", "the certification decision is taken by persons who did not perform the audit",
       "certification decision", {0, 0}, "ISO/IEC 17021-1:2015 9.5 (iso-domain §9.1, R20)", Basis::Normative},
      {"T5", "major_verification",
       "majors of the initial audit are verified within 6 months after the last day of stage 2; otherwise a new "
       "stage 2 is needed before certification",
       "last day of stage 2", {6, 0}, "ISO/IEC 17021-1:2015 9.5", Basis::Normative},
      {"T6", "certification_cycle",
       "the certification cycle is 3 years and starts at the (re)certification decision; the certificate is not "
       "effective before the decision",
       "certification decision (the cycle runs through the day before its third anniversary; a recertification or "
       "restore continues from the day after the old expiry)",
       {36, 0}, "ISO/IEC 17021-1:2015 9.1.3, 8.2.2, 9.6.3.2", Basis::Normative, LimitKind::Period},
      {"T8a", "first_surveillance",
       "the first surveillance audit after initial certification is no later than 12 months after the certification "
       "decision (ISO/IEC 17021:2011 counted from the last day of stage 2; the 2015 edition from the decision); the "
       "audit counts on its last day",
       "initial certification decision", {12, 0}, "ISO/IEC 17021-1:2015 9.6.2.2", Basis::Normative},
      {"T8b", "annual_surveillance",
       "a surveillance audit at least once per calendar year, except in recertification years: a year in which a "
       "recertification audit ended is exempt, the year of the recertification decision is not (unless the audit "
       "ended in it); a missed surveillance stays overdue until a surveillance audit is held, and is a suspension "
       "trigger",
       "calendar year", {0, 0}, "ISO/IEC 17021-1:2015 9.6.2.2, 9.6.5", Basis::Normative},
      {"T10", "recertification_majors",
       "majors raised at recertification have their corrections and corrective actions implemented and verified "
       "before expiry",
       "certificate expiry", {0, 0}, "ISO/IEC 17021-1:2015 9.6.3", Basis::Normative},
      {"T11", "recertification_decision",
       "the recertification decision is taken on or before the expiry date; otherwise no recertification and no "
       "extension of validity",
       "certificate expiry", {0, 0}, "ISO/IEC 17021-1:2015 9.6.3.2", Basis::Normative},
      {"T12", "restore_window",
       "after expiry the CB may restore the certification within 6 months if the outstanding recertification "
       "activities are completed; otherwise at least a stage 2 is needed (IAF COVID FAQ 26's 12 months applied "
       "during the pandemic only)",
       "certificate expiry", {6, 0}, "ISO/IEC 17021-1:2015 9.6.3.2.5", Basis::Normative},
      {"T13", "suspension_period",
       "a suspended certification is temporarily invalid; the CB restores it when the cause is resolved, otherwise "
       "withdraws it or reduces the scope; in most cases suspension does not exceed 6 months",
       "suspension", {6, 0}, "ISO/IEC 17021-1:2015 9.6.5; the 6 months are CB practice", Basis::Practice},
      {"T17", "transfer",
       "only valid certification under an MLA-signatory accreditation can be transferred; a suspended certificate is "
       "not accepted; the certification cycle continues",
       "transfer", {0, 0}, "IAF MD 2:2017", Basis::IafMandatory},
      {"T17c", "transfer_cycle",
       "a transfer continues the certification cycle: the accepting body's certificate keeps the expiry of the "
       "transferred one (a new 3-year cycle started at transfer is irregular), its surveillance programme goes on, and "
       "a suspension on the old record carries over until the accepting body lifts it",
       "transfer", {0, 0}, "IAF MD 2:2017 (the certification cycle continues; suspended certificates are not transferable)",
       Basis::IafMandatory},
  };
  return rules;
}

const TimingRule& Rule(std::string_view id) {
  for (const auto& r : TimingRules())
    if (id == r.id) return r;
  return TimingRules().front();
}

Date LimitDate(const TimingRule& r, Date anchor) {
  Date end = cal::AddDuration(anchor, r.limit, +1);
  if (r.kind == LimitKind::Deadline) return end;
  // A period's last day is the day before the anniversary. AddDuration clamps month ends
  // (2020-02-29 + 3 years = 2023-02-28); the anniversary rolls forward instead (2023-03-01), so
  // when the day of the month changed the clamped date is itself the last day.
  int64_t y0, y1;
  unsigned m0, d0, m1, d1;
  cal::CivilFromDays(anchor, y0, m0, d0);
  cal::CivilFromDays(end, y1, m1, d1);
  return d1 != d0 ? end : end - 1;
}

Date CycleLastDay(Date start) { return LimitDate(Rule("T6"), start); }

Date ContinuedCycleLastDay(Date old_expiry) { return CycleLastDay(old_expiry + 1); }

bool InTime(const TimingRule& r, Date anchor, Date when) { return when <= LimitDate(r, anchor); }

const char* AuditKindName(AuditKind k) {
  static constexpr std::array names = {"stage1", "stage2", "surveillance", "recertification", "special", "transfer_review"};
  return names[static_cast<size_t>(k)];
}

const char* GradeName(Grade g) {
  static constexpr std::array names = {"major", "minor", "observation"};
  return names[static_cast<size_t>(g)];
}

const char* OutcomeName(Outcome o) {
  static constexpr std::array names = {"grant",    "refuse",   "recertify",    "restore",      "suspend",
                                       "reinstate", "withdraw", "reduce_scope", "extend_scope", "accept_transfer"};
  return names[static_cast<size_t>(o)];
}

const char* StatusChangeName(StatusChange c) {
  static constexpr std::array names = {"suspended", "reinstated", "withdrawn", "restored", "scope_reduced", "scope_extended"};
  return names[static_cast<size_t>(c)];
}

const char* StateName(State s) {
  static constexpr std::array names = {"none",          "applied",          "refused", "stage1",
                                       "stage2",        "findings_open",    "decision_pending", "active",
                                       "suspended",     "expired",          "withdrawn",        "transferred"};
  return names[static_cast<size_t>(s)];
}

const char* StateLabel(State s) {
  static constexpr std::array names = {"no certification", "applied",          "refused",   "stage 1",
                                       "stage 2",          "findings open",    "decision pending", "active",
                                       "suspended",        "expired",          "withdrawn", "transferred"};
  return names[static_cast<size_t>(s)];
}

const char* DueStatusName(DueStatus s) { return s == DueStatus::Due ? "due" : "overdue"; }

const char* ReadinessName(Readiness r) {
  switch (r) {
    case Readiness::Ready: return "ready";
    case Readiness::AtRisk: return "at_risk";
    case Readiness::NotReady: return "not_ready";
    case Readiness::NotAssessed: return "not_assessed";
  }
  return "ready";
}

const char* ReadinessLabel(Readiness r) {
  switch (r) {
    case Readiness::Ready: return "ready";
    case Readiness::AtRisk: return "at risk";
    case Readiness::NotReady: return "not ready";
    case Readiness::NotAssessed: return "not assessed";
  }
  return "ready";
}

std::optional<Date> Finding::Verified() const {
  if (correction_verified && action_verified) return std::max(*correction_verified, *action_verified);
  return closed;
}

std::optional<Date> Finding::PlanAccepted() const {
  if (action_accepted) return action_accepted;
  if (auto v = Verified()) return v;
  return std::nullopt;
}

}  // namespace conform::runtime::lifecycle
