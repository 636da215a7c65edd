// Internal to the evidence loader: the format-independent record builder (diagnostics,
// data paths, scalar conversion, arena records) and the schema-driven walker that both
// front ends (YAML via yaml-cpp, JSON via simdjson on-demand) instantiate.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "conform/compiler/diagnostics.h"
#include "conform/compiler/schema.h"
#include "conform/compiler/source.h"
#include "conform/runtime/evidence.h"

namespace conform::runtime::detail {

// One scalar as the front end saw it.
struct ScalarIn {
  enum class Kind : uint8_t {
    Plain,   // an untagged plain YAML scalar: typed by the field it fills
    String,  // a quoted YAML scalar, a block scalar, `!!str`, or a JSON string
    Bool,    // JSON true / false
    Number,  // JSON number (text as written)
  };
  Kind kind = Kind::Plain;
  std::string_view text;
  Span span;
};

enum class NodeKind : uint8_t { Null, Scalar, Map, Seq, Error };

// A mapping key.
struct Key {
  std::string_view text;
  Span span;
  bool scalar = true;  // false: a YAML collection used as a key
};

// A zeroed record of `e` (no presence bit set), in the document's arena.
uint64_t* NewRecord(Arena& arena, const EntityDef& e);
// Copies items[0..n) into the arena (sorted and de-duplicated in place first for a set).
const Seq* NewSeq(Arena& arena, int64_t* items, size_t n, bool is_set);

class Builder {
 public:
  Builder(const SchemaModel& schema, Document& doc, SourceManager& sm, Diagnostics& diags, const LoadOptions& opts,
          std::string path, uint32_t file, bool json, size_t node_budget);

  const SchemaModel& schema() const { return schema_; }
  Document& doc() { return doc_; }
  const SourceFile& file() const { return *sm_.Get(file_); }
  uint32_t file_id() const { return file_; }
  bool json() const { return json_; }
  bool unknown_fields_are_errors() const { return opts_.unknown_fields_are_errors; }
  const std::string& path() const { return path_; }

  // ---- data paths: $.items[1].due, $.parameters["x"]
  void PushField(std::string_view name) { Push({Seg::Field, name, 0}); }
  void PushKey(std::string_view name) { Push({Seg::Key, name, 0}); }
  void PushIndex(size_t i) { Push({Seg::Index, {}, i}); }
  void Pop() {
    --nsegs_;
    if (cached_ > nsegs_) cached_ = nsegs_;
  }
  std::string DataPath() const;
  // With LoadOptions::keep_positions: remembers where the current data path was written.
  bool keep_positions() const { return opts_.keep_positions; }
  void MarkPosition(Span span) {
    if (opts_.keep_positions && span.valid()) doc_.AddPosition(DataPath(), file().Locate(span.begin));
  }

  // ---- diagnostics (data_path and path are filled in). nullptr once the load has stopped.
  Diagnostic* Error(const char* code, Span span, std::string message, std::string help = {});
  Diagnostic* Warning(const char* code, Span span, std::string message, std::string help = {});
  // Stops the load (a syntax error, a structure limit): no further diagnostics.
  void Fatal() { stopped_ = true; }
  bool stopped() const { return stopped_; }
  size_t errors() const { return errors_; }

  // E0710: nesting or alias-expansion limits.
  void TooDeep(Span span);
  // Counts one value against the budget; false (and E0710 at `span()`) past it.
  template <class SpanFn>
  bool ChargeNode(SpanFn&& span) {
    if (++nodes_ <= node_budget_) return true;
    if (nodes_ == node_budget_ + 1) OverBudget(span());
    return false;
  }
  void OverBudget(Span span);

  // ---- schema helpers
  int FindField(int32_t entity, std::string_view name);  // -1 if absent
  std::string Expected(TypeId t) const;                   // "an int", "a list", "a `status` value"
  static std::string Found(NodeKind k, const ScalarIn* s);  // "a string", "a mapping", "null"
  static std::string Show(std::string_view text);           // `text`, shortened and made printable

