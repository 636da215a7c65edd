// The format-independent half of the evidence loader: diagnostics with data paths, scalar
// conversion to slot encodings, and arena records and sequences.
#include "builder.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <new>
#include <string>

#include "conform/compiler/calendar.h"

namespace conform::runtime::detail {

namespace {

bool IsIdentifier(std::string_view s) {
  if (s.empty()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(s[0])) return false;
  for (char c : s)
    if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
  return true;
}

void AppendQuoted(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      static const char* kHex = "0123456789abcdef";
      out += "\\u00";
      out += kHex[(c >> 4) & 0xf];
      out += kHex[c & 0xf];
      continue;
    }
    out += c;
  }
  out += '"';
}

bool OneOf(std::string_view s, std::initializer_list<std::string_view> words) {
  for (auto w : words)
    if (s == w) return true;
  return false;
}

bool IsTrue(std::string_view s) { return OneOf(s, {"true", "True", "TRUE"}); }
bool IsFalse(std::string_view s) { return OneOf(s, {"false", "False", "FALSE"}); }

// YAML 1.1 words that YAML 1.2 (and Conform) do not read as booleans.
bool IsYaml11Bool(std::string_view s) {
  std::string l(s);
  for (char& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return OneOf(l, {"yes", "no", "on", "off", "y", "n"});
}

enum class IntParse { Ok, Overflow, NotInt };

IntParse ParseInt(std::string_view t, int64_t& v) {
  const char* b = t.data();
  const char* e = t.data() + t.size();
  if (b != e && *b == '+') {
    ++b;
    if (b != e && *b == '-') return IntParse::NotInt;
  }
  if (b == e) return IntParse::NotInt;
  auto [p, ec] = std::from_chars(b, e, v);
  if (p != e) return IntParse::NotInt;
  if (ec == std::errc::result_out_of_range) return IntParse::Overflow;
  return ec == std::errc() ? IntParse::Ok : IntParse::NotInt;
}

enum class DecParse { Ok, Overflow, NotNumber };

DecParse ParseDecimal(std::string_view t, double& v) {
  const char* b = t.data();
  const char* e = t.data() + t.size();
  if (b != e && *b == '+') {
    ++b;
    if (b != e && *b == '-') return DecParse::NotNumber;
  }
  if (b == e) return DecParse::NotNumber;
  // from_chars also reads "inf" and "nan"; evidence numbers are finite.
  char c = *b == '-' ? (b + 1 < e ? b[1] : '\0') : *b;
  if (!((c >= '0' && c <= '9') || c == '.')) return DecParse::NotNumber;
  auto [p, ec] = std::from_chars(b, e, v, std::chars_format::general);
  if (p != e) return DecParse::NotNumber;
  if (ec == std::errc::result_out_of_range) return DecParse::Overflow;
  if (ec != std::errc() || !std::isfinite(v)) return DecParse::NotNumber;
  return DecParse::Ok;
}

bool LooksNumeric(std::string_view t) {
  double d;
  return ParseDecimal(t, d) != DecParse::NotNumber;
}

const int64_t kNoItems[1] = {0};
const Seq kEmptySeqData{0, kNoItems};

}  // namespace

Builder::Builder(const SchemaModel& schema, Document& doc, SourceManager& sm, Diagnostics& diags,
                 const LoadOptions& opts, std::string path, uint32_t file, bool json, size_t node_budget)
    : schema_(schema),
      doc_(doc),
      sm_(sm),
      diags_(diags),
      opts_(opts),
      path_(std::move(path)),
      file_(file),
      json_(json),
      node_budget_(node_budget),
      next_field_(schema.entities.size(), 0) {}

std::string Builder::DataPath() const {
  // The text of segs_[0, cached_) is kept from the previous call: siblings and children of the
  // last path written (every key and list item with LoadOptions::keep_positions) render only
  // their own segments.
  path_text_.resize(cached_ == 0 ? 1 : path_ends_[cached_ - 1]);
  path_ends_.resize(cached_);
  for (size_t k = cached_; k < nsegs_; ++k) {
    const Seg& s = segs_[k];
    switch (s.kind) {
      case Seg::Field:
        if (IsIdentifier(s.name)) {
          path_text_ += '.';
          path_text_ += s.name;
          break;
        }
        [[fallthrough]];
      case Seg::Key:
        path_text_ += '[';
        AppendQuoted(path_text_, s.name);
        path_text_ += ']';
        break;
      case Seg::Index: {
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof buf, s.index);
        path_text_ += '[';
        path_text_.append(buf, r.ptr);
        path_text_ += ']';
        break;
      }
    }
    path_ends_.push_back(path_text_.size());
  }
  cached_ = nsegs_;
  return path_text_;
}

Diagnostic* Builder::Error(const char* code, Span span, std::string message, std::string help) {
  if (stopped_) return nullptr;
  Diagnostic& d = diags_.Error(code, span, std::move(message), std::move(help));
  d.path = path_;
  d.data_path = DataPath();
  ++errors_;
  if (opts_.max_errors && errors_ >= opts_.max_errors) stopped_ = true;
  return &d;
}

