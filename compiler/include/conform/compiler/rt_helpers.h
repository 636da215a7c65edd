// Runtime helpers that generated code calls (besides the builtins): sets, clause numbers,
// string ordering, dates. Plain C ABI; the JIT binds them through an explicit symbol map.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include <string_view>

#include "conform/compiler/builtins.h"
#include "conform/compiler/rt_abi.h"
#include "conform/compiler/schema.h"

namespace conform {

// A hash index of a list's elements by a key (joins.h), per evaluation. A list shorter than
// kMinElements is always scanned, and so is a longer one in the first kScansBeforeIndex evaluations of the join scan the list as a nested loop would (a quantifier
// that stops at its first element never pays for an index); from the next one on, the index is
// built from the (key, element) pairs of the elements whose key is known, in list order, and
// Probe gives the elements with a key, still in list order. Building is linear: count per key,
// then place.
class JoinIndex {
 public:
  static constexpr int kScansBeforeIndex = 4;
  static constexpr int64_t kMinElements = 32;  // a shorter list is always scanned
  // Whether this evaluation of the join uses the index (counts the evaluations).
  bool Use() { return ++uses_ > kScansBeforeIndex; }
  bool ready() const { return ready_; }
  void Clear();
  void Add(int64_t key, int64_t element) { pairs_.push_back({key, element}); }
  void Finish();
  Seq Probe(int64_t key) const;

 private:
  static uint64_t Hash(int64_t key) { return static_cast<uint64_t>(key) * 0x9E3779B97F4A7C15ull; }
  size_t Find(int64_t key) const;  // the key's slot, or the empty slot where it would go
  int uses_ = 0;
  bool ready_ = false;
  std::vector<std::pair<int64_t, int64_t>> pairs_;
  std::vector<int64_t> elements_;  // grouped by key, list order within a group
  // Open addressing: key, then the group's [begin, end) in elements_; used = 0: empty slot.
  struct Slot {
    int64_t key;
    uint32_t begin, end;
    uint32_t used;
  };
  std::vector<Slot> table_;
  int shift_ = 64;
};

// Sets built while evaluating one organization, and its join indexes; reset between
// organizations.
class Scratch {
 public:
  struct Buffer {
    std::vector<int64_t> items;
    Seq seq{0, nullptr};
  };
  Buffer* New();
  JoinIndex* Join(size_t slot);
  void Reset() {
    used_ = 0;
    for (auto& j : joins_) j->Clear();
  }
  // The values of the program's standard- and module-level lets for the organization being
  // evaluated: bits[0 … n), then known flags [n … 2n). Written by the entry function.
  int64_t* Globals(size_t n) {
    if (globals_.size() < 2 * n) globals_.resize(2 * n);
    return globals_.data();
  }

 private:
  std::vector<int64_t> globals_;
  std::vector<std::unique_ptr<Buffer>> buffers_;
  size_t used_ = 0;
  std::vector<std::unique_ptr<JoinIndex>> joins_;  // stable addresses while one is built
};

// Whether clause number `c` is `p` or one of its sub-clauses ("8.3.1" under "8.3", not "8.30").
bool ClauseUnder(std::string_view c, std::string_view p);
// An exclusion is a clause number, optionally followed by `: ` and the organization's reason
// ("A.7.4: all staff work remotely"). ExcludedClause is the number, ExclusionMessage the
// not-applicable message for a requirement under it.
std::string_view ExcludedClause(std::string_view exclusion);
std::string ExclusionMessage(std::string_view exclusion);
// Natural order: runs of digits compare as numbers, so "9.2" < "10.1" (clause numbers, set output).
bool NaturalLess(std::string_view a, std::string_view b);

// Set algebra over sets (sorted, unique) or lists (any order, repeats) of scalars; a list is read
// as the set of its elements. op: 0 union, 1 intersection, 2 difference (a - b). The result is
// sorted and unique. Both engines use these.
std::vector<int64_t> SetAlgebra(const Seq* a, bool a_sorted, const Seq* b, bool b_sorted, int op);
// aux: 0 a ⊆ b, 1 a ⊂ b, 2 a = b (as sets).
bool SetRelation(const Seq* a, bool a_sorted, const Seq* b, bool b_sorted, int aux);

struct HelperSymbol {
  const char* name;
  void* address;
  RtSignature sig;  // from the C declaration (rt_abi.h); codegen builds its LLVM type from it
  bool pure = false;
};
// Every helper and builtin symbol generated code may call: the CONFORM_RT_HELPERS list, then
// the registry's builtins (BuiltinFn). Names are unique.
const std::vector<HelperSymbol>& HelperSymbols();
// The helper of that symbol, or nullptr.
const HelperSymbol* FindHelper(std::string_view name);

}  // namespace conform

extern "C" {
#define CONFORM_RT_DECLARE(ret, name, pure, ...) ret conform_rt_##name(__VA_ARGS__);
CONFORM_RT_HELPERS(CONFORM_RT_DECLARE)
#undef CONFORM_RT_DECLARE
}
