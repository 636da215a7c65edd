// Internal to the evidence loader: the JSON fast path. A load plan is built once per schema
// (per entity: field names → slots, the required-field mask; per enum: its members), and a
// document is parsed by simdjson's DOM parser (runtime-dispatched kernel) and walked by the plan
// straight into records. Anything the fast path does not handle exactly as the diagnostic
// loader would without a diagnostic makes it give up; the caller then re-runs the document
// through the diagnostic loader (json_loader.cc), so every diagnostic and warning stays its own.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "conform/compiler/schema.h"
#include "conform/runtime/evidence.h"

namespace conform::runtime {

// A name → position table: open addressing over (hash tag, position + 1).
class NameTable {
 public:
  void Build(const std::vector<std::string_view>& names);
  // Position of `s` in the names given to Build, or -1.
  int Find(std::string_view s) const;

 private:
  struct Entry {
    uint32_t tag = 0;
    uint32_t pos1 = 0;  // 0: empty
  };
  std::vector<Entry> table_;
  std::vector<std::string_view> names_;
  uint64_t mask_ = 0;
};

class JsonPlan {
 public:
  struct Field {
    std::string_view name;  // the schema's FieldDef::name
    uint32_t index = 0;     // slot and presence bit
    TypeId type = 0;
  };
  struct Entity {
    std::vector<Field> fields;        // schema order
    NameTable names;                  // name → position in `fields`
    std::vector<uint64_t> required;   // per presence word: the fields that must be present
  };
  explicit JsonPlan(const SchemaModel& schema);
  const SchemaModel& schema() const { return schema_; }
  const Entity& entity(int32_t i) const { return entities_[static_cast<size_t>(i)]; }
  const NameTable& members(int32_t enum_index) const { return enums_[static_cast<size_t>(enum_index)]; }

 private:
  const SchemaModel& schema_;
  std::vector<Entity> entities_;
  std::vector<NameTable> enums_;
};

namespace detail {
// Loads `text` (JSON with at least 64 readable bytes past text.size(): LoadEvidence's padding)
// into `doc` on the fast path. False: the document needs the diagnostic loader (it may have
// a diagnostic, or something the fast path does not do: a `parameters:` mapping, a number in
// a string field, …); `doc` is then partly filled and must be discarded.
bool LoadJsonFast(const JsonPlan& plan, std::string_view text, size_t readable, Document& doc);
}  // namespace detail

}  // namespace conform::runtime
