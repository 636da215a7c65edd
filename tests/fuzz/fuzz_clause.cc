// Fuzz target: the Clause front end — UTF-8 check, lexer and parser (ANTLR), schema building,
// semantic analysis and lowering of every standard in the input. No exception may escape and
// nothing may crash, whatever the bytes (issue 15).
#include <cstdint>
#include <string>

#include "conform/compiler/driver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  conform::Session s({});  // no search path: a `use` of a module is E0205, as with a missing one
  s.LoadText("fuzz.clause", std::string(reinterpret_cast<const char*>(data), size));
  if (!s.diags().HasErrors()) {
    s.Schema();
    if (!s.diags().HasErrors()) s.CompileAll();
  }
  return 0;
}
