// Evaluates one organization's evidence with the C++ API and prints one line per requirement
// ("STANDARD CLAUSE ID VERDICT [GRADE]") and a summary per standard.
// Usage: conform_embed_cpp EVIDENCE YYYY-MM-DD STANDARD...
#include <conform/conform.hpp>

#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: " << argv[0] << " EVIDENCE YYYY-MM-DD STANDARD...\n";
    return 2;
  }
  auto engine = conform::Engine::Open();  // the installed catalogue and $CONFORM_PLUGIN_PATH
  if (!engine) {
    std::cerr << engine.error().message << "\n";
    return 2;
  }
  conform::CompileOptions co;
  co.as_of = argv[2];
  auto rules = engine->Compile(std::vector<std::string>(argv + 3, argv + argc), co);
  if (!rules) {
    std::cerr << rules.error().message << "\n";
    return 2;
  }
  auto evidence = rules->LoadFile(argv[1]);
  if (!evidence) {
    std::cerr << evidence.error().message << "\n";
    return 2;
  }
  conform::EvalOptions eo;
  eo.as_of = argv[2];
  auto report = rules->Evaluate(*evidence, eo);
  if (!report) {
    std::cerr << report.error().message << "\n";
    return 2;
  }
  for (const conform::StandardResult& s : report->standards()) {
    for (const conform::Finding& f : s.findings)
      std::cout << s.id << ' ' << f.clause << ' ' << f.id << ' ' << f.verdict << (f.grade.empty() ? "" : " " + f.grade)
                << '\n';
    const conform::Summary& n = s.summary;
    std::cout << s.id << " summary: " << n.requirements << " requirements, " << n.conform << " conform, "
              << n.nonconform << " nonconform, " << n.not_evidenced << " not evidenced, " << n.not_applicable
              << " not applicable, " << n.blocked << " blocked\n";
  }
  return report->conforms() ? 0 : 1;
}
