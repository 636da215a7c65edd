// The reference interpreter over the IR, with Kleene logic and explanations.
#include "conform/compiler/interp.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <unordered_map>

#include "conform/compiler/builtins.h"
#include "conform/compiler/calendar.h"
#include "conform/compiler/joins.h"
#include "conform/compiler/patterns.h"
#include "conform/compiler/result.h"
#include "conform/compiler/rt_helpers.h"

namespace conform {

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::Conform: return "conform";
    case Verdict::Nonconform: return "nonconform";
    case Verdict::NotEvidenced: return "not_evidenced";
    case Verdict::NotApplicable: return "not_applicable";
    case Verdict::Blocked: return "blocked";
  }
  return "?";
}

void ApplyDependencies(const ir::Program& p, std::vector<RequirementResult>& results) {
  // Most programs declare no `depends on`: nothing to settle (this runs for every organization).
  if (std::all_of(p.requirements.begin(), p.requirements.end(), [](const ir::Requirement& r) { return r.depends.empty(); }))
    return;
  // Prerequisites first (the graph is acyclic): depth-first, each requirement settled once.
  std::vector<uint8_t> done(p.requirements.size(), 0);
  std::function<void(size_t)> settle = [&](size_t i) {
    if (done[i]) return;
    done[i] = 1;
    const ir::Requirement& r = p.requirements[i];
    for (int32_t d : r.depends) settle(static_cast<size_t>(d));
    RequirementResult& res = results[i];
    if (res.verdict == Verdict::NotApplicable) return;
    for (int32_t d : r.depends) {
      const RequirementResult& pre = results[d];
      if (pre.verdict == Verdict::Conform || pre.verdict == Verdict::NotApplicable) continue;
      const ir::Requirement& q = p.requirements[d];
      res.verdict = Verdict::Blocked;
      res.blocked_by = q.id;
      res.message = fmt::format("blocked by {} ({}), which is {}", q.id, q.clause,
                                pre.verdict == Verdict::Nonconform     ? "nonconform"
                                : pre.verdict == Verdict::NotEvidenced ? "not evidenced"
                                                                       : "itself blocked by " + pre.blocked_by);
      res.witness.clear();
      res.witnesses.clear();
      res.facts.clear();
      return;
    }
  };
  for (size_t i = 0; i < p.requirements.size(); ++i) settle(i);
}

std::string JoinEach(const std::vector<std::string>& shown, int64_t total) {
  std::string out;
  for (size_t i = 0; i < shown.size(); ++i) out += (i ? ", " : "") + shown[i];
  int64_t more = total - static_cast<int64_t>(shown.size());
  if (more > 0) out += fmt::format(" and {} more", more);
  return out;
}

ParamValues ParamValues::Defaults(const ir::Program& p) {
  ParamValues v;
  for (const auto& pi : p.params) {
    v.values.push_back(pi.value);
    v.sets.push_back(pi.set_value);
  }
  v.Finalize(p);
  return v;
}

void ParamValues::Finalize(const ir::Program& p) {
  seqs.resize(p.params.size());
  for (size_t i = 0; i < p.params.size(); ++i) {
    if (p.types.Kind(p.params[i].type) != TypeKind::Set) continue;
    std::sort(sets[i].begin(), sets[i].end());
    sets[i].erase(std::unique(sets[i].begin(), sets[i].end()), sets[i].end());
    seqs[i] = {static_cast<int64_t>(sets[i].size()), sets[i].data()};
    values[i] = reinterpret_cast<int64_t>(&seqs[i]);
  }
}

static double AsDec(int64_t b) {
  double d;
  std::memcpy(&d, &b, 8);
  return d;
}
static int64_t DecBits(double d) {
  int64_t b;
  std::memcpy(&b, &d, 8);
  return b;
}

bool ValueLess(const ir::Program& p, const LayeredStrings& strings, TypeId type, int64_t a, int64_t b) {
  switch (p.types.Kind(type)) {
    case TypeKind::Decimal: return AsDec(a) < AsDec(b);
    case TypeKind::String: {
      std::string_view x = strings.Get(a), y = strings.Get(b);
      if (NaturalLess(x, y)) return true;
      if (NaturalLess(y, x)) return false;
      return x < y;  // "1.01" and "1.1" read alike: plain text decides
    }
    case TypeKind::Duration: {
      int c = cal::Compare(cal::Unpack(a), cal::Unpack(b), 0);
      return c != 0 ? c < 0 : a < b;
    }
    default: return a < b;  // int, date (days), enum (declaration order), bool
  }
}

void SortByValue(const ir::Program& p, const LayeredStrings& strings, TypeId elem, const Seq* s, std::vector<int64_t>& idx) {
  std::stable_sort(idx.begin(), idx.end(),
                   [&](int64_t x, int64_t y) { return ValueLess(p, strings, elem, s->data[x], s->data[y]); });
}

