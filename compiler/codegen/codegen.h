// IR → LLVM IR. Internal to compiler/codegen and compiler/jit (the only LLVM users).
//
// Generated functions (C calling convention):
//   void conform_evaluate_all(EvalContext* ctx, const void* root, const int64_t* params, int64_t as_of,
//                             uint8_t* verdicts, int64_t* witnesses)
//     verdicts[i]: a VerdictCode (result.h) — conform, nonconform, not evidenced, not applicable
//     (applies when false) or applies-when unknown; exclusions are applied by the host;
//     witnesses[i]: index of the first failing element of a top-level all/none, or -1.
//   void conform_message_<i>(ctx, root, params, as_of, int64_t witness, int64_t* bits, uint8_t* known)
//     the values of requirement i's message holes.
//   int64_t conform_failing_<i>(ctx, root, params, as_of, int64_t* indices, int64_t cap)
//     requirements with a `{each …}` hole: the number of failing elements of the top-level
//     all/none, the indices of the first `cap` of them written to `indices`.
//   void conform_exclusions(ctx, root, params, as_of, int64_t* bits, uint8_t* known)
// Standard- and module-level lets are computed by the entry function into the scratch area
// (conform_rt_globals); every other function reads them from there.
#pragma once
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

#include <memory>

#include "conform/compiler/ir.h"

namespace conform::codegen {

inline constexpr const char* kEntry = "conform_evaluate_all";
inline constexpr const char* kExclusions = "conform_exclusions";
std::string MessageFunction(size_t requirement);
std::string FailingFunction(size_t requirement);
// Whether requirement `r` has a failing-elements function: it has a `{each …}` hole, or its
// witness quantifier ranges over a set (whose first failing element is the least in value order).
bool NeedsFailing(const ir::Program& p, const ir::Requirement& r);

// A program is split into modules so that they compile in parallel: the entry module holds
// `conform_evaluate_all` (calling requirement functions declared external) and the exclusions;
// each part module holds requirements [begin, end) and their message functions.
struct Part {
  bool entry = true;   // the entry module
  size_t begin = 0;    // requirements of a part module
  size_t end = 0;
};
// All of it in one module (`--emit llvm`).
std::unique_ptr<llvm::Module> BuildModule(const ir::Program& p, llvm::LLVMContext& ctx);
std::unique_ptr<llvm::Module> BuildPart(const ir::Program& p, llvm::LLVMContext& ctx, const Part& part);
std::string RequirementFunction(size_t requirement);
// Rule sets up to this size compile as one module with requirements inlined into the entry.
inline constexpr size_t kInlineLimit = 64;

// The new pass manager's default pipeline at O`level`.
void Optimize(llvm::Module& m, llvm::TargetMachine* tm, int level);

}  // namespace conform::codegen
