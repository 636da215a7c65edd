// `conform test [PATH…]`: run the tests that ship with plugins, on both engines, with coverage.
#include <fmt/format.h>

#include <filesystem>

#include "commands.h"
#include "common.h"
#include "conform/embed/engine.h"
#include "conform/runtime/plugin_tests.h"

namespace conform::cli {

void AddTest(CLI::App& app, std::function<int()>& run) {
  struct Opts {
    std::vector<std::string> paths, dirs;
    std::string engine = "both";
    bool require_coverage = false;
    bool no_cache = false;
    bool allow_outside = false;
    std::string cache_dir;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("test", "Run the tests shipped with plugins (default: the whole catalogue)");
  cmd->add_option("paths", o->paths, "package folders or *.test.yaml files");
  cmd->add_option("--plugin-dir", o->dirs, "extra catalogue folder (repeatable)")->allow_extra_args(false);
  cmd->add_option("--engine", o->engine, "both (default), jit or interp")->check(CLI::IsMember({"both", "jit", "interp"}));
  cmd->add_flag("--require-coverage", o->require_coverage,
                "fail unless every requirement of every standard is exercised as conform and as nonconform");
  cmd->add_option("--cache-dir", o->cache_dir, "object cache folder");
  cmd->add_flag("--no-cache", o->no_cache, "do not use the object cache");
  cmd->add_flag("--allow-outside-package", o->allow_outside,
                "let tests read evidence files outside their package (only for packages you trust)");
  cmd->callback([o, &run] {
    run = [o] {
      Diagnostics diags;
      auto catalogue = runtime::Catalogue::Discover(SearchPath(o->dirs), diags);
      runtime::TestOptions to;
      if (o->engine != "both") to.engines = {o->engine};
      to.cache_dir = o->cache_dir;
      to.use_cache = !o->no_cache;
      to.allow_outside_package = o->allow_outside;
      // The built-in catalogue (next to this executable: the source tree, or share/conform when
      // installed) is first-party: its packages may share the distribution's examples.
      for (const auto& dir : embed::SearchPath(embed::CatalogueOptions{{}, /*use_env=*/false, /*use_installed=*/true}))
        to.trusted_roots.push_back(std::filesystem::path(dir).parent_path().string());
      runtime::TestRunReport rep = runtime::RunPluginTests(catalogue, o->paths, to);
      diags.Append(rep.diags);
      for (const auto& f : rep.failures) {
        fmt::print("FAIL {}\n", f.test);
        if (!f.requirement.empty())
          fmt::print("  {}: expected {}, got {}{}\n", f.requirement, f.expected, f.actual,
                     f.engine.empty() ? "" : fmt::format(" ({})", f.engine));
        else
          fmt::print("  expected {}, got {}\n", f.expected, f.actual);
        if (!f.detail.empty()) fmt::print("    {}\n", f.detail);
      }
      bool coverage_ok = true;
      fmt::print("\n{} test{}, {} passed, {} failed\n", rep.tests, rep.tests == 1 ? "" : "s", rep.passed,
                 rep.tests - rep.passed);
      fmt::print("coverage (requirements exercised as conform / nonconform / not evidenced):\n");
      for (const auto& c : rep.coverage) {
        fmt::print("  {:<12} {:>3} requirements, {:>2} test{}: conform {}/{}, nonconform {}/{}, not evidenced {}/{}\n",
                   c.standard, c.requirements, c.tests, c.tests == 1 ? " " : "s", c.Count(Verdict::Conform),
                   c.requirements, c.Count(Verdict::Nonconform), c.requirements, c.Count(Verdict::NotEvidenced),
                   c.requirements);
        auto never_nc = c.Missing(Verdict::Nonconform), never_c = c.Missing(Verdict::Conform);
        auto list = [](const std::vector<std::string>& ids) {
          std::string s;
          for (size_t i = 0; i < ids.size() && i < 8; ++i) s += (i ? ", " : "") + ids[i];
          if (ids.size() > 8) s += fmt::format(", … ({} more)", ids.size() - 8);
          return s;
        };
        if (!never_nc.empty()) fmt::print("    never nonconform: {}\n", list(never_nc));
        if (!never_c.empty()) fmt::print("    never conform: {}\n", list(never_c));
        if (c.tests == 0 || !never_nc.empty() || !never_c.empty()) coverage_ok = false;
      }
      PrintDiagnostics(diags, rep.sources);
      if (diags.HasErrors()) return 2;
      if (!rep.failures.empty()) return 1;
      if (o->require_coverage && !coverage_ok) {
        fmt::print(stderr, "error: coverage incomplete (--require-coverage)\n");
        return 1;
      }
      return 0;
    };
  });
}

}  // namespace conform::cli
