// The catalogue: plugin packages (plugin.toml + Clause sources + tests), discovered on a search
// path, with versions, editions, dependency resolution and cross-standard clause mapping.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "conform/compiler/diagnostics.h"
#include "conform/compiler/driver.h"

namespace conform::runtime {

struct Version {
  int major = 0, minor = 0, patch = 0;
  static std::optional<Version> Parse(const std::string& s);
  std::string Text() const;
  auto operator<=>(const Version&) const = default;
};

// ">=1.0, <2", "^1.2", "=1.0.0", "*": comma-separated comparisons that must all hold.
struct VersionRange {
  std::string text;
  std::vector<std::pair<std::string, Version>> terms;
  static std::optional<VersionRange> Parse(const std::string& s);
  bool Matches(const Version& v) const;
};

struct Dependency {
  std::string id;
  VersionRange range;
};

struct ClauseMapping {
  std::string standard;
  std::vector<std::pair<std::string, std::string>> pairs;  // (this standard's clause, the other's)
};

struct PluginManifest {
  std::string id;
  Version version;
  std::string title;
  std::string kind;       // standard | extension | schema
  std::string language;   // Clause language version
  std::string edition;    // edition name, e.g. "2015+A1:2024"
  std::optional<int64_t> published, withdrawn, transition_end;  // days since 1970-01-01
  std::vector<Dependency> dependencies;
  std::map<std::string, std::string> hs;  // clause → harmonized clause, beyond same-number
  std::vector<ClauseMapping> maps;
  std::string dir;        // the package folder
  std::string manifest;   // path of plugin.toml

  std::string Key() const { return id + "@" + edition; }
  // "current", "withdrawn", "transition" (past publication of a successor, before its end)
  std::string StatusAt(int64_t as_of) const;
};

// Supported language version of this build; packages asking for a newer one are rejected.
inline constexpr const char* kLanguageVersion = "0.2";

class Catalogue {
 public:
  // Scans each folder of `dirs` for <pkg>/plugin.toml. Malformed manifests and duplicate
  // id@edition are diagnostics (E0608, E0607); the rest of the catalogue stays usable.
  static Catalogue Discover(const std::vector<std::string>& dirs, Diagnostics& diags);

  const std::vector<PluginManifest>& plugins() const { return plugins_; }
  const std::vector<std::string>& dirs() const { return dirs_; }

  // "iso9001" (the newest edition not withdrawn, else the newest) or "iso9001@2015" (edition
  // prefix). nullptr and E0602 if there is none.
  const PluginManifest* Find(const std::string& spec, Diagnostics& diags, int64_t as_of = 0) const;
  const PluginManifest* FindByDir(const std::string& dir) const;

  // Resolves `pkg` and its dependencies (highest version in range; E0604 missing,
  // E0605 version conflict, E0606 cycle, E0609 language too new) and points `session`'s
  // module lookup at the chosen packages. Several roots may be loaded into one session.
  bool Load(Session& session, const std::vector<const PluginManifest*>& roots, Diagnostics& diags) const;
  // `roots` plus every schema module that builds on what the roots load (with core loaded:
  // certification, isms …): those only add optional fields, so one evidence file may carry any
  // of them. Schema modules the roots neither require nor extend stay out, so a package with
  // its own schema never collides with them.
  std::vector<const PluginManifest*> WithSchemaModules(std::vector<const PluginManifest*> roots) const;
  // The packages `roots` need, dependencies included (what Load would load); false on errors.
  bool Resolve(const std::vector<const PluginManifest*>& roots, Diagnostics& diags,
               std::vector<const PluginManifest*>& closure) const;

  // The package an extension package is built on: its required package of kind standard or
  // extension (nullptr for a standard or a schema module).
  const PluginManifest* BaseOf(const PluginManifest& p) const;
  // Groups selected packages into programs: extensions of one base standard form one program
  // (Session::CompileSelection), and a package another selected package is built on is part of
  // that one already. Each group keeps the selection order.
  std::vector<std::vector<const PluginManifest*>> GroupByBase(const std::vector<const PluginManifest*>& pkgs) const;

  // Harmonized-structure id of a clause of a standard package, or "" (not an HS clause).
  std::string HarmonizedClause(const PluginManifest& p, const std::string& clause,
                               const std::vector<std::string>& hs_clauses) const;

 private:
  std::vector<std::string> dirs_;
  std::vector<PluginManifest> plugins_;
};

}  // namespace conform::runtime
