// Runtime helpers that generated code calls (besides the builtins): sets, clause numbers,
// string ordering, dates. Plain C ABI; the JIT binds them through an explicit symbol map.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "conform/compiler/builtins.h"
#include "conform/compiler/schema.h"

namespace conform {

// Sets built while evaluating one organization; reset between organizations.
class Scratch {
 public:
  struct Buffer {
    std::vector<int64_t> items;
    Seq seq{0, nullptr};
  };
  Buffer* New();
  void Reset() { used_ = 0; }
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
};
// Every helper and builtin symbol generated code may call.
std::vector<HelperSymbol> HelperSymbols();

}  // namespace conform

extern "C" {
void* conform_rt_buf_new(conform::EvalContext* ctx);
void conform_rt_buf_push(void* buf, int64_t v);
void conform_rt_buf_push_seq(void* buf, const conform::Seq* s);
const conform::Seq* conform_rt_buf_finish(void* buf);
const conform::Seq* conform_rt_buf_finish_list(void* buf);
int64_t conform_rt_seq_contains(const conform::Seq* s, int64_t v, int64_t sorted);
int64_t conform_rt_under(conform::EvalContext* ctx, int64_t a, int64_t b);
int64_t conform_rt_under_any(conform::EvalContext* ctx, int64_t a, const conform::Seq* s);
int64_t conform_rt_strcmp(conform::EvalContext* ctx, int64_t a, int64_t b);
int64_t conform_rt_date_add(int64_t date, int64_t duration, int64_t sign);
int64_t conform_rt_dur_add(int64_t a, int64_t b, int64_t sign);
int64_t conform_rt_dur_mul(int64_t a, int64_t k);
int64_t conform_rt_dur_cmp(int64_t a, int64_t b, int64_t as_of);
const conform::Seq* conform_rt_set_op(conform::EvalContext* ctx, const conform::Seq* a, int64_t a_sorted,
                                      const conform::Seq* b, int64_t b_sorted, int64_t op);
int64_t conform_rt_set_rel(const conform::Seq* a, int64_t a_sorted, const conform::Seq* b, int64_t b_sorted, int64_t aux);
int64_t* conform_rt_globals(conform::EvalContext* ctx, int64_t n);
}
