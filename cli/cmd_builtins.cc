// `conform builtins`: the builtin reference, generated from the registry.
#include <fmt/format.h>

#include "commands.h"
#include "conform/compiler/builtins.h"

namespace conform::cli {

void AddBuiltins(CLI::App& app, std::function<int()>& run) {
  auto* cmd = app.add_subcommand("builtins", "Print the reference of builtin functions (Markdown)");
  cmd->callback([&run] {
    run = [] {
      fmt::print("{}", BuiltinRegistry::Default().Markdown());
      return 0;
    };
  });
}

}  // namespace conform::cli