  // ---- values
  // Converts a scalar to the slot encoding of the scalar type `t`; reports E0704-E0707.
  bool ConvertScalar(TypeId t, const ScalarIn& s, int64_t& out);
  uint64_t* NewRecord(const EntityDef& e) { return detail::NewRecord(doc_.arena(), e); }
  const Seq* NewSeq(int64_t* items, size_t n, bool is_set) { return detail::NewSeq(doc_.arena(), items, n, is_set); }

 private:
  struct Seg {
    enum Kind : uint8_t { Field, Key, Index } kind;
    std::string_view name;
    size_t index;
  };
  // The path is pushed and popped for every value but read only for a diagnostic: a stack that
  // grows rarely (nesting is bounded by kMaxEvidenceDepth) and is never shrunk.
  void Push(const Seg& s) {
    if (nsegs_ == segs_.size()) segs_.resize(segs_.size() * 2 + 16);
    segs_[nsegs_++] = s;
  }
  const SchemaModel& schema_;
  Document& doc_;
  SourceManager& sm_;
  Diagnostics& diags_;
  const LoadOptions& opts_;
  std::string path_;
  uint32_t file_;
  bool json_;
  size_t node_budget_;
  size_t nodes_ = 0;
  size_t errors_ = 0;
  size_t warnings_ = 0;
  bool stopped_ = false;
  std::vector<Seg> segs_;  // [0, nsegs_) in use
  size_t nsegs_ = 0;
  // DataPath's text of segs_[0, cached_), and where each segment's text ends in it.
  mutable std::string path_text_ = "$";
  mutable std::vector<size_t> path_ends_;
  mutable size_t cached_ = 0;
  // Per entity: the position in `fields` after the last key found. Evidence usually lists the
  // fields in schema order, so the next key is tried there first (no hashing); otherwise the
  // schema's name index (EntityDef::by_name, built once with the schema).
  std::vector<uint32_t> next_field_;
};

// The schema-driven walk. F is a front end:
//   using Value;                                   (passed as Value&)
//   NodeKind Kind(Value&);                         Error: reported, load stopped
//   bool Scalar(Value&, ScalarIn&);                false: reported, load stopped
//   Span SpanOf(Value&);                           the value's first token
//   void ForEachEntry(Value&, fn(const Key&, Value&) -> bool keep_going);
//   void ForEachElement(Value&, fn(size_t, Value&) -> bool keep_going);
//   void Skip(Value&, int depth);                  consume (and, for JSON, validate) a value
//   bool failed();
template <class F>
class Walker {
 public:
  using V = typename F::Value;
  Walker(Builder& b, F& f) : b_(b), f_(f) {}

  void Root(V& v) {
    const SchemaModel& s = b_.schema();
    const EntityDef& root = s.entities[s.root];
    NodeKind k = f_.Kind(v);
    if (k == NodeKind::Error) return;
    b_.ChargeNode([&] { return f_.SpanOf(v); });
    if (k == NodeKind::Null) {
      b_.Error("E0708", f_.SpanOf(v), "evidence file is empty",
               "write the `" + root.name + "` fields as a mapping (`field: value` lines)");
      return;
    }
    if (k != NodeKind::Map) {
      ScalarIn sc;
      if (k == NodeKind::Scalar && !f_.Scalar(v, sc)) return;
      Span span = k == NodeKind::Scalar ? sc.span : f_.SpanOf(v);
      b_.Error("E0708", span, "the top level must be a mapping of the `" + root.name + "` fields",
               "found " + Builder::Found(k, k == NodeKind::Scalar ? &sc : nullptr) +
                   "; write `field: value` lines at the top level");
      if (k == NodeKind::Seq) f_.Skip(v, 1);
      return;
    }
    const void* rec = Record(v, s.root, Span{}, 1, true);
    if (rec) b_.doc().set_root(rec);
  }

 private:
  enum class R { Ok, Null, Bad };

  bool Go() { return !b_.stopped() && !f_.failed(); }

