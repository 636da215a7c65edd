// conform: the command-line tool.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <system_error>

#include "commands.h"
#include "common.h"
#include "output.h"

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
  AddLsp(app, run);
  AddCompletion(app, run);
  AddCache(app, run);
  int status = 2;
  try {
    app.parse(argc, argv);
    try {
      status = run ? run() : 2;
    } catch (const std::system_error& e) {
      // fmt::print throws when a write fails: stdout (E0910) or stderr (nothing left to say).
      if (StdoutFailed()) status = OutputFailure(e.code().value());
      else if (!std::ferror(stderr))
        StderrNoThrow(fmt::format("error[E0900]: internal error: {}\n  = help: please report this with the command "
                                  "that caused it\n", e.what()));
      status = 2;
    } catch (const std::exception& e) {
      StderrNoThrow(fmt::format("error[E0900]: internal error: {}\n  = help: please report this with the command that "
                                "caused it\n", e.what()));
      status = 2;
    }
  } catch (const CLI::CallForHelp& e) {
    status = app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    status = app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    status = app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    status = 2;  // usage errors exit 2, as every other input error
  }
  // Everything is written (or the failure reported): skip the teardown of parser caches, the JIT
  // and the catalogue, which costs a warm `check` several milliseconds and changes nothing.
  std::_Exit(Finish(status));
}
