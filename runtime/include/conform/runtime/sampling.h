// Multi-site sampling per IAF MD 1 (IAF MD 1:2018, Issue 3 2023; iso-domain.md §9.3 T18):
// the minimum number of sites a certification body visits per audit of a multi-site
// organization — initial √n, surveillance 0.6·√n, recertification 0.8·√n, rounded up — plus the
// central function, audited every time. Computed exactly in integers (no floating point).
//
// Here n counts the sites in scope OTHER than the central function; the central function is
// visited in addition. A risk-based increase is added on top of the minimum.
#pragma once
#include <array>
#include <optional>
#include <string>
#include <vector>

namespace conform::runtime::sampling {

enum class AuditType { Initial, Surveillance, Recertification };
const char* AuditTypeName(AuditType t);  // initial | surveillance | recertification

// The eligibility conditions of IAF MD 1, in a fixed order. The first four decide whether the
// organization is a multi-site organization at all; the last whether sampling is appropriate.
enum class Condition { CentralFunction, InternalAuditAllSites, CentralManagementReview, LegalLink, SimilarProcesses };
inline constexpr size_t kConditions = 5;

struct ConditionInfo {
  Condition condition;
  const char* key;   // central_function, internal_audit_all_sites …
  const char* text;  // the condition in plain words
  bool for_sampling_only;
};
const std::vector<ConditionInfo>& Conditions();

// Each condition met (true), not met (false) or not known (nullopt).
using Eligibility = std::array<std::optional<bool>, kConditions>;

// ceil(k·√n) with k = 1, 0.6, 0.8 for initial, surveillance, recertification; 0 when n <= 0.
int MinimumSample(int n, AuditType t);
// ceil(0.3·n): sites per surveillance year when sampling is not appropriate.
int ThirtyPercent(int n);

enum class Mode {
  Sampling,         // eligible, sampling appropriate: the MD 1 formulas
  NoSampling,       // eligible, but sampling not appropriate: all sites at initial and recertification, 30% per surveillance
  NotMultiSite,     // a condition of multi-site eligibility is not met: every site at every audit
};
const char* ModeName(Mode m);  // sampling | no_sampling | not_multi_site

struct Visit {
  AuditType type;
  int sites = 0;            // sites other than the central function to visit (minimum + risk increase)
  int minimum = 0;          // the formula's minimum
  bool central_function = true;
  int total = 0;            // sites + the central function
  std::string formula;      // "ceil(0.6 × √25) = 3"
};

struct Plan {
  int n = 0;
  int risk_increase = 0;
  Mode mode = Mode::Sampling;
  bool eligibility_known = true;     // false: some condition is unknown (the plan assumes it is met)
  Eligibility eligibility{};
  std::vector<Visit> visits;         // initial, surveillance, recertification
  std::vector<std::string> notes;    // the rules that come with the plan (random part, NCs at one site …)
  std::string source = "IAF MD 1:2018 (Issue 3, 2023)";
};

// The plan for n sites (n >= 1; other than the central function). `risk_increase` >= 0 is added
// to the minimum of every audit (bounded by n).
Plan MakePlan(int n, const Eligibility& eligibility, int risk_increase = 0);

}  // namespace conform::runtime::sampling
