// Shared pieces of the conform subcommands: catalogue search path, dates, diagnostics output.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "conform/compiler/diagnostics.h"

namespace conform::cli {

inline constexpr const char* kVersion = "0.1.0";  // = embed::kVersion

// Catalogue folders, in order: --plugin-dir values, $CONFORM_PLUGIN_PATH (colon-separated),
// the built-in catalogue next to the executable (build tree and installed layouts).
std::vector<std::string> SearchPath(const std::vector<std::string>& plugin_dirs);

// YYYY-MM-DD, or "today" (the only place Conform reads the clock).
std::optional<int64_t> ParseAsOf(const std::string& text);

// The cache folder: `override`, else $XDG_CACHE_HOME/conform, else ~/.cache/conform ("" if none).
std::string CacheDir(const std::string& override);

bool StderrIsColor();
bool StdoutIsColor();
// Keeps only the errors: catalogue warnings are for rule authors (`conform compile`), not users.
Diagnostics ErrorsOnly(const Diagnostics& d);
// Prints diagnostics to stderr.
void PrintDiagnostics(const Diagnostics& d, const SourceManager& sm);
// A usage error: prints `error: …` and returns exit code 2.
int UsageError(const std::string& message, const std::string& help = {});

}  // namespace conform::cli
