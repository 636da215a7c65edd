// Shared pieces of the conform subcommands.
#include "common.h"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "conform/compiler/calendar.h"
#include "conform/compiler/jit.h"

namespace fs = std::filesystem;

namespace conform::cli {

std::vector<std::string> SearchPath(const std::vector<std::string>& plugin_dirs) {
  std::vector<std::string> out = plugin_dirs;
  if (const char* env = std::getenv("CONFORM_PLUGIN_PATH")) {
    std::string s = env;
    size_t start = 0;
    while (start <= s.size()) {
      size_t colon = s.find(':', start);
      std::string item = s.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
      if (!item.empty()) out.push_back(item);
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  }
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path dir = exe.parent_path();
    for (const fs::path& cand : {dir / ".." / ".." / "standards",  // build tree: build/cli/conform
                                 dir / ".." / "share" / "conform" / "standards",  // cmake --install
                                 dir / ".." / "standards"}) {
      if (fs::is_directory(cand, ec)) out.push_back(fs::weakly_canonical(cand, ec).string());
    }
  }
  return out;
}

std::optional<int64_t> ParseAsOf(const std::string& text) {
  if (text == "today") {
    auto now = std::chrono::system_clock::now();
    auto days = std::chrono::duration_cast<std::chrono::hours>(now.time_since_epoch()).count() / 24;
    return static_cast<int64_t>(days);
  }
  return cal::ParseDate(text);
}

std::string CacheDir(const std::string& override) { return override.empty() ? jit::DefaultCacheDir() : override; }

bool StderrIsColor() { return isatty(2) && !std::getenv("NO_COLOR"); }
bool StdoutIsColor() { return isatty(1) && !std::getenv("NO_COLOR"); }

Diagnostics ErrorsOnly(const Diagnostics& d) {
  Diagnostics out;
  for (const auto& x : d.items())
    if (x.severity == Severity::Error) out.Add(x);
  return out;
}

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