Diagnostic* Builder::Warning(const char* code, Span span, std::string message, std::string help) {
  if (stopped_) return nullptr;
  // Warnings are capped like errors so a file of typos cannot flood the output.
  if (opts_.max_errors && warnings_ >= opts_.max_errors) return nullptr;
  ++warnings_;
  Diagnostic& d = diags_.Warning(code, span, std::move(message), std::move(help));
  d.path = path_;
  d.data_path = DataPath();
  return &d;
}

void Builder::TooDeep(Span span) {
  Error("E0710", span, "evidence nested deeper than " + std::to_string(kMaxEvidenceDepth) + " levels",
        "no schema needs this depth: check the indentation or the brackets");
  Fatal();
}

void Builder::OverBudget(Span span) {
  Error("E0710", span, "evidence expands to more than " + std::to_string(node_budget_) + " values",
        "YAML aliases (`*name`) repeat the data they refer to; write the data out instead");
  Fatal();
}

int Builder::FindField(int32_t entity, std::string_view name) {
  const EntityDef& e = schema_.entities[entity];
  uint32_t& next = next_field_[entity];
  for (uint32_t k : {next, 0u}) {  // the field after the previous key, or the first field
    if (k < e.fields.size() && e.fields[k].name == name) {
      next = k + 1;
      return static_cast<int>(e.fields[k].index);
    }
  }
  // The schema's own name index, built once with the schema.
  if (e.by_name.size() == e.fields.size()) {
    auto it = e.by_name.find(name);
    if (it == e.by_name.end()) return -1;
    uint32_t k = it->second;  // a field's index is its position in `fields`
    if (k < e.fields.size() && e.fields[k].index == k) next = k + 1;
    return static_cast<int>(it->second);
  }
  for (uint32_t k = 0; k < e.fields.size(); ++k)
    if (e.fields[k].name == name) {
      next = k + 1;
      return static_cast<int>(e.fields[k].index);
    }
  return -1;
}

std::string Builder::Expected(TypeId t) const {
  const TypeInfo& ti = schema_.types[t];
  switch (ti.kind) {
    case TypeKind::Bool: return "a bool";
    case TypeKind::Int: return "an int";
    case TypeKind::Decimal: return "a decimal";
    case TypeKind::String: return "a string";
    case TypeKind::Date: return "a date";
    case TypeKind::Duration: return "a duration";
    case TypeKind::Enum: return "a `" + schema_.enums[ti.ref].name + "` member";
    case TypeKind::Entity: return "a mapping (`" + schema_.entities[ti.ref].name + "`)";
    case TypeKind::List:
    case TypeKind::Set: return "a list";
    case TypeKind::Error: break;
  }
  return "a value";
}

std::string Builder::Found(NodeKind k, const ScalarIn* s) {
  switch (k) {
    case NodeKind::Null: return "null";
    case NodeKind::Map: return "a mapping";
    case NodeKind::Seq: return "a list";
    case NodeKind::Error: return "an error";
    case NodeKind::Scalar: break;
  }
  if (!s) return "a value";
  switch (s->kind) {
    case ScalarIn::Kind::String: return "a string";
    case ScalarIn::Kind::Bool: return "a bool";
    case ScalarIn::Kind::Number: return "a number";
    case ScalarIn::Kind::Plain: break;
  }
  if (IsTrue(s->text) || IsFalse(s->text)) return "a bool";
  if (LooksNumeric(s->text)) return "a number";
  return "a string";
}

std::string Builder::Show(std::string_view text) {
  constexpr size_t kMax = 40;
  bool cut = false;
  if (text.size() > kMax) {
    size_t n = kMax;
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;  // not inside a UTF-8 sequence
    text = text.substr(0, n);
    cut = true;
  }
  std::string out = "`";
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      static const char* kHex = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
  if (cut) out += "…";
  out += '`';
  return out;
}

