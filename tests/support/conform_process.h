// Runs the real `conform` binary for end-to-end tests: exit status, stdout and stderr.
#pragma once
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace conform::testing {

struct Result {
  int status = -1;
  std::string out, err;
};

inline std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A per-process scratch folder named after the test binary.
inline std::filesystem::path ScratchDir(const std::string& name) {
  auto d = std::filesystem::temp_directory_path() / fmt::format("{}-{}", name, getpid());
  std::filesystem::create_directories(d);
  return d;
}

// Runs `bin args` (args already shell-quoted) from `cwd` with `env` assignments prepended,
// capturing its output in `scratch`. A `check` that evaluates with the interpreter under
// --engine auto starts no background native compile here (CONFORM_NO_BACKGROUND_COMPILE=1),
// unless `env` sets that variable itself: a detached compiler writing into a test's cache
// folder while the test inspects it would make tests depend on timing. Likewise the installed
// cache layer (build/share/conform/cache) is off (CONFORM_INSTALL_CACHE=0) unless `env` names
// CONFORM_INSTALL_CACHE: a test's cache folder is then the only cache its run reads.
inline Result RunConform(const std::string& bin, const std::string& cwd, const std::filesystem::path& scratch,
                         const std::string& env, const std::string& args) {
  auto out = scratch / "stdout", err = scratch / "stderr";
  std::string vars = env.find("CONFORM_NO_BACKGROUND_COMPILE") == std::string::npos
                         ? "CONFORM_NO_BACKGROUND_COMPILE=1 " + env : env;
  if (env.find("CONFORM_INSTALL_CACHE") == std::string::npos) vars = "CONFORM_INSTALL_CACHE=0 " + vars;
  std::string cmd = fmt::format("cd '{}' && NO_COLOR=1 {} '{}' {} >'{}' 2>'{}'", cwd, vars, bin, args, out.string(),
                                err.string());
  int rc = std::system(cmd.c_str());
  Result r;
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.out = Slurp(out);
  r.err = Slurp(err);
  return r;
}

}  // namespace conform::testing
