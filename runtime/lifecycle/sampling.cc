// IAF MD 1 multi-site sample sizes, exactly, in integers.
#include "conform/runtime/sampling.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

namespace conform::runtime::sampling {
namespace {

// The smallest y >= 0 with (b·y)² >= a²·n, i.e. y = ceil((a/b)·√n).
int CeilScaledSqrt(int64_t n, int64_t a, int64_t b) {
  if (n <= 0) return 0;
  const int64_t target = a * a * n;
  // y <= ceil(√n) <= 46341 for any int n: the products below stay far from overflow.
  int64_t lo = 0, hi = std::min<int64_t>(n + 1, 50000);
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (b * b * mid * mid >= target) hi = mid;
    else lo = mid + 1;
  }
  return static_cast<int>(lo);
}

}  // namespace

const char* AuditTypeName(AuditType t) {
  switch (t) {
    case AuditType::Initial: return "initial";
    case AuditType::Surveillance: return "surveillance";
    case AuditType::Recertification: return "recertification";
  }
  return "initial";
}

const char* ModeName(Mode m) {
  switch (m) {
    case Mode::Sampling: return "sampling";
    case Mode::NoSampling: return "no_sampling";
    case Mode::NotMultiSite: return "not_multi_site";
  }
  return "sampling";
}

const std::vector<ConditionInfo>& Conditions() {
  static const std::vector<ConditionInfo> conditions = {
      {Condition::CentralFunction, "central_function",
       "one centrally controlled management system with an identified central function", false},
      {Condition::InternalAuditAllSites, "internal_audit_all_sites", "every site is subject to the internal audit programme", false},
      {Condition::CentralManagementReview, "central_management_review", "every site is subject to the central management review", false},
      {Condition::LegalLink, "legal_link", "every site has a legal or contractual link with the central function", false},
      {Condition::SimilarProcesses, "similar_processes",
       "the sites run substantially the same processes, so that sampling is appropriate", true},
  };
  return conditions;
}

int MinimumSample(int n, AuditType t) {
  switch (t) {
    case AuditType::Initial: return CeilScaledSqrt(n, 1, 1);
    case AuditType::Surveillance: return CeilScaledSqrt(n, 6, 10);
    case AuditType::Recertification: return CeilScaledSqrt(n, 8, 10);
  }
  return 0;
}

int ThirtyPercent(int n) { return n <= 0 ? 0 : static_cast<int>((3 * static_cast<int64_t>(n) + 9) / 10); }

Plan MakePlan(int n, const Eligibility& eligibility, int risk_increase) {
  Plan p;
  p.n = n;
  p.risk_increase = std::max(0, risk_increase);
  p.eligibility = eligibility;
  bool multi = true, appropriate = true;
  for (const auto& c : Conditions()) {
    const auto& v = eligibility[static_cast<size_t>(c.condition)];
    if (!v) p.eligibility_known = false;
    else if (!*v) (c.for_sampling_only ? appropriate : multi) = false;
  }
  p.mode = !multi ? Mode::NotMultiSite : !appropriate ? Mode::NoSampling : Mode::Sampling;

  for (AuditType t : {AuditType::Initial, AuditType::Surveillance, AuditType::Recertification}) {
    Visit v;
    v.type = t;
    switch (p.mode) {
      case Mode::Sampling: {
        v.minimum = MinimumSample(n, t);
        const char* k = t == AuditType::Initial ? "" : t == AuditType::Surveillance ? "0.6 × " : "0.8 × ";
        v.formula = fmt::format("ceil({}√{}) = {}", k, n, v.minimum);
        break;
      }
      case Mode::NoSampling:
        v.minimum = t == AuditType::Surveillance ? ThirtyPercent(n) : n;
        v.formula = t == AuditType::Surveillance ? fmt::format("ceil(30% × {}) = {}", n, v.minimum)
                                                 : fmt::format("all {} sites", n);
        break;
      case Mode::NotMultiSite:
        v.minimum = n;
        v.formula = fmt::format("all {} sites", n);
        break;
    }
    v.sites = p.mode == Mode::Sampling ? std::min(n, v.minimum + p.risk_increase) : v.minimum;
    v.central_function = p.mode != Mode::NotMultiSite;
    v.total = v.sites + (v.central_function ? 1 : 0);
    p.visits.push_back(v);
  }

  switch (p.mode) {
    case Mode::Sampling:
      p.notes = {
          "the central function is audited at every audit, in addition to the sampled sites",
          "the minimum is increased where the CB's risk analysis calls for it; part of the sample is selected at random",
          "audit time at a sampled site may be reduced by at most 50%",
          "a nonconformity at one site triggers a check of whether it affects the other sites; a major open at any site at "
          "decision time blocks certification of the whole network; problem sites cannot be dropped from the scope to avoid a "
          "nonconformity",
      };
      break;
    case Mode::NoSampling:
      p.notes = {"sampling is not appropriate: every site is audited at the initial and recertification audits, 30% of the "
                 "sites in each surveillance year (rounded up)"};
      break;
    case Mode::NotMultiSite:
      p.notes = {"a multi-site eligibility condition is not met: IAF MD 1 does not apply; every site is audited at every audit"};
      break;
  }
  if (!p.eligibility_known)
    p.notes.push_back("some eligibility conditions are unknown; the plan assumes they are met");
  return p;
}

}  // namespace conform::runtime::sampling
