// The Clause parser: source text → AST with spans; syntax errors become diagnostics.
#pragma once
#include <memory>

#include "conform/compiler/ast.h"
#include "conform/compiler/diagnostics.h"

namespace conform::syntax {

// Parses one registered source file. Always returns a File (possibly partial); errors
// (E01xx syntax, E05xx limits) go to `diags`.
std::unique_ptr<ast::File> ParseFile(const SourceManager& sm, uint32_t file_id, Diagnostics& diags);

}  // namespace conform::syntax
