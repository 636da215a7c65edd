// RecordReader: typed getters by field name over the schema's record layout.
#include "conform/runtime/record_reader.h"

#include <bit>
#include <cstring>

#include "conform/runtime/evidence.h"

namespace conform::runtime {

RecordReader::RecordReader(const SchemaModel* schema, const LayeredStrings* strings, const void* record, int entity,
                           std::string path)
    : schema_(schema), strings_(strings), record_(record), entity_(entity), path_(std::move(path)) {}

RecordReader RecordReader::Root(const SchemaModel& schema, Document& doc) {
  return RecordReader(&schema, &doc.strings(), doc.root(), schema.root, "$");
}

const EntityDef* RecordReader::entity() const {
  if (!schema_ || entity_ < 0 || entity_ >= static_cast<int>(schema_->entities.size())) return nullptr;
  return &schema_->entities[entity_];
}

bool RecordReader::Declares(std::string_view field) const {
  const EntityDef* e = entity();
  return e && e->Find(field) != nullptr;
}

std::optional<TypeId> RecordReader::Type(std::string_view field) const {
  const EntityDef* e = entity();
  if (!e) return std::nullopt;
  const FieldDef* f = e->Find(field);
  if (!f) return std::nullopt;
  return f->type;
}

bool RecordReader::Has(std::string_view field) const {
  const EntityDef* e = entity();
  if (!e || !record_) return false;
  const FieldDef* f = e->Find(field);
  if (!f) return false;
  RecordView v{static_cast<const uint64_t*>(record_)};
  return v.Present(f->index);
}

const FieldDef* RecordReader::Field(std::string_view field, TypeKind kind) const {
  const EntityDef* e = entity();
  if (!e || !record_) return nullptr;
  const FieldDef* f = e->Find(field);
  if (!f || schema_->types.Kind(f->type) != kind) return nullptr;
  RecordView v{static_cast<const uint64_t*>(record_)};
  if (!v.Present(f->index)) return nullptr;
  return f;
}

int64_t RecordReader::Slot(const FieldDef& f) const {
  RecordView v{static_cast<const uint64_t*>(record_)};
  return v.Slot(entity()->presence_words(), f.index);
}

std::optional<bool> RecordReader::Bool(std::string_view field) const {
  const FieldDef* f = Field(field, TypeKind::Bool);
  if (!f) return std::nullopt;
  return Slot(*f) != 0;
}

std::optional<int64_t> RecordReader::Int(std::string_view field) const {
  const FieldDef* f = Field(field, TypeKind::Int);
  if (!f) return std::nullopt;
  return Slot(*f);
}

std::optional<double> RecordReader::Decimal(std::string_view field) const {
  const FieldDef* f = Field(field, TypeKind::Decimal);
  if (!f) return std::nullopt;
  return std::bit_cast<double>(Slot(*f));
}

std::optional<std::string> RecordReader::String(std::string_view field) const {
  const FieldDef* f = Field(field, TypeKind::String);
  if (!f || !strings_) return std::nullopt;
  return std::string(strings_->Get(Slot(*f)));
}

std::optional<int64_t> RecordReader::Date(std::string_view field) const {
  const FieldDef* f = Field(field, TypeKind::Date);
  if (!f) return std::nullopt;
  return Slot(*f);
}

std::optional<cal::Duration> RecordReader::Duration(std::string_view field) const {
  const FieldDef* f = Field(field, TypeKind::Duration);
  if (!f) return std::nullopt;
  return cal::Unpack(Slot(*f));
}

std::optional<std::string> RecordReader::Enum(std::string_view field) const {
  const FieldDef* f = Field(field, TypeKind::Enum);
  if (!f) return std::nullopt;
  const EnumDef& en = schema_->enums[schema_->types[f->type].ref];
  int64_t m = Slot(*f);
  if (m < 0 || m >= static_cast<int64_t>(en.members.size())) return std::nullopt;
  return en.members[m];
}

std::optional<RecordReader> RecordReader::Record(std::string_view field) const {
  const FieldDef* f = Field(field, TypeKind::Entity);
  if (!f) return std::nullopt;
  const void* rec = reinterpret_cast<const void*>(static_cast<intptr_t>(Slot(*f)));
  if (!rec) return std::nullopt;
  return RecordReader(schema_, strings_, rec, schema_->types[f->type].ref, PathOf(field));
}

std::optional<RecordReader::EntityList> RecordReader::Entities(std::string_view field) const {
  const FieldDef* f = Field(field, TypeKind::List);
  if (!f) return std::nullopt;
  TypeId elem = schema_->types[f->type].elem;
  if (schema_->types.Kind(elem) != TypeKind::Entity) return std::nullopt;
  return EntityList{reinterpret_cast<const Seq*>(static_cast<intptr_t>(Slot(*f))), schema_->types[elem].ref};
}

RecordReader RecordReader::Element(const EntityList& l, std::string_view field, size_t i) const {
  const void* rec = reinterpret_cast<const void*>(static_cast<intptr_t>(l.seq->data[i]));
  return RecordReader(schema_, strings_, rec, l.entity, PathOf(field) + "[" + std::to_string(i) + "]");
}

std::optional<std::vector<RecordReader>> RecordReader::List(std::string_view field) const {
  auto l = Entities(field);
  if (!l) return std::nullopt;
  std::vector<RecordReader> out;
  if (!l->seq) return out;
  out.reserve(static_cast<size_t>(l->seq->size));
  for (size_t i = 0; i < static_cast<size_t>(l->seq->size); ++i) out.push_back(Element(*l, field, i));
  return out;
}

std::optional<RecordReader> RecordReader::At(std::string_view field, size_t index) const {
  auto l = Entities(field);
  if (!l || !l->seq || index >= static_cast<size_t>(l->seq->size)) return std::nullopt;
  return Element(*l, field, index);
}

std::optional<std::vector<std::string>> RecordReader::Strings(std::string_view field) const {
  const EntityDef* e = entity();
  if (!e || !record_) return std::nullopt;
  const FieldDef* f = e->Find(field);
  if (!f) return std::nullopt;
  TypeKind k = schema_->types.Kind(f->type);
  if (k != TypeKind::List && k != TypeKind::Set) return std::nullopt;
  RecordView v{static_cast<const uint64_t*>(record_)};
  if (!v.Present(f->index)) return std::nullopt;
  TypeId elem = schema_->types[f->type].elem;
  TypeKind ek = schema_->types.Kind(elem);
  if (ek != TypeKind::String && ek != TypeKind::Enum) return std::nullopt;
  const Seq* seq = reinterpret_cast<const Seq*>(static_cast<intptr_t>(Slot(*f)));
  std::vector<std::string> out;
  if (!seq) return out;
  for (int64_t i = 0; i < seq->size; ++i) {
    int64_t x = seq->data[i];
    if (ek == TypeKind::String) {
      out.emplace_back(strings_->Get(x));
    } else {
      const EnumDef& en = schema_->enums[schema_->types[elem].ref];
      if (x >= 0 && x < static_cast<int64_t>(en.members.size())) out.push_back(en.members[x]);
    }
  }
  return out;
}

}  // namespace conform::runtime
