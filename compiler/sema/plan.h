// The standard as sema lowers it: a view over the AST of a standard with the extensions chosen
// for it applied (new clauses and requirements placed under their base clauses, amendments
// layered over the members they change). Built by PlanStandard (a standard alone) or
// sema/extend.cc (a chain of extensions); resolved, checked and lowered by sema/resolve.cc,
// sema/typecheck.cc, sema/lower.cc. It points into the ASTs
// and copies none of them, so it lives no longer than the files.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "conform/compiler/ast.h"
#include "conform/compiler/ir.h"

namespace conform::sema {

struct PlanRequirement {
  const ast::RequirementDecl* decl = nullptr;  // the declaration (of the base or of an extension)
  std::string origin;
  std::vector<std::string> amended_by;
  std::string grade;
  Span grade_span;
  std::string says;
  int says_count = 0;
  std::vector<const ast::LetDecl*> lets;
  // Layers, oldest first; the last is in force and `base` in layer k is layer k-1. A null
  // first layer of `applies` stands for "always applies" (the base had no `applies when`).
  std::vector<const ast::Expr*> applies, pass;
  const ast::Template* message = nullptr;
  // `depends on`: prerequisite ids and where each is named (the declaration's, or an amendment's).
  std::vector<std::pair<std::string, Span>> depends;
  // The amend that changed `pass` while the message stayed the base's (checked to still fit).
  const ast::AmendDecl* pass_amend_keeping_message = nullptr;
};

struct PlanClause {
  const ast::ClauseDecl* decl = nullptr;
  std::string number, title, origin;
  Span number_span;
  std::vector<PlanClause> clauses;
  std::vector<PlanRequirement> requirements;
  std::vector<int> order;  // 0 = next clause, 1 = next requirement
};

struct PlanParam {
  const ast::ParamDecl* decl = nullptr;
  std::string origin;
  const ast::Expr* value = nullptr;       // the default in force
  const ast::Expr* base_value = nullptr;  // the base's default, when an extension set it
  std::string set_by;
};

struct Plan {
  std::string name, title;
  std::vector<const ast::MetaDecl*> meta;
  std::vector<PlanParam> params;
  std::vector<const ast::Expr*> exclusions;  // layers as for `pass` (null first layer = none)
  const ast::Expr* repeated_exclusions = nullptr;  // a second `exclusions` (E0404)
  std::vector<PlanClause> clauses;
  std::vector<ir::Layer> layers;  // empty for a standard on its own
  // `def`s and `let`s in scope: the loaded files' module-level ones first, then the standard's.
  std::vector<const ast::DefDecl*> defs;
  std::vector<const ast::LetDecl*> globals;
  // Files whose package declares Clause 0.1: their set operators are E0210.
  std::vector<uint32_t> clause01_files;
};

// The plan of a standard on its own.
Plan PlanStandard(const ast::StandardDecl& s);
// Adds the module-level `def`s and `let`s of `files` (before the standard's own).
void AddModuleDecls(Plan& p, const std::vector<const ast::File*>& files);
PlanRequirement PlanOf(const ast::RequirementDecl& r, const std::string& origin);
PlanClause PlanOf(const ast::ClauseDecl& c, const std::string& origin);

// Lowers a plan to a program: the passes resolve, type-check and lower (sema/passes.h).
std::shared_ptr<ir::Program> Lower(const Plan& plan, std::shared_ptr<const SchemaModel> schema,
                                   std::shared_ptr<StringPool> literals, const SourceManager& sm, Diagnostics& diags);

// Whether `e` mentions the name `base` (outside the bodies of nested amendments there are none);
// appends the spans of each mention to `spans` when given.
bool UsesBase(const ast::Expr* e, std::vector<Span>* spans = nullptr);

}  // namespace conform::sema
