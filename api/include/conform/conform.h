/* conform.h — the stable C ABI of libconform (see docs/embedding.md).
 *
 * Handles are opaque. Every call that can fail returns a conform_status; on failure
 * conform_last_error() gives a readable message (and conform_last_diagnostics_json() the
 * diagnostics as a JSON array) for the calling thread, until its next call. Strings returned
 * through `char**` are owned by the caller and freed with conform_free(); `const char*`
 * fields and results stay valid as long as the handle they came from.
 *
 * Threads: an engine and a rule set may be shared by any number of threads; evidence and
 * reports belong to one thread at a time (evaluating one evidence handle from two threads is
 * safe but serialized).
 *
 * Options are JSON objects (NULL or "" for the defaults); unknown keys are errors (E1204). */
#ifndef CONFORM_CONFORM_H
#define CONFORM_CONFORM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define CONFORM_API __attribute__((visibility("default")))
#else
#define CONFORM_API
#endif

/* Bumped on any incompatible change of this header. */
#define CONFORM_ABI_VERSION 2

typedef enum conform_status {
  CONFORM_OK = 0,
  CONFORM_ERROR_ARGUMENT = 1,  /* a NULL handle, an index out of range, malformed options JSON */
  CONFORM_ERROR_CATALOGUE = 2, /* unknown standard, bad plugin, dependency problem */
  CONFORM_ERROR_COMPILE = 3,   /* the rules do not compile */
  CONFORM_ERROR_EVIDENCE = 4,  /* the evidence cannot be read or does not fit the schema */
  CONFORM_ERROR_PARAMETER = 5, /* a parameter override is invalid */
  CONFORM_ERROR_INTERNAL = 9
} conform_status;

/* Verdict codes; conform_requirement.verdict holds the name, which is authoritative. */
typedef enum conform_verdict {
  CONFORM_CONFORM = 0,
  CONFORM_NONCONFORM = 1,
  CONFORM_NOT_EVIDENCED = 2,
  CONFORM_NOT_APPLICABLE = 3,
  CONFORM_BLOCKED = 4 /* a prerequisite (`depends on`) does not conform: not assessed */
} conform_verdict;

typedef struct conform_engine conform_engine;     /* an open catalogue */
typedef struct conform_rules conform_rules;       /* compiled standards; immutable */
typedef struct conform_evidence conform_evidence; /* one loaded organization */
typedef struct conform_report conform_report;     /* the result of one evaluation */

CONFORM_API int conform_abi_version(void);     /* CONFORM_ABI_VERSION of the library */
CONFORM_API const char* conform_version(void); /* "0.1.0" */
CONFORM_API int conform_has_jit(void);         /* 0 in an interpreter-only build */
CONFORM_API const char* conform_last_error(void);            /* "" after a success */
CONFORM_API const char* conform_last_diagnostics_json(void); /* "[]" after a success */
CONFORM_API void conform_free(void* p);

/* Opens the catalogue. options: {"plugin_dirs": [..], "use_env": true, "use_installed": true}
 * ($CONFORM_PLUGIN_PATH, and the catalogue installed with the library). */
CONFORM_API conform_status conform_engine_open(const char* options_json, conform_engine** out);
CONFORM_API void conform_engine_free(conform_engine* engine);
/* The standards, extensions and schema modules found, as a JSON array. */
CONFORM_API conform_status conform_engine_catalogue_json(const conform_engine* engine, char** out_json);

/* Compiles standards ("iso9001", "iso9001@2015"). options: {"engine": "jit"|"interp",
 * "cache": true, "cache_dir": "…", "as_of": "YYYY-MM-DD" (picks current editions)}. */
CONFORM_API conform_status conform_compile(const conform_engine* engine, const char* const* standards, size_t count,
                                           const char* options_json, conform_rules** out);
CONFORM_API void conform_rules_free(conform_rules* rules);
CONFORM_API size_t conform_rules_standard_count(const conform_rules* rules);
CONFORM_API const char* conform_rules_standard(const conform_rules* rules, size_t index);
CONFORM_API const char* conform_rules_engine(const conform_rules* rules); /* "jit" or "interp" */