std::string FormatValue(const ir::Program& p, const LayeredStrings& strings, TypeId type, int64_t bits, bool known) {
  if (!known) return "unknown";
  const SchemaModel& m = *p.schema;
  const TypeInfo& t = p.types[type];
  switch (t.kind) {
    case TypeKind::Bool: return bits ? "true" : "false";
    case TypeKind::Int: return std::to_string(bits);
    case TypeKind::Decimal: return fmt::format("{}", AsDec(bits));  // shortest text that reads back exactly
    case TypeKind::String: return std::string(strings.Get(bits));
    case TypeKind::Date: return cal::FormatDate(bits);
    case TypeKind::Duration: return cal::FormatDuration(cal::Unpack(bits));
    case TypeKind::Enum: return m.enums[t.ref].members.at(static_cast<size_t>(bits));
    case TypeKind::Entity: return fmt::format("<{}>", m.entities[t.ref].name);
    case TypeKind::List:
    case TypeKind::Set: {
      const Seq* s = reinterpret_cast<const Seq*>(bits);
      if (p.types.Kind(t.elem) == TypeKind::Entity) return fmt::format("{} {}", s->size, s->size == 1 ? "item" : "items");
      std::vector<int64_t> order(static_cast<size_t>(s->size));
      for (int64_t i = 0; i < s->size; ++i) order[static_cast<size_t>(i)] = i;
      // A set in value order (so clause numbers read 4.1, 9.2, 10.1); a list in its own order.
      if (t.kind == TypeKind::Set) SortByValue(p, strings, t.elem, s, order);
      std::string out = "{";
      for (size_t i = 0; i < order.size(); ++i) out += (i ? ", " : "") + FormatValue(p, strings, t.elem, s->data[order[i]], true);
      return out + "}";
    }
    case TypeKind::Error: break;
  }
  return "?";
}

std::string FormatHole(const ir::Program& p, const LayeredStrings& strings, TypeId type, int64_t bits, bool known) {
  TypeKind k = p.types.Kind(type);
  if (known && (k == TypeKind::Set || k == TypeKind::List) && reinterpret_cast<const Seq*>(bits)->size == 0) return "none";
  return FormatValue(p, strings, type, bits, known);
}

namespace interp {
namespace {

using ir::Node;
using ir::Op;

struct Value {
  int64_t bits = 0;
  bool known = false;
};
constexpr Value kUnknown{0, false};
inline Value Known(int64_t b) { return {b, true}; }
inline Value Bool(bool b) { return {b ? 1 : 0, true}; }


class Machine {
 public:
  Machine(const ir::Program& p, const EvalInput& in)
      : p_(p), m_(*p.schema), in_(in), joins_(ir::Joins(p)), vars_(p.num_vars) {
    ctx_.strings = in.strings;
    ctx_.as_of = in.as_of;
    patterns_ = PatternSet::For(p);
    ctx_.patterns = patterns_.get();
    // The builtins the program calls, by symbol (validated by sema and the IR cache).
    for (const auto& sym : p.builtins) builtins_.push_back(BuiltinRegistry::Default().BySymbol(sym));
    var_paths_.resize(p.num_vars);
    // Standard- and module-level lets: once per organization, before anything else.
    for (const auto& g : p.globals) {
      vars_[g.var] = Eval(g.value);
      if (in_.explain) var_paths_[g.var] = PathOf(g.value);
    }
  }

  RequirementResult Run(const ir::Requirement& r, const std::vector<std::string>* excluded);

  // The clause numbers the organization declared not applicable (each optionally with `: reason`);
  // an unknown set excludes nothing.
  std::vector<std::string> Exclusions() {
    std::vector<std::string> out;
    if (p_.exclusions < 0) return out;
    Value v = Eval(p_.exclusions);
    if (!v.known) return out;
    const Seq* s = reinterpret_cast<const Seq*>(v.bits);
    for (int64_t i = 0; i < s->size; ++i) out.emplace_back(Str(s->data[i]));
    return out;
  }

 private:
  TypeKind Kind(TypeId t) const { return p_.types.Kind(t); }
  std::vector<const Builtin*> builtins_;  // Program::builtins, resolved
  const Seq* NewSeq(std::vector<int64_t> data) {
    auto holder = std::make_unique<std::pair<Seq, std::vector<int64_t>>>();
    holder->second = std::move(data);
    holder->first = {static_cast<int64_t>(holder->second.size()), holder->second.data()};
    const Seq* s = &holder->first;
    scratch_.push_back(std::move(holder));
    return s;
  }
  std::string_view Str(int64_t id) const { return in_.strings->Get(id); }

  Value Eval(int32_t n);
  Value EvalCompare(const Node& n);
  Value EvalCollection(const Node& n);
  bool SeqContains(const Seq* s, TypeId elem, bool sorted, int64_t v) const {
    if (sorted) return std::binary_search(s->data, s->data + s->size, v);
    return std::find(s->data, s->data + s->size, v) != s->data + s->size;
  }

