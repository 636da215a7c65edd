// The builtin registry: each builtin is declared once (name, signature, null policy,
// can-fail, symbol, doc, since) and that declaration drives the checker, both engines and docs.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "conform/compiler/ir.h"
#include "conform/compiler/schema.h"
#include "conform/compiler/strings.h"

namespace conform {

class PatternSet;

// What a builtin sees at run time. Plain struct: the JIT passes a pointer to it through.
struct EvalContext {
  LayeredStrings* strings = nullptr;
  int64_t as_of = 0;
  const PatternSet* patterns = nullptr;  // the program's compiled `matches` patterns (may be null)
  void* scratch = nullptr;      // conform::Scratch, for sets built during evaluation (JIT)
};

using BuiltinFn = int64_t (*)(EvalContext*, const int64_t* args);

// How a builtin is written, type-checked and evaluated. Lowering (sema) has one path per form,
// never one per name; the engines evaluate `op`.
enum class Form : uint8_t {
  Function,       // f(a, …) over scalars: a runtime helper (symbol, fn) both engines call (Op::Call)
  Generic,        // f(a, b), two values of one type (an int converts to decimal): an IR operation
  OfCollection,   // f(L), L a list or set
  Iteration,      // f(x in L where p)
  Comprehension,  // f(e for x in L where p): a value e per kept element
  CompileTime,    // f(n), n a positive int literal: a constant the compiler computes
};

enum class NullPolicy : uint8_t {
  Propagate,    // any unknown argument makes the result unknown; the function never sees it
  SkipUnknown,  // an unknown collection makes the result unknown; elements whose value is unknown
                // (or whose filter is not true) are left out
  Fallback,     // consumes unknown: an unknown first argument gives the second (`default`)
  Never,        // a compile-time constant, never unknown
};

// The result type of a form other than Function, from the value type V: of the arguments
// (Generic), of the per-element expression (Comprehension).
enum class ResultRule : uint8_t {
  Fixed,         // `result`
  Value,         // V
  SetOfValue,    // set<V>
  SetOfElement,  // V is a set or list of E: set<E>
};

// A set of TypeKinds (bit i = TypeKind i), for what a form accepts.
constexpr uint32_t Kinds(std::initializer_list<TypeKind> ks) {
  uint32_t m = 0;
  for (TypeKind k : ks) m |= 1u << static_cast<unsigned>(k);
  return m;
}
constexpr bool HasKind(uint32_t mask, TypeKind k) { return (mask >> static_cast<unsigned>(k)) & 1u; }

struct Builtin {
  std::string name;
  Form form = Form::Function;
  std::vector<TypeId> params;  // Function: scalar types only (TypeTable's fixed ids)
  TypeId result = 0;           // Function, and the Fixed result rule
  ResultRule rule = ResultRule::Fixed;
  uint32_t accepts = 0;        // other forms: the kinds of V accepted (see Kinds)
  uint32_t elem_accepts = 0;   // SetOfElement: the kinds of V's elements accepted
  std::string accepts_doc;     // "an int or decimal", for messages
  std::string mistake;         // help when the value is a string (`count(s)` → `len(s)`), or ""
  ir::Op op = ir::Op::Call;    // what both engines evaluate: Call (the helper) or this IR operation
  NullPolicy nulls = NullPolicy::Propagate;
  bool can_fail = false;       // may be unknown although every input is known (`max` of nothing)
  std::string symbol;          // Function: extern "C" helper name, stable across releases
  std::string signature;       // other forms: as written in the docs (`sum(e for x in L where p) → T`)
  std::string doc;
  std::string since = "0.1";
  BuiltinFn fn = nullptr;      // Function: the helper
  // The signature as the docs show it.
  std::string Signature() const;
};

// Syntax forms that are not builtins but are documented alongside them.
struct SpecialForm {
  std::string signature;
  std::string doc;
};

class BuiltinRegistry {
 public:
  static const BuiltinRegistry& Default();
  // A Function with exactly these argument types, or nullptr.
  const Builtin* Find(const std::string& name, const std::vector<TypeId>& args) const;
  // The builtin `name` written in this form (at most one), or nullptr.
  const Builtin* FindForm(const std::string& name, Form form) const;
  // The Function whose helper is `symbol` (what the IR names), or nullptr.
  const Builtin* BySymbol(std::string_view symbol) const;
  bool HasName(const std::string& name) const;
  // The Functions called `name`.
  std::vector<const Builtin*> Overloads(const std::string& name) const;
  // Every builtin called `name`, in any form.
  std::vector<const Builtin*> Named(const std::string& name) const;
  const std::vector<Builtin>& all() const { return builtins_; }
  const std::vector<SpecialForm>& special_forms() const { return special_; }
  // What is inconsistent in the declarations (empty when sound); a unit test keeps it empty.
  std::vector<std::string> Problems() const;
  // Markdown reference (docs/builtins.md, `conform builtins`).
  std::string Markdown() const;
  // A stable text of every declaration (signature, policy, implementation), for cache keys.
  std::string Canonical() const;

 private:
  BuiltinRegistry();
  std::vector<Builtin> builtins_;
  std::vector<SpecialForm> special_;
};

const char* FormName(Form f);
const char* NullPolicyName(NullPolicy n);

}  // namespace conform
