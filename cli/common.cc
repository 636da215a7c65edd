// Shared pieces of the conform subcommands.
#include "common.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>

#include "conform/embed/engine.h"

namespace conform::cli {

std::vector<std::string> SearchPath(const std::vector<std::string>& plugin_dirs) {
  embed::CatalogueOptions o;
  o.plugin_dirs = plugin_dirs;
  return embed::SearchPath(o);
}

std::optional<int64_t> ParseAsOf(const std::string& text) { return embed::ParseAsOf(text); }

std::string CacheDir(const std::string& override) { return embed::CacheDir(override); }

bool StderrIsColor() { return isatty(2) && !std::getenv("NO_COLOR"); }
bool StdoutIsColor() { return isatty(1) && !std::getenv("NO_COLOR"); }

Diagnostics ErrorsOnly(const Diagnostics& d) { return embed::ErrorsOnly(d); }

void PrintDiagnostics(const Diagnostics& d, const SourceManager& sm) {
  if (d.empty()) return;
  // The first errors usually explain the rest: show kMaxErrors of them, then a count.
  constexpr size_t kMaxErrors = 25;
  std::string out;
  size_t errors = 0;
  for (const auto& x : d.items())
    if (x.severity != Severity::Error || ++errors <= kMaxErrors) out += Render(x, sm, StderrIsColor());
  if (errors > kMaxErrors)
    out += fmt::format("… {} more errors not shown: fix the ones above first, they often cause the rest\n",
                       errors - kMaxErrors);
  if (errors) out += fmt::format("{} error{} emitted\n", errors, errors == 1 ? "" : "s");
  fmt::print(stderr, "{}", out);
}

int UsageError(const std::string& message, const std::string& help) {
  fmt::print(stderr, "error: {}\n", message);
  if (!help.empty()) fmt::print(stderr, "  = help: {}\n", help);
  return 2;
}

}  // namespace conform::cli
