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
// capturing its output in `scratch`.
inline Result RunConform(const std::string& bin, const std::string& cwd, const std::filesystem::path& scratch,
                         const std::string& env, const std::string& args) {
  auto out = scratch / "stdout", err = scratch / "stderr";
  std::string cmd = fmt::format("cd '{}' && NO_COLOR=1 {} '{}' {} >'{}' 2>'{}'", cwd, env, bin, args, out.string(),
                                err.string());
  int rc = std::system(cmd.c_str());
  Result r;
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.out = Slurp(out);
  r.err = Slurp(err);
  return r;
}

}  // namespace conform::testing
