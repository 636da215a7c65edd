// Certification on the embedding core: the lifecycle of an organization's certification records
// for one standard (state, timeline, deadlines, irregularities), its readiness for stage 1 and for
// stage 2 / the decision gate (predicted from the standard's verdicts), and the IAF MD 1 sampling
// plan of a multi-site organization. `conform certify`, the C ABI (conform_certify) and the
// Python module are written on it; the timing, readiness and sampling rules themselves are
// runtime/lifecycle and runtime/sampling.
#pragma once
#include <string>
#include <vector>

#include "conform/embed/engine.h"
#include "conform/runtime/lifecycle.h"
#include "conform/runtime/sampling.h"

namespace conform::embed {

struct CertifyOptions {
  std::string standard;  // the standard certified; "" : the rule set's only standard
  int64_t as_of = 0;
  std::vector<runtime::ParamOverride> params;  // after the evidence's own `parameters:`
  int sites = -1;         // > 0: the sampling plan is for this many sites (else the evidence's in-scope sites)
  int risk_increase = 0;  // sites added to each minimum sample
  std::vector<std::string> met, not_met;  // IAF MD 1 conditions known to be met / not met (keys)
  bool show_rules = false;                // the report lists every timing rule
};

// The outcome of certify: the report (rendered by runtime::lifecycle::RenderText/RenderJson),
// or diagnostics (against the evidence's sources, or none for option errors).
struct Certification {
  bool ok = false;
  Diagnostics diags;
  runtime::lifecycle::CertifyReport report;

  // The certification is active with nothing overdue: the last record of the standard that was
  // neither transferred away nor empty is `active` and none of its deadlines is overdue. This
  // is `conform certify`'s exit status 0 (1 otherwise; 2 when !ok).
  bool Active() const;
};

// Checks `sites` (-1 or >= 1) and `risk_increase` (>= 0) (E1210) and turns the condition keys
// into an eligibility (E1209 for an unknown key, with the closest one). False on error.
bool CheckSamplingOptions(const CertifyOptions& o, runtime::sampling::Eligibility& flags, Diagnostics& diags);

// Without evidence: the sampling plan for o.sites sites (report.sampling, origin "--sites");
// o.sites <= 0 gives a report without a plan (e.g. only the timing rules, o.show_rules).
Certification PlanSampling(const CertifyOptions& o);

// The report as `conform certify` prints it (text: at most ro.max_items per readiness list, 0 =
// all), or `--format json`. A plan without evidence (PlanSampling) renders as the sampling plan
// and, with show_rules, the timing rules.
using RenderOptions = runtime::lifecycle::RenderOptions;
std::string RenderText(const Certification& c, const RenderOptions& ro = {});
std::string RenderJson(const Certification& c);

// Certify `ev` (loaded by `rules`, whose schema must include the `certification` module: E1001
// otherwise) for o.standard (E1208 when the rule set does not hold it). Evaluates the standard
// with the rule set's engine. Safe from many threads, like RuleSet::Evaluate.
Certification Certify(const RuleSet& rules, Evidence& ev, const CertifyOptions& o);

}  // namespace conform::embed