  // ---- explanations ----
  std::string PathOf(int32_t n) const;
  void Explain(int32_t n, RequirementResult& out, int depth);
  void AddFact(int32_t n, RequirementResult& out);
  std::string RecordIn(int32_t n) const;
  int32_t FindWitness(const Node& q, Value& result);
  // Indices of every failing element of a top-level all/none (body false / true), the first
  // `cap` of them (all when cap < 0); `total` counts them all.
  // The indices of q's failing elements, at most cap (all if cap < 0); total counts them all,
  // unless stop_at_cap ends the walk at the cap (then total is only a lower bound).
  std::vector<int64_t> FailingIndices(const Node& q, int64_t cap, int64_t& total, bool stop_at_cap = false);
  const Seq* AsSeq(const Value& v) const { return reinterpret_cast<const Seq*>(v.bits); }
  bool Sorted(int32_t n) const { return Kind(p_.nodes[n].type) == TypeKind::Set; }

  const ir::Program& p_;
  const SchemaModel& m_;
  const EvalInput& in_;
  const ir::JoinPlan& joins_;
  Scratch join_indexes_;  // this evaluation's join indexes (joins.h)
  EvalContext ctx_;
  std::shared_ptr<const PatternSet> patterns_;
  std::vector<Value> vars_;
  std::vector<std::string> var_paths_;

 public:
  // Usage tracing: frames of records whose fields were read (empty = tracing off).
  std::vector<std::vector<const void*>> usage_;

