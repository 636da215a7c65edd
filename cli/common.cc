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
  fmt::print(stderr, "{}", RenderAll(d, sm, StderrIsColor()));
}

int UsageError(const std::string& message, const std::string& help) {
  fmt::print(stderr, "error: {}\n", message);
  if (!help.empty()) fmt::print(stderr, "  = help: {}\n", help);
  return 2;
}

}  // namespace conform::cli
