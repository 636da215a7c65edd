// `conform certify EVIDENCE --standard ID [--as-of DATE]`: the certification lifecycle of the
// organization (state, timeline, next deadlines, irregularities), its readiness for stage 1 and
// for stage 2 / the decision gate (predicted from the standard's verdicts) and, for multi-site
// organizations, the IAF MD 1 sample sizes. `conform certify --sites N` computes sampling alone.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "commands.h"
#include "common.h"
#include "conform/compiler/calendar.h"
#include "conform/compiler/driver.h"
#include "conform/runtime/evidence.h"
#include "conform/runtime/lifecycle.h"
#include "conform/runtime/record_reader.h"
#include "conform/runtime/registry.h"
#include "conform/runtime/report.h"
#include "conform/runtime/sampling.h"

namespace conform::cli {
namespace {

namespace lc = runtime::lifecycle;
namespace smp = runtime::sampling;

struct CertifyOptions {
  std::string evidence;
  std::string standard;
  std::string as_of = "today";
  std::string format = "text";
  std::string engine = "interp";
  int sites = -1;
  int risk_increase = 0;
  std::vector<std::string> not_met, met;
  std::vector<std::string> params;
  std::vector<std::string> plugin_dirs;
  bool rules = false;
  bool strict = false;
  bool all_items = false;
  std::string color = "auto";
};


// Eligibility from --met / --not-met; false if a name is unknown.
bool ApplyConditionFlags(const CertifyOptions& o, smp::Eligibility& e) {
  auto set = [&](const std::string& key, bool value) {
    for (const auto& c : smp::Conditions())
      if (key == c.key) {
        e[static_cast<size_t>(c.condition)] = value;
        return true;
      }
    std::vector<std::string> keys;
    for (const auto& c : smp::Conditions()) keys.push_back(c.key);
    std::string near = ClosestMatch(key, keys);
    std::string list;
    for (const auto& k : keys) list += (list.empty() ? "" : ", ") + k;
    UsageError(fmt::format("unknown sampling condition `{}`", key),
               near.empty() ? "conditions: " + list : fmt::format("did you mean `{}`?", near));
    return false;
  };
  for (const auto& k : o.met)
    if (!set(k, true)) return false;
  for (const auto& k : o.not_met)
    if (!set(k, false)) return false;
  return true;
}

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

int RunCertify(const CertifyOptions& o) {
  auto as_of = ParseAsOf(o.as_of);
  if (!as_of) return UsageError(fmt::format("invalid --as-of `{}`", o.as_of), "write a date as YYYY-MM-DD, or `today`");
  if (o.sites == 0 || o.sites < -1) return UsageError(fmt::format("invalid --sites {}", o.sites), "give the number of sites (1 or more) besides the central function");
  if (o.risk_increase < 0) return UsageError("invalid --risk-increase", "give a number of sites, 0 or more");
  bool color = o.color == "always" || (o.color == "auto" && StdoutIsColor());
  lc::CertifyReport report;
  report.as_of = *as_of;
  report.show_rules = o.rules;
  smp::Eligibility flags{};
  if (!ApplyConditionFlags(o, flags)) return 2;

  // Without evidence: the timing rules and/or a sampling plan.
  if (o.evidence.empty()) {
    if (o.sites < 0 && !o.rules)
      return UsageError("give an evidence file, or --sites N for a sampling plan, or --rules",
                        "e.g. conform certify org.yaml --standard iso9001");
    if (o.format == "text") {
      std::string out;
      if (o.sites > 0) {
        smp::Plan p = smp::MakePlan(o.sites, flags, o.risk_increase);
        out += fmt::format("attestation: {} — {}\n", lc::AttestationLabel(lc::Attestation::Certification),
                           lc::AttestationBasis(lc::Attestation::Certification));
        out += lc::RenderSamplingText(p, "--sites");
      }
      if (o.rules) out += (out.empty() ? "" : "\n") + lc::RenderRulesText();
      fmt::print("{}", out);
    } else {
      report.standard = o.standard;
      if (o.sites > 0) {
        report.sampling = smp::MakePlan(o.sites, flags, o.risk_increase);
        report.sampling_origin = "--sites";
      }
      fmt::print("{}", lc::RenderJson(report));
    }
    return 0;
  }
  if (o.standard.empty()) return UsageError("--standard is required with an evidence file", "e.g. --standard iso9001");

  Session session(SearchPath(o.plugin_dirs));
  std::vector<std::string> modules = session.AvailableModules();
  for (const std::string& m : {o.standard, std::string("certification")}) {
    if (std::find(modules.begin(), modules.end(), m) != modules.end()) continue;
    Diagnostics d;
    std::string near = ClosestMatch(m, modules);
    if (m == "certification")
      d.Error("E1001", {}, "the catalogue has no `certification` schema module", "install standards/certification, or pass --plugin-dir");
    else
      d.Error("E0602", {}, fmt::format("unknown standard `{}`", m),
              near.empty() ? "no such module in the catalogue" : fmt::format("did you mean `{}`?", near));
    PrintDiagnostics(d, session.sources());
    return 2;
  }
  session.LoadModule(o.standard);
  session.LoadModule("certification");
  std::shared_ptr<ir::Program> program;
  if (!session.diags().HasErrors()) {
    session.Schema();
    program = session.Compile(o.standard);
    if (!program)
      session.diags().Error("E0603", {}, fmt::format("module `{}` declares no standard `{}`", o.standard, o.standard),
                            "certify a standard of the catalogue, e.g. iso9001");
  }
  if (session.diags().HasErrors()) {
    PrintDiagnostics(ErrorsOnly(session.diags()), session.sources());
    return 2;
  }

  Diagnostics ediags;
  runtime::LoadOptions lo;
  lo.unknown_fields_are_errors = o.strict;
  auto schema = session.Schema();
  auto doc = runtime::LoadEvidenceFile(o.evidence, *schema, session.literals().get(), session.sources(), ediags, lo);
  if (!doc || ediags.HasErrors()) {
    PrintDiagnostics(ediags, session.sources());
    return 2;
  }
  std::vector<lc::History> histories = lc::ReadHistories(*schema, *doc, o.evidence, ediags);
  std::vector<runtime::ParamOverride> overrides = doc->parameters();
  for (const auto& kv : o.params) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      return UsageError(fmt::format("invalid --param `{}`", kv), "write --param name=value, e.g. --param iso9001.audit_interval=\"6 months\"");
    runtime::ParamOverride po;
    po.name = kv.substr(0, eq);
    po.text = kv.substr(eq + 1);
    po.data_path = "--param " + po.name;
    overrides.push_back(po);
  }
  ParamValues pv = runtime::ResolveParameters(*program, overrides, doc->strings(), session.sources(), ediags);
  PrintDiagnostics(ediags, session.sources());
  if (ediags.HasErrors()) return 2;

