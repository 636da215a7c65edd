// Lint rules for Clause packages (`conform lint`, docs/lint.md): style and authoring mistakes
// that compile but mislead — each a warning with an L-code, suppressible with a justification.
#pragma once
#include <string>
#include <vector>

#include "conform/compiler/ast.h"
#include "conform/compiler/diagnostics.h"
#include "conform/compiler/schema.h"

namespace conform::lint {

struct Rule {
  const char* code;
  const char* name;
  const char* summary;
};
const std::vector<Rule>& Rules();

// One standard or extension to lint, with the schema it compiled against, its sources and
// every file its session loaded (an extension's base declarations are looked up there).
struct Unit {
  const ast::StandardDecl* standard;  // or
  const ast::ExtensionDecl* extension;
  const SchemaModel* schema;
  const SourceManager* sources;
  const std::vector<std::unique_ptr<ast::File>>* files = nullptr;
};

struct Finding {
  Diagnostic diag;  // a warning with an L-code
  const SourceManager* sources;
};

// Lints `units` (several packages at once, so that L0006 compares standards). Findings are
// warnings; `// lint: allow L00NN <why>` inside a requirement (or on the line above it), or
// above a `param`, suppresses that code there.
std::vector<Finding> Run(const std::vector<Unit>& units);

}  // namespace conform::lint
