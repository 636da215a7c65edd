// One result path for both engines: the verdict code an engine computes for a requirement (the
// native code returns it and stores it in `verdicts[i]`), and the one function that turns a
// code into the user-visible result. Every reason text ("does not apply: …", "the evidence
// needed … is missing") and the assembly of an `else` message is written here once, so the
// interpreter and the JIT cannot drift apart.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include "conform/compiler/evaluate.h"
#include "conform/compiler/ir.h"

namespace conform {

// A requirement's own outcome, before `depends on` (ApplyDependencies) is settled. The values
// are part of the generated code's ABI (codegen returns them as i32 constants, jit reads them
// back) and so of every object cache entry: changing one means bumping kCodegenVersion in
// compiler/jit/jit.cc. The static_asserts below pin them.
enum class VerdictCode : uint8_t {
  Conform = 0,         // `pass` is true
  Nonconform = 1,      // `pass` is false: the `else` message
  NotEvidenced = 2,    // `pass` is unknown (evidence missing)
  NotApplicable = 3,   // `applies when` is false
  AppliesUnknown = 4,  // `applies when` is unknown: not evidenced
  Excluded = 5,        // the clause is under a declared exclusion: not applicable
};
static_assert(static_cast<uint8_t>(VerdictCode::Conform) == 0);
static_assert(static_cast<uint8_t>(VerdictCode::Nonconform) == 1);
static_assert(static_cast<uint8_t>(VerdictCode::NotEvidenced) == 2);
static_assert(static_cast<uint8_t>(VerdictCode::NotApplicable) == 3);
static_assert(static_cast<uint8_t>(VerdictCode::AppliesUnknown) == 4);
static_assert(static_cast<uint8_t>(VerdictCode::Excluded) == 5);
inline constexpr uint8_t kVerdictCodes = 6;  // codes are 0 … kVerdictCodes - 1

// How the message of an `applies when` that is false begins (the reports recognise it).
inline constexpr std::string_view kDoesNotApply = "does not apply: ";

// The reported verdict of a code (Excluded is not applicable, AppliesUnknown not evidenced).
Verdict VerdictOf(VerdictCode code);

// The text of hole `piece` (an index into Requirement::message with expr >= 0) of a nonconform
// requirement's `else` message, as the engine evaluates it; called once per hole, in order.
// A non-owning reference to the engine's callable, valid for the call it is passed to: unlike
// std::function it never allocates (a batch builds a message per nonconformity per organization).
class HoleText {
 public:
  HoleText() = default;
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, HoleText>>>
  HoleText(const F& f)  // NOLINT(google-explicit-constructor): a lambda is passed as is
      : fn_(&f), call_([](const void* fn, size_t piece) { return (*static_cast<const F*>(fn))(piece); }) {}
  explicit operator bool() const { return call_ != nullptr; }
  std::string operator()(size_t piece) const { return call_(fn_, piece); }

 private:
  const void* fn_ = nullptr;
  std::string (*call_)(const void*, size_t) = nullptr;
};

// The result of requirement `r` with outcome `code`: its verdict and message. `exclusion` is
// the matching exclusion's text (Excluded only); `hole` gives the values of the `else`
// message's holes (Nonconform only; may be empty when the message has none).
RequirementResult MakeResult(const ir::Program& p, const ir::Requirement& r, VerdictCode code,
                             std::string_view exclusion = {}, const HoleText& hole = {});

}  // namespace conform