  runtime::Engine engine = o.engine == "jit" ? runtime::Engine::Jit : runtime::Engine::Interp;
  std::unique_ptr<jit::CompiledProgram> native;
  if (engine == runtime::Engine::Jit) {
    native = jit::Compile(program, jit::JitOptions{}, session.diags());
    if (!native) {
      PrintDiagnostics(ErrorsOnly(session.diags()), session.sources());
      return 2;
    }
  }
  runtime::StandardReport sr = runtime::Evaluate(*program, *doc, *as_of, pv, engine, true, native.get());

  report.standard = o.standard;
  report.attestation = lc::AttestationFor(o.standard);
  report.title = program->title;
  report.edition = program->Meta("edition");
  report.evidence = o.evidence;
  std::string key = runtime::registry::StandardKey(o.standard);
  const lc::History* current = nullptr;
  std::vector<lc::Status> statuses = lc::EvaluateAll(histories, *as_of);  // transfers link records (IAF MD 2)
  for (size_t i = 0; i < histories.size(); ++i) {
    const auto& h = histories[i];
    if (runtime::registry::StandardKey(h.standard) != key) continue;
    report.records.push_back({h, std::move(statuses[i])});
    current = &h;
  }
  runtime::RecordReader root = runtime::RecordReader::Root(*schema, *doc);
  report.readiness = lc::AssessReadiness(*program, sr, root, current, *as_of);

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

  lc::RenderOptions ro;
  ro.color = color;
  ro.max_items = o.all_items ? 0 : 12;
  fmt::print("{}", o.format == "json" ? lc::RenderJson(report) : lc::RenderText(report, ro));

  // 0: the certification (the last record not transferred away, and not yet empty) is active with
  // nothing overdue.
  bool fine = false;
  for (const auto& r : report.records) {
    if (r.status.state == lc::State::Transferred || r.status.state == lc::State::None) continue;
    fine = r.status.state == lc::State::Active;
    for (const auto& d : r.status.deadlines) fine = fine && d.status == lc::DueStatus::Due;
  }
  return fine ? 0 : 1;
}

}  // namespace

void AddCertify(CLI::App& app, std::function<int()>& run) {
  auto o = std::make_shared<CertifyOptions>();
  auto* cmd = app.add_subcommand("certify", "Certification lifecycle, readiness and multi-site sampling of an organization");
  cmd->add_option("evidence", o->evidence, "evidence file (YAML or JSON) with `certification_history`");
  cmd->add_option("-s,--standard", o->standard, "the standard certified, e.g. iso9001");
  cmd->add_option("--as-of", o->as_of, "date YYYY-MM-DD (default: today)");
  cmd->add_option("-f,--format", o->format, "output format: text or json")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  cmd->add_option("--sites", o->sites, "multi-site sampling (IAF MD 1) for N sites besides the central function");
  cmd->add_option("--risk-increase", o->risk_increase, "sites added to each minimum sample for risk");
  cmd->add_option("--not-met", o->not_met, "a multi-site eligibility condition that is not met (repeatable)")->allow_extra_args(false);
  cmd->add_option("--met", o->met, "a multi-site eligibility condition that is met (repeatable)")->allow_extra_args(false);
  cmd->add_flag("--rules", o->rules, "list the timing rules with their sources");
  cmd->add_option("--engine", o->engine, "evaluation engine for readiness: interp (default) or jit")
      ->check(CLI::IsMember({"jit", "interp"}))
      ->capture_default_str();
  cmd->add_option("--param", o->params, "override a parameter of the standard: name=value (repeatable)")->allow_extra_args(false);
  cmd->add_option("--plugin-dir", o->plugin_dirs, "extra catalogue folder (repeatable)")->allow_extra_args(false);
  cmd->add_flag("--strict", o->strict, "treat unknown evidence fields as errors");
  cmd->add_flag("--all", o->all_items, "text output: list every readiness item (default: at most 12 per list)");
  cmd->add_option("--color", o->color, "auto, always or never")->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->callback([o, &run] { run = [o] { return RunCertify(*o); }; });
}

}  // namespace conform::cli
