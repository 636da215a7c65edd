// Test support: a loaded evidence document and its diagnostics as text, so two loads (the JSON
// fast path and the diagnostic loader) can be compared exactly — every record slot and presence
// bit, string ids with their text, list and set order, parameters, and every diagnostic field.
#pragma once
#include <cstdint>
#include <string>

#include "conform/compiler/diagnostics.h"
#include "conform/compiler/schema.h"
#include "conform/runtime/evidence.h"

namespace conform::testing {

inline void DumpValue(const SchemaModel& s, runtime::Document& d, TypeId t, int64_t slot, std::string& out);

inline void DumpRecord(const SchemaModel& s, runtime::Document& d, int32_t entity, const void* record, std::string& out) {
  const EntityDef& e = s.entities[static_cast<size_t>(entity)];
  const auto* rec = static_cast<const uint64_t*>(record);
  out += e.name + "{";
  for (uint32_t w = 0; w < e.presence_words(); ++w) out += "p" + std::to_string(rec[w]) + " ";
  const auto* slots = reinterpret_cast<const int64_t*>(rec + e.presence_words());
  for (const FieldDef& f : e.fields) {
    if (!((rec[f.index / 64] >> (f.index % 64)) & 1)) {
      if (slots[f.index] != 0) out += f.name + ":<slot set without presence> ";
      continue;
    }
    out += f.name + "=";
    DumpValue(s, d, f.type, slots[f.index], out);
    out += " ";
  }
  out += "}";
}

inline void DumpValue(const SchemaModel& s, runtime::Document& d, TypeId t, int64_t slot, std::string& out) {
  const TypeInfo& ti = s.types[t];
  switch (ti.kind) {
    case TypeKind::Entity:
      DumpRecord(s, d, ti.ref, reinterpret_cast<const void*>(slot), out);
      return;
    case TypeKind::List:
    case TypeKind::Set: {
      const auto* seq = reinterpret_cast<const Seq*>(slot);
      out += ti.kind == TypeKind::Set ? "set[" : "list[";
      for (int64_t i = 0; i < seq->size; ++i) {
        DumpValue(s, d, ti.elem, seq->data[i], out);
        out += ",";
      }
      out += "]";
      return;
    }
    case TypeKind::String:
      out += "#" + std::to_string(slot) + ":\"" + std::string(d.strings().Get(slot)) + "\"";
      return;
    default:
      out += std::to_string(slot);
      return;
  }
}

// The whole document: root record, then parameters.
inline std::string DumpDocument(const SchemaModel& s, runtime::Document* d) {
  if (!d) return "<no document>";
  if (!d->root()) return "<no root>";
  std::string out;
  DumpRecord(s, *d, s.root, d->root(), out);
  for (const auto& p : d->parameters()) {
    out += "\nparam " + p.name + "=" + p.text + " seq=" + std::to_string(p.is_sequence) + " path=" + p.data_path +
           " span=" + std::to_string(p.span.begin) + "-" + std::to_string(p.span.end);
    for (const auto& i : p.items) out += " item=" + i;
  }
  return out;
}

inline std::string DumpDiagnostics(const Diagnostics& diags) {
  std::string out;
  for (const Diagnostic& x : diags.items()) {
    out += (x.severity == Severity::Error ? "error " : "warning ") + x.code + " [" + std::to_string(x.span.begin) +
           "," + std::to_string(x.span.end) + ") " + x.path + " " + x.data_path + ": " + x.message + " | " + x.help;
    for (const Label& n : x.notes) out += " | note [" + std::to_string(n.span.begin) + "] " + n.message;
    out += "\n";
  }
  return out;
}

}  // namespace conform::testing
