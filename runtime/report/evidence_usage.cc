// Evidence usage: which pieces of evidence served which clauses of which standards.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "conform/compiler/interp.h"
#include "conform/compiler/rt_helpers.h"
#include "conform/runtime/report.h"

namespace conform::runtime {
namespace {

struct Piece {
  std::string path, label;
  std::map<std::string, std::vector<std::string>> served;
};

class Indexer {
 public:
  Indexer(const SchemaModel& m, Document& doc) : m_(m), doc_(doc) {}

  // Every record reachable from the root, mapped to the top-level piece that holds it.
  void Build() {
    const EntityDef& root = m_.entities[m_.root];
    RecordView rv{static_cast<const uint64_t*>(doc_.root())};
    for (const FieldDef& f : root.fields) {
      if (!rv.Present(f.index)) continue;
      const TypeInfo& t = m_.types[f.type];
      int64_t slot = rv.Slot(root.presence_words(), f.index);
      if (t.kind == TypeKind::Entity) {
        Add(fmt::format("$.{}", f.name), reinterpret_cast<const void*>(slot), t.ref);
      } else if (t.kind == TypeKind::List && m_.types.Kind(t.elem) == TypeKind::Entity) {
        const Seq* s = reinterpret_cast<const Seq*>(slot);
        for (int64_t i = 0; i < s->size; ++i)
          Add(fmt::format("$.{}[{}]", f.name, i), reinterpret_cast<const void*>(s->data[i]), m_.types[t.elem].ref);
      }
    }
  }

  std::map<const void*, size_t> owner;  // record → piece
  std::vector<Piece> pieces;

 private:
  void Add(std::string path, const void* rec, int32_t entity) {
    size_t id = pieces.size();
    pieces.push_back({std::move(path), Label(rec, entity), {}});
    Walk(rec, entity, id, 0);
  }
  std::string Label(const void* rec, int32_t entity) {
    const EntityDef& e = m_.entities[entity];
    RecordView rv{static_cast<const uint64_t*>(rec)};
    for (const char* name : {"id", "code", "number", "name"}) {
      const FieldDef* f = e.Find(name);
      if (f && m_.types.Kind(f->type) == TypeKind::String && rv.Present(f->index))
        return std::string(doc_.strings().Get(rv.Slot(e.presence_words(), f->index)));
    }
    return {};
  }
  void Walk(const void* rec, int32_t entity, size_t piece, int depth) {
    if (depth > 64 || !owner.emplace(rec, piece).second) return;
    const EntityDef& e = m_.entities[entity];
    RecordView rv{static_cast<const uint64_t*>(rec)};
    for (const FieldDef& f : e.fields) {
      if (!rv.Present(f.index)) continue;
      const TypeInfo& t = m_.types[f.type];
      int64_t slot = rv.Slot(e.presence_words(), f.index);
      if (t.kind == TypeKind::Entity) {
        Walk(reinterpret_cast<const void*>(slot), t.ref, piece, depth + 1);
      } else if (t.kind == TypeKind::List && m_.types.Kind(t.elem) == TypeKind::Entity) {
        const Seq* s = reinterpret_cast<const Seq*>(slot);
        for (int64_t i = 0; i < s->size; ++i) Walk(reinterpret_cast<const void*>(s->data[i]), m_.types[t.elem].ref, piece, depth + 1);
      }
    }
  }
  const SchemaModel& m_;
  Document& doc_;
};

}  // namespace

std::vector<EvidenceUse> EvidenceUsage(const std::vector<const ir::Program*>& programs, Document& doc, int64_t as_of,
                                       const std::vector<const ParamValues*>& params) {
  std::vector<EvidenceUse> out;
  if (programs.empty() || !doc.root()) return out;
  Indexer index(*programs[0]->schema, doc);
  index.Build();
  for (size_t k = 0; k < programs.size(); ++k) {
    const ir::Program& p = *programs[k];
    EvalInput in;
    in.root = doc.root();
    in.strings = &doc.strings();
    in.as_of = as_of;
    in.params = params[k];
    in.explain = false;
    auto used = interp::TraceUsage(p, in);
    for (size_t r = 0; r < used.size(); ++r)
      for (const void* rec : used[r]) {
        auto it = index.owner.find(rec);
        if (it == index.owner.end()) continue;  // the root itself
        auto& clauses = index.pieces[it->second].served[p.standard];
        clauses.push_back(p.requirements[r].clause);
      }
  }
  for (auto& piece : index.pieces) {
    EvidenceUse u{piece.path, piece.label, {}};
    for (auto& [standard, clauses] : piece.served) {
      std::sort(clauses.begin(), clauses.end(), [](const std::string& x, const std::string& y) { return NaturalLess(x, y); });
      clauses.erase(std::unique(clauses.begin(), clauses.end()), clauses.end());
      u.served.push_back({standard, clauses});
    }
    out.push_back(std::move(u));
  }
  return out;
}

std::string RenderEvidenceText(const std::vector<EvidenceUse>& uses, bool color) {
  size_t served = 0, shared = 0;
  for (const auto& u : uses) {
    served += !u.served.empty();
    shared += u.served.size() > 1;
  }
  std::string out = fmt::format("\n{}Evidence served{}: {} of {} pieces of evidence served a requirement; {} served several standards\n",
                                color ? "\033[1m" : "", color ? "\033[0m" : "", served, uses.size(), shared);
  for (const auto& u : uses) {
    if (u.served.empty()) continue;
    std::string line = fmt::format("  {}{}", u.path, u.label.empty() ? "" : " (" + u.label + ")");
    std::string by;
    for (const auto& [standard, clauses] : u.served) {
      by += by.empty() ? "" : " · ";
      by += standard;
      for (const auto& c : clauses) by += " " + c;
    }
    out += line + "\n      " + by + "\n";
  }
  std::string unused;
  size_t n_unused = 0;
  for (const auto& u : uses)
    if (u.served.empty() && n_unused++ < 12) unused += (unused.empty() ? "" : ", ") + u.path;
  if (n_unused) out += fmt::format("  not used by any requirement: {}{}\n", unused, n_unused > 12 ? fmt::format(", … ({} more)", n_unused - 12) : "");
  return out;
}

}  // namespace conform::runtime
