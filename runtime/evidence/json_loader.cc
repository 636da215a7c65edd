// The JSON front end: simdjson on-demand, walked once in document order. Every token the
// walker touches is a pointer into the source text, so diagnostics get exact spans.
#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "builder.h"

namespace conform::runtime::detail {

namespace {

namespace od = simdjson::ondemand;

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// RFC 8259 number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool ValidNumber(std::string_view s) {
  size_t i = 0, n = s.size();
  auto digits = [&] {
    size_t st = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
    return i > st;
  };
  if (i < n && s[i] == '-') ++i;
  if (i < n && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < n && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == n;
}

// simdjson's stage 1 rejects some documents without a location; find one ourselves.
// Returns the offset (in `s`) of the first invalid UTF-8 byte, raw control character in a
// string, or unclosed string; npos if none is found.
size_t LocateStage1Error(std::string_view s, simdjson::error_code e) {
  size_t n = s.size();
  if (e == simdjson::UTF8_ERROR) {
    size_t i = 0;
    while (i < n) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
      if (len == 0 || i + len > n) return i;
      for (size_t k = 1; k < len; ++k)
        if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return i;
      uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
      for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
      if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
          (cp >= 0xD800 && cp <= 0xDFFF))
        return i;
      i += len;
    }
    return std::string_view::npos;
  }
  bool in = false;
  size_t open = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[i];
    if (in) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in = false;
      } else if (static_cast<unsigned char>(c) < 0x20 && e == simdjson::UNESCAPED_CHARS) {
        return i;
      }
    } else if (c == '"') {
      in = true;
      open = i;
    }
  }
  if (in && e == simdjson::UNCLOSED_STRING) return open;
  return std::string_view::npos;
}

std::string Describe(simdjson::error_code e) {
  switch (e) {
    case simdjson::TAPE_ERROR: return "unexpected character (a `,`, `:`, `}` or `]` may be missing or extra)";
    case simdjson::UTF8_ERROR: return "the text is not valid UTF-8";
    case simdjson::UNCLOSED_STRING: return "a string is not closed";
    case simdjson::UNESCAPED_CHARS: return "a string holds a raw control character";
    case simdjson::STRING_ERROR: return "invalid escape in a string";
    case simdjson::NUMBER_ERROR: return "invalid number";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR: return "invalid literal (expected `true`, `false` or `null`)";
    case simdjson::DEPTH_ERROR: return "nested too deeply";
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT: return "an object or array is not closed";
    default: break;
  }
  return "invalid JSON";
}

class JsonFront {
 public:
  using Value = od::value;

  // `json` is where simdjson's buffer starts; `skip` its offset in the source file.
  JsonFront(Builder& b, od::document& doc, const char* json, uint32_t skip, uint32_t size)
      : b_(b), doc_(doc), json_(json), skip_(skip), size_(size) {}

  NodeKind Kind(Value& v) {
    if (failed_) return NodeKind::Error;
    od::json_type t;
    if (auto e = v.type().get(t)) {
      Fail(e, Where(v));
      return NodeKind::Error;
    }
    switch (t) {
      case od::json_type::object: return NodeKind::Map;
      case od::json_type::array: return NodeKind::Seq;
      case od::json_type::null: {
        std::string_view raw = Raw(v);
        if (raw != "null") {
          Fail(simdjson::N_ATOM_ERROR, raw.data());
          return NodeKind::Error;
        }
        return NodeKind::Null;
      }
      default: return NodeKind::Scalar;
    }
  }

