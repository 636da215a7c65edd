// Semantic analysis: schema building, name resolution, type checking, lowering to IR.
#pragma once
#include <memory>
#include <vector>

#include "conform/compiler/ast.h"
#include "conform/compiler/diagnostics.h"
#include "conform/compiler/ir.h"
#include "conform/compiler/schema.h"

namespace conform::sema {

// Builds one schema from every `schema` block of the given files (in order). Errors E02xx/E03xx.
std::shared_ptr<SchemaModel> BuildSchema(const std::vector<const ast::File*>& files, const SourceManager& sm,
                                         Diagnostics& diags);

// Checks one standard against the schema and lowers it. Returns a program even with errors
// (callers must check `diags` before evaluating it).
std::shared_ptr<ir::Program> CompileStandard(const ast::StandardDecl& std_decl,
                                             std::shared_ptr<const SchemaModel> schema,
                                             std::shared_ptr<StringPool> literals, const SourceManager& sm,
                                             Diagnostics& diags);

}  // namespace conform::sema
