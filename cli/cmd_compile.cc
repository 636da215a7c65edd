// `conform compile PATH… [--emit ast|ir]`: checks rule files and prints intermediate forms.
// A PATH inside a package (a folder with plugin.toml, or any file in one) compiles the whole
// package with its siblings and the packages it requires; a loose file compiles on its own.
#include <fmt/format.h>

#include <filesystem>

#include "commands.h"
#include "common.h"
#include "conform/compiler/ast.h"
#include "conform/compiler/driver.h"
#include "conform/compiler/ir.h"
#include "conform/compiler/jit.h"
#include "packages.h"

namespace fs = std::filesystem;

namespace conform::cli {

void AddCompile(CLI::App& app, std::function<int()>& run) {
  auto* cmd = app.add_subcommand("compile", "Check Clause rule files or packages and print their AST or IR");
  auto files = std::make_shared<std::vector<std::string>>();
  auto emit = std::make_shared<std::string>("none");
  auto dirs = std::make_shared<std::vector<std::string>>();
  auto opt = std::make_shared<int>(2);
  auto select = std::make_shared<std::vector<std::string>>();
  cmd->add_option("paths", *files, "rule files (.clause), package folders, or files inside a package")->required();
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
      std::vector<std::string> packages;
      for (const auto& f : *files)
        if (std::string pkg = PackageOf(f); !pkg.empty()) packages.push_back(pkg);
      std::unique_ptr<Session> session = OpenPackages(packages, *dirs);
      Session& s = *session;
      for (const auto& f : *files) {
        std::error_code ec;
        if (fs::is_directory(f, ec) && PackageOf(f).empty())
          s.diags().Error("E0601", {}, fmt::format("{} is a folder but not a package (no plugin.toml)", f),
                          "name the .clause files, or add a plugin.toml (see docs/plugins.md)");
        else if (!fs::is_directory(f, ec))
          s.LoadFile(f);  // already loaded with its package, or a loose file
      }
      std::vector<std::shared_ptr<ir::Program>> programs;
      if (select->empty()) {
        programs = s.CompileAll();
      } else if (auto p = s.CompileSelection(*select)) {
        programs.push_back(p);
      }
      PrintDiagnostics(s.diags(), s.sources());
      if (s.diags().HasErrors()) return 2;
      if (*emit == "ast") {
        std::error_code ec;
        for (const auto& f : s.files())
          for (const auto& want : *files) {
            fs::path fp = fs::weakly_canonical(f->path, ec), wp = fs::weakly_canonical(want, ec);
            if (fp == wp || (fs::is_directory(wp, ec) && fp.parent_path() == wp)) fmt::print("{}", ast::Print(*f));
          }
      } else if (*emit == "ir") {
        for (const auto& p : programs) fmt::print("{}", ir::Print(*p));
      } else if (*emit == "llvm") {
        if (!jit::Available()) {
          std::string why = jit::UnavailableReason();
          return UsageError(why.empty() ? "--emit llvm needs the native engine; this build has none (CONFORM_WITH_JIT=OFF)"
                                        : "--emit llvm needs the native engine, which is not available: " + why);
        }
        for (const auto& p : programs) fmt::print("{}", jit::EmitLLVM(*p, *opt));
      } else {
        size_t reqs = 0;
        for (const auto& p : programs) reqs += p->requirements.size();
        size_t nfiles = s.files().size();
        fmt::print(stderr, "ok: {} file{}, {} standard{}, {} requirement{}\n", nfiles, nfiles == 1 ? "" : "s",
                   programs.size(), programs.size() == 1 ? "" : "s", reqs, reqs == 1 ? "" : "s");
      }
      return 0;
    };
  });
}

}  // namespace conform::cli