 private:
  std::vector<std::unique_ptr<std::pair<Seq, std::vector<int64_t>>>> scratch_;
};

Value Machine::Eval(int32_t idx) {
  const Node& n = p_.nodes[idx];
  switch (n.op) {
    case Op::Const: return Known(n.imm);
    case Op::Param: return Known(in_.params->values[n.imm]);
    case Op::AsOf: return Known(in_.as_of);
    case Op::Root: return in_.root ? Known(reinterpret_cast<int64_t>(in_.root)) : kUnknown;
    case Op::Var: return vars_[n.var];
    case Op::Field: {
      Value r = Eval(n.a);
      if (!r.known) return kUnknown;
      if (!usage_.empty()) usage_.back().push_back(reinterpret_cast<const void*>(r.bits));
      RecordView rec{reinterpret_cast<const uint64_t*>(r.bits)};
      uint32_t f = static_cast<uint32_t>(n.imm);
      if (!rec.Present(f)) return kUnknown;
      return Known(rec.Slot(n.aux, f));
    }
    case Op::IsPresent: return Bool(Eval(n.a).known);
    case Op::IsAbsent: return Bool(!Eval(n.a).known);
    case Op::Default: {
      Value a = Eval(n.a);
      return a.known ? a : Eval(n.b);
    }
    case Op::Neg: {
      Value a = Eval(n.a);
      if (!a.known) return kUnknown;
      return Kind(n.type) == TypeKind::Decimal ? Known(DecBits(-AsDec(a.bits)))
                                                   : Known(static_cast<int64_t>(0 - static_cast<uint64_t>(a.bits)));  // wraps, as in codegen
    }
    case Op::Add: case Op::Sub: case Op::Mul: case Op::Div: case Op::Mod: {
      Value a = Eval(n.a), b = Eval(n.b);
      if (!a.known || !b.known) return kUnknown;
      if (Kind(n.type) == TypeKind::Decimal) {
        double x = AsDec(a.bits), y = AsDec(b.bits);
        switch (n.op) {
          case Op::Add: return Known(DecBits(x + y));
          case Op::Sub: return Known(DecBits(x - y));
          case Op::Mul: return Known(DecBits(x * y));
          default: return y == 0 ? kUnknown : Known(DecBits(x / y));
        }
      }
      int64_t x = a.bits, y = b.bits;
      switch (n.op) {
        case Op::Add: return Known(static_cast<int64_t>(static_cast<uint64_t>(x) + static_cast<uint64_t>(y)));
        case Op::Sub: return Known(static_cast<int64_t>(static_cast<uint64_t>(x) - static_cast<uint64_t>(y)));
        case Op::Mul: return Known(static_cast<int64_t>(static_cast<uint64_t>(x) * static_cast<uint64_t>(y)));
        case Op::Div: return (y == 0 || (x == INT64_MIN && y == -1)) ? kUnknown : Known(x / y);
        default: return (y == 0 || (x == INT64_MIN && y == -1)) ? kUnknown : Known(x % y);
      }
    }
    case Op::IntToDec: {
      Value a = Eval(n.a);
      return a.known ? Known(DecBits(static_cast<double>(a.bits))) : kUnknown;
    }
    case Op::DateAdd: case Op::DateSub: {
      Value a = Eval(n.a), b = Eval(n.b);
      if (!a.known || !b.known) return kUnknown;
      return Known(cal::AddDuration(a.bits, cal::Unpack(b.bits), n.op == Op::DateAdd ? 1 : -1));
    }
    case Op::DateDiff: {
      Value a = Eval(n.a), b = Eval(n.b);
      if (!a.known || !b.known) return kUnknown;
      return Known(a.bits - b.bits);
    }
    case Op::DurMul: {
      Value a = Eval(n.a), b = Eval(n.b);
      if (!a.known || !b.known) return kUnknown;
      return Known(conform_rt_dur_mul(a.bits, b.bits));
    }
    case Op::DurAdd: case Op::DurSub: {
      Value a = Eval(n.a), b = Eval(n.b);
      if (!a.known || !b.known) return kUnknown;
      return Known(conform_rt_dur_add(a.bits, b.bits, n.op == Op::DurAdd ? 1 : -1));
    }
    case Op::Eq: case Op::Ne: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge: return EvalCompare(n);
    case Op::And: {
      Value a = Eval(n.a);
      if (a.known && !a.bits) return Bool(false);
      Value b = Eval(n.b);
      if (b.known && !b.bits) return Bool(false);
      if (a.known && b.known) return Bool(true);
      return kUnknown;
    }
    case Op::Or: {
      Value a = Eval(n.a);
      if (a.known && a.bits) return Bool(true);
      Value b = Eval(n.b);
      if (b.known && b.bits) return Bool(true);
      if (a.known && b.known) return Bool(false);
      return kUnknown;
    }
    case Op::Implies: {
      Value a = Eval(n.a);
      if (a.known && !a.bits) return Bool(true);
      Value b = Eval(n.b);
      if (b.known && b.bits) return Bool(true);
      if (a.known && b.known) return Bool(false);
      return kUnknown;
    }
    case Op::Not: {
      Value a = Eval(n.a);
      return a.known ? Bool(!a.bits) : kUnknown;
    }
    case Op::In: {
      Value a = Eval(n.a), b = Eval(n.b);
      if (!a.known || !b.known) return kUnknown;
      const Seq* s = reinterpret_cast<const Seq*>(b.bits);
      const TypeInfo& bt = p_.types[p_.nodes[n.b].type];
      return Bool(SeqContains(s, bt.elem, bt.kind == TypeKind::Set, a.bits));
    }
    case Op::Under: {
      Value a = Eval(n.a), b = Eval(n.b);
      if (!a.known || !b.known) return kUnknown;
      if (Kind(p_.nodes[n.b].type) == TypeKind::String) return Bool(ClauseUnder(Str(a.bits), Str(b.bits)));
      const Seq* s = reinterpret_cast<const Seq*>(b.bits);
      for (int64_t i = 0; i < s->size; ++i)
        if (ClauseUnder(Str(a.bits), Str(s->data[i]))) return Bool(true);
      return Bool(false);
    }
    case Op::SetLit: {
      std::vector<int64_t> items;
      items.reserve(n.args.size());
      for (int32_t a : n.args) {
        Value v = Eval(a);
        if (!v.known) return kUnknown;  // a set with an unknown member is itself unknown
        items.push_back(v.bits);
      }
      std::sort(items.begin(), items.end());
      items.erase(std::unique(items.begin(), items.end()), items.end());
      return Known(reinterpret_cast<int64_t>(NewSeq(std::move(items))));
    }
    case Op::Exists: case Op::All: case Op::None: case Op::Count: case Op::Sum: case Op::Min: case Op::Max:
    case Op::Avg: case Op::Distinct: case Op::Union:
      return EvalCollection(n);
    case Op::If: {
      Value c = Eval(n.a);
      if (!c.known) return kUnknown;
      return Eval(c.bits ? n.b : n.c);
    }
    case Op::Filter: {
      Value lv = Eval(n.a);
      if (!lv.known) return kUnknown;
      const Seq* s = AsSeq(lv);
      std::vector<int64_t> kept;
      for (int64_t i = 0; i < s->size; ++i) {
        vars_[n.var] = Known(s->data[i]);
        Value f = Eval(n.b);
        if (f.known && f.bits) kept.push_back(s->data[i]);
      }
      return Known(reinterpret_cast<int64_t>(NewSeq(std::move(kept))));
    }
    case Op::SetUnion: case Op::SetInter: case Op::SetDiff: {
      Value a = Eval(n.a), b = Eval(n.b);
      if (!a.known || !b.known) return kUnknown;
      int op = n.op == Op::SetUnion ? 0 : n.op == Op::SetInter ? 1 : 2;
      return Known(reinterpret_cast<int64_t>(NewSeq(SetAlgebra(AsSeq(a), Sorted(n.a), AsSeq(b), Sorted(n.b), op))));
    }
    case Op::SetRel: {
      Value a = Eval(n.a), b = Eval(n.b);
      if (!a.known || !b.known) return kUnknown;
      return Bool(SetRelation(AsSeq(a), Sorted(n.a), AsSeq(b), Sorted(n.b), static_cast<int>(n.aux)));
    }
    case Op::Call: {
      const Builtin& b = *builtins_[static_cast<size_t>(n.imm)];
      int64_t args[8];
      for (size_t i = 0; i < n.args.size(); ++i) {
        Value v = Eval(n.args[i]);
        if (!v.known) return kUnknown;  // a helper's null policy is Propagate (BuiltinRegistry checks)
        args[i] = v.bits;
      }
      return Known(b.fn(&ctx_, args));
    }
  }
  return kUnknown;
}

Value Machine::EvalCompare(const Node& n) {
  Value a = Eval(n.a), b = Eval(n.b);
  if (!a.known || !b.known) return kUnknown;
  int c;
  if (n.aux == 1) {
    double x = AsDec(a.bits), y = AsDec(b.bits);
    c = x < y ? -1 : x > y ? 1 : 0;
  } else if (n.aux == 2) {
    int r = Str(a.bits).compare(Str(b.bits));
    c = r < 0 ? -1 : r > 0 ? 1 : 0;
  } else if (n.aux == 3) {
    c = static_cast<int>(conform_rt_dur_cmp(a.bits, b.bits, in_.as_of));
  } else {
    c = a.bits < b.bits ? -1 : a.bits > b.bits ? 1 : 0;
  }
  switch (n.op) {
    case Op::Eq: return Bool(c == 0);
    case Op::Ne: return Bool(c != 0);
    case Op::Lt: return Bool(c < 0);
    case Op::Le: return Bool(c <= 0);
    case Op::Gt: return Bool(c > 0);
    default: return Bool(c >= 0);
  }
}

Value Machine::EvalCollection(const Node& n) {
  Value lv = Eval(n.a);
  if (!lv.known) return kUnknown;
  const Seq* s = reinterpret_cast<const Seq*>(lv.bits);
  // A join (joins.h): only the elements whose key equals the probe, then the filter's other
  // conjuncts. Usage tracing keeps the nested loop (a filter's reads serve only kept elements),
  // and so do the first evaluations of the join (JoinIndex::Use).
  const ir::Join* join = usage_.empty() ? joins_.For(static_cast<int32_t>(&n - p_.nodes.data())) : nullptr;
  JoinIndex* index = join && s->size >= JoinIndex::kMinElements ? join_indexes_.Join(static_cast<size_t>(join->slot)) : nullptr;
  if (!index || !index->Use()) join = nullptr;
  Seq matches{0, nullptr};
  if (join) {
    JoinIndex& ix = *index;
    if (!ix.ready()) {
      for (int64_t i = 0; i < s->size; ++i) {
        vars_[n.var] = Known(s->data[i]);
        Value k = Eval(join->key);
        if (k.known) ix.Add(k.bits, s->data[i]);
      }
      ix.Finish();
    }
    Value probe = Eval(join->probe);
    if (probe.known) matches = ix.Probe(probe.bits);
    s = &matches;
  }
  if (n.op == Op::Count && (join ? join->rest.empty() : n.b < 0)) return Known(s->size);
  bool any_unknown = false;
  int64_t count = 0;
  bool dec = Kind(n.type) == TypeKind::Decimal;
  bool dur = Kind(n.type) == TypeKind::Duration;
  int64_t isum = 0;
  double dsum = 0;
  bool have = false;
  int64_t best = 0;
  std::vector<int64_t> items;
  const TypeId vtype = n.c >= 0 ? p_.nodes[n.c].type : 0;
  const bool vdec = n.c >= 0 && Kind(vtype) == TypeKind::Decimal;
  for (int64_t i = 0; i < s->size; ++i) {
    vars_[n.var] = Known(s->data[i]);
    if (join) {
      bool keep = true;
      for (int32_t c : join->rest) {
        Value f = Eval(c);
        if (!f.known || !f.bits) {
          keep = false;
          break;
        }
      }
      if (!keep) continue;
    } else if (n.b >= 0) {
      // Tracing: what the filter reads serves the requirement only if the element is kept.
      if (!usage_.empty()) usage_.emplace_back();
      Value f = Eval(n.b);
      bool keep = f.known && f.bits;
      if (!usage_.empty()) {
        std::vector<const void*> frame = std::move(usage_.back());
        usage_.pop_back();
        if (keep) usage_.back().insert(usage_.back().end(), frame.begin(), frame.end());
      }
      if (!keep) continue;
    }
    switch (n.op) {
      case Op::Exists: case Op::All: case Op::None: {
        // Tracing: an `exists` is served by the element that satisfies it, not by the ones it
        // looked at on the way (an id lookup reads every record it passes).
        bool trace_exists = n.op == Op::Exists && !usage_.empty();
        if (trace_exists) usage_.emplace_back();
        Value v = Eval(n.c);
        if (trace_exists) {
          std::vector<const void*> frame = std::move(usage_.back());
          usage_.pop_back();
          if (v.known && v.bits) usage_.back().insert(usage_.back().end(), frame.begin(), frame.end());
        }
        if (!v.known) { any_unknown = true; break; }
        if (n.op == Op::All && !v.bits) return Bool(false);
        if (n.op == Op::Exists && v.bits) return Bool(true);
        if (n.op == Op::None && v.bits) return Bool(false);
        break;
      }
      case Op::Count: ++count; break;
      case Op::Sum: case Op::Avg: {
        Value v = Eval(n.c);
        if (!v.known) break;
        ++count;
        if (vdec) dsum += AsDec(v.bits);
        else if (n.op == Op::Avg) dsum += static_cast<double>(v.bits);
        else isum = static_cast<int64_t>(static_cast<uint64_t>(isum) + static_cast<uint64_t>(v.bits));  // wraps, as in codegen
        break;
      }
      case Op::Min: case Op::Max: {
        Value v = Eval(n.c);
        if (!v.known) break;
        bool better;
        if (dec) better = n.op == Op::Min ? AsDec(v.bits) < AsDec(best) : AsDec(v.bits) > AsDec(best);
        else if (dur) better = conform_rt_dur_cmp(v.bits, best, in_.as_of) * (n.op == Op::Min ? -1 : 1) > 0;
        else better = n.op == Op::Min ? v.bits < best : v.bits > best;
        if (!have || better) best = v.bits;
        have = true;
        break;
      }
      case Op::Distinct: {
        Value v = Eval(n.c);
        if (v.known) items.push_back(v.bits);
        break;
      }
      case Op::Union: {
        Value v = Eval(n.c);
        if (!v.known) break;
        const Seq* inner = reinterpret_cast<const Seq*>(v.bits);
        items.insert(items.end(), inner->data, inner->data + inner->size);
        break;
      }
      default: break;
    }
  }
  switch (n.op) {
    case Op::Exists: return any_unknown ? kUnknown : Bool(false);
    case Op::All: case Op::None: return any_unknown ? kUnknown : Bool(true);
    case Op::Count: return Known(count);
    case Op::Sum: return dec ? Known(DecBits(dsum)) : Known(isum);
    case Op::Avg: return count ? Known(DecBits(dsum / static_cast<double>(count))) : kUnknown;
    case Op::Min: case Op::Max: return have ? Known(best) : kUnknown;
    default: {
      std::sort(items.begin(), items.end());
      items.erase(std::unique(items.begin(), items.end()), items.end());
      return Known(reinterpret_cast<int64_t>(NewSeq(std::move(items))));
    }
  }
}

// ---- explanations --------------------------------------------------------------

std::string Machine::PathOf(int32_t idx) const {
  const Node& n = p_.nodes[idx];
  switch (n.op) {
    case Op::Root: return "$";
    case Op::Var: return var_paths_[n.var];
    case Op::Field: {
      std::string base = PathOf(n.a);
      if (base.empty()) return {};
      const TypeInfo& t = p_.types[p_.nodes[n.a].type];
      return base + "." + m_.entities[t.ref].fields[n.imm].name;
    }
    default: return {};
  }
}

// The evidence record an expression reads first: the element a quantifier variable stands for,
// or the record holding a field ("" if none), depth-first in operand order.
std::string Machine::RecordIn(int32_t idx) const {
  if (idx < 0) return {};
  const Node& n = p_.nodes[idx];
  if (n.op == Op::Var && !var_paths_[n.var].empty()) return var_paths_[n.var];
  if (n.op == Op::Field) {
    std::string rec = PathOf(n.a);
    if (!rec.empty()) return rec;
  }
  for (int32_t k : {n.a, n.b, n.c}) {
    std::string s = RecordIn(k);
    if (!s.empty()) return s;
  }
  for (int32_t k : n.args) {
    std::string s = RecordIn(k);
    if (!s.empty()) return s;
  }
  return {};
}

void Machine::AddFact(int32_t idx, RequirementResult& out) {
  if (out.facts.size() >= 12) return;
  const Node& n = p_.nodes[idx];
  if (n.op == Op::Const || n.op == Op::SetLit) return;
  Value v = Eval(idx);
  // An inlined def's call points at the record it examines (its text is the call as written).
  const bool call = p_.IsInlineCall(idx);
  std::string path = call ? RecordIn(idx) : PathOf(idx);
  // An aggregate is read from its collection: point there.
  if (path.empty() && n.a >= 0 && (n.op == Op::Count || n.op == Op::Sum || n.op == Op::Min || n.op == Op::Max ||
                                   n.op == Op::Avg || n.op == Op::Distinct || n.op == Op::Union))
    path = PathOf(n.a);
  Fact f{p_.node_text[idx], FormatValue(p_, *in_.strings, n.type, v.bits, v.known), path, call};
  for (const Fact& g : out.facts)
    if (g.expr == f.expr && g.value == f.value && g.path == f.path) return;
  out.facts.push_back(std::move(f));
}

int32_t Machine::FindWitness(const Node& q, Value& result) {
  Value lv = Eval(q.a);
  if (!lv.known) return -1;
  const Seq* s = reinterpret_cast<const Seq*>(lv.bits);
  int64_t first_unknown = -1;
  for (int64_t i = 0; i < s->size; ++i) {
    vars_[q.var] = Known(s->data[i]);
    if (q.b >= 0) {
      Value f = Eval(q.b);
      if (!f.known || !f.bits) continue;
    }
    Value v = Eval(q.c);
    if (!v.known) {
      if (first_unknown < 0) first_unknown = i;
      continue;
    }
    if ((q.op == Op::All && !v.bits) || (q.op == Op::None && v.bits)) return static_cast<int32_t>(i);
  }
  return static_cast<int32_t>(first_unknown);
}

std::vector<int64_t> Machine::FailingIndices(const Node& q, int64_t cap, int64_t& total, bool stop_at_cap) {
  std::vector<int64_t> out;
  total = 0;
  Value lv = Eval(q.a);
  if (!lv.known) return out;
  const Seq* s = AsSeq(lv);
  for (int64_t i = 0; i < s->size; ++i) {
    vars_[q.var] = Known(s->data[i]);
    if (q.b >= 0) {
      Value f = Eval(q.b);
      if (!f.known || !f.bits) continue;
    }
    Value v = Eval(q.c);
    if (!v.known || (q.op == Op::All ? v.bits != 0 : v.bits == 0)) continue;
    ++total;
    if (cap < 0 || static_cast<int64_t>(out.size()) < cap) out.push_back(i);
    if (stop_at_cap && cap >= 0 && static_cast<int64_t>(out.size()) >= cap) break;
  }
  return out;
}

void Machine::Explain(int32_t idx, RequirementResult& out, int depth) {
  if (depth > 16 || out.facts.size() >= 12) return;
  // An inlined def: the call as written and its value, not the def's body out of context.
  if (p_.IsInlineCall(idx)) return AddFact(idx, out);
  const Node& n = p_.nodes[idx];
  Value v = Eval(idx);
  switch (n.op) {
    case Op::And: {
      Value a = Eval(n.a), b = Eval(n.b);
      if (a.known && !a.bits) return Explain(n.a, out, depth + 1);  // the first false operand decides
      if (b.known && !b.bits) return Explain(n.b, out, depth + 1);
      if (!a.known) Explain(n.a, out, depth + 1);
      if (!b.known) Explain(n.b, out, depth + 1);
      return;
    }
    case Op::Or: {
      Value a = Eval(n.a), b = Eval(n.b);
      if (!(a.known && a.bits)) Explain(n.a, out, depth + 1);
      if (!(b.known && b.bits)) Explain(n.b, out, depth + 1);
      return;
    }
    case Op::Implies: {
      Value a = Eval(n.a), b = Eval(n.b);
      if (!(a.known && !a.bits)) Explain(n.a, out, depth + 1);
      if (!(b.known && b.bits)) Explain(n.b, out, depth + 1);
      return;
    }
    case Op::Not: return Explain(n.a, out, depth + 1);
    case Op::If: {
      Value c = Eval(n.a);
      AddFact(n.a, out);
      if (c.known) Explain(c.bits ? n.b : n.c, out, depth + 1);
      return;
    }
    case Op::All:
    case Op::None: {
      Value r;
      int32_t w = FindWitness(n, r);
      if (w < 0) {
        AddFact(n.a, out);
        return;
      }
      Value lv = Eval(n.a);
      const Seq* s = reinterpret_cast<const Seq*>(lv.bits);
      std::string lp = PathOf(n.a);
      vars_[n.var] = Known(s->data[w]);
      var_paths_[n.var] = lp.empty() ? std::string() : fmt::format("{}[{}]", lp, w);
      if (out.witness.empty()) out.witness = var_paths_[n.var];
      Explain(n.c, out, depth + 1);
      return;
    }
    case Op::Exists: {
      Value lv = Eval(n.a);
      if (!lv.known) {
        AddFact(n.a, out);
        return;
      }
      const Seq* s = reinterpret_cast<const Seq*>(lv.bits);
      std::string lp = PathOf(n.a);
      out.facts.push_back({p_.node_text[idx], v.known ? fmt::format("false ({} of {} checked)", s->size, s->size) : "unknown",
                           lp});
      return;
    }
    case Op::Var: {
      // A let: show its value, then what it was computed from.
      AddFact(idx, out);
      return;
    }
    case Op::Eq: case Op::Ne: case Op::Lt: case Op::Le: case Op::Gt: case Op::Ge:
    case Op::In: case Op::Under: case Op::IsPresent: case Op::IsAbsent: case Op::Call:
      if (n.a >= 0) AddFact(n.a, out);
      if (n.b >= 0) AddFact(n.b, out);
      for (int32_t a : n.args) AddFact(a, out);
      return;
    default: AddFact(idx, out); return;
  }
}

RequirementResult Machine::Run(const ir::Requirement& r, const std::vector<std::string>* excluded) {
  // Variable slots are reused across requirements: no path may survive from an earlier one
  // (the standard-level lets' slots are not reused).
  for (size_t v = p_.globals.size(); v < var_paths_.size(); ++v) var_paths_[v].clear();
  if (excluded) {
    for (const auto& x : *excluded)
      if (ClauseUnder(r.clause, ExcludedClause(x))) return MakeResult(p_, r, VerdictCode::Excluded, x);
  }
  for (const auto& l : r.lets) {
    vars_[l.var] = Eval(l.value);
    if (in_.explain) var_paths_[l.var] = PathOf(l.value);  // `let audits = internal_audits` keeps its path
  }
  if (r.applies >= 0) {
    Value a = Eval(r.applies);
    if (!a.known) {
      RequirementResult out = MakeResult(p_, r, VerdictCode::AppliesUnknown);
      if (in_.explain) Explain(r.applies, out, 0);
      return out;
    }
    if (!a.bits) return MakeResult(p_, r, VerdictCode::NotApplicable);
  }
  if (r.pass < 0) return MakeResult(p_, r, VerdictCode::NotEvidenced);
  Value v = Eval(r.pass);
  if (v.known && v.bits) return MakeResult(p_, r, VerdictCode::Conform);
  const VerdictCode code = v.known ? VerdictCode::Nonconform : VerdictCode::NotEvidenced;
  // The deciding values first (the message holes below rebind the witness variable).
  RequirementResult explained;
  if (in_.explain) {
    Explain(r.pass, explained, 0);
    if (r.witness_var >= 0 && code == VerdictCode::Nonconform) {
      // Every failing element, for the reports (the first is the witness).
      const Node& q = p_.nodes[r.pass];
      std::string lp = PathOf(q.a);
      int64_t total = 0;
      if (!lp.empty())
        for (int64_t i : FailingIndices(q, -1, total)) explained.witnesses.push_back(fmt::format("{}[{}]", lp, i));
    }
  }
  // Messages see lets, parameters, root fields, and the witness of a top-level all/none: the
  // first failing element (in value order when the quantifier ranges over a set).
  std::vector<int64_t> failing;
  int64_t total = 0;
  const Seq* range = nullptr;
  if (r.witness_var >= 0 && code == VerdictCode::Nonconform) {
    const Node& q = p_.nodes[r.pass];
    // Every failing element only when the message lists them (`{each}`, with "and N more") or
    // the first in value order must be chosen among them (a set); otherwise the walk stops at
    // the first, as the quantifier itself does — a message must not turn a linear rule quadratic.
    bool all = Sorted(q.a);
    for (const ir::MessagePiece& piece : r.message) all = all || piece.each;
    failing = FailingIndices(q, all ? -1 : 1, total, !all);
    Value lv = Eval(q.a);
    range = lv.known ? AsSeq(lv) : nullptr;
    if (range && Sorted(q.a)) SortByValue(p_, *in_.strings, p_.types[p_.nodes[q.a].type].elem, range, failing);
    vars_[r.witness_var] = range && !failing.empty() ? Known(range->data[failing.front()]) : kUnknown;
  }
  RequirementResult out = MakeResult(p_, r, code, {}, [&](size_t k) {
    const ir::MessagePiece& piece = r.message[k];
    if (!piece.each) {
      Value pv = Eval(piece.expr);
      return FormatHole(p_, *in_.strings, p_.nodes[piece.expr].type, pv.bits, pv.known);
    }
    std::vector<std::string> shown;
    Value saved = vars_[r.witness_var];
    for (size_t i = 0; range && i < failing.size() && i < ir::kEachShown; ++i) {
      vars_[r.witness_var] = Known(range->data[failing[i]]);
      Value pv = Eval(piece.expr);
      shown.push_back(FormatHole(p_, *in_.strings, p_.nodes[piece.expr].type, pv.bits, pv.known));
    }
    vars_[r.witness_var] = saved;
    return JoinEach(shown, total);
  });
  out.facts = std::move(explained.facts);
  out.witness = std::move(explained.witness);
  out.witnesses = std::move(explained.witnesses);
  return out;
}

}  // namespace

std::vector<RequirementResult> EvaluateAll(const ir::Program& p, const EvalInput& in) {
  Machine machine(p, in);
  std::vector<std::string> excluded = machine.Exclusions();
  std::vector<RequirementResult> out;
  out.reserve(p.requirements.size());
  for (const auto& r : p.requirements) out.push_back(machine.Run(r, p.exclusions >= 0 ? &excluded : nullptr));
  ApplyDependencies(p, out);
  return out;
}

std::vector<std::vector<const void*>> TraceUsage(const ir::Program& p, const EvalInput& in) {
  EvalInput quiet = in;
  quiet.explain = false;
  Machine machine(p, quiet);
  std::vector<std::string> excluded = machine.Exclusions();
  std::vector<std::vector<const void*>> out;
  for (const auto& r : p.requirements) {
    machine.usage_.assign(1, {});
    RequirementResult res = machine.Run(r, p.exclusions >= 0 ? &excluded : nullptr);
    std::vector<const void*> used;
    // A requirement that does not apply served nothing.
    if (res.verdict != Verdict::NotApplicable) used = std::move(machine.usage_.front());
    std::sort(used.begin(), used.end());
    used.erase(std::unique(used.begin(), used.end()), used.end());
    out.push_back(std::move(used));
  }
  return out;
}

void ExplainRequirement(const ir::Program& p, const EvalInput& in, size_t i, RequirementResult& out) {
  EvalInput explain = in;
  explain.explain = true;
  Machine machine(p, explain);
  RequirementResult r = machine.Run(p.requirements[i], nullptr);
  out.facts = std::move(r.facts);
  out.witness = std::move(r.witness);
  out.witnesses = std::move(r.witnesses);
}

}  // namespace interp
}  // namespace conform
