// The JSON fast path (see json_plan.h): one simdjson DOM parse, then a walk of the tape driven
// by the schema's load plan. It reports nothing: at the first thing the diagnostic loader would
// report (or that the fast path does not do), it gives up and LoadEvidence re-runs the text
// through the diagnostic loader. The records it builds are those the diagnostic loader builds
// for the same text: same slots, same presence bits, strings interned in the same order, the
// same allocation order in the arena.
#include "json_plan.h"

#include <simdjson.h>

#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "builder.h"
#include "conform/compiler/calendar.h"

namespace conform::runtime {

void NameTable::Build(const std::vector<std::string_view>& names) {
  names_ = names;
  size_t cap = 8;
  while (cap < 2 * names.size()) cap *= 2;
  table_.assign(cap, Entry{});
  mask_ = cap - 1;
  for (size_t i = 0; i < names.size(); ++i) {
    if (Find(names[i]) >= 0) continue;  // a repeated name keeps its first position, as a linear search
    uint64_t h = StringPool::Hash(names[i]);
    for (uint64_t k = h & mask_;; k = (k + 1) & mask_)
      if (table_[k].pos1 == 0) {
        table_[k] = {static_cast<uint32_t>(h >> 32), static_cast<uint32_t>(i + 1)};
        break;
      }
  }
}

int NameTable::Find(std::string_view s) const {
  if (table_.empty()) return -1;
  uint64_t h = StringPool::Hash(s);
  uint32_t tag = static_cast<uint32_t>(h >> 32);
  for (uint64_t k = h & mask_;; k = (k + 1) & mask_) {
    const Entry& e = table_[k];
    if (e.pos1 == 0) return -1;
    if (e.tag == tag && names_[e.pos1 - 1] == s) return static_cast<int>(e.pos1 - 1);
  }
}

JsonPlan::JsonPlan(const SchemaModel& schema) : schema_(schema) {
  entities_.resize(schema.entities.size());
  for (size_t i = 0; i < schema.entities.size(); ++i) {
    const EntityDef& e = schema.entities[i];
    Entity& p = entities_[i];
    std::vector<std::string_view> names;
    p.required.assign(e.presence_words(), 0);
    for (const FieldDef& f : e.fields) {
      p.fields.push_back({f.name, f.index, f.type});
      names.push_back(f.name);
      if (!f.optional) p.required[f.index / 64] |= uint64_t{1} << (f.index % 64);
    }
    p.names.Build(names);
  }
  enums_.resize(schema.enums.size());
  for (size_t i = 0; i < schema.enums.size(); ++i)
    enums_[i].Build(std::vector<std::string_view>(schema.enums[i].members.begin(), schema.enums[i].members.end()));
}

std::shared_ptr<const JsonPlan> MakeJsonPlan(const SchemaModel& schema) {
  return std::make_shared<const JsonPlan>(schema);
}

namespace detail {
namespace {

namespace dom = simdjson::dom;

// Documents larger than this go to the diagnostic loader: the DOM parser's buffers grow with the
// largest document a thread has parsed (its tape takes up to 8 bytes per input byte).
constexpr size_t kFastMaxBytes = size_t{16} << 20;

class FastWalk {
 public:
  // `seen` and `items`: a thread's scratch stacks, reused from document to document.
  FastWalk(const JsonPlan& plan, Document& doc, std::string_view text, std::vector<uint64_t>& seen,
           std::vector<int64_t>& items)
      : plan_(plan), types_(plan.schema().types), doc_(doc), text_(text), seen_(seen), items_(items) {
    seen_.clear();
    items_.clear();
  }

  // The root record, or nullptr to give up.
  const void* Root(dom::element root) {
    dom::object obj;
    if (root.get_object().get(obj)) return nullptr;
    return Record(obj, plan_.schema().root, 1, true);
  }

