// Typed, read-only access to loaded evidence by FIELD NAME, through the schema's record layout
// (compiler/include/conform/compiler/schema.h). For host code that consumes evidence directly
// (the certification lifecycle, reports …) without re-parsing YAML or JSON.
//
//   RecordReader org = RecordReader::Root(schema, doc);
//   for (RecordReader rec : org.List("certification_history").value_or({}))
//     std::optional<int64_t> d = rec.Date("transferred_at");
//
// Every getter returns nullopt when the field is absent (unknown) and also when the entity has
// no such field or the field is of another type; `Has(name)` and `Type(name)` tell these apart.
// A reader never owns memory: it is valid while the Document (and its schema) live.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conform/compiler/calendar.h"
#include "conform/compiler/schema.h"
#include "conform/compiler/strings.h"

namespace conform::runtime {

class Document;

class RecordReader {
 public:
  RecordReader() = default;
  RecordReader(const SchemaModel* schema, const LayeredStrings* strings, const void* record, int entity,
               std::string path);
  // The root record of a loaded document ("$").
  static RecordReader Root(const SchemaModel& schema, Document& doc);

  bool valid() const { return record_ != nullptr && entity_ >= 0; }
  const EntityDef* entity() const;
  const std::string& path() const { return path_; }  // data path, e.g. $.certification_history[0]
  std::string PathOf(std::string_view field) const { return path_ + "." + std::string(field); }

  // The entity declares `field` (whatever its presence).
  bool Declares(std::string_view field) const;
  // The entity declares `field` and this record has a value for it.
  bool Has(std::string_view field) const;
  // The declared type of `field`, or nullopt if the entity has no such field.
  std::optional<TypeId> Type(std::string_view field) const;

  std::optional<bool> Bool(std::string_view field) const;
  std::optional<int64_t> Int(std::string_view field) const;
  std::optional<double> Decimal(std::string_view field) const;
  std::optional<std::string> String(std::string_view field) const;
  std::optional<int64_t> Date(std::string_view field) const;  // days since 1970-01-01
  std::optional<cal::Duration> Duration(std::string_view field) const;
  // An enum field, as its member name.
  std::optional<std::string> Enum(std::string_view field) const;
  // A nested entity.
  std::optional<RecordReader> Record(std::string_view field) const;
  // A list<entity>: nullopt when absent (not evidenced); an empty vector when written `[]`.
  std::optional<std::vector<RecordReader>> List(std::string_view field) const;
  // Element `index` of a list<entity> without materialising the list (constant time): nullopt
  // when the list is absent or shorter.
  std::optional<RecordReader> At(std::string_view field, size_t index) const;
  // A set or list of strings, or of enum members (as names).
  std::optional<std::vector<std::string>> Strings(std::string_view field) const;

 private:
  const FieldDef* Field(std::string_view field, TypeKind kind) const;
  int64_t Slot(const FieldDef& f) const;
  // A present list<entity> field: its elements (null for `[]`) and their entity.
  struct EntityList {
    const Seq* seq;
    int entity;
  };
  std::optional<EntityList> Entities(std::string_view field) const;
  RecordReader Element(const EntityList& l, std::string_view field, size_t i) const;

  const SchemaModel* schema_ = nullptr;
  const LayeredStrings* strings_ = nullptr;
  const void* record_ = nullptr;
  int entity_ = -1;
  std::string path_;
};

}  // namespace conform::runtime