  const void* Record(V& v, int32_t ent, Span owner, int depth, bool is_root) {
    const EntityDef& e = b_.schema().entities[ent];
    uint64_t* rec = b_.NewRecord(e);
    int64_t* slots = reinterpret_cast<int64_t*>(rec) + e.presence_words();
    // Which fields this mapping has set, and where: a slice of the walker's stacks (no
    // allocation per record). Nested records grow the stacks, so index, never hold pointers.
    const size_t base = seen_.size();
    seen_.resize(base + e.fields.size());
    seen_flag_.resize(base + e.fields.size(), 0);
    std::vector<std::pair<std::string, Span>> unknown;  // unknown keys seen so far
    bool params_seen = false;
    Span params_span{};
    Span map_span = owner.valid() ? owner : f_.SpanOf(v);
    if (is_root) b_.MarkPosition(map_span);  // "$": where facts about the whole organization point
    f_.ForEachEntry(v, [&](const Key& key, V& val) -> bool {
      if (!Go()) return false;
      if (!key.scalar) {
        b_.Error("E0704", key.span, "a mapping key must be a field name, found a " +
                                        std::string(key.text.empty() ? "collection" : key.text));
        f_.Skip(val, depth + 1);
        return Go();
      }
      if (is_root && key.text == "parameters") {
        b_.PushField("parameters");
        if (params_seen) {
          Duplicate(key, params_span);
          f_.Skip(val, depth + 1);
        } else {
          params_seen = true;
          params_span = key.span;
          Parameters(val, key.span, depth + 1);
        }
        b_.Pop();
        return Go();
      }
      int fi = b_.FindField(ent, key.text);
      if (fi < 0) {
        b_.PushField(key.text);
        Span first{};
        bool dup = false;
        for (auto& [name, sp] : unknown)
          if (name == key.text) {
            dup = true;
            first = sp;
          }
        if (dup) {
          Duplicate(key, first);
        } else {
          unknown.emplace_back(std::string(key.text), key.span);
          UnknownField(e, key);
        }
        b_.Pop();
        if (Go()) f_.Skip(val, depth + 1);
        return Go();
      }
      const FieldDef& fd = e.fields[fi];
      b_.PushField(fd.name);
      b_.MarkPosition(key.span);
      if (seen_flag_[base + fi]) {
        Duplicate(key, seen_[base + fi]);
        f_.Skip(val, depth + 1);
      } else {
        seen_flag_[base + fi] = 1;
        seen_[base + fi] = key.span;
        int64_t slot = 0;
        R r = Value(val, fd.type, key.span, depth + 1, slot);
        if (r == R::Ok) {
          slots[fi] = slot;
          rec[fi / 64] |= uint64_t{1} << (fi % 64);
        } else if (r == R::Null && !fd.optional) {
          b_.Error("E0703", key.span, "required field `" + fd.name + "` of `" + e.name + "` is null",
                   "give `" + fd.name + "` a value, or make the field optional in the schema (`" + fd.name +
                       ": " + b_.schema().TypeName(fd.type) + "?`)");
        }
      }
      b_.Pop();
      return Go();
    });
    if (Go()) {
      for (const FieldDef& fd : e.fields) {
        if (fd.optional || seen_flag_[base + fd.index]) continue;
        b_.PushField(fd.name);
        b_.Error("E0703", map_span, "missing required field `" + fd.name + "` of `" + e.name + "`",
                 std::string("add `") + (b_.json() ? "\"" + fd.name + "\"" : fd.name) +
                     ": …` or make the field optional in the schema");
        b_.Pop();
        if (!Go()) break;
      }
    }
    seen_.resize(base);
    seen_flag_.resize(base);
    return rec;
  }

