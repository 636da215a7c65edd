// The typed results of one assessment — who was assessed, against which standards, as of when,
// and every requirement's verdict with its evidence — and one writer per output format, each
// rendering the same Assessment (see docs/output.md). Built once from the evaluation
// (BuildAssessment) or read back from a JSON report (ReadAssessmentJson, for `conform diff`).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "conform/compiler/evaluate.h"
#include "conform/compiler/ir.h"
#include "conform/compiler/source.h"
#include "conform/runtime/evidence.h"
#include "conform/runtime/report.h"

namespace conform::runtime {

// A place in the evidence file (line 0: unknown).
struct EvidencePos {
  uint32_t line = 0, col = 0;
  bool valid() const { return line > 0; }
};

// One deciding value. `words` says it in prose for people ("context issue ci-hiring: reviewed
// at not recorded"); empty when the value is computed rather than read from the evidence.
struct FactRow {
  std::string expr, value, path, words;
  EvidencePos pos;
};

// An element of the evidence that fails the requirement (today: the witness; every failing
// element once the engines report them all).
struct Offender {
  std::string path, label;  // $.documents[3], "WI-LOG-003 (Packaging …)"
  EvidencePos pos;
};

// A corrective action recorded in the evidence for an open nonconformity on the requirement's
// clause: fills the action plan's owner and due date.
struct ActionItem {
  std::string nonconformity, action, description, owner;
  std::optional<int64_t> due;
};

// An accepted deviation (`--deviations FILE`): the requirement does not conform and the
// organization accepted it until a date. Reported, never counted as conform.
struct Deviation {
  std::string standard;     // empty: the requirement id is unique across the standards checked
  std::string requirement;  // requirement id
  std::string justification, approver;
  int64_t accepted_until = 0;
  uint32_t line = 0;        // in the deviations file
};

struct RequirementRow {
  std::string standard, clause, clause_title, id;
  // Extensions: where the requirement comes from ("iso9001", "iatf16949", "amended by
  // iatf16949"), the layer that declared it, and the extensions that amended it.
  std::string origin, declared_in;
  std::vector<std::string> amended_by;
  std::string says;       // the catalogue's statement
  std::string statement;  // its short form for headings and tables (first sentence, shortened)
  ir::Grade declared_grade = ir::Grade::Minor;
  Verdict verdict = Verdict::NotEvidenced;
  std::string message, witness;
  std::string blocked_by;  // blocked: the prerequisite requirement (same standard) that does not conform
  std::vector<FactRow> facts;
  std::vector<Offender> offenders;
  EvidencePos location;  // where the deciding data path was written (SARIF)
  std::vector<ActionItem> actions;
  std::optional<Deviation> deviation;  // accepted deviation, when one applies
  // Nonconform or not evidenced (whether or not a deviation was accepted).
  bool IsGap() const { return verdict == Verdict::Nonconform || verdict == Verdict::NotEvidenced; }
  // A gap that no accepted deviation covers, or a requirement blocked by one: what fails the run.
  // (Blocked is not itself a gap: the finding is its prerequisite's.)
  bool IsOpenGap() const { return (IsGap() && !deviation) || verdict == Verdict::Blocked; }
  std::optional<ir::Grade> grade() const {
    return verdict == Verdict::Nonconform ? std::optional<ir::Grade>(declared_grade) : std::nullopt;
  }
};

struct ClauseRow {
  std::string number, title;
  int depth = 1;
  int parent = -1;  // index in StandardResults::clauses
  Verdict verdict = Verdict::NotApplicable;
  Counts counts;
  std::string origin;  // the layer that declared the clause
};

// A base parameter an extension set (`param BASE.name = …`), with both values in words.
struct ParameterSet {
  std::string name, declared_in, set_by, value, base_value;
};

// Predicted certification readiness of one standard (lifecycle::AssessReadiness, stage 2).
struct ReadinessLine {
  std::string verdict;  // ready | at_risk | not_ready | not_assessed
  std::string label;    // "ready" | "at risk" | "not ready"
  int majors = 0, minors = 0, minors_planned = 0, not_evidenced = 0;
  int blocked = 0;  // requirements blocked by a prerequisite: the gate is not ready
};

struct StandardResults {
  std::string id, title, edition;
  Counts summary;
  int accepted = 0;  // gaps covered by an accepted deviation
  std::vector<ClauseRow> clauses;  // declaration order, parents first
  std::vector<RequirementRow> requirements;
  std::vector<std::pair<std::string, std::string>> warnings;  // (code, message)
  ReadinessLine readiness;
  // A standard with extensions applied: its layers (the base first), the counts per origin,
  // and the base parameters the extensions set. Empty for a standard on its own.
  std::vector<ir::Layer> layers;
  std::vector<std::pair<std::string, Counts>> by_origin;
  std::vector<ParameterSet> parameters_set;
};

struct AssessmentInfo {
  std::string organization, legal_entity, assessor;
  std::vector<std::string> scope;  // the scope statements
  std::string evidence_path;
  int64_t as_of = 0;
  std::string engine;
  std::string version;
};

struct Assessment {
  AssessmentInfo info;
  std::vector<StandardResults> standards;
  std::vector<EvidenceUse> evidence_usage;  // with --evidence-map
  bool has_evidence_usage = false;
  // Every gap, of every standard.
  size_t Gaps() const;
  size_t OpenGaps() const;
};

struct BuildOptions {
  bool words = true;  // statements, clause roll-ups, fact prose, labels, action plans, readiness
                      // (needs `doc`); false for batch records
};

// The typed results of `reports` (one per standard, parallel to their programs) over `doc`.
// `doc` may be null (no organization details, no positions).
Assessment BuildAssessment(const std::vector<StandardReport>& reports, const RunInfo& info, Document* doc,
                           const BuildOptions& opts = {});

// Reads a deviations file (YAML: `deviations:` then entries with requirement, justification,
// approver, accepted_until; optional standard) and checks it against the requirements of `a`:
// E1101 unreadable, E1102 malformed, E1103 unknown requirement (with did-you-mean), E1105
// ambiguous; W1101 expired as of `a`'s date (ignored). Returns the deviations in force.
std::vector<Deviation> LoadDeviations(const std::string& path, const Assessment& a, SourceManager& sm, Diagnostics& diags);
// Marks the gaps the deviations accept (RequirementRow::deviation, StandardResults::accepted);
// W1102 for a deviation whose requirement has no gap.
void ApplyDeviations(Assessment& a, const std::vector<Deviation>& deviations, Diagnostics* diags);

// ---- output formats ----------------------------------------------------------------------

enum class Format { Text, Json, Html, Junit, Sarif, Oscal, Csv, Xlsx, Markdown };
// "text", "json", "html", "junit", "sarif", "oscal", "csv", "xlsx", "md"; nullopt otherwise.
std::optional<Format> ParseFormat(std::string_view name);
const std::vector<std::string>& FormatNames();

std::string WriteText(const Assessment& a, const TextOptions& opts);
std::string WriteJson(const Assessment& a);                    // one compact line + newline
std::string WriteJsonRecord(size_t line, const Assessment& a);  // one batch NDJSON record, no newline
std::string WriteHtml(const Assessment& a);
std::string WriteJunit(const Assessment& a);
std::string WriteSarif(const Assessment& a);
std::string WriteOscal(const Assessment& a);
std::string WriteCsv(const Assessment& a);
std::string WriteMarkdown(const Assessment& a);
// XLSX is written to a file (libxlsxwriter); false with `error` set on failure.
bool WriteXlsx(const Assessment& a, const std::string& path, std::string& error);

// Writes `a` as `format` to `path` ("-": stdout). False with `error` on an I/O failure.
bool WriteReport(Format format, const Assessment& a, const TextOptions& opts, const std::string& path,
                 std::string& error);

// ---- `conform diff`: two assessments of one organization -----------------------------------

// The verdict named `name` (VerdictName's spelling), or nullopt.
std::optional<Verdict> ParseVerdict(std::string_view name);
// Reads a `conform check --format json` report back into typed results (verdicts, grades,
// messages, statements, summaries, organization); nullopt with `error` when it is not one.
std::optional<Assessment> ReadAssessmentJson(const std::string& text, std::string& error);

struct DiffEntry {
  std::string standard, clause, id, statement;
  std::optional<RequirementRow> before, after;  // nullopt: not in that assessment
  std::string message;                          // the latest message
};

struct StandardDelta {
  std::string id;
  Counts before, after;
  bool in_before = false;
};

struct AssessmentDiff {
  AssessmentInfo before, after;
  std::vector<StandardDelta> standards;  // those of `after`
  std::vector<DiffEntry> closed;    // a gap before (nonconform / not evidenced), none after
  std::vector<DiffEntry> opened;    // no gap before (or not assessed), a gap after
  std::vector<DiffEntry> regraded;  // a gap both times, with another verdict or grade
  std::vector<DiffEntry> blocked;   // newly blocked (once the engines report `blocked`)
  std::vector<DiffEntry> added, removed;  // requirements the catalogue gained or lost
  bool Worse() const { return !opened.empty() || !blocked.empty(); }
};

AssessmentDiff DiffAssessments(const Assessment& before, const Assessment& after);
// "nonconform (minor)", "conform", "absent".
std::string RowState(const std::optional<RequirementRow>& r);
std::string WriteDiffText(const AssessmentDiff& d);
std::string WriteDiffJson(const AssessmentDiff& d);
std::string WriteDiffHtml(const AssessmentDiff& d);

// ---- shared wording ----------------------------------------------------------------------

// "conform", "nonconform", "not evidenced", "not applicable" (VerdictName without underscores).
std::string VerdictLabel(Verdict v);
// The first sentence of `says`, shortened at a word to at most `max` characters ("…").
std::string ShortStatement(const std::string& says, size_t max = 110);
// "174 requirements: 153 conform, 6 nonconform (0 major, 6 minor, 0 observations), …"
std::string SummaryLine(const Counts& c, int accepted = 0);
// "certification readiness: at risk — 0 predicted majors, 6 predicted minors (2 with a …)"
std::string ReadinessText(const ReadinessLine& r);
// A requirement's message for people: values the evidence does not record read "not recorded"
// rather than "unknown".
std::string HumanMessage(const std::string& message);
// A blocked requirement's reason for a reader (text, HTML): the prerequisite chain by clause
// number and statement, never by requirement id ("5.2.1 “…” is nonconform").
std::string BlockedInWords(const StandardResults& s, const RequirementRow& r);
// The requirements of `s` that `prerequisite` blocks directly.
std::vector<const RequirementRow*> BlockedBy(const StandardResults& s, const RequirementRow& prerequisite);
// Why a requirement is not applicable, for people (the rule's condition is not shown as code).
std::string NotApplicableReason(const RequirementRow& r);
// The action a gap calls for, in words (for action plans).
std::string SuggestedAction(const RequirementRow& r);

}  // namespace conform::runtime
