// The builtin registry: each builtin is declared once (name, signature, null policy,
// can-fail, symbol, doc, since) and that declaration drives the checker, both engines and docs.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

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

enum class NullPolicy : uint8_t {
  Propagate,  // any unknown argument makes the result unknown; the function never sees it
};

struct Builtin {
  std::string name;
  std::vector<TypeId> params;  // scalar types only (TypeTable's fixed ids)
  TypeId result;
  NullPolicy nulls = NullPolicy::Propagate;
  bool can_fail = false;  // may return unknown on valid inputs
  std::string symbol;     // extern "C" helper name, stable across releases
  std::string doc;
  std::string since = "0.1";
  BuiltinFn fn = nullptr;
};

// Syntax forms that are not functions but are documented alongside them.
struct SpecialForm {
  std::string signature;
  std::string doc;
};

class BuiltinRegistry {
 public:
  static const BuiltinRegistry& Default();
  // Exact match on argument types, or nullptr.
  const Builtin* Find(const std::string& name, const std::vector<TypeId>& args) const;
  bool HasName(const std::string& name) const;
  std::vector<const Builtin*> Overloads(const std::string& name) const;
  const std::vector<Builtin>& all() const { return builtins_; }
  const std::vector<SpecialForm>& special_forms() const { return special_; }
  const Builtin& at(size_t id) const { return builtins_[id]; }
  size_t IdOf(const Builtin* b) const { return static_cast<size_t>(b - builtins_.data()); }
  // Markdown reference (docs/builtins.md, `conform builtins`).
  std::string Markdown() const;
  // A stable text of every signature, for cache keys.
  std::string Canonical() const;

 private:
  BuiltinRegistry();
  std::vector<Builtin> builtins_;
  std::vector<SpecialForm> special_;
};

}  // namespace conform

// The helpers themselves, callable from generated code.
extern "C" {
int64_t conform_rt_len(conform::EvalContext*, const int64_t*);
int64_t conform_rt_lower(conform::EvalContext*, const int64_t*);
int64_t conform_rt_upper(conform::EvalContext*, const int64_t*);
int64_t conform_rt_contains(conform::EvalContext*, const int64_t*);
int64_t conform_rt_starts_with(conform::EvalContext*, const int64_t*);
int64_t conform_rt_ends_with(conform::EvalContext*, const int64_t*);
int64_t conform_rt_matches(conform::EvalContext*, const int64_t*);
int64_t conform_rt_days_between(conform::EvalContext*, const int64_t*);
int64_t conform_rt_months_between(conform::EvalContext*, const int64_t*);
int64_t conform_rt_year(conform::EvalContext*, const int64_t*);
int64_t conform_rt_abs_int(conform::EvalContext*, const int64_t*);
int64_t conform_rt_abs_dec(conform::EvalContext*, const int64_t*);
int64_t conform_rt_sqrt(conform::EvalContext*, const int64_t*);
int64_t conform_rt_ceil(conform::EvalContext*, const int64_t*);
int64_t conform_rt_floor(conform::EvalContext*, const int64_t*);
int64_t conform_rt_round(conform::EvalContext*, const int64_t*);
int64_t conform_rt_concat(conform::EvalContext*, const int64_t*);
}