/* Evidence. options: {"format": "auto"|"yaml"|"json", "strict": false, "positions": true}.
 * "positions": false keeps no evidence lines for findings, and JSON then loads through the
 * batch's fast path (verdicts and messages are the same). `name` labels diagnostics (e.g. the
 * file it came from); NULL: "<string>". */
CONFORM_API conform_status conform_evidence_load_file(const conform_rules* rules, const char* path,
                                                      const char* options_json, conform_evidence** out);
CONFORM_API conform_status conform_evidence_load_string(const conform_rules* rules, const char* text, size_t length,
                                                        const char* name, const char* options_json,
                                                        conform_evidence** out);
CONFORM_API void conform_evidence_free(conform_evidence* evidence);
/* Loading warnings (unknown fields …) as a JSON array. */
CONFORM_API conform_status conform_evidence_diagnostics_json(const conform_evidence* evidence, char** out_json);

/* Evaluates every standard of `rules`. options: {"as_of": "YYYY-MM-DD"|"today",
 * "params": {"iso9001.audit_interval": "6 months", "x.set": ["a", "b"]}, "explain": true,
 * "deviations": "accepted.yaml" (accepted deviations, as `conform check --deviations`: a file
 * that cannot be read or names an unknown requirement is CONFORM_ERROR_EVIDENCE, E1101–E1105;
 * expired entries are ignored with W1101 in conform_report_diagnostics_json)}. */
CONFORM_API conform_status conform_evaluate(const conform_rules* rules, conform_evidence* evidence,
                                            const char* options_json, conform_report** out);
CONFORM_API void conform_report_free(conform_report* report);
/* 1 when the report has no open gap, exactly when `conform check` (with the same
 * --deviations) exits 0: every requirement conforms or is not applicable, or is nonconform /
 * not evidenced and covered by an accepted deviation in force (the "deviations" option); and
 * no requirement is blocked. Accepted gaps stay nonconform / not evidenced in the verdicts and
 * summaries. 0 otherwise, and for NULL. */
CONFORM_API int conform_report_conforms(const conform_report* report);
/* The report as `conform check --format json` prints it. */
CONFORM_API conform_status conform_report_json(const conform_report* report, char** out_json);
/* The report as `conform check` prints it (color: 0 or 1). */
CONFORM_API conform_status conform_report_text(const conform_report* report, int color, char** out_text);
/* The report in any text format of `conform check --format`: text, json, html, junit, sarif,
 * oscal, csv, md. */
CONFORM_API conform_status conform_report_render(const conform_report* report, const char* format, char** out);

typedef struct conform_summary {
  int requirements, conform, nonconform, major, minor, observation, not_evidenced, not_applicable;
  int blocked; /* since ABI 2: a prerequisite (`depends on`) does not conform; requirements is the sum of
                 conform, nonconform, not_evidenced, not_applicable and blocked */
} conform_summary;

typedef struct conform_standard {
  const char* id;
  const char* title;
  const char* edition;
  size_t requirement_count;
  size_t clause_count;
  conform_summary summary;
} conform_standard;

typedef struct conform_requirement {
  const char* id;
  const char* clause;
  const char* verdict;  /* conform | nonconform | not_evidenced | not_applicable | blocked */
  int verdict_code;     /* conform_verdict */
  const char* grade;    /* major | minor | observation when nonconform, else NULL */
  const char* says;     /* what the requirement asks, in the rule's words */
  const char* message;  /* the reason, or "" */
  const char* witness;  /* evidence path of the first failing element, or "" */
  size_t fact_count;
} conform_requirement;

typedef struct conform_fact {
  const char* expr;
  const char* value;
  const char* path; /* evidence path, or "" */
} conform_fact;

typedef struct conform_clause {
  const char* number;
  const char* title;
  int depth;
  const char* verdict; /* the worst verdict of its requirements and sub-clauses */
  int verdict_code;
  conform_summary counts;
} conform_clause;

CONFORM_API size_t conform_report_standard_count(const conform_report* report);
CONFORM_API conform_status conform_report_standard(const conform_report* report, size_t standard,
                                                   conform_standard* out);
CONFORM_API conform_status conform_report_requirement(const conform_report* report, size_t standard, size_t index,
                                                      conform_requirement* out);
