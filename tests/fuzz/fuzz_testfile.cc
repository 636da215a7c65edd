// Fuzz target: plugin test files (`conform test`): the YAML test file (yaml-cpp), its evidence
// (inline or a path), expectations and parameters, run against a small standard on the
// interpreter. The input is the text of one `*.test.yaml` of a scratch package.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "conform/runtime/catalogue.h"
#include "conform/runtime/plugin_tests.h"

namespace fs = std::filesystem;

namespace {

const char* kStandard = R"CLAUSE(use core
standard fz "Fuzz" {
  param minimum : int = 2 "fewest employees"
  clause 1 "One" {
    requirement named : major { says "named" pass len(default(name, "")) > 0 else "no name" }
    requirement staffed : minor { says "staffed" depends on named pass employees >= minimum else "{employees}" }
    requirement issues : minor {
      says "issues"
      applies when count(context_issues) > 0
      pass all i in context_issues : i.reviewed_at is present
      else "issue {i.id}"
    }
  }
}
)CLAUSE";

struct Package {
  fs::path root, test;
  Package() {
    root = fs::temp_directory_path() / ("conform-fuzz-testfile-" + std::to_string(::getpid()));
    fs::create_directories(root / "fz" / "tests");
    std::ofstream(root / "fz" / "plugin.toml")
        << "id = \"fz\"\nversion = \"1.0.0\"\ntitle = \"Fuzz\"\nkind = \"standard\"\nlanguage = \"0.2\"\n"
           "[edition]\nname = \"1\"\n[requires]\ncore = \">=1.0\"\n";
    std::ofstream(root / "fz" / "fz.clause") << kStandard;
    std::ofstream(root / "fz" / "tests" / "org.yaml") << "name: Fuzz Ltd\nemployees: 3\n";
    test = root / "fz" / "tests" / "fuzz.test.yaml";
  }
  ~Package() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Package pkg;
  static conform::Diagnostics discovery;
  static conform::runtime::Catalogue catalogue =
      conform::runtime::Catalogue::Discover({pkg.root.string(), CONFORM_SOURCE_DIR "/standards"}, discovery);
  {
    std::ofstream out(pkg.test, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  conform::runtime::TestOptions opts;
  opts.engines = {"interp"};
  opts.use_cache = false;
  conform::runtime::RunPluginTests(catalogue, {pkg.test.string()}, opts);
  return 0;
}
