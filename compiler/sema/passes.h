// Side tables shared by sema's passes, keyed by ast::Expr::id (unique across the files of one
// SourceManager). docs/design-notes.md, "The compiler's passes". In order:
//   resolve    (resolve.cc)    every name and call → what it denotes (Resolutions); no diagnostic
//   type-check (typecheck.cc)  every expression → its type, with the expected type pushed down
//                              (Checked); the program's structure; every diagnostic
//   lower      (lower.cc)      AST + both tables → IR; defs inlined; no diagnostic
// Internal to compiler/sema.
#pragma once
#include <cstdint>
#include <functional>
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
  // An Unresolved name: what its diagnostic needs (E0201, or E0425 for `base`), which the
  // checker issues (Unknown) when the expected type does not make the name an enum member (E0410
  // instead, the first time, when no root entity is declared). Only the scope is kept here: most
  // unresolved names are enum members, and their diagnostic is never built.
  struct Unseen {
    std::vector<std::string> scope;  // the names bound there, outermost first
    size_t params = 0;               // how many of `params` are in scope there
    bool in_message = false;
  };
  std::unordered_map<uint64_t, Unseen> unknown;
  std::vector<std::string> params;  // the parameters' names (the first of each name), in order
  std::unordered_map<const ast::LetDecl*, LetClash> let_clash;
  std::vector<GlobalStatus> globals;  // parallel to Plan::globals
  // The `def`s in force by name: the first declaration of each name that is not a builtin's.
  std::unordered_map<std::string, const ast::DefDecl*> defs;
  // The top-level `all`/`none` of a requirement's criterion in force (through `base` and def
  // calls): its variable is the witness of the `else` message when `pass` type-checks.
  std::unordered_map<const PlanRequirement*, const ast::Expr*> witness;

  const NameRes& Of(const ast::Expr& e) const;
  // The diagnostic of the Unresolved name `e`.
  Diagnostic Unknown(const ast::Expr& e, const SchemaModel& m) const;
  const ast::DefDecl* DefOf(const ast::Expr& call) const {
    auto it = def_calls.find(call.id);
    return it == def_calls.end() ? nullptr : it->second;
  }
};

// Visits a plan's requirements in clause order (the order of Program::requirements), each with
// its clause and that clause's index in Program::clauses (pre-order).
inline void ForEachRequirement(const Plan& s,
                               const std::function<void(const PlanClause&, int32_t, const PlanRequirement&)>& f) {
  int32_t counter = 0;
  std::function<void(const PlanClause&)> walk = [&](const PlanClause& c) {
    int32_t ci = counter++;
    size_t sub = 0, req = 0;
    for (int kind : c.order) {
      if (kind == 0) walk(c.clauses[sub++]);
      else f(c, ci, c.requirements[req++]);
    }
  };
  for (const auto& c : s.clauses) walk(c);
}

// Pass 1: resolves every name and call of the plan (resolve.cc). Emits no diagnostic itself.
Resolutions Resolve(const Plan& s, const SchemaModel& m, const BuiltinRegistry& reg);

// What the type checker decided about an expression.
struct Typed {
  TypeId type = TypeTable::kError;    // the type of its value (kError: it failed to check)
  int32_t member = -1;                // a bare name read as this member of the expected enum (`type`)
  bool to_dec = false;                // an int converted to decimal where it is used
  bool rhs_first = false;             // a pair whose right operand was checked first (it types the left)
  const Builtin* builtin = nullptr;   // a builtin call or aggregate: the builtin (the overload) chosen
};

struct Checked {
  std::unordered_map<uint64_t, Typed> nodes;
  std::vector<int32_t> param_of;  // parallel to Plan::params: the index in Program::params, or -1 (a duplicate)
  bool exclusions_ok = false;     // the exclusions in force are a set<string>
  const Typed& Of(const ast::Expr& e) const;
};

// Pass 2: type-checks the plan (typecheck.cc): fills the program's structure (metadata, clauses,
// parameters, requirements without expressions, depends) and its type table; every diagnostic
// after resolution. `p.schema` must be set and `p.types` be a copy of its type table.
Checked TypeCheck(const Plan& s, ir::Program& p, const Resolutions& res, const SourceManager& sm, Diagnostics& diags);

// `depends on`: each prerequisite id → the index of a requirement of `p` (plan order, parallel to
// `decls`); E0411 for an unknown id, E0412 for a cycle (resolve.cc).
void ResolveDependencies(ir::Program& p, const std::vector<const PlanRequirement*>& decls, Diagnostics& diags);

}  // namespace conform::sema
