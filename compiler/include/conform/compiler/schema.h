// Types and the compiled evidence schema, with the record layout both engines read.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "conform/compiler/source.h"

namespace conform {

// Hashes std::string and std::string_view alike, so a map keyed by std::string can be searched
// with a view (no std::string built per lookup).
struct TransparentStringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

enum class TypeKind : uint8_t { Error, Bool, Int, Decimal, String, Date, Duration, Enum, Entity, List, Set };

using TypeId = uint32_t;

struct TypeInfo {
  TypeKind kind = TypeKind::Error;
  int32_t ref = -1;     // enum or entity index
  TypeId elem = 0;      // List / Set element
};

// Interned types: equal types have equal ids. A schema's table is frozen once the schema is
// built (it is shared, read by every thread); a program's table starts as a copy of it and takes
// the types that checking the program creates (ir::Program::types).
class TypeTable {
 public:
  static constexpr TypeId kError = 0, kBool = 1, kInt = 2, kDecimal = 3, kString = 4, kDate = 5, kDuration = 6;
  TypeTable();
  TypeId Enum(int32_t idx) { return Intern({TypeKind::Enum, idx, 0}); }
  TypeId Entity(int32_t idx) { return Intern({TypeKind::Entity, idx, 0}); }
  TypeId List(TypeId elem) { return Intern({TypeKind::List, -1, elem}); }
  TypeId Set(TypeId elem) { return Intern({TypeKind::Set, -1, elem}); }
  const TypeInfo& operator[](TypeId id) const { return types_[id]; }
  TypeKind Kind(TypeId id) const { return types_[id].kind; }
  size_t size() const { return types_.size(); }
  // For the compiled-program cache: the table as it is, and back.
  const std::vector<TypeInfo>& raw() const { return types_; }
  void Restore(std::vector<TypeInfo> types) { types_ = std::move(types); }

 private:
  TypeId Intern(TypeInfo t);
  std::vector<TypeInfo> types_;
};

struct EnumDef {
  std::string name;
  std::vector<std::string> members;
  Span span;
  int Find(std::string_view m) const {
    for (size_t i = 0; i < members.size(); ++i)
      if (members[i] == m) return static_cast<int>(i);
    return -1;
  }
};

// A record of an entity is laid out as
//   uint64_t presence[presence_words];  // bit i set: field i present
//   int64_t  slot[fields.size()];       // one 8-byte slot per field
// Slot encodings: bool 0/1; int; decimal (double bits); date (days since 1970-01-01);
// duration (packed months/days, see calendar.h); enum (member index); string (interned id);
// entity (const Record*); list and set (const Seq*). Sets hold sorted unique values.
struct FieldDef {
  std::string name;
  TypeId type = 0;
  bool optional = false;
  std::string doc;
  Span span;
  uint32_t index = 0;  // slot number and presence bit
};

struct EntityDef {
  std::string name;
  std::vector<FieldDef> fields;
  std::unordered_map<std::string, uint32_t, TransparentStringHash, std::equal_to<>> by_name;  // name -> field index
  Span span;
  bool is_root = false;
  std::string module;
  uint32_t presence_words() const { return static_cast<uint32_t>((fields.size() + 63) / 64); }
  uint32_t slot_offset(uint32_t field) const { return 8 * (presence_words() + field); }
  uint32_t size_bytes() const { return 8 * (presence_words() + static_cast<uint32_t>(fields.size())); }
  const FieldDef* Find(std::string_view n) const {
    auto it = by_name.find(n);
    return it == by_name.end() ? nullptr : &fields[it->second];
  }
};

struct SchemaModel {
  TypeTable types;
  std::vector<EnumDef> enums;
  std::vector<EntityDef> entities;
  int32_t root = -1;

  int FindEnum(const std::string& n) const;
  int FindEntity(const std::string& n) const;
  std::string TypeName(TypeId t) const { return TypeName(types, t); }
  // The name of `t` in `table`, a table that extends this schema's (a program's, ir::Program::types).
  std::string TypeName(const TypeTable& table, TypeId t) const;
  // A stable text of the whole schema (names, types, order) for cache keys and `--emit`.
  std::string Canonical() const;
};

// Runtime views of evidence memory, shared by the interpreter, the JIT helpers and the loader.
struct Seq {
  int64_t size;
  const int64_t* data;
};

struct RecordView {
  const uint64_t* base;
  bool Present(uint32_t field) const { return (base[field / 64] >> (field % 64)) & 1; }
  int64_t Slot(uint32_t presence_words, uint32_t field) const {
    return reinterpret_cast<const int64_t*>(base)[presence_words + field];
  }
};

}  // namespace conform
