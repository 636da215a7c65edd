// What an engine is given and what it returns: shared by the interpreter and the JIT.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "conform/compiler/ir.h"
#include "conform/compiler/strings.h"

namespace conform {

// Blocked: a prerequisite named by `depends on` does not conform, so this requirement cannot
// be assessed yet (distinct from not applicable, which is a scope decision).
enum class Verdict : uint8_t { Conform, Nonconform, NotEvidenced, NotApplicable, Blocked };
const char* VerdictName(Verdict v);  // conform | nonconform | not_evidenced | not_applicable | blocked

// Parameter values in slot encoding (sets as Seq pointers), one per Program::params entry.
struct ParamValues {
  std::vector<int64_t> values;
  std::vector<std::vector<int64_t>> sets;  // storage for set-valued parameters
  std::vector<Seq> seqs;
  static ParamValues Defaults(const ir::Program& p);
  void Finalize(const ir::Program& p);  // points set slots at their storage
};

struct EvalInput {
  const void* root = nullptr;          // the root record
  LayeredStrings* strings = nullptr;   // over Program::literals
  int64_t as_of = 0;                   // days since 1970-01-01
  const ParamValues* params = nullptr;
  bool explain = true;                 // collect deciding values for non-conforming verdicts
};

// One value that decided a verdict: the sub-expression, its value, and where it came from.
struct Fact {
  std::string expr;
  std::string value;
  std::string path;  // evidence path, e.g. $.internal_audits[3].end, when the value is read from evidence
  // The call of an inlined `def` as written (`open_ok(d)`); `path` is then the record it was
  // called on (the first element or record its body reads), not a field.
  bool inline_call = false;
};

struct RequirementResult {
  Verdict verdict = Verdict::NotEvidenced;
  std::string message;   // nonconform: the `else` message; other verdicts: the reason
  std::string witness;   // evidence path of the first failing element of a top-level all/none
  std::vector<std::string> witnesses;  // every failing element of it (explanations only), first = witness
  std::vector<Fact> facts;
  std::string blocked_by;  // blocked: the id of the prerequisite that does not conform
};

// Applies `depends on` after every requirement has its own verdict: a requirement that applies
// (its own verdict is not not_applicable) and has a prerequisite that is nonconform, not
// evidenced or itself blocked becomes blocked, naming the first such prerequisite. A not
// applicable prerequisite blocks nothing. Both engines call this one function.
void ApplyDependencies(const ir::Program& p, std::vector<RequirementResult>& results);

// The text of a `{each …}` hole: the values shown, joined by ", ", and "and N more" when `total`
// elements failed (both engines).
std::string JoinEach(const std::vector<std::string>& shown, int64_t total);

// The display order of scalar values, one rule for both engines: numbers numerically, strings
// by text in natural order (digit runs as numbers: 4.1 < 9.2 < 10.1), dates chronologically,
// enum members in declaration order, false before true, durations by length (from 1970-01-01).
// Sets print in this order, and `{each x}` over a set lists its failing elements in it.
bool ValueLess(const ir::Program& p, const LayeredStrings& strings, TypeId type, int64_t a, int64_t b);
// Puts `idx` (positions in `s`) in ValueLess order of the elements they point to (stable).
void SortByValue(const ir::Program& p, const LayeredStrings& strings, TypeId elem, const Seq* s, std::vector<int64_t>& idx);

// Formats a value in slot encoding for messages and explanations.
std::string FormatValue(const ir::Program& p, const LayeredStrings& strings, TypeId type, int64_t bits, bool known);
// A message hole's text (both engines): FormatValue, except that an empty set or list reads
// "none" ("did not cover none (general), {x} (laboratory)"), not "{}". Explanations keep "{}".
std::string FormatHole(const ir::Program& p, const LayeredStrings& strings, TypeId type, int64_t bits, bool known);

}  // namespace conform
