// `conform registry import FILE | verify CERT-NUMBER | search …`: the certificate registry
// (SQLite; default $XDG_DATA_HOME/conform/registry.sqlite, --db PATH to override).
#include <fmt/format.h>

#include "commands.h"
#include "common.h"
#include "conform/runtime/registry.h"
#include "conform/runtime/report.h"

namespace conform::cli {
namespace {

namespace rg = runtime::registry;

struct RegistryOptions {
  std::string db;
  std::string format = "text";
  std::string as_of = "today";
  double wait = 2;  // seconds to wait for a registry locked by another process
  // import
  std::string file;
  std::string input = "auto";
  // verify
  std::string number;
  // search
  rg::Query query;
};

std::string DbPath(const RegistryOptions& o) { return o.db.empty() ? rg::DefaultPath() : o.db; }
int WaitMs(const RegistryOptions& o) { return static_cast<int>(o.wait * 1000); }

int RunImport(const RegistryOptions& o) {
  Diagnostics diags;
  SourceManager sm;
  auto reg = rg::Registry::Open(DbPath(o), /*create=*/true, diags, WaitMs(o));
  if (!reg) {
    PrintDiagnostics(diags, sm);
    return 2;
  }
  rg::ImportStats stats;
  rg::ImportFormat f = o.input == "json" ? rg::ImportFormat::Json : o.input == "csv" ? rg::ImportFormat::Csv : rg::ImportFormat::Auto;
  if (!reg->ImportFile(o.file, f, sm, diags, &stats)) {
    PrintDiagnostics(diags, sm);
    fmt::print(stderr, "error: import of {} rejected: nothing was written to {}\n", o.file, reg->path());
    return 2;
  }
  PrintDiagnostics(diags, sm);
  if (o.format == "json") {
    std::string rows;
    for (const auto& [k, n] : stats.rows) rows += fmt::format("{}\n    {}: {}", rows.empty() ? "" : ",", runtime::JsonQuote(k), n);
    fmt::print("{{\n  \"imported\": {},\n  \"file\": {},\n  \"db\": {},\n  \"rows\": {{{}\n  }}\n}}\n", stats.total(),
               runtime::JsonQuote(o.file), runtime::JsonQuote(reg->path()), rows);
  } else {
    std::string parts;
    for (const auto& [k, n] : stats.rows) {
      std::string name = k;
      if (n != 1) name = name.back() == 'y' ? name.substr(0, name.size() - 1) + "ies" : name + "s";
      parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", n, name);
    }
    fmt::print("imported {} rows from {} into {}{}\n", stats.total(), o.file, reg->path(), parts.empty() ? "" : ": " + parts);
  }
  return 0;
}

int RunVerify(const RegistryOptions& o) {
  auto as_of = ParseAsOf(o.as_of);
  if (!as_of) return UsageError(fmt::format("invalid --as-of `{}`", o.as_of), "write a date as YYYY-MM-DD, or `today`");
  if (rg::NormalizeNumber(o.number).empty())
    return UsageError("give the certificate number to verify", "e.g. conform registry verify NC-9001-0001");
  Diagnostics diags;
  SourceManager sm;
  auto reg = rg::Registry::Open(DbPath(o), /*create=*/false, diags, WaitMs(o));
  if (!reg) {
    PrintDiagnostics(diags, sm);
    return 2;
  }
  rg::Verification v = reg->Verify(o.number, *as_of);
  fmt::print("{}", o.format == "json" ? rg::RenderJson(v) : rg::RenderText(v));
  return v.outcome == rg::Outcome::ValidAccredited ? 0 : 1;
}

int RunSearch(const RegistryOptions& o) {
  auto as_of = ParseAsOf(o.as_of);
  if (!as_of) return UsageError(fmt::format("invalid --as-of `{}`", o.as_of), "write a date as YYYY-MM-DD, or `today`");
  Diagnostics diags;
  SourceManager sm;
  auto reg = rg::Registry::Open(DbPath(o), /*create=*/false, diags, WaitMs(o));
  if (!reg) {
    PrintDiagnostics(diags, sm);
    return 2;
  }
  std::vector<rg::Hit> hits = reg->Search(o.query, *as_of);
  fmt::print("{}", o.format == "json" ? rg::RenderJson(hits, *as_of) : rg::RenderText(hits, *as_of));
  return hits.empty() ? 1 : 0;
}

int RunRules(const RegistryOptions& o) {
  fmt::print("{}", o.format == "json" ? rg::RenderRulesJson() : rg::RenderRulesText());
  return 0;
}

void Common(CLI::App* cmd, RegistryOptions& o) {
  cmd->add_option("--db", o.db, "registry database (default: $XDG_DATA_HOME/conform/registry.sqlite)");
  cmd->add_option("-f,--format", o.format, "output format: text or json")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  cmd->add_option("--wait", o.wait, "seconds to wait for a registry locked by another process (an import) before E0912")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
}

}  // namespace

void AddRegistry(CLI::App& app, std::function<int()>& run) {
  auto o = std::make_shared<RegistryOptions>();
  auto* reg = app.add_subcommand("registry", "Certificate registry: import, verify and search certificates and bodies");
  reg->require_subcommand(1);

  auto* imp = reg->add_subcommand("import", "Import a JSON or CSV file of bodies, accreditations, certificates, self-declarations");
  imp->add_option("file", o->file, "the file to import (.json or .csv)")->required();
  imp->add_option("--input", o->input, "input format: auto (by extension), json or csv")
      ->check(CLI::IsMember({"auto", "json", "csv"}))
      ->capture_default_str();
  Common(imp, *o);
  imp->callback([o, &run] { run = [o] { return RunImport(*o); }; });

  auto* ver = reg->add_subcommand("verify", "Verify a certificate: its status and its accreditation chain");
  ver->add_option("number", o->number, "certificate (or self-declaration) number")->required();
  ver->add_option("--as-of", o->as_of, "date YYYY-MM-DD (default: today)");
  Common(ver, *o);
  ver->callback([o, &run] { run = [o] { return RunVerify(*o); }; });

  auto* rules = reg->add_subcommand("rules", "List the checks of verify, with their outcomes and sources");
  rules->add_option("-f,--format", o->format, "output format: text or json")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  rules->callback([o, &run] { run = [o] { return RunRules(*o); }; });

  auto* sea = reg->add_subcommand("search", "Search certificates, self-declarations and bodies");
  sea->add_option("text", o->query.text, "text in a number, id, name or scope (case-insensitive)");
  sea->add_option("--standard", o->query.standard, "e.g. \"ISO 9001\" or iso9001");
  sea->add_option("--body", o->query.body, "certification body id");
  sea->add_option("--outcome", o->query.outcome, "a verification outcome (valid_accredited, suspended …) or a stored status");
  sea->add_option("--country", o->query.country, "country code");
  sea->add_option("--kind", o->query.kind, "all, certificates, self_declarations or bodies")
      ->check(CLI::IsMember({"all", "certificates", "self_declarations", "bodies"}))
      ->capture_default_str();
  sea->add_option("--as-of", o->as_of, "date YYYY-MM-DD (default: today)");
  Common(sea, *o);
  sea->callback([o, &run] { run = [o] { return RunSearch(*o); }; });
}

}  // namespace conform::cli
