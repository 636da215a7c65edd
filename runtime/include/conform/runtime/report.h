// Evaluation of a standard over one document, clause roll-ups and summaries.
#pragma once
#include <string>
#include <vector>

#include "conform/compiler/diagnostics.h"
#include "conform/compiler/evaluate.h"
#include "conform/compiler/ir.h"
#include "conform/compiler/jit.h"
#include "conform/runtime/evidence.h"

namespace conform::runtime {

enum class Engine { Jit, Interp };
const char* EngineName(Engine e);

struct Counts {
  int conform = 0, nonconform = 0, major = 0, minor = 0, observation = 0, not_evidenced = 0, not_applicable = 0,
      blocked = 0;
  int total() const { return conform + nonconform + not_evidenced + not_applicable + blocked; }
  void Add(Verdict v, ir::Grade g);
};

struct ClauseRollup {
  std::string number, title;
  int depth = 1;
  Verdict verdict = Verdict::NotApplicable;  // worst of its requirements and sub-clauses
  Counts counts;
};

struct StandardReport {
  const ir::Program* program = nullptr;
  std::vector<RequirementResult> results;  // parallel to program->requirements
  std::vector<ClauseRollup> clauses;       // parallel to program->clauses
  Counts summary;
  // For a standard with extensions applied: counts per origin ("iso9001", "iatf16949",
  // "amended by iatf16949"), in the order the layers declare them.
  std::vector<std::pair<std::string, Counts>> by_origin;
  std::vector<Diagnostic> warnings;        // e.g. edition withdrawn
};

// Resolves `parameters:` from the evidence and `--param name=value` overrides against the
// program's declared parameters (typed parse; errors E0711/E0712, warnings W0702).
ParamValues ResolveParameters(const ir::Program& p, const std::vector<ParamOverride>& overrides, LayeredStrings& strings,
                              const SourceManager& sm, Diagnostics& diags);

// Engine::Jit needs `native` (from jit::Compile of the same program); Engine::Interp ignores it.
StandardReport Evaluate(const ir::Program& p, Document& doc, int64_t as_of, const ParamValues& params,
                        Engine engine = Engine::Interp, bool explain = true,
                        const jit::CompiledProgram* native = nullptr);
// Evaluate without the clause roll-ups and origin counts (`clauses` and `by_origin` stay empty):
// the results and the summary, all that a `check --batch` record holds.
StandardReport EvaluateResults(const ir::Program& p, Document& doc, int64_t as_of, const ParamValues& params,
                               Engine engine = Engine::Interp, bool explain = true,
                               const jit::CompiledProgram* native = nullptr);

struct RunInfo {
  std::string evidence_path;
  int64_t as_of = 0;
  Engine engine = Engine::Interp;
  std::string version;
};

struct TextOptions {
  bool color = false;
  bool show_conforming = true;  // list ✓ lines too
  bool explain = true;          // print the deciding values under ✗ and ?
};

// The output formats render the typed results built from these reports: see results.h.

// Which pieces of evidence (elements of the root's collections, and its entity fields) served
// which clauses of which standards: a piece serves a requirement whose evaluation read it (see
// interp::TraceUsage). One pass per standard over the one loaded document.
struct EvidenceUse {
  std::string path;   // $.internal_audits[0]
  std::string label;  // its id or code, when it has one
  std::vector<std::pair<std::string, std::vector<std::string>>> served;  // standard → clause numbers
};
std::vector<EvidenceUse> EvidenceUsage(const std::vector<const ir::Program*>& programs, Document& doc, int64_t as_of,
                                       const std::vector<const ParamValues*>& params);
std::string RenderEvidenceText(const std::vector<EvidenceUse>& uses, bool color);

// The summary counts as a JSON object (every verdict, `blocked` included), shared by every writer.
std::string CountsJson(const Counts& c);

// JSON string escaping (RFC 8259), shared by every JSON writer.
std::string JsonQuote(std::string_view s);
void AppendJsonQuoted(std::string& out, std::string_view s);  // JsonQuote, appended to `out`

}  // namespace conform::runtime
