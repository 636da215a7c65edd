// conform: the command-line tool.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>

#include "commands.h"
#include "common.h"

int main(int argc, char** argv) {
  using namespace conform::cli;
  CLI::App app{"Conform: machine-checkable conformance to management-system standards", "conform"};
  app.set_version_flag("--version", std::string("conform ") + kVersion);
  app.require_subcommand(1);
  std::function<int()> run;
  AddCheck(app, run);
  AddCompile(app, run);
  AddBuiltins(app, run);
  AddTest(app, run);
  AddCatalogue(app, run);
  AddCertify(app, run);
  AddRegistry(app, run);
  AddDiff(app, run);
  AddExplain(app, run);
  AddNew(app, run);
  AddLint(app, run);
  AddFmt(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;  // usage errors exit 2, as every other input error
  }
  int status = 2;
  try {
    status = run ? run() : 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error[E0900]: internal error: {}\n  = help: please report this with the command that caused it\n", e.what());
    status = 2;
  }
  // Everything is written: skip the teardown of parser caches, the JIT and the catalogue,
  // which costs a warm `check` several milliseconds and changes nothing.
  std::fflush(stdout);
  std::fflush(stderr);
  std::_Exit(status);
}
