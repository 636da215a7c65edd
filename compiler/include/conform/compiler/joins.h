// Joins (issue 14): a collection evaluated inside another quantifier, over a list that is the
// same for the whole evaluation, filtered by `key(element) == probe` — e.g.
//   all f in findings : count(g in findings where g.site == f.site) <= 5
// is quadratic as written. The plan finds such filters once per program; both engines then
// evaluate them with a per-evaluation hash index of the list by `key` (built on first use,
// probed with `probe`), visiting only the elements whose key equals the probe, in list order,
// and the filter's other conjuncts (`rest`) on those. The verdicts are those of the nested loop:
// an element is kept iff its filter is known true, and a conjunction is known true iff every
// conjunct is, so an element whose key or the probe is unknown is never kept.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "conform/compiler/ir.h"

namespace conform::ir {

struct Join {
  int32_t key = -1;           // expression of the element variable (the collection's var) alone
  int32_t probe = -1;         // expression without the element variable
  std::vector<int32_t> rest;  // the filter's other conjuncts, evaluated on matching elements
  int32_t slot = -1;          // which index of the evaluation (0 … count-1)
};

struct JoinPlan {
  std::vector<int32_t> of_node;  // parallel to Program::nodes: index into `joins`, or -1
  std::vector<Join> joins;
  const Join* For(int32_t node) const {
    return node >= 0 && static_cast<size_t>(node) < of_node.size() && of_node[node] >= 0 ? &joins[of_node[node]] : nullptr;
  }
};

// Finds the joins of `p` (no caching).
JoinPlan PlanJoins(const Program& p);
// The joins of `p`, planned on first use and kept with the program (thread-safe).
const JoinPlan& Joins(const Program& p);

}  // namespace conform::ir
