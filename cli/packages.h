// Packages as units for the authoring commands (compile, lint, fmt): a PATH names a package
// folder, any file inside one, or a folder of packages.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "conform/compiler/diagnostics.h"
#include "conform/compiler/driver.h"

namespace conform::cli {

// The package folder holding `path` (the folder itself or a file's parent), or "".
std::string PackageOf(const std::string& path);

// The package folders directly inside `dir` (a catalogue folder such as standards/).
std::vector<std::string> PackagesIn(const std::string& dir);

// A session that has loaded `packages` (with their sibling files and the packages they
// require) — their parent folders first on the search path, then `plugin_dirs` and the usual
// catalogue — reporting catalogue errors into the session's diagnostics.
// `overlays` (path → text) replace files on disk (an editor's unsaved documents).
std::unique_ptr<Session> OpenPackages(const std::vector<std::string>& packages, const std::vector<std::string>& plugin_dirs,
                                      const std::map<std::string, std::string>& overlays = {});

}  // namespace conform::cli