 private:
  const void* Record(dom::object obj, int32_t ent, int depth, bool is_root) {
    const EntityDef& e = plan_.schema().entities[static_cast<size_t>(ent)];
    const JsonPlan::Entity& pe = plan_.entity(ent);
    uint64_t* rec = NewRecord(doc_.arena(), e);
    const uint32_t words = e.presence_words();
    int64_t* slots = reinterpret_cast<int64_t*>(rec) + words;
    // Fields seen (null ones included, which set no presence bit): a slice of one stack.
    const size_t base = seen_.size();
    seen_.resize(base + words, 0);
    size_t next = 0;  // evidence usually lists the fields in schema order: try the next one first
    for (dom::key_value_pair kv : obj) {
      std::string_view key = kv.key;
      // The root's `parameters:` mapping (spans, data paths; it wins over a root field of that
      // name) and unknown keys (W0701) are the diagnostic loader's.
      if (is_root && key == "parameters") return nullptr;
      int pos;
      if (next < pe.fields.size() && pe.fields[next].name == key) {
        pos = static_cast<int>(next);
      } else {
        pos = pe.names.Find(key);
        if (pos < 0) return nullptr;
      }
      next = static_cast<size_t>(pos) + 1;
      const JsonPlan::Field& f = pe.fields[static_cast<size_t>(pos)];
      uint64_t bit = uint64_t{1} << (f.index % 64);
      uint64_t& seen = seen_[base + f.index / 64];
      if (seen & bit) return nullptr;  // duplicate key: E0709
      seen |= bit;
      int64_t slot = 0;
      switch (Value(kv.value, f.type, depth + 1, slot)) {
        case R::Ok:
          slots[f.index] = slot;
          rec[f.index / 64] |= bit;
          break;
        case R::Null:
          if (pe.required[f.index / 64] & bit) return nullptr;  // required and null: E0703
          break;
        case R::Bad: return nullptr;
      }
    }
    for (uint32_t w = 0; w < words; ++w)
      if ((rec[w] & pe.required[w]) != pe.required[w]) return nullptr;  // a required field missing: E0703
    seen_.resize(base);
    return rec;
  }

  enum class R { Ok, Null, Bad };

  R Value(dom::element v, TypeId t, int depth, int64_t& out) {
    const dom::element_type k = v.type();
    if (k == dom::element_type::NULL_VALUE) return R::Null;
    const TypeInfo& ti = types_[t];
    switch (ti.kind) {
      case TypeKind::Entity: {
        if (k != dom::element_type::OBJECT || depth > kMaxEvidenceDepth) return R::Bad;
        dom::object obj;
        if (v.get_object().get(obj)) return R::Bad;
        out = reinterpret_cast<int64_t>(Record(obj, ti.ref, depth, false));
        return out ? R::Ok : R::Bad;
      }
      case TypeKind::List:
      case TypeKind::Set: {
        if (k != dom::element_type::ARRAY || depth > kMaxEvidenceDepth) return R::Bad;
        const size_t base = items_.size();
        dom::array arr;
        if (v.get_array().get(arr)) return R::Bad;
        for (dom::element item : arr) {
          int64_t slot = 0;
          if (Value(item, ti.elem, depth + 1, slot) != R::Ok) return R::Bad;  // null items: E0704
          items_.push_back(slot);
        }
        const Seq* s = NewSeq(doc_.arena(), items_.data() + base, items_.size() - base, ti.kind == TypeKind::Set);
        items_.resize(base);
        out = reinterpret_cast<int64_t>(s);
        return R::Ok;
      }
      case TypeKind::Bool:
        if (k != dom::element_type::BOOL) return R::Bad;
        out = v.get_bool().value_unsafe() ? 1 : 0;
        return R::Ok;
      case TypeKind::Int:
        // Numbers past int64 (UINT64) are E0704 overflows; numbers with `.` or `e` are E0704.
        if (k != dom::element_type::INT64) return R::Bad;
        out = v.get_int64().value_unsafe();
        return R::Ok;
      case TypeKind::Decimal: {
        double d;
        if (k == dom::element_type::INT64) {
          int64_t i = v.get_int64().value_unsafe();
          if (i == 0 && NegativeZeroPossible()) return R::Bad;
          d = static_cast<double>(i);  // rounds to nearest, as from_chars does for the digits
        } else if (k == dom::element_type::DOUBLE) {
          d = v.get_double().value_unsafe();
          // Both parsers round correctly (subnormals too); `0.0` and `-0.0` are the same both ways.
          if (d == 0 && UnderflowPossible()) return R::Bad;
        } else {
          return R::Bad;
        }
        std::memcpy(&out, &d, sizeof d);
        return R::Ok;
      }
      case TypeKind::String:
        // A number or a bool in a string field is read as its text, which the tape no longer has.
        if (k != dom::element_type::STRING) return R::Bad;
        out = doc_.strings().Intern(v.get_string().value_unsafe());
        return R::Ok;
      case TypeKind::Date: {
        if (k != dom::element_type::STRING) return R::Bad;
        auto d = cal::ParseDate(v.get_string().value_unsafe());
        if (!d) return R::Bad;
        out = *d;
        return R::Ok;
      }
      case TypeKind::Duration: {
        if (k != dom::element_type::STRING) return R::Bad;
        auto d = cal::ParseDuration(v.get_string().value_unsafe());
        if (!d) return R::Bad;
        out = cal::Pack(*d);
        return R::Ok;
      }
      case TypeKind::Enum: {
        if (k != dom::element_type::STRING) return R::Bad;
        int idx = plan_.members(ti.ref).Find(v.get_string().value_unsafe());
        if (idx < 0) return R::Bad;
        out = idx;
        return R::Ok;
      }
      case TypeKind::Error: break;
    }
    return R::Bad;
  }

