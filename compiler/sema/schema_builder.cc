// Builds the evidence schema from `schema` blocks: enums, entities, extensions, field types, the root.
#include <fmt/format.h>

#include <unordered_map>

#include "conform/compiler/sema.h"

namespace conform::sema {
namespace {

const std::vector<std::string> kScalarNames = {"bool", "int", "decimal", "string", "date", "duration"};

class SchemaBuilder {
 public:
  SchemaBuilder(SchemaModel& m, Diagnostics& d) : m_(m), diags_(d) {}

  TypeId Resolve(const ast::TypeRef& t) {
    static const std::unordered_map<std::string, TypeId> kScalars = {
        {"bool", TypeTable::kBool}, {"int", TypeTable::kInt}, {"decimal", TypeTable::kDecimal},
        {"string", TypeTable::kString}, {"date", TypeTable::kDate}, {"duration", TypeTable::kDuration}};
    if (t.name == "list" || t.name == "set") {
      if (!t.arg) {
        diags_.Error("E0302", t.span, fmt::format("`{}` needs an element type", t.name),
                     fmt::format("write `{}<string>` or `{}<document>`", t.name, t.name));
        return TypeTable::kError;
      }
      if (t.arg->optional) {
        diags_.Error("E0302", t.arg->span, "collection elements cannot be optional",
                     "make the collection optional instead: `list<x>?`");
      }
      TypeId elem = Resolve(*t.arg);
      if (elem == TypeTable::kError) return elem;
      TypeKind ek = m_.types.Kind(elem);
      if (ek == TypeKind::List || ek == TypeKind::Set) {
        diags_.Error("E0302", t.arg->span, "collections of collections are not supported",
                     "wrap the inner collection in an entity");
        return TypeTable::kError;
      }
      if (t.name == "set") {
        if (ek == TypeKind::Entity || ek == TypeKind::Decimal || ek == TypeKind::Duration) {
          diags_.Error("E0302", t.arg->span, fmt::format("`set<{}>` is not supported", m_.TypeName(elem)),
                       ek == TypeKind::Entity ? "use `list<…>` for entities" : "sets hold strings, ints, dates, bools or enums");
          return TypeTable::kError;
        }
        return m_.types.Set(elem);
      }
      return m_.types.List(elem);
    }
    if (t.arg) {
      diags_.Error("E0302", t.span, fmt::format("type `{}` takes no type argument", t.name));
      return TypeTable::kError;
    }
    auto it = kScalars.find(t.name);
    if (it != kScalars.end()) return it->second;
    int e = m_.FindEnum(t.name);
    if (e >= 0) return m_.types.Enum(e);
    int en = m_.FindEntity(t.name);
    if (en >= 0) return m_.types.Entity(en);
    std::vector<std::string> cands = kScalarNames;
    cands.push_back("list");
    cands.push_back("set");
    for (const auto& x : m_.enums) cands.push_back(x.name);
    for (const auto& x : m_.entities) cands.push_back(x.name);
    std::string near = ClosestMatch(t.name, cands);
    diags_.Error("E0203", t.span, fmt::format("unknown type `{}`", t.name),
                 near.empty() ? "declare it as an `entity` or `enum` in a schema" : fmt::format("did you mean `{}`?", near));
    return TypeTable::kError;
  }

  void Build(const std::vector<const ast::File*>& files) {
    std::unordered_map<std::string, Span> names;
    auto claim = [&](const std::string& name, Span span, const char* what) {
      auto [it, fresh] = names.emplace(name, span);
      if (!fresh) {
        auto& d = diags_.Error("E0204", span, fmt::format("duplicate definition of {} `{}`", what, name),
                               "rename one of them");
        d.notes.push_back({it->second, "first defined here"});
      }
      return fresh;
    };
    for (const ast::File* f : files)
      for (const auto& s : f->schemas) {
        for (const auto& e : s.enums) {
          if (!claim(e.name, e.span, "enum")) continue;
          EnumDef def{e.name, {}, e.span};
          std::unordered_map<std::string, Span> seen;
          for (const auto& [m, span] : e.members) {
            if (!seen.emplace(m, span).second) {
              diags_.Error("E0204", span, fmt::format("duplicate member `{}` in enum `{}`", m, e.name));
              continue;
            }
            def.members.push_back(m);
          }
          m_.enums.push_back(std::move(def));
        }
        for (const auto& e : s.entities) {
          if (e.kind == ast::EntityDecl::Extend) continue;
          if (!claim(e.name, e.name_span, "entity")) continue;
          EntityDef def;
          def.name = e.name;
          def.span = e.name_span;
          def.module = s.name;
          if (e.kind == ast::EntityDecl::Root) {
            def.is_root = true;
            if (m_.root >= 0) {
              auto& d = diags_.Error("E0204", e.name_span,
                                     fmt::format("a second root entity `{}` (the root is `{}`)", e.name,
                                                 m_.entities[m_.root].name),
                                     "declare other entities with `entity`, or add fields with `extend`");
              d.notes.push_back({m_.entities[m_.root].span, "root declared here"});
            } else {
              m_.root = static_cast<int32_t>(m_.entities.size());
            }
          }
          m_.entities.push_back(std::move(def));
        }
      }
    // Fields after all names are known, so entities may refer to each other in any order.
    for (const ast::File* f : files)
      for (const auto& s : f->schemas)
        for (const auto& e : s.entities) {
          int idx = m_.FindEntity(e.name);
          if (idx < 0) {
            if (e.kind == ast::EntityDecl::Extend) {
              std::vector<std::string> cands;
              for (const auto& x : m_.entities) cands.push_back(x.name);
              std::string near = ClosestMatch(e.name, cands);
              diags_.Error("E0203", e.name_span, fmt::format("cannot extend unknown entity `{}`", e.name),
                           near.empty() ? "" : fmt::format("did you mean `{}`?", near));
            }
            continue;
          }
          if (e.kind != ast::EntityDecl::Extend && (m_.entities[idx].span.begin != e.name_span.begin || m_.entities[idx].span.file != e.name_span.file)) continue;
          for (const auto& fd : e.fields) {
            EntityDef& def = m_.entities[idx];
            if (def.by_name.count(fd.name)) {
              auto& d = diags_.Error("E0204", fd.span,
                                     fmt::format("duplicate field `{}` in entity `{}`", fd.name, def.name));
              d.notes.push_back({def.fields[def.by_name[fd.name]].span, "first defined here"});
              continue;
            }
            FieldDef field;
            field.name = fd.name;
            field.type = Resolve(fd.type);
            field.optional = fd.type.optional;
            field.doc = fd.doc;
            field.span = fd.span;
            field.index = static_cast<uint32_t>(def.fields.size());
            def.by_name[fd.name] = field.index;
            def.fields.push_back(std::move(field));
          }
        }
  }

 private:
  SchemaModel& m_;
  Diagnostics& diags_;
};

}  // namespace

std::shared_ptr<SchemaModel> BuildSchema(const std::vector<const ast::File*>& files, const SourceManager& sm,
                                         Diagnostics& diags) {
  auto m = std::make_shared<SchemaModel>();
  SchemaBuilder b(*m, diags);
  b.Build(files);
  return m;
}

}  // namespace conform::sema
