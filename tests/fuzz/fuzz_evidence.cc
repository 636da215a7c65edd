// Fuzz target: the evidence loaders (YAML through libyaml, JSON through simdjson) against the
// catalogue's core and certification schemas. The first byte picks the format. JSON is loaded
// twice, by the diagnostic loader alone and with the JSON fast path's plan (which falls back to
// it): the records and the diagnostics must be the same.
#include <cstdint>
#include <memory>
#include <string>

#include "conform/compiler/driver.h"
#include "conform/runtime/evidence.h"
#include "../support/evidence_dump.h"

namespace {

struct Schema {
  conform::Session session{{CONFORM_SOURCE_DIR "/standards"}};
  std::shared_ptr<const conform::SchemaModel> model;
  std::shared_ptr<const conform::runtime::JsonPlan> plan;
  Schema() {
    session.LoadModule("core");
    session.LoadModule("certification");
    model = session.Schema();
    if (model) plan = conform::runtime::MakeJsonPlan(*model);
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
  auto doc = conform::runtime::LoadEvidence(json ? "fuzz.json" : "fuzz.yaml", text, *schema->model,
                                            schema->session.literals().get(), sm, diags, opts);
  if (json) {
    conform::SourceManager sm2;
    conform::Diagnostics diags2;
    opts.json_plan = schema->plan.get();
    auto fast = conform::runtime::LoadEvidence("fuzz.json", std::move(text), *schema->model,
                                               schema->session.literals().get(), sm2, diags2, opts);
    using conform::testing::DumpDiagnostics, conform::testing::DumpDocument;
    if (DumpDocument(*schema->model, doc.get()) != DumpDocument(*schema->model, fast.get()) ||
        DumpDiagnostics(diags) != DumpDiagnostics(diags2))
      __builtin_trap();  // the fast path and the diagnostic loader disagree
  }
  return 0;
}