  bool Scalar(Value& v, ScalarIn& s) {
    if (failed_) return false;
    std::string_view raw = Raw(v);
    if (failed_) return false;
    s.span = SpanOfRaw(raw);
    od::json_type t;
    if (auto e = v.type().get(t)) return Fail(e, raw.data()), false;
    switch (t) {
      case od::json_type::string: {
        // Most strings have no escape: the text between the quotes is the value, read in place
        // (stage 1 has validated the UTF-8 and rejected raw control characters).
        if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"' &&
            !std::memchr(raw.data() + 1, '\\', raw.size() - 2)) {
          s.kind = ScalarIn::Kind::String;
          s.text = raw.substr(1, raw.size() - 2);
          return true;
        }
        std::string_view str;
        if (auto e = v.get_string().get(str)) return Fail(e, raw.data()), false;
        s.kind = ScalarIn::Kind::String;
        s.text = str;
        return true;
      }
      case od::json_type::number:
        if (!ValidNumber(raw)) return Fail(simdjson::NUMBER_ERROR, raw.data()), false;
        s.kind = ScalarIn::Kind::Number;
        s.text = raw;
        return true;
      case od::json_type::boolean:
        if (raw != "true" && raw != "false")
          return Fail(raw[0] == 't' ? simdjson::T_ATOM_ERROR : simdjson::F_ATOM_ERROR, raw.data()), false;
        s.kind = ScalarIn::Kind::Bool;
        s.text = raw;
        return true;
      default:
        Fail(simdjson::INCORRECT_TYPE, raw.data());
        return false;
    }
  }

  Span SpanOf(Value& v) {
    return SpanOfRaw(TrimRight(v.raw_json_token()));
  }

  template <class Fn>
  void ForEachEntry(Value& v, Fn&& fn) {
    if (failed_) return;
    od::object obj;
    if (auto e = v.get_object().get(obj)) return Fail(e, Where(v));
    for (auto fr : obj) {
      od::field f;
      if (auto e = std::move(fr).get(f)) return Fail(e, nullptr);
      const char* raw = f.key().raw();  // just after the opening quote; before unescaped_key()
      Key key;
      bool escaped = true;
      const char* close = raw ? KeyEnd(raw, escaped) : nullptr;
      if (!escaped) {
        key.text = std::string_view(raw, static_cast<size_t>(close - raw));  // no escape: the key in place
      } else {
        std::string_view k;
        if (auto e = f.unescaped_key().get(k)) return Fail(e, raw ? raw - 1 : nullptr);
        key.text = k;
      }
      key.span = raw ? Span{b_.file_id(), Off(raw - 1), Off(close < json_ + size_ ? close + 1 : close)} : Span{};
      od::value val = f.value();
      if (!fn(key, val)) return;
      if (failed_) return;
    }
  }

  template <class Fn>
  void ForEachElement(Value& v, Fn&& fn) {
    if (failed_) return;
    od::array arr;
    if (auto e = v.get_array().get(arr)) return Fail(e, Where(v));
    size_t i = 0;
    for (auto er : arr) {
      od::value ev;
      if (auto e = std::move(er).get(ev)) return Fail(e, nullptr);
      if (!fn(i++, ev)) return;
      if (failed_) return;
    }
  }

  // Unknown fields and mismatched values are still read to the end, so a syntax error
  // anywhere in the file is reported.
  void Skip(Value& v, int depth) {
    if (failed_ || b_.stopped()) return;
    NodeKind k = Kind(v);
    if (k == NodeKind::Map || k == NodeKind::Seq) {
      if (depth > kMaxEvidenceDepth) {
        b_.TooDeep(SpanOf(v));
        failed_ = true;
        return;
      }
      auto go = [&](Value& c) {
        Skip(c, depth + 1);
        return !failed_ && !b_.stopped();
      };
      if (k == NodeKind::Map)
        ForEachEntry(v, [&](const Key& key, Value& c) {
          b_.PushField(key.text);
          bool more = go(c);
          b_.Pop();
          return more;
        });
      else
        ForEachElement(v, [&](size_t i, Value& c) {
          b_.PushIndex(i);
          bool more = go(c);
          b_.Pop();
          return more;
        });
    } else if (k == NodeKind::Scalar) {
      ScalarIn s;
      Scalar(v, s);
    }
  }

  bool failed() const { return failed_; }

  void Fail(simdjson::error_code e, const char* where) {
    if (failed_) return;
    failed_ = true;
    Span span{};
    if (!where) {
      const char* cur = nullptr;
      if (!doc_.current_location().get(cur)) where = cur;
    }
    if (where) span = PointSpan(where);
    b_.Error("E0702", span, "malformed JSON: " + Describe(e), std::string("simdjson: ") + simdjson::error_message(e));
    b_.Fatal();
  }

  void FailText(const std::string& message, const char* where) {
    if (failed_) return;
    failed_ = true;
    b_.Error("E0702", where ? PointSpan(where) : Span{}, "malformed JSON: " + message);
    b_.Fatal();
  }

  Span PointSpan(const char* p) const {
    uint32_t off = Off(p);
    uint32_t end = std::min(off + 1, skip_ + size_);
    return {b_.file_id(), off, std::max(end, off)};
  }

 private:
  uint32_t Off(const char* p) const {
    if (p < json_) return skip_;
    size_t d = static_cast<size_t>(p - json_);
    return skip_ + static_cast<uint32_t>(std::min<size_t>(d, size_));
  }

  std::string_view Raw(Value& v) {
    return TrimRight(v.raw_json_token());
  }

  const char* Where(Value& v) {
    return v.raw_json_token().data();
  }

  Span SpanOfRaw(std::string_view raw) const {
    if (!raw.data()) return {};
    uint32_t b = Off(raw.data());
    uint32_t e = Off(raw.data() + raw.size());
    if (e <= b) e = std::min(b + 1, skip_ + size_);
    return {b_.file_id(), b, e};
  }

  // The closing quote of the key whose text starts at `raw` (or the end of the text); whether
  // the key holds an escape.
  const char* KeyEnd(const char* raw, bool& escaped) const {
    const char* end = json_ + size_;
    const char* p = raw;
    escaped = false;
    while (p < end && *p != '"') {
      if (*p == '\\') {
        escaped = true;
        p += 2;
      } else {
        ++p;
      }
    }
    return std::min(p, end);
  }

  Builder& b_;
  od::document& doc_;
  const char* json_;
  uint32_t skip_, size_;
  bool failed_ = false;
};

}  // namespace

