// The compiler driver: finds modules on the search path, parses them, builds the schema,
// and compiles standards. One Session = one SourceManager, one schema, one literal pool.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "conform/compiler/ast.h"
#include "conform/compiler/diagnostics.h"
#include "conform/compiler/ir.h"
#include "conform/compiler/schema.h"

namespace conform {

class Session {
 public:
  // `search_dirs`: folders that hold one sub-folder per module (standards/core, standards/iso9001 …).
  explicit Session(std::vector<std::string> search_dirs);

  SourceManager& sources() { return sources_; }
  Diagnostics& diags() { return diags_; }

  // Loads module `name` (all its .clause files) and, transitively, what they `use`.
  bool LoadModule(const std::string& name, Span use_site = {});
  // Loads one file and what it uses. Reports E0701-style read errors as E0601.
  bool LoadFile(const std::string& path);
  // Registers source text directly (tests, stdin).
  bool LoadText(const std::string& path, std::string text);
  // An editor's unsaved text for `path`: when the file is loaded (LoadFile, LoadModule), this
  // text is compiled instead of what is on disk (the language server's open documents).
  void SetOverlay(const std::string& path, std::string text);
  // The Clause version (plugin.toml `language`) of the package in `folder`: its files are
  // checked against it when loaded (E0210 for a 0.2 construct in a "0.1" package).
  void SetLanguage(const std::string& folder, std::string version);

  // Builds the schema from every loaded file (once).
  std::shared_ptr<const SchemaModel> Schema();
  // Compiles the standard named `id` from the loaded files; nullptr if it is not there.
  std::shared_ptr<ir::Program> Compile(const std::string& id);
  // Compiles several standards and extensions of one base standard into one program
  // (sema::CompileSelection): `iatf16949` and a customer overlay on it, say.
  std::shared_ptr<ir::Program> CompileSelection(const std::vector<std::string>& ids);
  // Compiles every standard and every extension declared in the loaded files.
  std::vector<std::shared_ptr<ir::Program>> CompileAll();
  // Whether `id` is declared as an extension in the loaded files.
  bool IsExtension(const std::string& id) const;

  const std::vector<std::unique_ptr<ast::File>>& files() const { return files_; }
  std::vector<std::string> AvailableModules() const;
  std::shared_ptr<StringPool> literals() { return literals_; }
  const std::vector<std::string>& search_dirs() const { return search_dirs_; }

  // Where `use X` finds module X: a folder, or "" when X is not available. Without a resolver,
  // module X is the folder X under a search dir. The catalogue installs one after resolving
  // plugin dependencies and versions; `why_missing` explains a "" answer in E0205's help.
  using ModuleResolver = std::function<std::string(const std::string& module, std::string& why_missing)>;
  void SetModuleResolver(ModuleResolver r) { resolver_ = std::move(r); }

 private:
  bool ParseAndTrack(uint32_t file_id);
  // After a `use` of a missing module (E0205), drops the name and type errors reported from
  // diagnostic `first` on: the missing module would have declared those names.
  void PoisonAfterMissingModule(size_t first);
  std::vector<std::pair<std::string, size_t>> missing_modules_;  // (module, index of its E0205)
  size_t poisoned_ = 0;
  std::string missing_help_;  // the first E0205's own help
  std::vector<std::string> search_dirs_;
  SourceManager sources_;
  Diagnostics diags_;
  std::vector<std::unique_ptr<ast::File>> files_;
  std::map<std::string, bool> modules_;  // name → loaded
  std::map<std::string, bool> paths_;
  std::map<std::string, std::string> overlays_;  // canonical path → text
  std::map<std::string, std::string> languages_;  // canonical package folder → Clause version
  std::shared_ptr<SchemaModel> schema_;
  std::shared_ptr<StringPool> literals_ = std::make_shared<StringPool>();
  std::map<std::string, std::shared_ptr<ir::Program>> compiled_;
  ModuleResolver resolver_;
};

// Reads a whole file; false (and `error` set) if it cannot be read.
bool ReadFile(const std::string& path, std::string& out, std::string& error, size_t max_bytes = SIZE_MAX);

}  // namespace conform
