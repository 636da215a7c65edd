// Fuzz target: certificate registry import (JSON through simdjson On Demand, CSV), the row
// checks and the transaction, into a scratch SQLite registry. The first byte picks the format.
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <string>

#include "conform/runtime/registry.h"

namespace rg = conform::runtime::registry;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<rg::Registry> reg = [] {
    conform::Diagnostics d;
    std::string path = "/tmp/conform-fuzz-registry-" + std::to_string(::getpid()) + ".sqlite";
    ::unlink(path.c_str());
    auto r = rg::Registry::Open(path, /*create=*/true, d);
    ::unlink(path.c_str());  // the open handle keeps it; nothing is left behind
    return r;
  }();
  if (size == 0 || !reg) return 0;
  const bool json = data[0] & 1;
  conform::SourceManager sm;
  conform::Diagnostics diags;
  reg->Import(json ? "fuzz.json" : "fuzz.csv", std::string(reinterpret_cast<const char*>(data) + 1, size - 1),
              json ? rg::ImportFormat::Json : rg::ImportFormat::Csv, sm, diags);
  return 0;
}