  R Value(V& v, TypeId t, Span owner, int depth, int64_t& out) {
    NodeKind k = f_.Kind(v);
    if (k == NodeKind::Error) return R::Bad;
    if (!b_.ChargeNode([&] { return f_.SpanOf(v); })) return R::Bad;
    if (k == NodeKind::Null) return R::Null;
    const TypeInfo& ti = b_.schema().types[t];
    switch (ti.kind) {
      case TypeKind::Entity:
        if (k != NodeKind::Map) return Mismatch(v, k, t, owner, depth);
        if (depth > kMaxEvidenceDepth) {
          b_.TooDeep(f_.SpanOf(v));
          return R::Bad;
        }
        out = reinterpret_cast<int64_t>(Record(v, ti.ref, owner, depth, false));
        return R::Ok;
      case TypeKind::List:
      case TypeKind::Set: {
        if (k != NodeKind::Seq) return Mismatch(v, k, t, owner, depth);
        if (depth > kMaxEvidenceDepth) {
          b_.TooDeep(f_.SpanOf(v));
          return R::Bad;
        }
        const Seq* s = Sequence(v, ti, depth);
        if (!s) return R::Bad;
        out = reinterpret_cast<int64_t>(s);
        return R::Ok;
      }
      case TypeKind::Error:
        f_.Skip(v, depth);
        return R::Bad;
      default: {
        if (k != NodeKind::Scalar) return Mismatch(v, k, t, owner, depth);
        ScalarIn s;
        if (!f_.Scalar(v, s)) return R::Bad;
        return b_.ConvertScalar(t, s, out) ? R::Ok : R::Bad;
      }
    }
  }

  const Seq* Sequence(V& v, const TypeInfo& ti, int depth) {
    TypeId et = ti.elem;
    bool ok = true;
    const size_t base = items_.size();  // this list's items: items_[base..), nested lists above
    f_.ForEachElement(v, [&](size_t i, V& ev) -> bool {
      if (!Go()) return false;
      b_.PushIndex(i);
      if (b_.keep_positions()) b_.MarkPosition(f_.SpanOf(ev));
      int64_t slot = 0;
      R r = Value(ev, et, Span{}, depth + 1, slot);
      if (r == R::Ok) {
        items_.push_back(slot);
      } else {
        ok = false;
        if (r == R::Null)
          b_.Error("E0704", f_.SpanOf(ev), "expected " + b_.Expected(et) + ", found null",
                   "list items cannot be empty: remove the item or give it a value");
      }
      b_.Pop();
      return Go();
    });
    const Seq* seq = nullptr;
    if (ok && Go()) seq = b_.NewSeq(items_.data() + base, items_.size() - base, ti.kind == TypeKind::Set);
    items_.resize(base);
    return seq;
  }

  R Mismatch(V& v, NodeKind k, TypeId t, Span owner, int depth) {
    ScalarIn s;
    const ScalarIn* sp = nullptr;
    Span span;
    if (k == NodeKind::Scalar) {
      if (!f_.Scalar(v, s)) return R::Bad;
      sp = &s;
      span = s.span;
    } else {
      span = owner.valid() ? owner : f_.SpanOf(v);
    }
    TypeKind want = b_.schema().types.Kind(t);
    std::string help;
    if (want == TypeKind::List || want == TypeKind::Set)
      help = b_.json() ? "write a JSON array: `[…]`" : "write a list: one `- …` line per item, or `[a, b]`";
    else if (want == TypeKind::Entity)
      help = "write the fields of `" + b_.schema().entities[b_.schema().types[t].ref].name + "` as a mapping" +
             (b_.json() ? std::string(" (`{\"field\": value}`)") : std::string(" (`field: value` lines)"));
    else
      help = "write a single value";
    b_.Error("E0704", span, "expected " + b_.Expected(t) + ", found " + Builder::Found(k, sp), help);
    if (k != NodeKind::Scalar) f_.Skip(v, depth);
    return R::Bad;
  }

  void Duplicate(const Key& key, Span first) {
    if (auto* d = b_.Error("E0709", key.span, "duplicate key `" + std::string(key.text) + "`",
                           "remove one of the two; a key may appear once in a mapping"))
      if (first.valid()) d->notes.push_back({first, "first defined here"});
  }

  void UnknownField(const EntityDef& e, const Key& key) {
    std::vector<std::string> names;
    names.reserve(e.fields.size());
    for (const FieldDef& f : e.fields) names.push_back(f.name);
    std::string guess = ClosestMatch(std::string(key.text), names);
    std::string help;
    if (!guess.empty()) {
      help = "did you mean `" + guess + "`?";
    } else {
      help = "the fields of `" + e.name + "` are: ";
      for (size_t i = 0; i < names.size() && i < 20; ++i) help += (i ? ", " : "") + names[i];
      if (names.size() > 20) help += ", …";
      if (names.empty()) help = "`" + e.name + "` has no fields";
    }
    std::string msg = "unknown field `" + std::string(key.text) + "` on `" + e.name + "`";
    if (b_.unknown_fields_are_errors())
      b_.Error("W0701", key.span, msg, help);
    else
      b_.Warning("W0701", key.span, msg, help);
  }

