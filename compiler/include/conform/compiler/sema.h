// Semantic analysis: schema building, name resolution, type checking, lowering to IR.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "conform/compiler/ast.h"
#include "conform/compiler/diagnostics.h"
#include "conform/compiler/ir.h"
#include "conform/compiler/schema.h"

namespace conform::sema {

// Pass "language level": E0210 for each Clause 0.2 construct in a file whose package declares
// language "0.1" (sema/language_level.cc). Nothing for other files.
void CheckLanguageLevel(const ast::File& f, Diagnostics& diags);
bool IsClause01(const std::string& language);
// E0210 at `at` for `construct` ("`def f`"), once per place.
void ReportClause02(Diagnostics& diags, Span at, const std::string& construct);

// Builds one schema from every `schema` block of the given files (in order). Errors E02xx/E03xx.
std::shared_ptr<SchemaModel> BuildSchema(const std::vector<const ast::File*>& files, const SourceManager& sm,
                                         Diagnostics& diags);

// Checks one standard against the schema and lowers it. Returns a program even with errors
// (callers must check `diags` before evaluating it). The module-level `def`s and `let`s of
// `files` are in scope.
std::shared_ptr<ir::Program> CompileStandard(const ast::StandardDecl& std_decl,
                                             std::shared_ptr<const SchemaModel> schema,
                                             std::shared_ptr<StringPool> literals, const SourceManager& sm,
                                             Diagnostics& diags, const std::vector<const ast::File*>& files = {});

// Compiles a selection into one program: a standard id alone is that standard; an extension id
// is the extension resolved with its chain of bases (sema/extend.cc); several ids over one base
// standard are combined, and two of them that are not built on one another may not amend one
// thing incompatibly (E0426). nullptr when an id is unknown or a chain is broken.
std::shared_ptr<ir::Program> CompileSelection(const std::vector<const ast::File*>& files, const std::vector<std::string>& ids,
                                              std::shared_ptr<const SchemaModel> schema, std::shared_ptr<StringPool> literals,
                                              const SourceManager& sm, Diagnostics& diags);
// The standard at the root of `id`'s chain of bases ("" if unknown), and `id`'s bases (root
// first, `id` itself not included).
std::string RootStandardOf(const std::vector<const ast::File*>& files, const std::string& id);
std::vector<std::string> BasesOf(const std::vector<const ast::File*>& files, const std::string& id);

}  // namespace conform::sema
