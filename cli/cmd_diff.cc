// `conform diff BEFORE.json AFTER.json`: what changed between two assessments of one
// organization (closed gaps, new gaps, changed grades, newly blocked), as text, JSON or HTML.
#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "commands.h"
#include "common.h"
#include "conform/runtime/results.h"

namespace conform::cli {
namespace {

struct DiffOptions {
  std::string before, after;
  std::string format = "text";
  std::string output = "-";
};

std::optional<runtime::Assessment> Read(const std::string& path, Diagnostics& diags) {
  std::ifstream in(path, std::ios::binary);
  std::string error;
  std::optional<runtime::Assessment> a;
  if (!in) {
    error = "cannot be read";
  } else {
    std::stringstream ss;
    ss << in.rdbuf();
    a = runtime::ReadAssessmentJson(ss.str(), error);
  }
  if (!a) {
    auto& d = diags.Error("E1104", {}, fmt::format("`{}` {}", path, error),
                          "give two reports written by `conform check … --format json` (or --output json=PATH)");
    d.path = path;
  }
  return a;
}

int RunDiff(const DiffOptions& o) {
  Diagnostics diags;
  auto before = Read(o.before, diags);
  auto after = Read(o.after, diags);
  SourceManager sm;
  if (!before || !after) {
    PrintDiagnostics(diags, sm);
    return 2;
  }
  if (!before->info.organization.empty() && !after->info.organization.empty() &&
      before->info.organization != after->info.organization)
    diags.Warning("W1103", {}, fmt::format("the reports name different organizations (`{}` and `{}`)", before->info.organization,
                                           after->info.organization),
                  "conform diff compares two assessments of one organization");
  PrintDiagnostics(diags, sm);
  runtime::AssessmentDiff d = runtime::DiffAssessments(*before, *after);
  std::string text = o.format == "json" ? runtime::WriteDiffJson(d) : o.format == "html" ? runtime::WriteDiffHtml(d) : runtime::WriteDiffText(d);
  if (o.output == "-") {
    fmt::print("{}", text);
  } else if (!(std::ofstream(o.output, std::ios::binary) << text)) {
    fmt::print(stderr, "error: cannot write `{}`\n", o.output);
    return 2;
  }
  return d.Worse() ? 1 : 0;
}

}  // namespace

void AddDiff(CLI::App& app, std::function<int()>& run) {
  auto o = std::make_shared<DiffOptions>();
  auto* cmd = app.add_subcommand("diff", "Compare two JSON reports of one organization: closed and new gaps, changed grades");
  cmd->add_option("before", o->before, "the earlier report (conform check --format json)")->required();
  cmd->add_option("after", o->after, "the later report")->required();
  cmd->add_option("-f,--format", o->format, "text, json or html")->check(CLI::IsMember({"text", "json", "html"}))->capture_default_str();
  cmd->add_option("-o,--output", o->output, "write to this file instead of stdout");
  cmd->callback([o, &run] { run = [o] { return RunDiff(*o); }; });
}

}  // namespace conform::cli
