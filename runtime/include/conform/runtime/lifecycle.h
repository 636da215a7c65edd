// The certification lifecycle of one organization × standard × certification body
// (ISO/IEC 17021-1:2015 + IAF mandatory documents): the state as of a date, the timeline that
// led there, what is due next, and the irregularities in the recorded history. The timing
// rules are data (TimingRules()), each with its source. See docs/certification.md.
//
// Three attestation kinds are kept apart everywhere (docs/certification.md):
//   - a first-party self-declaration (ISO/IEC 17050-1 style): no audit, no certificate body;
//   - third-party certification of a management system by a certification body (ISO/IEC
//     17021-1) — "registration" by a "registrar" in North-American usage. This file is about it;
//   - accreditation of a conformity-assessment body by an accreditation body (ISO/IEC 17011).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conform/compiler/calendar.h"
#include "conform/compiler/diagnostics.h"
#include "conform/compiler/ir.h"
#include "conform/compiler/schema.h"
#include "conform/runtime/sampling.h"

namespace conform::runtime {
class Document;
struct StandardReport;
class RecordReader;
}  // namespace conform::runtime

namespace conform::runtime::lifecycle {

using Date = int64_t;  // days since 1970-01-01

// ---- attestation kinds ------------------------------------------------------------------------

enum class Attestation { SelfDeclaration, Certification, Accreditation };
const char* AttestationName(Attestation a);   // self_declaration | certification | accreditation
const char* AttestationLabel(Attestation a);  // "third-party certification (ISO/IEC 17021-1)" …
const char* AttestationBasis(Attestation a);  // ISO/IEC 17050-1 | ISO/IEC 17021-1 | ISO/IEC 17011
// The other names of an attestation kind ("registration (North America)" for certification …).
std::vector<std::string> AttestationAliases(Attestation a);

// The normative documents that set requirements for conformity-assessment bodies (a body is
// *accredited* to them, or an accreditation body peer-evaluated against them), as data with
// their sources: ISO/IEC 17021-1, 17021-2/-3, ISO/IEC 27006-1, ISO/TS 22003-1, ISO 50003,
// ISO/IEC 17025, 17020, 17065, 17024, 17043, ISO 17034, ISO/IEC 17029, ISO 14065, ISO 15189,
// ISO/IEC 17011 … Matched by the standard's key (registry::StandardKey: "ISO/IEC 27006-1" =
// "iso27006_1"), never by the digits in its name.
struct BodyStandard {
  const char* name;     // ISO/IEC 27006-1
  const char* aliases;  // other names, ';'-separated ("ISO/IEC 27006:2015" editions, catalogue ids)
  const char* bodies;   // who meets it: "certification bodies (ISMS)", "laboratories" …
  const char* source;
};
const std::vector<BodyStandard>& BodyStandards();
// What conformity to a standard leads to: Accreditation for a standard in BodyStandards(),
// Certification for every other (management-system) standard (iso9001, "ISO/IEC 27001" …).
Attestation AttestationFor(const std::string& standard);

// ---- timing rules, as data ------------------------------------------------------------------

enum class Basis { Normative, IafMandatory, Practice };
const char* BasisName(Basis b);  // normative | iaf_mandatory | practice

// How a limit is counted from its anchor (docs/certification.md, "Conventions"):
//   Deadline — "within N of D": the act is in time on or before D + N (the limit day counts);
//   Period   — "N from D" as a validity period starting on D: its last day is the day before the
//              anniversary D + N (29 February's anniversary in a common year is 1 March), so a
//              3-year cycle decided 2023-03-15 runs through 2026-03-14.
enum class LimitKind { Deadline, Period };

struct TimingRule {
  const char* id;          // T5, T8a … (numbering of iso-domain.md §9.3)
  const char* key;         // major_verification, first_surveillance …
  const char* summary;     // the rule in plain words
  const char* anchor;      // what the limit counts from
  cal::Duration limit;     // {0, 0}: no fixed limit (the rule is an ordering or a condition)
  const char* source;      // ISO/IEC 17021-1:2015 9.6.2.2 …
  Basis basis;
  LimitKind kind = LimitKind::Deadline;
};

// Every rule the lifecycle applies, in a stable order.
const std::vector<TimingRule>& TimingRules();
// The rule with this id; the first rule if there is none (ids are compile-time constants).
const TimingRule& Rule(std::string_view id);
// The last day that is in time. Deadline: anchor + limit (calendar arithmetic, month ends clamp:
// 2019-08-31 + 6 months = 2020-02-29). Period: the day before the anniversary anchor + limit.
Date LimitDate(const TimingRule& r, Date anchor);
// The last day of a 3-year certification cycle (T6) that starts on `start` (a certification
// decision): LimitDate(Rule("T6"), start). 2023-03-15 → 2026-03-14; 2020-02-29 → 2023-02-28.
Date CycleLastDay(Date start);
// The last day of the cycle that continues one ending on `old_expiry` (recertification,
// restore: "based on the old expiry", 17021-1 9.6.3.2): CycleLastDay(old_expiry + 1).
// 2026-03-14 → 2029-03-14; 2025-02-28 → 2028-02-29.
Date ContinuedCycleLastDay(Date old_expiry);
// An act on `when` is in time when when <= LimitDate(anchor): the limit day itself counts.
bool InTime(const TimingRule& r, Date anchor, Date when);

// ---- the certification history, as read from the evidence -------------------------------------

enum class AuditKind { Stage1, Stage2, Surveillance, Recertification, Special, TransferReview };
enum class Grade { Major, Minor, Observation };
enum class Outcome { Grant, Refuse, Recertify, Restore, Suspend, Reinstate, Withdraw, ReduceScope, ExtendScope, AcceptTransfer };
enum class StatusChange { Suspended, Reinstated, Withdrawn, Restored, ScopeReduced, ScopeExtended };
const char* AuditKindName(AuditKind k);
const char* GradeName(Grade g);
const char* OutcomeName(Outcome o);
const char* StatusChangeName(StatusChange c);

struct Application {
  std::string id;
  Date submitted = 0;
  std::optional<Date> reviewed;
  std::optional<bool> accepted;
  std::string path;
};

struct Audit {
  std::string id;
  AuditKind kind = AuditKind::Stage1;
  Date start = 0;
  std::optional<Date> end;  // absent while the audit is not completed
  std::vector<std::string> sites, team;
  std::optional<std::string> lead_auditor;
  std::optional<bool> ready_for_stage2;
  std::string path;
};

struct Finding {
  std::string id, audit_id, statement;
  Grade grade = Grade::Minor;
  Date raised = 0;
  std::optional<std::string> clause;
  std::optional<Date> correction_accepted, action_accepted, correction_verified, action_verified, closed;
  std::string path;
  // The CB verified correction and corrective action (both dates; or closed_at).
  std::optional<Date> Verified() const;
  // The CB accepted the corrective-action plan (or verified it, or closed the finding).
  std::optional<Date> PlanAccepted() const;
};

struct Decision {
  std::string id, decided_by;
  Date decided = 0;
  Outcome outcome = Outcome::Grant;
  std::vector<std::string> audit_ids;
  std::optional<std::string> certificate, reason;
  std::optional<Date> until;
  std::string path;
};

struct StatusEvent {
  StatusChange kind = StatusChange::Suspended;
  Date at = 0;
  std::optional<Date> until;
  std::optional<std::string> reason;
  std::string path;
};

struct Certificate {
  std::string number;
  Date issued = 0;
  std::optional<Date> effective_from, original;
  Date expiry = 0;
  std::optional<std::string> edition;
  std::vector<StatusEvent> status;
  std::string path;
};

struct History {
  std::string id, standard, certification_body;
  std::optional<std::string> edition, accreditation_body, transferred_from, transferred_to;
  std::optional<bool> accredited, multi_site, sites_legally_linked, sites_similar_processes;
  std::optional<Date> transferred_at;
  std::vector<Application> applications;
  std::vector<Audit> audits;
  std::vector<Finding> findings;
  std::vector<Decision> decisions;
  std::vector<Certificate> certificates;
  std::string path;
};

// Reads `certification_history` of the document's root through the schema (module
// `certification`). Errors (Diagnostic::path = evidence_path, data_path set):
//   E1001 the schema has no `certification_history` (module `certification` not loaded)
//   E1002 a period that ends before it starts (audit end < start, certificate expiry <= issue,
//         a finding accepted or verified before it was raised)
//   E1003 a reference to an id that the record does not hold (finding.audit_id, decision.audit_ids)
//   E1004 an id or certificate number repeated within one record
// Returns the histories read (also when some are invalid: check diags.HasErrors()).
std::vector<History> ReadHistories(const SchemaModel& schema, Document& doc, const std::string& evidence_path,
                                   Diagnostics& diags);
// The same for one `certification_record` (tests, other callers).
History ReadHistory(const RecordReader& record, const std::string& evidence_path, Diagnostics& diags);

// ---- the state machine --------------------------------------------------------------------

enum class State {
  None, Applied, Refused, Stage1, Stage2, FindingsOpen, DecisionPending, Active, Suspended, Expired, Withdrawn,
  Transferred
};
const char* StateName(State s);   // none, applied, refused, stage1, stage2, findings_open, … transferred
const char* StateLabel(State s);  // "stage 1", "findings open", …

struct TimelineEntry {
  Date date = 0;
  std::string event;
  State state = State::None;  // the state after the event
  std::string rule;           // the timing rule that produced or judged it, if any
  std::string path;           // evidence data path, for recorded events
  bool derived = false;       // computed from a timing rule (an expiry, a missed surveillance)
};

enum class DueStatus { Due, Overdue };
const char* DueStatusName(DueStatus s);

struct Deadline {
  std::string rule;  // T8b …
  std::string what;
  Date due = 0;      // the last day that is in time
  DueStatus status = DueStatus::Due;
};

struct Irregularity {
  std::string rule;
  Date date = 0;
  std::string message;
  std::string path;
};

struct Status {
  State state = State::None;
  std::vector<std::string> reasons;
  std::vector<TimelineEntry> timeline;   // by date
  std::vector<Deadline> deadlines;       // open obligations, by due date
  std::vector<Irregularity> irregularities;
  std::optional<Date> initial_decision;  // the grant that started the certification
  std::optional<Date> cycle_start;       // the decision that started the current cycle
  std::optional<Date> expiry;            // of the current cycle
  std::string certificate;               // current certificate number, if known
  std::optional<Date> suspended_until;   // while suspended: the date set to resolve it
  bool cycle_initial = false;            // the current cycle is the initial one (T8a applies)
  bool start_year_counts = false;        // the current cycle's first calendar year needs a surveillance
  // A transfer continued the cycle of this record (IAF MD 2): its id, body and the transfer day.
  std::string continues_record, continues_body;
  std::optional<Date> continues_since;
};

// What a record that accepts a certification by transfer continues (IAF MD 2): the cycle of the
// record it was transferred from, as of the day before the transfer.
struct Continuation {
  std::string from_record, from_body;
  Date transferred = 0;           // the day the old record transferred it (or the acceptance)
  State state = State::Active;    // the old record's state the day before
  Date cycle_start = 0, expiry = 0;
  std::optional<Date> initial_decision, suspended_until;
  bool cycle_initial = false, start_year_counts = false;
  std::string certificate;
  std::vector<std::pair<AuditKind, Date>> audits;  // completed audits of the old record (kind, last day)
};

// The lifecycle as of `as_of`: only what happened on or before it counts. `from`: the cycle a
// transfer continues (EvaluateAll links records; null = none known).
Status Evaluate(const History& h, Date as_of, const Continuation* from = nullptr);

// Every record of one organization, in order: a record that accepted a transfer (its
// `transferred_from` names the old record's certification body, or the old record's
// `transferred_to` names its body; same standard) continues the old record's cycle.
std::vector<Status> EvaluateAll(const std::vector<History>& hs, Date as_of);

// Year-by-year surveillance obligations of one cycle, exposed for tests: years Y with
// start_year < Y < expiry_year — and the start year itself when `start_year_counts` (cycles
// started by a recertification or a restore) — need a surveillance audit ending in Y, unless a
// recertification audit ended in Y (17021-1 9.6.2.2: the exemption follows the audit, not the
// decision).
std::vector<int> SurveillanceYears(Date cycle_start, Date expiry, bool start_year_counts = false);

// ---- readiness (a prediction from the standard's verdicts) ------------------------------------

enum class Readiness { Ready, AtRisk, NotReady, NotAssessed };
const char* ReadinessName(Readiness r);   // ready | at_risk | not_ready | not_assessed
const char* ReadinessLabel(Readiness r);  // "ready" | "at risk" | "not ready"

struct ReadinessItem {
  std::string clause, requirement, grade, message;
  bool planned = false;  // minors: an open nonconformity with a dated corrective action covers it
};

struct GateReadiness {
  Readiness verdict = Readiness::Ready;
  std::string summary;
  std::vector<ReadinessItem> majors, minors, not_evidenced;
  // Requirements that cannot be assessed until a prerequisite conforms (`depends on`): the
  // gate is not ready while any remains.
  std::vector<ReadinessItem> blocked;
  int minors_planned = 0;
  std::vector<std::string> recorded;  // blocking findings recorded by the CB (not a prediction)
};

struct ReadinessReport {
  std::vector<std::pair<std::string, std::string>> stage1_clauses;  // (clause, topic) actually found
  GateReadiness stage1, stage2;
};

// The documentation-level clauses checked for stage 1 (harmonized-structure numbers).
const std::vector<std::pair<std::string, std::string>>& Stage1Clauses();

// Stage 1 (harmonized-structure standards only; otherwise not assessed): predicted majors in
// the documentation-level clauses → not ready; minors or not
// evidenced there → at risk. Stage 2 / decision gate: any predicted major, or a recorded major
// not verified → not ready; minors without a corrective-action plan, recorded minors without an
// accepted plan, or requirements not evidenced → at risk. `history` may be null.
ReadinessReport AssessReadiness(const ir::Program& program, const StandardReport& report, const RecordReader& root,
                                const History* history, Date as_of);

// ---- the report of `conform certify` ------------------------------------------------------

struct RecordReport {
  History history;
  Status status;
};

struct CertifyReport {
  std::string standard, title, edition, evidence;
  Date as_of = 0;
  std::vector<RecordReport> records;        // the certification records of this standard
  std::optional<ReadinessReport> readiness;
  std::optional<sampling::Plan> sampling;
  std::string sampling_origin;              // where n and the conditions came from
  Attestation attestation = Attestation::Certification;  // AttestationFor(standard)
  bool show_rules = false;                  // list every timing rule with its source
};

struct RenderOptions {
  bool color = false;
  size_t max_items = 12;  // readiness lists in text: at most this many per list (0 = all)
};

std::string RenderText(const CertifyReport& r, const RenderOptions& opts = {});
std::string RenderJson(const CertifyReport& r);
// The timing rules, one per line / as a JSON array.
std::string RenderRulesText();
std::string RenderSamplingText(const sampling::Plan& p, const std::string& origin);

}  // namespace conform::runtime::lifecycle