CONFORM_API conform_status conform_report_fact(const conform_report* report, size_t standard, size_t requirement,
                                               size_t index, conform_fact* out);
CONFORM_API conform_status conform_report_clause(const conform_report* report, size_t standard, size_t index,
                                                 conform_clause* out);
/* Warnings of the evaluation (edition withdrawn …) as a JSON array. */
CONFORM_API conform_status conform_report_diagnostics_json(const conform_report* report, char** out_json);

/* `conform check --batch`: NDJSON in (one organization per line), one JSON record per input
 * line out, in input order; a line that cannot be loaded gives an error record and never stops
 * the batch. options: {"as_of", "params", "threads": 0 (all cores), "first_line": 1,
 * "source_name": "<batch>"}. */
typedef struct conform_batch_stats {
  size_t lines, ok, errors, not_conforming;
  double seconds;
} conform_batch_stats;
CONFORM_API conform_status conform_check_batch(const conform_rules* rules, const char* ndjson, size_t length,
                                               const char* options_json, char** out_ndjson,
                                               conform_batch_stats* stats /* nullable */);

/* ---- certification (`conform certify`) ----
 * The lifecycle of the evidence's `certification_history` records for one standard (state,
 * timeline, next deadlines, irregularities, by ISO/IEC 17021-1 and the IAF mandatory documents),
 * the readiness for stage 1 and for stage 2 / the decision gate (predicted from the standard's
 * verdicts) and, for a multi-site organization, the IAF MD 1 sampling plan. The rules must come
 * from a catalogue with the `certification` schema module (the installed one has it).
 * options: {"standard": "iso9001" (default: the rule set's only standard), "as_of", "params",
 * "sites": N (plan for N sites instead of the evidence's in-scope sites), "risk_increase": N,
 * "met": ["legal_link", …], "not_met": [..] (IAF MD 1 conditions), "rules": false (list the
 * timing rules)}. Errors: E1208 (standard not in the rule set), E1209 (unknown condition), E1210
 * (sites or risk_increase out of range), E1001–E1004 (the records: CONFORM_ERROR_EVIDENCE). */
typedef struct conform_certification conform_certification;
CONFORM_API conform_status conform_certify(const conform_rules* rules, conform_evidence* evidence,
                                           const char* options_json, conform_certification** out);
/* Without evidence (`conform certify --sites N` / `--rules`): the sampling plan for "sites"
 * sites and/or the timing rules; the other options as above ("standard" only labels it). */
CONFORM_API conform_status conform_certify_plan(const char* options_json, conform_certification** out);
CONFORM_API void conform_certification_free(conform_certification* certification);
/* 1 when the certification is active with nothing overdue: the last record of the standard
 * that was neither transferred away nor empty is active and none of its deadlines is overdue.
 * This is `conform certify`'s exit status 0 (1 otherwise). 0 for a plan. */
CONFORM_API int conform_certification_active(const conform_certification* certification);
/* As `conform certify --format json` prints it. */
CONFORM_API conform_status conform_certification_json(const conform_certification* certification, char** out_json);
/* As `conform certify` prints it: color 0 or 1; at most max_items per readiness list (0 = all;
 * the command shows 12, `--all` 0). */
CONFORM_API conform_status conform_certification_text(const conform_certification* certification, int color,
                                                      size_t max_items, char** out_text);
typedef struct conform_certification_summary {
  const char* standard;
  const char* state;  /* of the current record (the last one neither transferred away nor empty;
                         else the last one): none | applied | refused | stage1 | stage2 | findings_open |
                         decision_pending | active | suspended | expired | withdrawn | transferred */
  const char* stage1; /* readiness: ready | at_risk | not_ready | not_assessed */
  const char* stage2; /* stage 2 / the decision gate, same names */
  size_t records, deadlines, overdue, irregularities; /* over the standard's records */
  int sampling_sites; /* n of the sampling plan; 0 without one */
  int active;         /* conform_certification_active() */
} conform_certification_summary;
CONFORM_API conform_status conform_certification_summary_get(const conform_certification* certification,
                                                             conform_certification_summary* out);

#ifdef __cplusplus
}
#endif
#endif /* CONFORM_CONFORM_H */
