// The runtime helpers' prototypes, declared once. CONFORM_RT_HELPERS generates the extern "C"
// declarations (rt_helpers.h) and the table of helpers (RtHelpers(): name, address, signature)
// that the JIT binds and codegen declares its LLVM function types from. The signature in the
// table is computed from the C declaration's type (RtSignatureOf), so the LLVM prototype cannot
// differ from the C one, and a definition whose parameters differ from its declaration does
// not compile (two extern "C" functions of one name).
#pragma once
#include <array>
#include <cstdint>
#include <type_traits>

namespace conform {

struct EvalContext;
struct Seq;

// The C types helpers use, as codegen sees them.
enum class RtType : uint8_t { Void, I64, Ptr };

template <class T>
constexpr RtType RtTypeOf() {
  if constexpr (std::is_void_v<T>) {
    return RtType::Void;
  } else if constexpr (std::is_pointer_v<T>) {
    return RtType::Ptr;
  } else {
    static_assert(std::is_same_v<T, int64_t>, "runtime helpers take and return int64_t or pointers");
    return RtType::I64;
  }
}

struct RtSignature {
  RtType ret = RtType::Void;
  uint8_t arity = 0;
  std::array<RtType, 8> params{};
  friend constexpr bool operator==(const RtSignature&, const RtSignature&) = default;
};

template <class F>
struct RtSignatureOf;
template <class R, class... A>
struct RtSignatureOf<R (*)(A...)> {
  static_assert(sizeof...(A) <= 8, "at most 8 parameters");
  static constexpr RtSignature value{RtTypeOf<R>(), static_cast<uint8_t>(sizeof...(A)), {RtTypeOf<A>()...}};
};

}  // namespace conform

// X(return type, name after `conform_rt_`, pure, parameter types…). `pure`: a function of its
// by-value arguments only (no memory, no unwinding, always returns), so LLVM may hoist and merge
// calls (`as_of - 365 days` out of a loop over elements).
// The builtins' helpers (`len`, `trim` …) are not listed here: they all have the one BuiltinFn
// prototype and are declared by their registry entry (builtins.cc).
#define CONFORM_RT_HELPERS(X)                                                                          \
  /* Sets built during evaluation: a new buffer, push a value or a whole sequence, then finish it */ \
  /* as a set (sorted, unique) or as a list (order and repeats kept). */                              \
  X(void*, buf_new, false, conform::EvalContext*)                                                     \
  X(void, buf_push, false, void*, int64_t)                                                            \
  X(void, buf_push_seq, false, void*, const conform::Seq*)                                            \
  X(const conform::Seq*, buf_finish, false, void*)                                                    \
  X(const conform::Seq*, buf_finish_list, false, void*)                                               \
  /* (sequence, value, sorted) → 0/1 */                                                               \
  X(int64_t, seq_contains, false, const conform::Seq*, int64_t, int64_t)                              \
  /* Clause numbers: a under b; a under any of a sequence; text ordering of two strings. */           \
  X(int64_t, under, false, conform::EvalContext*, int64_t, int64_t)                                   \
  X(int64_t, under_any, false, conform::EvalContext*, int64_t, const conform::Seq*)                   \
  X(int64_t, strcmp, false, conform::EvalContext*, int64_t, int64_t)                                  \
  /* (ctx, s, t, upper): lower(s) == t (upper(s) == t with upper = 1), without interning lower(s) */ \
  X(int64_t, case_eq, false, conform::EvalContext*, int64_t, int64_t, int64_t)                        \
  /* Dates and durations: (date, duration, sign), (a, b, sign), (duration, k), (a, b, as_of). */      \
  X(int64_t, date_add, true, int64_t, int64_t, int64_t)                                               \
  X(int64_t, dur_add, true, int64_t, int64_t, int64_t)                                                \
  X(int64_t, dur_mul, true, int64_t, int64_t)                                                         \
  X(int64_t, dur_cmp, true, int64_t, int64_t, int64_t)                                                \
  /* Set algebra: (ctx, a, a_sorted, b, b_sorted, op) and (a, a_sorted, b, b_sorted, aux). */         \
  X(const conform::Seq*, set_op, false, conform::EvalContext*, const conform::Seq*, int64_t,          \
    const conform::Seq*, int64_t, int64_t)                                                            \
  X(int64_t, set_rel, false, const conform::Seq*, int64_t, const conform::Seq*, int64_t, int64_t)     \
  /* The values of the standard- and module-level lets: (ctx, n) → bits[n], known[n]. */              \
  X(int64_t*, globals, false, conform::EvalContext*, int64_t)                                         \
  /* Join indexes: the evaluation's index `slot`; whether this evaluation uses it; whether it is */   \
  /* built; add a known key and its element; finish building; the elements of a key (into *out). */   \
  X(void*, join_index, false, conform::EvalContext*, int64_t)                                         \
  X(int64_t, join_use, false, void*)                                                                  \
  X(int64_t, join_ready, false, void*)                                                                \
  X(void, join_add, false, void*, int64_t, int64_t)                                                   \
  X(void, join_finish, false, void*)                                                                  \
  X(void, join_probe, false, void*, int64_t, conform::Seq*)
