// Type interning and schema naming.
#include "conform/compiler/schema.h"

#include <fmt/format.h>

namespace conform {

TypeTable::TypeTable() {
  for (TypeKind k : {TypeKind::Error, TypeKind::Bool, TypeKind::Int, TypeKind::Decimal, TypeKind::String,
                     TypeKind::Date, TypeKind::Duration})
    types_.push_back({k, -1, 0});
}

TypeId TypeTable::Intern(TypeInfo t) {
  for (TypeId i = 0; i < types_.size(); ++i)
    if (types_[i].kind == t.kind && types_[i].ref == t.ref && types_[i].elem == t.elem) return i;
  types_.push_back(t);
  return static_cast<TypeId>(types_.size() - 1);
}

int SchemaModel::FindEnum(const std::string& n) const {
  for (size_t i = 0; i < enums.size(); ++i)
    if (enums[i].name == n) return static_cast<int>(i);
  return -1;
}

int SchemaModel::FindEntity(const std::string& n) const {
  for (size_t i = 0; i < entities.size(); ++i)
    if (entities[i].name == n) return static_cast<int>(i);
  return -1;
}

std::string SchemaModel::TypeName(const TypeTable& table, TypeId t) const {
  const TypeInfo& ti = table[t];
  switch (ti.kind) {
    case TypeKind::Error: return "<error>";
    case TypeKind::Bool: return "bool";
    case TypeKind::Int: return "int";
    case TypeKind::Decimal: return "decimal";
    case TypeKind::String: return "string";
    case TypeKind::Date: return "date";
    case TypeKind::Duration: return "duration";
    case TypeKind::Enum: return enums[ti.ref].name;
    case TypeKind::Entity: return entities[ti.ref].name;
    case TypeKind::List: return "list<" + TypeName(table, ti.elem) + ">";
    case TypeKind::Set: return "set<" + TypeName(table, ti.elem) + ">";
  }
  return "?";
}

std::string SchemaModel::Canonical() const {
  std::string out;
  for (const auto& e : enums) {
    out += "enum " + e.name + " {";
    for (const auto& m : e.members) out += " " + m;
    out += " }\n";
  }
  for (size_t i = 0; i < entities.size(); ++i) {
    const auto& e = entities[i];
    out += fmt::format("{} {} {{\n", static_cast<int32_t>(i) == root ? "root" : "entity", e.name);
    for (const auto& f : e.fields) out += fmt::format("  {}: {}{}\n", f.name, TypeName(f.type), f.optional ? "?" : "");
    out += "}\n";
  }
  return out;
}

}  // namespace conform