  void Parameters(V& v, Span owner, int depth) {
    NodeKind k = f_.Kind(v);
    if (k == NodeKind::Error || k == NodeKind::Null) return;
    if (k != NodeKind::Map) {
      Span span = owner;
      ScalarIn s;
      const ScalarIn* sp = nullptr;
      if (k == NodeKind::Scalar) {
        if (!f_.Scalar(v, s)) return;
        sp = &s;
        span = s.span;
      }
      b_.Error("E0704", span, "expected a mapping of parameter names to values, found " + Builder::Found(k, sp),
               b_.json() ? "write `\"parameters\": {\"name\": value}`" : "write `parameters:` then `name: value` lines");
      if (k != NodeKind::Scalar) f_.Skip(v, depth);
      return;
    }
    auto& params = b_.doc().mutable_parameters();
    std::vector<std::pair<std::string, Span>> names;  // keys seen in this mapping
    f_.ForEachEntry(v, [&](const Key& key, V& val) -> bool {
      if (!Go()) return false;
      if (!key.scalar) {
        b_.Error("E0704", key.span, "a parameter name must be a string");
        f_.Skip(val, depth + 1);
        return Go();
      }
      b_.PushKey(key.text);
      for (const auto& [name, first] : names)
        if (name == key.text) {
          Duplicate(key, first);
          b_.Pop();
          f_.Skip(val, depth + 1);
          return Go();
        }
      names.emplace_back(std::string(key.text), key.span);
      ParamOverride p;
      p.name = std::string(key.text);
      p.data_path = b_.DataPath();
      bool ok = true;
      NodeKind vk = f_.Kind(val);
      if (vk == NodeKind::Error) {
        ok = false;
      } else if (vk == NodeKind::Scalar) {
        ScalarIn s;
        ok = f_.Scalar(val, s);
        p.text = std::string(s.text);
        p.span = s.span;
      } else if (vk == NodeKind::Seq) {
        p.is_sequence = true;
        p.span = key.span;
        f_.ForEachElement(val, [&](size_t i, V& ev) -> bool {
          if (!Go()) return false;
          b_.PushIndex(i);
          NodeKind ek = f_.Kind(ev);
          if (ek == NodeKind::Scalar) {
            ScalarIn s;
            if (f_.Scalar(ev, s)) {
              p.items.emplace_back(s.text);
              p.item_spans.push_back(s.span);
            } else {
              ok = false;
            }
          } else if (ek != NodeKind::Error) {
            ok = false;
            b_.Error("E0704", f_.SpanOf(ev), "expected a value in the list of parameter `" + p.name + "`, found " +
                                                 Builder::Found(ek, nullptr));
            f_.Skip(ev, depth + 2);
          } else {
            ok = false;
          }
          b_.Pop();
          return Go();
        });
      } else if (vk == NodeKind::Null) {
        ok = false;
        b_.Error("E0704", key.span, "parameter `" + p.name + "` has no value",
                 "write a value after the key, or remove the line to keep the default");
      } else {
        ok = false;
        b_.Error("E0704", key.span, "expected a value or a list for parameter `" + p.name + "`, found a mapping");
        f_.Skip(val, depth + 1);
      }
      if (ok) params.push_back(std::move(p));
      b_.Pop();
      return Go();
    });
  }

  Builder& b_;
  F& f_;
  std::vector<Span> seen_;         // per open record: the key span of each field set
  std::vector<uint8_t> seen_flag_;  // per open record: field set
  std::vector<int64_t> items_;      // per open list: its slot values
};

// The front ends: parse the text of the builder's file and walk it into the document.
void LoadYaml(Builder& b);
void LoadJson(Builder& b);

}  // namespace conform::runtime::detail
