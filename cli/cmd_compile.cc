// `conform compile FILE… [--emit ast|ir]`: checks rule files and prints intermediate forms.
#include <fmt/format.h>

#include "commands.h"
#include "common.h"
#include "conform/compiler/ast.h"
#include "conform/compiler/driver.h"
#include "conform/compiler/ir.h"
#include "conform/compiler/jit.h"

namespace conform::cli {

void AddCompile(CLI::App& app, std::function<int()>& run) {
  auto* cmd = app.add_subcommand("compile", "Check Clause rule files and print their AST or IR");
  auto files = std::make_shared<std::vector<std::string>>();
  auto emit = std::make_shared<std::string>("none");
  auto dirs = std::make_shared<std::vector<std::string>>();
  auto opt = std::make_shared<int>(2);
  auto select = std::make_shared<std::vector<std::string>>();
  cmd->add_option("files", *files, "rule files (.clause)")->required();
  cmd->add_option("--emit", *emit, "what to print: none, ast, ir, llvm (optimised LLVM IR)")
      ->check(CLI::IsMember({"none", "ast", "ir", "llvm"}))
      ->capture_default_str();
  cmd->add_option("--plugin-dir", *dirs, "extra catalogue folder for `use`")
      ->allow_extra_args(false);
  cmd->add_option("-s,--standard", *select,
                  "compile only these standards/extensions, several extensions of one base as one program (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--opt-level", *opt, "optimisation level of --emit llvm (0-3)")->check(CLI::Range(0, 3))->capture_default_str();
  cmd->callback([=, &run] {
    run = [=] {
      Session s(SearchPath(*dirs));
      for (const auto& f : *files) s.LoadFile(f);
      std::vector<std::shared_ptr<ir::Program>> programs;
      if (select->empty()) {
        programs = s.CompileAll();
      } else if (auto p = s.CompileSelection(*select)) {
        programs.push_back(p);
      }
      PrintDiagnostics(s.diags(), s.sources());
      if (s.diags().HasErrors()) return 2;
      if (*emit == "ast") {
        for (const auto& f : s.files())
          for (const auto& want : *files)
            if (f->path == want) fmt::print("{}", ast::Print(*f));
      } else if (*emit == "ir") {
        for (const auto& p : programs) fmt::print("{}", ir::Print(*p));
      } else if (*emit == "llvm") {
        for (const auto& p : programs) fmt::print("{}", jit::EmitLLVM(*p, *opt));
      } else {
        size_t reqs = 0;
        for (const auto& p : programs) reqs += p->requirements.size();
        fmt::print(stderr, "ok: {} file{}, {} standard{}, {} requirement{}\n", files->size(), files->size() == 1 ? "" : "s",
                   programs.size(), programs.size() == 1 ? "" : "s", reqs, reqs == 1 ? "" : "s");
      }
      return 0;
    };
  });
}

}  // namespace conform::cli