void LoadJson(Builder& b) {
  const std::string& text = b.file().text();
  const EntityDef& root = b.schema().entities[b.schema().root];
  uint32_t skip = text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  const char* json = text.data() + skip;
  size_t len = text.size() - skip;

  // The loader leaves SIMDJSON_PADDING bytes of capacity behind the text so simdjson can read
  // it in place; otherwise parse a padded copy.
  simdjson::padded_string copy;
  simdjson::padded_string_view view;
  if (text.capacity() >= text.size() + simdjson::SIMDJSON_PADDING) {
    view = simdjson::padded_string_view(json, len, text.capacity() - skip);
  } else {
    copy = simdjson::padded_string(json, len);
    json = copy.data();
    view = simdjson::padded_string_view(copy);
  }

  // One parser per thread: batch mode loads many documents and reuses its buffers.
  thread_local od::parser parser;
  od::document doc;
  simdjson::error_code err = parser.iterate(view).get(doc);
  JsonFront front(b, doc, json, skip, static_cast<uint32_t>(len));
  if (err == simdjson::EMPTY) {
    b.Error("E0708", Span{b.file_id(), 0, 0}, "evidence file is empty",
            "write the `" + root.name + "` fields as a JSON object");
    return;
  }
  if (err) {
    size_t at = LocateStage1Error(std::string_view(json, len), err);
    Span span = at == std::string_view::npos ? Span{} : front.PointSpan(json + at);
    b.Error("E0702", span, "malformed JSON: " + Describe(err), std::string("simdjson: ") + simdjson::error_message(err));
    return;
  }
  od::json_type t;
  if (auto e = doc.type().get(t)) {
    front.Fail(e, nullptr);
    return;
  }
  if (t != od::json_type::object) {
    size_t first = std::string_view(json, len).find_first_not_of(" \t\r\n");
    Span span = first == std::string_view::npos ? Span{} : front.PointSpan(json + first);
    const char* found = t == od::json_type::array    ? "an array"
                        : t == od::json_type::string ? "a string"
                        : t == od::json_type::null   ? "null"
                                                     : "a scalar";
    b.Error("E0708", span, "the top level must be a mapping of the `" + root.name + "` fields",
            std::string("found ") + found + "; write a JSON object `{\"field\": value, …}`");
    return;
  }
  od::value v;
  if (auto e = doc.get_value().get(v)) {
    front.Fail(e, nullptr);
    return;
  }
  Walker<JsonFront> walker(b, front);
  walker.Root(v);
  if (front.failed() || b.stopped()) return;
  // Past the root object the iterator must be at the end of the document.
  const char* cur = nullptr;
  if (!doc.current_location().get(cur) && cur)
    front.FailText("unexpected text after the top-level object", cur);
}

}  // namespace conform::runtime::detail
