// The lowered check program: backend-neutral, typed, plain data (no virtuals), printable.
#pragma once
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "conform/compiler/schema.h"
#include "conform/compiler/source.h"
#include "conform/compiler/strings.h"

namespace conform {
class PatternSet;
}

namespace conform::ir {

struct JoinPlan;

enum class Op : uint8_t {
  Const,      // imm: the value's slot bits (strings: id in Program::literals)
  Param,      // imm: parameter index
  AsOf,
  Root,
  Var,        // var: variable slot
  Field,      // a: record; imm: field index; aux: presence words of the entity
  IsPresent, IsAbsent,  // a
  Default,    // a, else b
  Neg,        // a (int or decimal by type)
  Add, Sub, Mul, Div, Mod,  // int or decimal by type (operands already converted)
  IntToDec,
  DateAdd, DateSub,   // a: date, b: duration
  DateDiff,           // a - b in days
  DurMul,             // a: duration, b: int
  DurAdd, DurSub,     // a, b: durations (months, days and minutes added apart)
  // Comparisons. aux: 0 = bits (int, date, enum, bool, string ids for ==/!=),
  // 1 = decimal, 2 = string text ordering, 3 = durations (by the point each reaches from as_of)
  Eq, Ne, Lt, Le, Gt, Ge,
  And, Or, Not, Implies,
  In,          // a in b (b: set or list)
  Under,       // a under b (b: string, or set/list of strings)
  SetLit,      // args; type set<T>
  Exists, All, None,     // var over a (list/set), b: filter or -1, c: body
  Count,                 // a: list/set, var + b: optional filter
  Sum, Min, Max, Avg, Distinct, Union,  // var over a, b: filter or -1, c: value
  Call,                  // imm: index in Program::builtins (the builtin's symbol); args
  Filter,                // var over a (list/set), b: filter; the kept elements, in order (type of a)
  // Set algebra over sets or lists of scalars (a list is read as the set of its elements):
  SetUnion, SetInter, SetDiff,  // a, b → set<T>
  SetRel,                // aux: 0 a ⊆ b, 1 a ⊂ b (strict), 2 a = b (as sets) → bool
  If,                    // a ? b : c (unknown if a is unknown); keep last (the IR cache checks ops ≤ If)
};

const char* OpName(Op op);

struct Node {
  Op op;
  TypeId type = 0;
  int32_t a = -1, b = -1, c = -1;
  int32_t var = -1;
  uint32_t aux = 0;
  int64_t imm = 0;
  std::vector<int32_t> args;
  Span span;
};

enum class Grade : uint8_t { Major, Minor, Observation };
const char* GradeName(Grade g);

struct MessagePiece {
  std::string text;
  int32_t expr = -1;
  // `{each e}`: e evaluated with the witness variable bound to every failing element of the
  // top-level all/none in turn, joined by ", " (the first kEachShown, then "and N more").
  bool each = false;
};
inline constexpr size_t kEachShown = 10;

struct Let {
  std::string name;
  int32_t var = -1;
  int32_t value = -1;
};

struct Requirement {
  std::string id;
  std::string clause;        // clause number
  int32_t clause_index = -1;
  Grade grade = Grade::Minor;
  std::string says;
  int32_t applies = -1;
  std::vector<Let> lets;
  int32_t pass = -1;
  std::vector<MessagePiece> message;
  int32_t witness_var = -1;  // bound to the first failing element of a top-level all/none
  // `depends on`: indices of prerequisite requirements in Program::requirements. When one does
  // not conform, this requirement is blocked (see ApplyDependencies). Acyclic (checked by sema).
  std::vector<int32_t> depends;
  Span span;
  std::string origin;                   // the standard or extension that declared it
  std::vector<std::string> amended_by;  // extensions that amended it, in order
  // What reports show: "iso9001", "iatf16949", "amended by iatf16949".
  std::string Provenance() const;
};

struct ClauseInfo {
  std::string number;
  std::string title;
  int32_t parent = -1;
  int32_t depth = 1;
  Span span;
  std::string origin;  // the standard or extension that declared the clause
};

struct ParamInfo {
  std::string name;
  TypeId type = 0;
  int64_t value = 0;  // default, in slot encoding
  std::vector<int64_t> set_value;  // for set-typed parameters
  std::string doc;
  Span span;
  std::string origin;  // the standard or extension that declared it
  std::string set_by;  // the extension whose `param BASE.name = …` set the default ("" if none)
  int64_t base_value = 0;  // the default before `set_by` set it
  std::vector<int64_t> base_set_value;
};

// One layer of an extended program: the base standard, then each extension applied to it.
struct Layer {
  std::string id, title, edition;
};

struct Program {
  std::shared_ptr<const SchemaModel> schema;
  // The types of this program's nodes, parameters and values: the schema's types (same ids),
  // then those sema created while checking it (`set<string>` of a set literal, `list<T>` of a
  // `def` parameter …). The shared schema itself is never written after it is built.
  TypeTable types;
  std::string standard;
  std::string title;
  std::vector<std::pair<std::string, std::string>> meta;  // edition, published, …
  // For a standard with extensions applied: the base standard first, then each extension (the
  // program is the resolved whole). Empty for a standard compiled on its own.
  std::vector<Layer> layers;
  std::vector<Node> nodes;
  std::vector<Requirement> requirements;
  std::vector<ClauseInfo> clauses;
  std::vector<ParamInfo> params;
  int32_t exclusions = -1;
  // Standard- and module-level `let`s, in order: computed once per organization before any
  // requirement (and the exclusions). The i-th is variable slot i (slots 0 … globals.size()-1;
  // the variables their values bind come after), and no requirement reuses those slots.
  std::vector<Let> globals;
  uint32_t num_vars = 0;
  std::vector<std::string> var_names;
  // The builtins this program calls, by their stable helper symbol (`conform_rt_len`): a Call
  // node's imm indexes this list, so the IR (and the cache) never depends on the registry's
  // order. Engines resolve them with BuiltinRegistry::BySymbol.
  std::vector<std::string> builtins;
  // String literals, shared by every program compiled in one session so that one evidence
  // document can be evaluated against several standards.
  std::shared_ptr<StringPool> literals;
  // Source text of each node, for explanations; host-side only, not part of the canonical form.
  std::vector<std::string> node_text;
  // The nodes that are the root of an inlined `def` call (sorted): their span and text are the
  // call as written (`open_ok(d)`), and explanations stop there instead of showing the def's
  // body out of context. Host-side, like node_text.
  std::vector<int32_t> inline_calls;
  bool IsInlineCall(int32_t n) const { return std::binary_search(inline_calls.begin(), inline_calls.end(), n); }
  // The compiled `matches` patterns, built on first evaluation (PatternSet::For); not part of
  // the canonical form.
  mutable std::shared_ptr<const PatternSet> patterns;
  // The collections both engines evaluate with a hash index (ir::Joins, joins.h), planned on
  // first evaluation; not part of the canonical form.
  mutable std::shared_ptr<const JoinPlan> joins;

  std::string Meta(const std::string& key) const {
    for (const auto& [k, v] : meta)
      if (k == key) return v;
    return {};
  }
  std::string TypeName(TypeId t) const { return schema->TypeName(types, t); }
  int FindParam(const std::string& name) const {
    for (size_t i = 0; i < params.size(); ++i)
      if (params[i].name == name) return static_cast<int>(i);
    return -1;
  }
};

// Canonical text of a program (`conform compile --emit ir`); spans are not part of it.
std::string Print(const Program& p);

}  // namespace conform::ir
