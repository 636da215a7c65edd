// `conform test`: runs the tests shipped with plugins on both engines, with coverage.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "conform/compiler/diagnostics.h"
#include "conform/compiler/evaluate.h"
#include "conform/runtime/catalogue.h"

namespace conform::runtime {

struct TestFailure {
  std::string test;         // file: name
  std::string requirement;  // clause/id, or "" for a test-level error
  std::string expected, actual, engine;
  std::string detail;       // message and deciding values
};

struct StandardCoverage {
  std::string standard;
  size_t requirements = 0;
  size_t tests = 0;
  // requirement id → verdicts seen over all tests
  std::map<std::string, std::set<Verdict>> seen;
  size_t Count(Verdict v) const;
  std::vector<std::string> Missing(Verdict v) const;  // requirement ids never seen with v
  std::vector<std::string> ids;                      // in declaration order
};

struct TestRunReport {
  size_t tests = 0, passed = 0;
  std::vector<TestFailure> failures;
  std::vector<StandardCoverage> coverage;
  Diagnostics diags;  // errors that prevented tests from running (exit 2)
  SourceManager sources;
};

struct TestOptions {
  std::vector<std::string> engines = {"interp", "jit"};
  std::string cache_dir;
  bool use_cache = true;
  // A test's `evidence:` file must lie inside its package (symbolic links resolved), else E0913;
  // true lifts the confinement (`conform test --allow-outside-package`).
  bool allow_outside_package = false;
  // Distributions trusted as a whole: a package inside one of these folders (the built-in
  // catalogue's source tree or install prefix) may read evidence anywhere inside it, e.g. the
  // shared examples/ of the source tree. Every other package is confined to its own folder.
  std::vector<std::string> trusted_roots;
};

// `paths`: package folders or *.test.yaml files; empty = every package of the catalogue.
TestRunReport RunPluginTests(const Catalogue& catalogue, const std::vector<std::string>& paths, const TestOptions& opts);

}  // namespace conform::runtime
