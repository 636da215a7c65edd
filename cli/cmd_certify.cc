// `conform certify EVIDENCE --standard ID [--as-of DATE]`: the certification lifecycle of the
// organization (state, timeline, next deadlines, irregularities), its readiness for stage 1 and
// for stage 2 / the decision gate (predicted from the standard's verdicts) and, for multi-site
// organizations, the IAF MD 1 sample sizes. `conform certify --sites N` computes sampling alone.
// Written on the embedding core (embed::Certify, api/certify.cc): this file only reads options
// and prints.
#include <fmt/format.h>

#include "commands.h"
#include "common.h"
#include "conform/embed/certify.h"

namespace conform::cli {
namespace {

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

int RunCertify(const CertifyOptions& o) {
  auto as_of = embed::ParseAsOf(o.as_of);
  if (!as_of) return UsageError(fmt::format("invalid --as-of `{}`", o.as_of), "write a date as YYYY-MM-DD, or `today`");
  embed::CertifyOptions co;
  co.standard = o.standard;
  co.as_of = *as_of;
  co.sites = o.sites;
  co.risk_increase = o.risk_increase;
  co.met = o.met;
  co.not_met = o.not_met;
  co.show_rules = o.rules;
  for (const auto& kv : o.params) {
    auto po = embed::ParseParam(kv);
    if (!po)
      return UsageError(fmt::format("invalid --param `{}`", kv),
                        "write --param name=value, e.g. --param iso9001.audit_interval=\"6 months\"");
    co.params.push_back(*po);
  }
  embed::RenderOptions ro;
  ro.color = o.color == "always" || (o.color == "auto" && StdoutIsColor());
  ro.max_items = o.all_items ? 0 : 12;

  // Without evidence: the timing rules and/or a sampling plan.
  if (o.evidence.empty()) {
    if (o.sites < 0 && !o.rules)
      return UsageError("give an evidence file, or --sites N for a sampling plan, or --rules",
                        "e.g. conform certify org.yaml --standard iso9001");
    embed::Certification plan = embed::PlanSampling(co);
    if (!plan.ok) {
      PrintDiagnostics(plan.diags, SourceManager());
      return 2;
    }
    fmt::print("{}", o.format == "json" ? embed::RenderJson(plan) : embed::RenderText(plan, ro));
    return 0;
  }
  if (o.standard.empty()) return UsageError("--standard is required with an evidence file", "e.g. --standard iso9001");

  embed::CatalogueOptions cat;
  cat.plugin_dirs = o.plugin_dirs;
  embed::Engine engine(cat);
  embed::CompileOptions opts;
  opts.engine = o.engine == "jit" ? runtime::Engine::Jit : runtime::Engine::Interp;
  opts.as_of = *as_of;
  std::shared_ptr<const embed::RuleSet> rules = engine.Compile({o.standard}, opts);
  if (!rules->ok()) {
    PrintDiagnostics(embed::ErrorsOnly(rules->diags()), rules->sources());
    return 2;
  }
  runtime::LoadOptions lo;
  lo.unknown_fields_are_errors = o.strict;
  std::unique_ptr<embed::Evidence> evidence = rules->LoadFile(o.evidence, lo);
  if (!evidence->ok()) {
    PrintDiagnostics(evidence->diags(), evidence->sources());
    return 2;
  }
  embed::Certification c = embed::Certify(*rules, *evidence, co);
  Diagnostics all = evidence->diags();  // loading warnings (W0701 …) first
  all.Append(c.diags);
  PrintDiagnostics(all, evidence->sources());
  if (!c.ok) return 2;
  fmt::print("{}", o.format == "json" ? embed::RenderJson(c) : embed::RenderText(c, ro));
  return c.Active() ? 0 : 1;
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
