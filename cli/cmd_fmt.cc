// `conform fmt [--check] PATH…`: the canonical layout of .clause files (cli/fmt.cc). Folders are
// searched for .clause files; `-` formats standard input to standard output.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "commands.h"
#include "common.h"
#include "conform/compiler/ast.h"
#include "conform/compiler/driver.h"
#include "conform/compiler/parser.h"
#include "fmt.h"

namespace fs = std::filesystem;

namespace conform::cli {

namespace {

// The formatted text, verified (fmt_clause::FormatVerified). False with diagnostics printed.
bool FormatChecked(const std::string& path, const std::string& text, std::string& out) {
  SourceManager sm;
  Diagnostics d;
  std::string code;
  if (fmt_clause::FormatVerified(path, text, out, sm, d, code)) return true;
  PrintDiagnostics(d, sm);
  return false;
}

}  // namespace

void AddFmt(CLI::App& app, std::function<int()>& run) {
  struct Opts {
    std::vector<std::string> paths;
    bool check = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("fmt", "Format .clause files in the canonical layout (comments kept)");
  cmd->add_option("paths", o->paths, ".clause files or folders (searched recursively); - for standard input")->required();
  cmd->add_flag("--check", o->check, "change nothing; list the files that are not formatted and exit 1 if any");
  cmd->callback([o, &run] {
    run = [o] {
      if (o->paths.size() == 1 && o->paths[0] == "-") {
        std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>()), out;
        if (!FormatChecked("<stdin>", text, out)) return 2;
        fmt::print("{}", out);
        return o->check && out != text ? 1 : 0;
      }
      std::vector<std::string> files;
      for (const auto& p : o->paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
          for (const auto& e : fs::recursive_directory_iterator(p, ec))
            if (e.is_regular_file() && e.path().extension() == ".clause") files.push_back(e.path().string());
        } else if (fs::exists(p, ec)) {
          files.push_back(p);
        } else {
          return UsageError(fmt::format("no such file or folder: {}", p));
        }
      }
      std::sort(files.begin(), files.end());
      size_t changed = 0;
      bool failed = false;
      for (const auto& f : files) {
        std::string text, err, out;
        if (!ReadFile(f, text, err)) {
          fmt::print(stderr, "error[E0601]: cannot read rule file {}: {}\n", f, err);
          failed = true;
          continue;
        }
        if (!FormatChecked(f, text, out)) {
          failed = true;
          continue;
        }
        if (out == text) continue;
        ++changed;
        if (o->check) {
          fmt::print("{}\n", f);
          continue;
        }
        std::ofstream w(f, std::ios::binary | std::ios::trunc);
        w << out;
        if (!w) {
          fmt::print(stderr, "error[E0601]: cannot write {}\n", f);
          failed = true;
        }
      }
      if (o->check)
        fmt::print(stderr, "{} of {} file{} {}formatted\n", changed ? changed : files.size(), files.size(),
                   files.size() == 1 ? "" : "s", changed ? "not " : "");
      else
        fmt::print(stderr, "formatted {} of {} file{}\n", changed, files.size(), files.size() == 1 ? "" : "s");
      if (failed) return 2;
      return o->check && changed ? 1 : 0;
    };
  });
}

}  // namespace conform::cli
