/* Evaluates one organization's evidence with the C ABI and prints one line per requirement
 * ("STANDARD CLAUSE ID VERDICT [GRADE]") and a summary per standard.
 * Usage: conform_embed_c EVIDENCE YYYY-MM-DD STANDARD... */
#include <conform/conform.h>
#include <stdio.h>

static int fail(const char* what) {
  fprintf(stderr, "%s: %s\n", what, conform_last_error());
  return 2;
}

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s EVIDENCE YYYY-MM-DD STANDARD...\n", argv[0]);
    return 2;
  }
  if (conform_abi_version() != CONFORM_ABI_VERSION) {
    fprintf(stderr, "libconform ABI %d, this program was built for %d\n", conform_abi_version(), CONFORM_ABI_VERSION);
    return 2;
  }
  char options[64];
  snprintf(options, sizeof options, "{\"as_of\": \"%.10s\"}", argv[2]);

  conform_engine* engine = NULL;
  conform_rules* rules = NULL;
  conform_evidence* evidence = NULL;
  conform_report* report = NULL;
  int status = 2;
  if (conform_engine_open(NULL, &engine) != CONFORM_OK) return fail("catalogue");
  if (conform_compile(engine, (const char* const*)(argv + 3), (size_t)(argc - 3), options, &rules) != CONFORM_OK) {
    status = fail("compile");
  } else if (conform_evidence_load_file(rules, argv[1], NULL, &evidence) != CONFORM_OK) {
    status = fail("evidence");
  } else if (conform_evaluate(rules, evidence, options, &report) != CONFORM_OK) {
    status = fail("evaluate");
  } else {
    for (size_t s = 0; s < conform_report_standard_count(report); ++s) {
      conform_standard st;
      conform_report_standard(report, s, &st);
      for (size_t i = 0; i < st.requirement_count; ++i) {
        conform_requirement r;
        conform_report_requirement(report, s, i, &r);
        printf("%s %s %s %s%s%s\n", st.id, r.clause, r.id, r.verdict, r.grade ? " " : "", r.grade ? r.grade : "");
      }
      printf("%s summary: %d requirements, %d conform, %d nonconform, %d not evidenced, %d not applicable, %d blocked\n",
             st.id, st.summary.requirements, st.summary.conform, st.summary.nonconform, st.summary.not_evidenced,
             st.summary.not_applicable, st.summary.blocked);
    }
    status = conform_report_conforms(report) ? 0 : 1;
  }
  conform_report_free(report);
  conform_evidence_free(evidence);
  conform_rules_free(rules);
  conform_engine_free(engine);
  return status;
}
