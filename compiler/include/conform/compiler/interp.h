// The reference interpreter: walks the IR over evidence in schema layout. The oracle for the JIT.
#pragma once
#include <vector>

#include "conform/compiler/evaluate.h"
#include "conform/compiler/ir.h"

namespace conform::interp {

// Evaluates every requirement of `p`; result i belongs to p.requirements[i].
// Immutable and thread-safe: all evaluation state lives on the caller's stack.
std::vector<RequirementResult> EvaluateAll(const ir::Program& p, const EvalInput& in);

// For each requirement, the records whose fields its evaluation read (sorted, unique): elements
// a `where` filter rejected are not counted, nor are requirements that do not apply. This is
// what "which evidence served which clause" is computed from.
std::vector<std::vector<const void*>> TraceUsage(const ir::Program& p, const EvalInput& in);

// The deciding values (facts) and the witness path of requirement `i`, as the interpreter
// explains them; used by the JIT engine, whose native code computes verdicts and messages.
void ExplainRequirement(const ir::Program& p, const EvalInput& in, size_t i, RequirementResult& out);

}  // namespace conform::interp
