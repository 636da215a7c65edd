// Packages as units for the authoring commands.
#include "packages.h"

#include <algorithm>
#include <filesystem>

#include "common.h"
#include "conform/runtime/catalogue.h"

namespace fs = std::filesystem;

namespace conform::cli {

std::string PackageOf(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(path, ec);
  fs::path dir = fs::is_directory(p, ec) ? p : p.parent_path();
  return fs::exists(dir / "plugin.toml", ec) ? dir.string() : std::string();
}

std::vector<std::string> PackagesIn(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_directory() && fs::exists(e.path() / "plugin.toml", ec)) out.push_back(fs::weakly_canonical(e.path(), ec).string());
  std::sort(out.begin(), out.end());
  return out;
}

std::unique_ptr<Session> OpenPackages(const std::vector<std::string>& packages, const std::vector<std::string>& plugin_dirs,
                                      const std::map<std::string, std::string>& overlays) {
  // Folders of the packages named come first on the search path, so a package outside the
  // catalogue (or a working copy of one inside it) is the one loaded.
  std::vector<std::string> search;
  for (const auto& pkg : packages) {
    std::string parent = fs::path(pkg).parent_path().string();
    if (std::find(search.begin(), search.end(), parent) == search.end()) search.push_back(parent);
  }
  for (const auto& d : SearchPath(plugin_dirs)) search.push_back(d);
  auto s = std::make_unique<Session>(search);
  for (const auto& [path, text] : overlays) s->SetOverlay(path, text);
  Diagnostics cat_diags;
  runtime::Catalogue catalogue = runtime::Catalogue::Discover(search, cat_diags);
  std::vector<const runtime::PluginManifest*> roots;
  for (const auto& pkg : packages)
    if (const auto* m = catalogue.FindByDir(pkg); m && std::find(roots.begin(), roots.end(), m) == roots.end())
      roots.push_back(m);
  if (!roots.empty()) catalogue.Load(*s, roots, cat_diags);
  // Load's module resolver refers to `catalogue`, which ends here: later loads (the language
  // server's, when the package could not be resolved) use the plain search path instead.
  s->SetModuleResolver({});
  s->diags().Append(cat_diags);
  return s;
}

}  // namespace conform::cli
