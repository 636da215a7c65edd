/* conform_report_conforms() through the C ABI, in C: it is `conform check`'s exit status 0,
 * without deviations, with deviations accepting every gap, and with one gap left open.
 * usage: conforms_test SOURCE_DIR CONFORM_BIN WORK_DIR */
#include <conform/conform.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static int failures = 0;

#define CHECK(cond, ...)                        \
  do {                                          \
    if (!(cond)) {                              \
      fprintf(stderr, "FAILED %s: ", #cond);    \
      fprintf(stderr, __VA_ARGS__);             \
      fprintf(stderr, " (%s)\n", conform_last_error()); \
      ++failures;                               \
    }                                           \
  } while (0)

/* Writes a deviations file accepting ids[skip..n). */
static void write_deviations(const char* path, char ids[][128], size_t n, size_t skip) {
  FILE* f = fopen(path, "w");
  fputs("deviations:\n", f);
  for (size_t i = skip; i < n; ++i)
    fprintf(f, "  - requirement: %s\n    justification: accepted for the test\n    approver: QA lead\n"
               "    accepted_until: 2027-12-31\n", ids[i]);
  fclose(f);
}

/* conform_report_conforms() for `deviations` ("" for none), and the command's exit status. */
static void compare(const conform_rules* rules, const char* evidence_path, const char* bin, const char* deviations,
                    int want) {
  conform_evidence* ev = NULL;
  conform_report* rep = NULL;
  char options[1024], cmd[4096];
  if (conform_evidence_load_file(rules, evidence_path, NULL, &ev) != CONFORM_OK) {
    CHECK(0, "load %s", evidence_path);
    return;
  }
  snprintf(options, sizeof options, "{\"as_of\": \"2026-11-22\", \"deviations\": \"%s\"}", deviations);
  if (conform_evaluate(rules, ev, options, &rep) != CONFORM_OK) {
    CHECK(0, "evaluate with deviations `%s`", deviations);
    conform_evidence_free(ev);
    return;
  }
  int conforms = conform_report_conforms(rep);
  snprintf(cmd, sizeof cmd, "'%s' check '%s' -s iso9001 --as-of 2026-11-22 --engine interp %s%s%s > /dev/null 2>&1",
           bin, evidence_path, *deviations ? "--deviations '" : "", deviations, *deviations ? "'" : "");
  int status = system(cmd);
  int exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  CHECK(conforms == want, "conforms %d, expected %d with deviations `%s`", conforms, want, deviations);
  CHECK(exit_status == (conforms ? 0 : 1), "conform check exits %d but conforms is %d with deviations `%s`",
        exit_status, conforms, deviations);
  printf("deviations %-40s conforms %d, conform check exit %d\n", *deviations ? deviations : "(none)", conforms,
         exit_status);
  conform_report_free(rep);
  conform_evidence_free(ev);
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s SOURCE_DIR CONFORM_BIN WORK_DIR\n", argv[0]);
    return 2;
  }
  char evidence[1024], all[1024], some[1024];
  snprintf(evidence, sizeof evidence, "%s/examples/precision-parts.yaml", argv[1]);
  snprintf(all, sizeof all, "%s/deviations-all.yaml", argv[3]);
  snprintf(some, sizeof some, "%s/deviations-some.yaml", argv[3]);

  conform_engine* engine = NULL;
  conform_rules* rules = NULL;
  const char* ids[] = {"iso9001"};
  if (conform_engine_open(NULL, &engine) != CONFORM_OK ||
      conform_compile(engine, ids, 1, "{\"engine\": \"interp\", \"as_of\": \"2026-11-22\"}", &rules) != CONFORM_OK) {
    fprintf(stderr, "cannot compile iso9001: %s\n", conform_last_error());
    return 1;
  }
  /* The gaps of the example: nonconform and not evidenced requirements. */
  conform_evidence* ev = NULL;
  conform_report* rep = NULL;
  if (conform_evidence_load_file(rules, evidence, NULL, &ev) != CONFORM_OK ||
      conform_evaluate(rules, ev, "{\"as_of\": \"2026-11-22\"}", &rep) != CONFORM_OK) {
    fprintf(stderr, "cannot evaluate %s: %s\n", evidence, conform_last_error());
    return 1;
  }
  static char gaps[512][128];
  size_t n = 0;
  conform_standard st;
  conform_report_standard(rep, 0, &st);
  for (size_t i = 0; i < st.requirement_count && n < 512; ++i) {
    conform_requirement r;
    conform_report_requirement(rep, 0, i, &r);
    if (r.verdict_code == CONFORM_NONCONFORM || r.verdict_code == CONFORM_NOT_EVIDENCED)
      snprintf(gaps[n++], sizeof gaps[0], "%s", r.id);
  }
  conform_report_free(rep);
  conform_evidence_free(ev);
  CHECK(n >= 2, "expected gaps in %s, found %zu", evidence, n);
  write_deviations(all, gaps, n, 0);
  write_deviations(some, gaps, n, 1);

  compare(rules, evidence, argv[2], "", 0);
  compare(rules, evidence, argv[2], all, 1);
  compare(rules, evidence, argv[2], some, 0);

  conform_rules_free(rules);
  conform_engine_free(engine);
  if (failures) fprintf(stderr, "%d failures\n", failures);
  return failures ? 1 : 0;
}
