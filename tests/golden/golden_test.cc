// Golden diagnostics: compiles every tests/golden/diagnostics/NAME.clause the way
// `conform compile NAME.clause` does (working directory = the golden folder, so paths in the
// output are relative) and compares the rendered diagnostics with NAME.expected.
// With CONFORM_UPDATE_GOLDENS=1 it rewrites NAME.expected instead of comparing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "conform/compiler/diagnostics.h"
#include "conform/compiler/driver.h"

namespace fs = std::filesystem;

namespace conform {
namespace {

std::string GoldenDir() {
  if (const char* env = std::getenv("CONFORM_GOLDEN_DIR")) return env;
  return CONFORM_GOLDEN_DIR;
}

bool Updating() {
  const char* env = std::getenv("CONFORM_UPDATE_GOLDENS");
  return env && std::string(env) == "1";
}

std::vector<std::string> Goldens() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(GoldenDir(), ec))
    if (e.is_regular_file() && e.path().extension() == ".clause") out.push_back(e.path().stem().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A first line `// select: a b` compiles that selection as one program, the way
// `conform compile FILE -s a -s b` (and `conform check -s a -s b`) does.
std::vector<std::string> Selection(const std::string& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> out;
  const std::string tag = "// select:";
  if (line.compare(0, tag.size(), tag) != 0) return out;
  std::istringstream ss(line.substr(tag.size()));
  for (std::string id; ss >> id;) out.push_back(id);
  return out;
}

// What `conform compile FILE` prints on stderr, without color.
std::string CompileLikeTheCli(const std::string& file) {
  Session s({std::string(CONFORM_SOURCE_DIR) + "/standards"});
  s.LoadFile(file);
  std::vector<std::string> select = Selection(file);
  std::vector<std::shared_ptr<ir::Program>> programs;
  if (select.empty()) programs = s.CompileAll();
  else if (auto p = s.CompileSelection(select)) programs.push_back(p);
  std::string out;
  if (!s.diags().empty()) out += RenderAll(s.diags(), s.sources(), /*color=*/false);
  if (!s.diags().HasErrors()) {
    size_t reqs = 0;
    for (const auto& p : programs) reqs += p->requirements.size();
    out += "ok: 1 file, " + std::to_string(programs.size()) + (programs.size() == 1 ? " standard, " : " standards, ") +
           std::to_string(reqs) + (reqs == 1 ? " requirement\n" : " requirements\n");
  }
  return out;
}

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, Diagnostics) {
  const std::string name = GetParam();
  const fs::path dir = GoldenDir();
  fs::current_path(dir);  // relative paths in the output, as in `cd diagnostics && conform compile …`
  const std::string actual = CompileLikeTheCli(name + ".clause");
  const fs::path expected_path = dir / (name + ".expected");

  // Each golden holds one deliberate error, named by the file: e0301_… must report E0301.
  std::string code = name.substr(0, name.find('_'));
  std::transform(code.begin(), code.end(), code.begin(), [](unsigned char c) { return std::toupper(c); });
  if (code.size() == 5 && (code[0] == 'E' || code[0] == 'W')) {
    EXPECT_NE(actual.find("[" + code + "]"), std::string::npos) << name << ".clause does not report " << code << ":\n" << actual;
  }

  if (Updating()) {
    std::ofstream(expected_path, std::ios::binary) << actual;
    std::cout << "updated " << expected_path.string() << "\n";
    return;
  }
  ASSERT_TRUE(fs::exists(expected_path)) << expected_path.string()
                                         << " is missing; run with CONFORM_UPDATE_GOLDENS=1 to create it. Actual output:\n"
                                         << actual;
  EXPECT_EQ(ReadAll(expected_path), actual) << "golden " << name
                                            << " differs; if the new output is right, rerun with CONFORM_UPDATE_GOLDENS=1";
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string out;
  for (char c : info.param) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

INSTANTIATE_TEST_SUITE_P(Goldens, Golden, ::testing::ValuesIn(Goldens()), TestName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Golden);

// Every .expected belongs to a .clause (a renamed golden leaves no stale file behind).
TEST(GoldenFolder, NoOrphanExpectations) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(GoldenDir(), ec))
    if (e.path().extension() == ".expected") {
      fs::path clause = e.path();
      clause.replace_extension(".clause");
      EXPECT_TRUE(fs::exists(clause)) << e.path().string() << " has no " << clause.filename().string();
    }
}

TEST(GoldenFolder, HasGoldens) { EXPECT_GE(Goldens().size(), 12u); }

}  // namespace
}  // namespace conform
