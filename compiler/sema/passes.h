// Side tables shared by sema's passes, keyed by ast::Expr::id (unique across the files of one
// SourceManager). docs/design-notes.md, "Sema passes":
//   resolve (resolve.cc)  every name and call → what it denotes (Resolutions)
//   lower   (lower.cc)    type-checks with the expected type pushed down and emits the IR
// Internal to compiler/sema.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "conform/compiler/builtins.h"
#include "conform/compiler/diagnostics.h"
#include "conform/compiler/schema.h"
#include "plan.h"

namespace conform::sema {

// What a bare name denotes in its scope.
enum class Denotes : uint8_t {
  Unresolved,  // nothing in scope: an enum member of the expected type, or an error (see Resolutions::unknown)
  Binder,      // the variable of a quantifier, filter, aggregate or comprehension: `binder` is that Expr's id
  Let,         // a requirement's `let`: `index` into PlanRequirement::lets
  Global,      // a standard- or module-level `let`: `index` into Plan::globals
  DefParam,    // a `def`'s parameter: `index` into DefDecl::params
  Param,       // a parameter: `index` into the program's params (the first of each name)
  AsOf,        // `as_of`
  Base,        // `base` in a layered criterion: the layer below (walked at this use)
  RootField,   // a field of the root entity: `index` into its fields (an enum member of the expected type wins)
};

struct NameRes {
  Denotes kind = Denotes::Unresolved;
  int32_t index = -1;
  uint64_t binder = 0;
  // In an `else` message, a name no inner binder shadows that is the variable of the top-level
  // `all`/`none` of `pass`: bit 1 as the criterion in force is written (a witness when `pass`
  // type-checks), bit 2 as the declaration wrote it (poisoned when `pass` does not). Which one is
  // in scope is known once `pass` is checked; `kind` is what the name denotes otherwise.
  uint8_t witness = 0;
};

// A requirement `let` whose name is already bound (E0204, issued where it is lowered).
enum class LetClash : uint8_t { None, Global, Let };
// A standard- or module-level `let` that is not bound (E0204).
enum class GlobalStatus : uint8_t { Ok, Duplicate, ParamName };

struct Resolutions {
  std::unordered_map<uint64_t, NameRes> names;
  // Calls of a `def` (the declaration in force for that name); other calls are builtins or unknown.
  std::unordered_map<uint64_t, const ast::DefDecl*> def_calls;
  // The diagnostic of an Unresolved name (E0201, or E0425 for `base`), issued by the checker when
  // the expected type does not make the name an enum member (and replaced by E0410 the first time
  // when no root entity is declared).
  std::unordered_map<uint64_t, Diagnostic> unknown;
  std::unordered_map<const ast::LetDecl*, LetClash> let_clash;
  std::vector<GlobalStatus> globals;  // parallel to Plan::globals
  // The `def`s in force by name: the first declaration of each name that is not a builtin's.
  std::unordered_map<std::string, const ast::DefDecl*> defs;

  const NameRes& Of(const ast::Expr& e) const;
  const ast::DefDecl* DefOf(const ast::Expr& call) const {
    auto it = def_calls.find(call.id);
    return it == def_calls.end() ? nullptr : it->second;
  }
};

// Pass 1: resolves every name and call of the plan (resolve.cc). Emits no diagnostic itself.
Resolutions Resolve(const Plan& s, const SchemaModel& m, const BuiltinRegistry& reg);

// `depends on`: each prerequisite id → the index of a requirement of `p` (plan order, parallel to
// `decls`); E0411 for an unknown id, E0412 for a cycle (resolve.cc).
void ResolveDependencies(ir::Program& p, const std::vector<const PlanRequirement*>& decls, Diagnostics& diags);

}  // namespace conform::sema
