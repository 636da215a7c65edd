// One function per subcommand: each registers its options and sets `run` when chosen.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace conform::cli {
void AddCheck(CLI::App& app, std::function<int()>& run);
void AddCompile(CLI::App& app, std::function<int()>& run);
void AddBuiltins(CLI::App& app, std::function<int()>& run);
void AddTest(CLI::App& app, std::function<int()>& run);
void AddCatalogue(CLI::App& app, std::function<int()>& run);
void AddCertify(CLI::App& app, std::function<int()>& run);
void AddRegistry(CLI::App& app, std::function<int()>& run);
void AddDiff(CLI::App& app, std::function<int()>& run);
void AddExplain(CLI::App& app, std::function<int()>& run);
void AddNew(CLI::App& app, std::function<int()>& run);
void AddLint(CLI::App& app, std::function<int()>& run);
void AddFmt(CLI::App& app, std::function<int()>& run);
void AddLsp(CLI::App& app, std::function<int()>& run);
void AddCompletion(CLI::App& app, std::function<int()>& run);  // and `man`
void AddCache(CLI::App& app, std::function<int()>& run);

// Starts `conform cache warm` for `standards` in a detached process (cmd_cache.cc); false if it
// could not be started.
bool StartBackgroundWarm(const std::vector<std::string>& standards, const std::vector<std::string>& plugin_dirs,
                         const std::string& cache_dir, const std::string& as_of, int opt_level);
}  // namespace conform::cli