  // Zeros in decimal fields need the text: `-0` is an INT64 0 on the tape but -0.0 through
  // from_chars, and a number below the smallest double is 0 on the tape but out of range there.
  // Rather than finding the number, one pass over the whole text (the first time a decimal field
  // holds a zero) notes whether it has either anywhere: `-0` not followed by a digit, `.` or an
  // exponent; a negative exponent (`e-` or `E-` after a digit) or `0.` and 300 zeros.
  bool NegativeZeroPossible() {
    if (!scanned_) Scan();
    return neg_zero_;
  }
  bool UnderflowPossible() {
    if (!scanned_) Scan();
    return underflow_;
  }
  void Scan() {
    scanned_ = true;
    const char* p = text_.data();
    const size_t n = text_.size();
    // The text parsed as a JSON object: it ends with `}` (and blanks), so the two characters
    // after a `-` are inside it; the two before it are when i >= 2 (it starts with `{`).
    auto digit = [](char c) { return static_cast<unsigned char>(c - '0') <= 9; };
    auto at_dash = [&](size_t i) {
      const char a = p[i + 2];
      neg_zero_ |= p[i + 1] == '0' && !(digit(a) || a == '.' || (a | 0x20) == 'e');
      underflow_ |= i >= 2 && (p[i - 1] | 0x20) == 'e' && digit(p[i - 2]);
    };
    size_t i = 0;
    for (; i < 2 && i < n; ++i)
      if (p[i] == '-') at_dash(i);
#if defined(__SSE2__)
    // Sixteen dashes at a time, with the characters around each as shifted loads: only a `-0` not
    // followed by a digit, `.` or exponent, and an `e-`/`E-` after a digit, set a flag. Dates and
    // identifiers have many dashes; none of them costs a branch.
    auto load = [&](size_t at) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at)); };
    auto eq = [](__m128i x, char c) { return _mm_cmpeq_epi8(x, _mm_set1_epi8(c)); };
    auto is_digit = [](__m128i x) {
      const __m128i t = _mm_sub_epi8(x, _mm_set1_epi8('0'));
      return _mm_cmpeq_epi8(_mm_min_epu8(t, _mm_set1_epi8(9)), t);
    };
    auto lower = [](__m128i x) { return _mm_or_si128(x, _mm_set1_epi8(0x20)); };
    for (; i + 18 <= n && !(neg_zero_ && underflow_); i += 16) {
      const __m128i dash = eq(load(i), '-');
      if (_mm_movemask_epi8(dash) == 0) continue;
      const __m128i after = load(i + 2);
      const __m128i continues = _mm_or_si128(_mm_or_si128(is_digit(after), eq(after, '.')), eq(lower(after), 'e'));
      const __m128i neg = _mm_andnot_si128(continues, _mm_and_si128(dash, eq(load(i + 1), '0')));
      const __m128i under = _mm_and_si128(_mm_and_si128(dash, eq(lower(load(i - 1)), 'e')), is_digit(load(i - 2)));
      neg_zero_ |= _mm_movemask_epi8(neg) != 0;
      underflow_ |= _mm_movemask_epi8(under) != 0;
    }
#endif
    for (; i < n && !(neg_zero_ && underflow_); ++i)
      if (p[i] == '-') at_dash(i);
    static const std::string kLongFraction = "0." + std::string(300, '0');
    if (!underflow_ && memmem(p, n, kLongFraction.data(), kLongFraction.size())) underflow_ = true;
  }

  const JsonPlan& plan_;
  const TypeTable& types_;
  Document& doc_;
  std::string_view text_;
  bool scanned_ = false;  // Scan() has set the two flags below
  bool neg_zero_ = false;
  bool underflow_ = false;
  std::vector<uint64_t>& seen_;
  std::vector<int64_t>& items_;
};

}  // namespace

bool LoadJsonFast(const JsonPlan& plan, std::string_view text, size_t readable, Document& doc) {
  if (text.size() > kFastMaxBytes || readable < text.size() + simdjson::SIMDJSON_PADDING) return false;
  // One parser per thread: a batch loads many documents and reuses its buffers.
  thread_local dom::parser parser;
  dom::element root;
  if (parser.parse(text.data(), text.size(), false).get(root)) return false;
  thread_local std::vector<uint64_t> seen;
  thread_local std::vector<int64_t> items;
  FastWalk walk(plan, doc, text, seen, items);
  const void* rec = walk.Root(root);
  if (!rec) return false;
  doc.set_root(rec);
  return true;
}

}  // namespace detail
}  // namespace conform::runtime