bool Builder::ConvertScalar(TypeId t, const ScalarIn& s, int64_t& out) {
  using K = ScalarIn::Kind;
  const TypeInfo& ti = schema_.types[t];
  std::string_view text = s.text;
  const bool quoted = s.kind == K::String;
  switch (ti.kind) {
    case TypeKind::Bool: {
      if (!quoted && s.kind != K::Number) {
        if (IsTrue(text)) return out = 1, true;
        if (IsFalse(text)) return out = 0, true;
      }
      if (quoted && (IsTrue(text) || IsFalse(text))) {
        Error("E0704", s.span, "expected a bool, found the string " + Show(text),
              "remove the quotes: `" + std::string(text) + "`");
      } else if (s.kind == K::Plain && IsYaml11Bool(text)) {
        Error("E0704", s.span, "expected a bool, found " + Show(text),
              "write `true` or `false` (YAML 1.1 words such as `yes`, `no`, `on`, `off` are not booleans)");
      } else {
        Error("E0704", s.span, "expected a bool, found " + Found(NodeKind::Scalar, &s) + " " + Show(text),
              "write `true` or `false`");
      }
      return false;
    }
    case TypeKind::Int: {
      int64_t v = 0;
      double d = 0;
      IntParse r = s.kind == K::Bool ? IntParse::NotInt : ParseInt(text, v);
      if (r == IntParse::Ok && !quoted) return out = v, true;
      if (quoted && (r != IntParse::NotInt || ParseDecimal(text, d) != DecParse::NotNumber)) {
        Error("E0704", s.span, "expected an int, found the string " + Show(text),
              "remove the quotes: `" + std::string(text) + "`");
      } else if (r == IntParse::Overflow) {
        Error("E0704", s.span, "integer " + Show(text) + " does not fit in 64 bits",
              "ints range from -9223372036854775808 to 9223372036854775807");
      } else if (s.kind != K::Bool && ParseDecimal(text, d) != DecParse::NotNumber) {
        Error("E0704", s.span, "expected an int, found the decimal " + Show(text),
              "write a whole number, or declare the field `decimal` in the schema");
      } else {
        Error("E0704", s.span, "expected an int, found " + Found(NodeKind::Scalar, &s) + " " + Show(text),
              "write a whole number, e.g. `42`");
      }
      return false;
    }
    case TypeKind::Decimal: {
      double d = 0;
      DecParse r = s.kind == K::Bool ? DecParse::NotNumber : ParseDecimal(text, d);
      if (r == DecParse::Ok && !quoted) {
        int64_t bits;
        static_assert(sizeof bits == sizeof d);
        std::memcpy(&bits, &d, sizeof d);
        return out = bits, true;
      }
      if (quoted && r != DecParse::NotNumber) {
        Error("E0704", s.span, "expected a decimal, found the string " + Show(text),
              "remove the quotes: `" + std::string(text) + "`");
      } else if (r == DecParse::Overflow) {
        Error("E0704", s.span, "decimal " + Show(text) + " is out of range", "write a finite number");
      } else {
        Error("E0704", s.span, "expected a decimal, found " + Found(NodeKind::Scalar, &s) + " " + Show(text),
              "write a number, e.g. `3.5`");
      }
      return false;
    }
    case TypeKind::String:
      out = doc_.strings().Intern(text);
      return true;
    case TypeKind::Date: {
      if (s.kind != K::Bool && s.kind != K::Number) {
        if (auto d = cal::ParseDate(text)) return out = *d, true;
      }
      bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-' &&
                    std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || c == '-'; });
      if (shaped)
        Error("E0705", s.span, "invalid date " + Show(text) + ": there is no such day in the calendar",
              "months run from 01 to 12, and days up to the length of the month");
      else
        Error("E0705", s.span, "invalid date " + Show(text), "write dates as `YYYY-MM-DD`, e.g. `2024-03-31`");
      return false;
    }
    case TypeKind::Duration: {
      if (s.kind != K::Bool) {
        if (auto d = cal::ParseDuration(text)) return out = cal::Pack(*d), true;
      }
      Error("E0706", s.span, "invalid duration " + Show(text), "write e.g. `12 months`, `30 days`, `4 hours`");
      return false;
    }
    case TypeKind::Enum: {
      const EnumDef& en = schema_.enums[ti.ref];
      int idx = en.Find(text);
      if (idx >= 0) return out = idx, true;
      std::string guess = ClosestMatch(std::string(text), en.members);
      std::string members;
      for (size_t i = 0; i < en.members.size() && i < 30; ++i) members += (i ? ", " : "") + en.members[i];
      if (en.members.size() > 30) members += ", …";
      std::string help = guess.empty() ? "" : "did you mean `" + guess + "`? ";
      help += "the members of `" + en.name + "` are: " + members;
      Error("E0707", s.span, "unknown member " + Show(text) + " of enum `" + en.name + "`", help);
      return false;
    }
    case TypeKind::Entity:
    case TypeKind::List:
    case TypeKind::Set:
    case TypeKind::Error:
      break;
  }
  Error("E0704", s.span, "expected " + Expected(t) + ", found " + Found(NodeKind::Scalar, &s));
  return false;
}

uint64_t* NewRecord(Arena& arena, const EntityDef& e) {
  size_t bytes = std::max<size_t>(e.size_bytes(), 8);
  return static_cast<uint64_t*>(arena.Allocate(bytes, 8));
}

const Seq* NewSeq(Arena& arena, int64_t* items, size_t n, bool is_set) {
  if (is_set) {
    // Sorted as int64 slot values, as the interpreter sorts and searches sets.
    std::sort(items, items + n);
    n = static_cast<size_t>(std::unique(items, items + n) - items);
  }
  if (n == 0) return &kEmptySeqData;
  void* mem = arena.Allocate(sizeof(Seq) + n * sizeof(int64_t), alignof(Seq));
  auto* data = reinterpret_cast<int64_t*>(static_cast<char*>(mem) + sizeof(Seq));
  std::copy(items, items + n, data);
  return new (mem) Seq{static_cast<int64_t>(n), data};
}

}  // namespace conform::runtime::detail
