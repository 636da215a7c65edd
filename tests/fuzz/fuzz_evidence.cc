// Fuzz target: the evidence loaders (YAML through libyaml, JSON through simdjson) against the
// catalogue's core and certification schemas. The first byte picks the format.
#include <cstdint>
#include <memory>
#include <string>

#include "conform/compiler/driver.h"
#include "conform/runtime/evidence.h"

namespace {

struct Schema {
  conform::Session session{{CONFORM_SOURCE_DIR "/standards"}};
  std::shared_ptr<const conform::SchemaModel> model;
  Schema() {
    session.LoadModule("core");
    session.LoadModule("certification");
    model = session.Schema();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Schema* schema = new Schema();
  if (size == 0 || !schema->model) return 0;
  conform::runtime::LoadOptions opts;
  const bool json = data[0] & 1;
  opts.format = json ? conform::runtime::EvidenceFormat::Json : conform::runtime::EvidenceFormat::Yaml;
  opts.keep_positions = data[0] & 2;
  conform::SourceManager sm;
  conform::Diagnostics diags;
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  conform::runtime::LoadEvidence(json ? "fuzz.json" : "fuzz.yaml", std::move(text), *schema->model,
                                 schema->session.literals().get(), sm, diags, opts);
  return 0;
}
