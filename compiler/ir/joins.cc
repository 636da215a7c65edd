// The join plan (see joins.h): which filtered collections both engines evaluate with an index.
#include "conform/compiler/joins.h"

#include <mutex>

namespace conform::ir {
namespace {

bool IsCollection(Op op) {
  switch (op) {
    case Op::Exists: case Op::All: case Op::None: case Op::Count: case Op::Sum: case Op::Min: case Op::Max:
    case Op::Avg: case Op::Distinct: case Op::Union:
      return true;
    default: return false;
  }
}

template <class Fn>
void Children(const Node& n, Fn&& fn) {
  for (int32_t c : {n.a, n.b, n.c})
    if (c >= 0) fn(c);
  for (int32_t c : n.args)
    if (c >= 0) fn(c);
}

class Planner {
 public:
  explicit Planner(const Program& p) : p_(p), seen_(p.nodes.size(), 0) {}

  JoinPlan Run() {
    plan_.of_node.assign(p_.nodes.size(), -1);
    for (const Requirement& r : p_.requirements) {
      for (const Let& l : r.lets) Visit(l.value, false);
      Visit(r.applies, false);
      Visit(r.pass, false);
      for (const MessagePiece& m : r.message) Visit(m.expr, false);
    }
    Visit(p_.exclusions, false);
    return std::move(plan_);
  }

 private:
  // `nested`: the node is evaluated once per element of an enclosing collection.
  void Visit(int32_t idx, bool nested) {
    if (idx < 0 || static_cast<size_t>(idx) >= p_.nodes.size()) return;
    uint8_t bit = nested ? 2 : 1;
    if (seen_[idx] & bit) return;
    seen_[idx] |= bit;
    const Node& n = p_.nodes[idx];
    if (IsCollection(n.op)) {
      if (nested) Consider(idx);
      Visit(n.a, nested);
      Visit(n.b, true);
      Visit(n.c, true);
      for (int32_t c : n.args) Visit(c, true);
      return;
    }
    Children(n, [&](int32_t c) { Visit(c, nested); });
  }

  // Whether the subtree of `idx` reads a variable other than `allowed` (-1: any variable counts).
  bool ReadsOtherVar(int32_t idx, int32_t allowed) const {
    const Node& n = p_.nodes[idx];
    if (n.op == Op::Var && n.var != allowed) return true;
    if (IsCollection(n.op) && n.var >= 0 && n.var != allowed && allowed >= 0) return true;
    bool other = false;
    Children(n, [&](int32_t c) { other = other || ReadsOtherVar(c, allowed); });
    return other;
  }

  bool ReadsVar(int32_t idx, int32_t var) const {
    const Node& n = p_.nodes[idx];
    if ((n.op == Op::Var || IsCollection(n.op)) && n.var == var) return true;
    bool reads = false;
    Children(n, [&](int32_t c) { reads = reads || ReadsVar(c, var); });
    return reads;
  }

  void Conjuncts(int32_t idx, std::vector<int32_t>& out) const {
    const Node& n = p_.nodes[idx];
    if (n.op == Op::And) {
      Conjuncts(n.a, out);
      Conjuncts(n.b, out);
    } else {
      out.push_back(idx);
    }
  }

  void Consider(int32_t idx) {
    const Node& n = p_.nodes[idx];
    // The list must be the same whenever the collection is evaluated: it reads no variable.
    if (n.b < 0 || n.var < 0 || n.a < 0 || ReadsOtherVar(n.a, -1)) return;
    std::vector<int32_t> conj;
    Conjuncts(n.b, conj);
    for (size_t k = 0; k < conj.size(); ++k) {
      const Node& eq = p_.nodes[conj[k]];
      // Equality of slot bits only (ints, dates, enums, booleans, interned strings, records):
      // decimals compare as numbers (-0.0 == 0.0), durations by the point they reach.
      if (eq.op != Op::Eq || eq.aux != 0 || eq.a < 0 || eq.b < 0) continue;
      for (auto [key, probe] : {std::pair{eq.a, eq.b}, std::pair{eq.b, eq.a}}) {
        if (!ReadsVar(key, n.var) || ReadsOtherVar(key, n.var) || ReadsVar(probe, n.var)) continue;
        Join j;
        j.key = key;
        j.probe = probe;
        for (size_t r = 0; r < conj.size(); ++r)
          if (r != k) j.rest.push_back(conj[r]);
        j.slot = static_cast<int32_t>(plan_.joins.size());
        plan_.of_node[idx] = j.slot;
        plan_.joins.push_back(std::move(j));
        return;
      }
    }
  }

  const Program& p_;
  std::vector<uint8_t> seen_;
  JoinPlan plan_;
};

}  // namespace

JoinPlan PlanJoins(const Program& p) { return Planner(p).Run(); }

const JoinPlan& Joins(const Program& p) {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  if (!p.joins) p.joins = std::make_shared<const JoinPlan>(PlanJoins(p));
  return *p.joins;
}

}  // namespace conform::ir
