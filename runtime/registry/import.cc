// Registry import: JSON (simdjson On Demand, with positions) or CSV (RFC 4180, one `record`
// column naming each row's kind) → rows → checked against the record specs → written in one
// transaction. Any error rejects the whole file; every error names its line.
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "conform/compiler/calendar.h"
#include "conform/compiler/driver.h"
#include "internal.h"

namespace od = simdjson::ondemand;
namespace fs = std::filesystem;

namespace conform::runtime::registry {
using namespace detail;
namespace {

// ---- record specs ---------------------------------------------------------------------------

// Number: text normalised by NormalizeNumber (certificate numbers, self-declaration ids).
enum class FType { Text, Number, Date, List, Enum, Standards, Sites };

struct FieldSpec {
  const char* name;
  FType type;
  bool required;
  std::vector<std::string> members;  // Enum
};

struct KindSpec {
  const char* kind;    // certificate
  const char* plural;  // certificates (the JSON key)
  std::vector<FieldSpec> fields;
  std::vector<const char*> key;  // fields that identify a row
  const FieldSpec* Find(const std::string& n) const {
    for (const auto& f : fields)
      if (n == f.name) return &f;
    return nullptr;
  }
};

const std::vector<KindSpec>& Kinds() {
  static const std::vector<KindSpec> kinds = {
      {"accreditation_body", "accreditation_bodies",
       {{"id", FType::Text, true, {}}, {"name", FType::Text, true, {}}, {"acronym", FType::Text, false, {}},
        {"economies", FType::List, false, {}}, {"kind", FType::Enum, false, {"accreditation_body", "scheme_oversight"}}},
       {"id"}},
      {"recognition", "recognitions",
       {{"accreditation_body", FType::Text, true, {}},
        {"arrangement", FType::Text, true, {}},  // IAF MLA, ILAC MRA, GACI MRA, or a scheme's (checked across rows)
        {"main_scope", FType::Text, true, {}},
        {"sub_scope", FType::Text, false, {}},
        {"since", FType::Date, true, {}},
        {"until", FType::Date, false, {}}},
       {"accreditation_body", "arrangement", "main_scope", "sub_scope", "since"}},
      {"certification_body", "certification_bodies",
       {{"id", FType::Text, true, {}},
        {"name", FType::Text, true, {}},
        {"kind", FType::Enum, false, {"certification_body", "laboratory", "inspection_body"}},
        {"country", FType::Text, false, {}},
        {"aka", FType::List, false, {}}},
       {"id"}},
      {"accreditation", "accreditations",
       {{"id", FType::Text, true, {}},
        {"body", FType::Text, true, {}},
        {"accreditation_body", FType::Text, true, {}},
        {"normative", FType::Text, true, {}},
        {"standard", FType::Text, false, {}},
        {"edition", FType::Text, false, {}},
        {"iaf_codes", FType::List, false, {}},
        {"valid_from", FType::Date, true, {}},
        {"valid_to", FType::Date, false, {}},
        {"status", FType::Enum, false, {"active", "suspended", "withdrawn"}},
        {"status_since", FType::Date, false, {}}},
       {"id"}},
      {"certificate", "certificates",
       {{"number", FType::Number, true, {}},
        {"body", FType::Text, true, {}},
        {"organization", FType::Text, true, {}},
        {"standards", FType::Standards, true, {}},
        {"accreditation_body", FType::Text, false, {}},
        {"country", FType::Text, false, {}},
        {"scope", FType::Text, false, {}},
        {"iaf_codes", FType::List, false, {}},
        {"sites", FType::Sites, false, {}},
        {"original_date", FType::Date, false, {}},
        {"decision_date", FType::Date, false, {}},
        {"issued", FType::Date, true, {}},
        {"expiry", FType::Date, true, {}},
        {"status", FType::Enum, true, {"active", "suspended", "withdrawn", "expired", "cancelled"}},
        {"status_since", FType::Date, false, {}},
        {"audit_date", FType::Date, false, {}}},
       {"number"}},
      {"self_declaration", "self_declarations",
       {{"id", FType::Number, true, {}},
        {"organization", FType::Text, true, {}},
        {"standard", FType::Text, true, {}},
        {"edition", FType::Text, false, {}},
        {"declared_at", FType::Date, true, {}},
        {"valid_until", FType::Date, false, {}},
        {"registry", FType::Text, false, {}},
        {"country", FType::Text, false, {}},
        {"scope", FType::Text, false, {}}},
       {"id"}},
      {"edition", "editions",
       {{"standard", FType::Text, true, {}},
        {"edition", FType::Text, true, {}},
        {"published", FType::Date, false, {}},
        {"transition_end", FType::Date, false, {}},
        {"last_audit", FType::Date, false, {}},
        {"source", FType::Text, false, {}}},
       {"standard", "edition"}},
      {"scheme", "schemes",
       {{"standard", FType::Text, true, {}},
        {"normative", FType::Text, true, {}},
        {"arrangements", FType::List, true, {}},
        {"owner", FType::Text, false, {}},
        {"source", FType::Text, false, {}}},
       {"standard"}},
  };
  return kinds;
}

const KindSpec* FindKind(const std::string& k) {
  for (const auto& s : Kinds())
    if (k == s.kind || k == s.plural) return &s;
  return nullptr;
}

std::vector<std::string> KindNames(bool plural) {
  std::vector<std::string> out;
  for (const auto& s : Kinds()) out.push_back(plural ? s.plural : s.kind);
  return out;
}

std::string JoinNames(const std::vector<std::string>& xs) {
  std::string out;
  for (size_t i = 0; i < xs.size(); ++i) out += (i ? ", " : "") + xs[i];
  return out;
}

// ---- rows: what either reader produces -----------------------------------------------------

struct Object {  // an element of `standards` or `sites` written as a mapping
  std::map<std::string, std::string> fields;
  Span span;
};

struct Cell {
  bool is_list = false;
  std::string text;
  std::vector<std::string> items;
  std::vector<Span> item_spans;
  std::vector<Object> objects;  // list elements written as mappings (JSON)
  bool has_objects = false;
  bool wrong_kind = false;  // e.g. an object where text was expected
  std::string found;        // what was found, for messages
  Span span;
};

struct Row {
  const KindSpec* spec = nullptr;
  Span span;
  std::map<std::string, Cell> cells;
};

class Sink {
 public:
  Sink(Diagnostics& d, size_t max) : diags_(d), max_(max) {}
  Diagnostic* Error(const char* code, Span span, std::string message, std::string help = {}) {
    if (++count_ > max_) return nullptr;
    return &diags_.Error(code, span, std::move(message), std::move(help));
  }
  size_t count() const { return count_; }

 private:
  Diagnostics& diags_;
  size_t max_;
  size_t count_ = 0;
};

// ---- JSON -----------------------------------------------------------------------------------

class JsonReader {
 public:
  // `text` is parsed in place when it has SIMDJSON_PADDING bytes of spare capacity (ImportFile
  // reads it so), else copied once.
  JsonReader(uint32_t file, const std::string& text, const std::string& path, Sink& sink)
      : file_(file), path_(path), sink_(sink) {
    if (text.capacity() >= text.size() + simdjson::SIMDJSON_PADDING) {
      padded_ = simdjson::padded_string_view(text.data(), text.size(), text.capacity());
    } else {
      owned_ = simdjson::padded_string(text);
      padded_ = owned_;
    }
  }

  // Calls `on_row` for each entry as it is read: no row outlives its turn.
  bool Read(const std::function<void(Row&&)>& on_row) {
    od::parser parser;
    od::document doc;
    if (auto e = parser.iterate(padded_).get(doc)) return Syntax(e, nullptr);
    od::object root;
    if (auto e = doc.get_object().get(root)) {
      const char* loc = nullptr;
      if (doc.current_location().get(loc)) loc = nullptr;
      if (e == simdjson::INCORRECT_TYPE) {
        sink_.Error("E1022", At(loc ? loc : padded_.data()), "the top level of a registry file must be a JSON object",
                    "write { \"certificates\": [ … ], \"certification_bodies\": [ … ], … }");
        return false;
      }
      return Syntax(e, loc);
    }
    for (auto fr : root) {
      od::field f;
      if (auto e = std::move(fr).get(f)) return Syntax(e, nullptr);
      const char* kraw = f.key().raw();
      std::string_view key;
      if (auto e = f.unescaped_key().get(key)) return Syntax(e, kraw);
      Span kspan = KeySpan(kraw, key.size());
      const KindSpec* spec = FindKind(std::string(key));
      od::value v = f.value();
      if (!spec || std::string(key) != spec->plural) {
        std::string near = ClosestMatch(std::string(key), KindNames(true));
        sink_.Error("E1023", kspan, fmt::format("unknown section `{}`", key),
                    near.empty() ? "sections: " + JoinNames(KindNames(true)) : fmt::format("did you mean `{}`?", near));
        JNodeSkip(v);
        if (failed_) return false;
        continue;
      }
      od::array arr;
      if (auto e = v.get_array().get(arr)) {
        if (e == simdjson::INCORRECT_TYPE) {
          sink_.Error("E1022", At(Where(v)), fmt::format("section `{}` must be a list of objects", key));
          JNodeSkip(v);
          if (failed_) return false;
          continue;
        }
        return Syntax(e, Where(v));
      }
      for (auto er : arr) {
        od::value ev;
        if (auto e = std::move(er).get(ev)) return Syntax(e, nullptr);
        Row row;
        row.spec = spec;
        if (!ReadRow(ev, row)) {
          if (failed_) return false;
          continue;
        }
        on_row(std::move(row));
      }
    }
    if (const char* loc = nullptr; !doc.current_location().get(loc) && loc) {
      sink_.Error("E1022", At(loc), "malformed JSON: text after the top-level object");
      return false;
    }
    return !failed_;
  }

 private:
  bool ReadRow(od::value& v, Row& row) {
    const char* start = Where(v);
    od::object obj;
    if (auto e = v.get_object().get(obj)) {
      if (e == simdjson::INCORRECT_TYPE) {
        sink_.Error("E1022", At(start), fmt::format("a `{}` entry must be an object", row.spec->kind));
        JNodeSkip(v);
        return false;
      }
      Syntax(e, start);
      return false;
    }
    row.span = At(start);
    for (auto fr : obj) {
      od::field f;
      if (auto e = std::move(fr).get(f)) return Syntax(e, nullptr);
      const char* kraw = f.key().raw();
      std::string_view key;
      if (auto e = f.unescaped_key().get(key)) return Syntax(e, kraw);
      od::value fv = f.value();
      Cell cell;
      cell.span = KeySpan(kraw, key.size());
      if (!ReadCell(fv, cell)) return false;
      if (cell.found == "null") continue;  // null = absent
      std::string k(key);
      if (row.cells.count(k)) {
        sink_.Error("E1026", cell.span, fmt::format("field `{}` written twice in one `{}`", k, row.spec->kind), "keep one");
        continue;
      }
      row.cells.emplace(k, std::move(cell));
    }
    return true;
  }

  bool Scalar(od::value& v, std::string& out, std::string& found, Span& span) {
    const char* p = Where(v);
    od::json_type t;
    if (auto e = v.type().get(t)) return Syntax(e, p);
    std::string_view raw = v.raw_json_token();
    while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t')) raw.remove_suffix(1);
    span = At(p, std::max<size_t>(raw.size(), 1));
    switch (t) {
      case od::json_type::string: {
        std::string_view s;
        if (auto e = v.get_string().get(s)) return Syntax(e, p);
        out = s;
        found = "text";
        return true;
      }
      case od::json_type::number:
        out = raw;
        found = "number";
        return true;
      case od::json_type::boolean:
        out = raw;
        found = "boolean";
        return true;
      case od::json_type::null:
        found = "null";
        return true;
      case od::json_type::object:
        found = "an object";
        JNodeSkip(v);
        return !failed_;
      case od::json_type::array:
        found = "a list";
        JNodeSkip(v);
        return !failed_;
    }
    return true;
  }

  bool ReadCell(od::value& v, Cell& cell) {
    const char* p = Where(v);
    od::json_type t;
    if (auto e = v.type().get(t)) return Syntax(e, p);
    if (t != od::json_type::array) {
      Span s;
      if (!Scalar(v, cell.text, cell.found, s)) return false;
      cell.span = s;
      cell.wrong_kind = cell.found == "an object" || cell.found == "a list";
      return true;
    }
    cell.is_list = true;
    cell.found = "a list";
    cell.span = At(p);
    od::array arr;
    if (auto e = v.get_array().get(arr)) return Syntax(e, p);
    for (auto er : arr) {
      od::value ev;
      if (auto e = std::move(er).get(ev)) return Syntax(e, nullptr);
      const char* ep = Where(ev);
      od::json_type et;
      if (auto e = ev.type().get(et)) return Syntax(e, ep);
      if (et == od::json_type::object) {
        Object o;
        o.span = At(ep);
        od::object obj;
        if (auto e = ev.get_object().get(obj)) return Syntax(e, ep);
        for (auto fr : obj) {
          od::field f;
          if (auto e = std::move(fr).get(f)) return Syntax(e, nullptr);
          std::string_view key;
          const char* kraw = f.key().raw();
          if (auto e = f.unescaped_key().get(key)) return Syntax(e, kraw);
          od::value fv = f.value();
          std::string text, found;
          Span s;
          if (!Scalar(fv, text, found, s)) return false;
          if (found == "null") continue;
          if (found == "an object" || found == "a list") {
            sink_.Error("E1025", s, fmt::format("`{}` must be text, found {}", key, found));
            continue;
          }
          o.fields[std::string(key)] = text;
        }
        cell.objects.push_back(std::move(o));
        cell.has_objects = true;
        cell.item_spans.push_back(At(ep));
        cell.items.emplace_back();
      } else {
        std::string text, found;
        Span s;
        if (!Scalar(ev, text, found, s)) return false;
        if (found == "null" || found == "a list") {
          sink_.Error("E1025", s, fmt::format("a list element must be text, found {}", found == "null" ? "null" : found));
          continue;
        }
        cell.items.push_back(text);
        cell.item_spans.push_back(s);
        cell.objects.emplace_back();
      }
    }
    return true;
  }

  void JNodeSkip(od::value& v) {
    // Reading the raw token of a compound value does not consume it; iterate to skip it.
    od::json_type t;
    if (v.type().get(t)) return;
    if (t == od::json_type::object) {
      od::object o;
      if (v.get_object().get(o)) return;
      for (auto fr : o) {
        od::field f;
        if (std::move(fr).get(f)) return void(failed_ = true);
        od::value c = f.value();
        JNodeSkip(c);
      }
    } else if (t == od::json_type::array) {
      od::array a;
      if (v.get_array().get(a)) return;
      for (auto er : a) {
        od::value c;
        if (std::move(er).get(c)) return void(failed_ = true);
        JNodeSkip(c);
      }
    }
  }

  const char* Where(od::value& v) { return v.raw_json_token().data(); }

  Span At(const char* p, size_t len = 1) const {
    if (!p) return {};
    const char* base = padded_.data();
    if (p < base || p > base + padded_.size()) return {};
    uint32_t b = static_cast<uint32_t>(p - base);
    uint32_t e = static_cast<uint32_t>(std::min<size_t>(b + len, padded_.size()));
    if (e <= b) e = b + (b < padded_.size() ? 1 : 0);
    return {file_, b, e};
  }
  Span KeySpan(const char* raw, size_t len) const {
    if (!raw) return {};
    return At(raw - 1, len + 2);
  }

  // simdjson's first stage rejects some documents without a position: find the first place
  // that breaks the structure (a comma before a closing bracket, a bracket that does not
  // match, an unterminated string, text after the top level).
  const char* Locate() const {
    const char* p = padded_.data();
    const char* end = p + padded_.size();
    std::vector<char> stack;
    const char* last_comma = nullptr;
    bool done = false;
    for (; p < end; ++p) {
      char c = *p;
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
      if (done) return p;
      if (c == '"') {
        const char* q = p++;
        while (p < end && *p != '"' && *p != '\n') p += *p == '\\' ? 2 : 1;
        if (p >= end || *p == '\n') return q;
        last_comma = nullptr;
        continue;
      }
      if (c == '{' || c == '[') {
        stack.push_back(c == '{' ? '}' : ']');
      } else if (c == '}' || c == ']') {
        if (last_comma) return last_comma;
        if (stack.empty() || stack.back() != c) return p;
        stack.pop_back();
        if (stack.empty()) done = true;
      }
      last_comma = c == ',' ? p : nullptr;
    }
    return stack.empty() ? nullptr : end - 1;
  }

  bool Syntax(simdjson::error_code e, const char* where) {
    failed_ = true;
    if (!where) where = Locate();
    Span s = At(where);
    auto* d = sink_.Error("E1022", s, fmt::format("malformed JSON: {}", simdjson::error_message(e)),
                          "check brackets, commas and quotes near this point");
    if (d && !s.valid()) d->path = path_;
    return false;
  }

  uint32_t file_;
  simdjson::padded_string owned_;
  simdjson::padded_string_view padded_;
  const std::string& path_;
  Sink& sink_;
  bool failed_ = false;
};

// ---- CSV ------------------------------------------------------------------------------------

struct CsvRecord {
  std::vector<std::string> cells;
  std::vector<Span> spans;
  Span span;
};

// RFC 4180: comma-separated, "…" quoting with "" for a quote, fields may span lines. Blank
// lines and lines starting with `#` are skipped.
bool ParseCsv(uint32_t file, const std::string& text, Sink& sink, const std::function<void(CsvRecord&&)>& out) {
  size_t i = 0, n = text.size();
  if (n >= 3 && static_cast<unsigned char>(text[0]) == 0xEF && static_cast<unsigned char>(text[1]) == 0xBB &&
      static_cast<unsigned char>(text[2]) == 0xBF)
    i = 3;  // UTF-8 byte-order mark
  auto span = [&](size_t b, size_t e) { return Span{file, static_cast<uint32_t>(b), static_cast<uint32_t>(std::max(e, b + 1))}; };
  while (i < n) {
    // Skip blank and comment lines.
    size_t ls = i;
    while (i < n && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i < n && (text[i] == '\n' || text[i] == '\r')) {
      ++i;
      continue;
    }
    if (i < n && text[i] == '#') {
      while (i < n && text[i] != '\n') ++i;
      continue;
    }
    i = ls;
    if (i >= n) break;
    CsvRecord rec;
    size_t rec_start = i;
    while (true) {
      std::string cell;
      size_t cb = i;
      // Leading spaces of an unquoted or quoted cell are not part of it.
      while (i < n && (text[i] == ' ' || text[i] == '\t')) ++i;
      if (i < n && text[i] == '"') {
        size_t q = i++;
        bool closed = false;
        while (i < n) {
          if (text[i] == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              cell += '"';
              i += 2;
            } else {
              ++i;
              closed = true;
              break;
            }
          } else {
            cell += text[i++];
          }
        }
        if (!closed) {
          sink.Error("E1022", span(q, q + 1), "malformed CSV: a quoted cell is not closed", "close it with \"; write \"\" for a quote");
          return false;
        }
        while (i < n && (text[i] == ' ' || text[i] == '\t')) ++i;
        if (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          sink.Error("E1022", span(i, i + 1), "malformed CSV: text after a closing quote", "quote the whole cell");
          return false;
        }
        rec.spans.push_back(span(q, i));
      } else {
        size_t b = i;
        while (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') ++i;
        size_t e = i;
        while (e > b && (text[e - 1] == ' ' || text[e - 1] == '\t')) --e;
        cell = text.substr(b, e - b);
        rec.spans.push_back(span(b == e ? cb : b, e));
      }
      rec.cells.push_back(std::move(cell));
      if (i < n && text[i] == ',') {
        ++i;
        continue;
      }
      break;
    }
    rec.span = span(rec_start, i);
    if (i < n && text[i] == '\r') ++i;
    if (i < n && text[i] == '\n') ++i;
    out(std::move(rec));
  }
  return true;
}

// The header: `record` and the union of the fields of every kind.
bool ReadCsvHeader(const CsvRecord& head, Sink& sink, std::vector<std::string>& cols, int& record_col) {
  // The header: `record` and the union of the fields of every kind.
  std::set<std::string> all;
  for (const auto& k : Kinds())
    for (const auto& f : k.fields) all.insert(f.name);
  cols.clear();
  record_col = -1;
  bool ok = true;
  for (size_t c = 0; c < head.cells.size(); ++c) {
    std::string name = Lower(head.cells[c]);
    if (std::find(cols.begin(), cols.end(), name) != cols.end()) {
      sink.Error("E1026", head.spans[c], fmt::format("column `{}` appears twice in the header", name), "keep one");
      ok = false;
    } else if (name == "record") {
      record_col = static_cast<int>(c);
    } else if (!all.count(name)) {
      std::string near = ClosestMatch(name, std::vector<std::string>(all.begin(), all.end()));
      sink.Error("E1023", head.spans[c], fmt::format("unknown column `{}`", name),
                 near.empty() ? "columns are the fields of the record kinds (docs/certification.md)" : fmt::format("did you mean `{}`?", near));
      ok = false;
    }
    cols.push_back(name);
  }
  if (record_col < 0) {
    sink.Error("E1023", head.span, "the header has no `record` column",
               "add a column `record` naming each row's kind: " + JoinNames(KindNames(false)));
    return false;
  }
  return ok;
}

void CsvRow(const CsvRecord& rec, const std::vector<std::string>& cols, int record_col, Sink& sink,
            const std::function<void(Row&&)>& on_row) {
  {
    if (rec.cells.size() != cols.size()) {
      sink.Error("E1022", rec.span, fmt::format("malformed CSV: this row has {} cells, the header has {}", rec.cells.size(), cols.size()),
                 "quote cells that contain commas");
      return;
    }
    Row row;
    row.span = rec.span;
    row.spec = FindKind(rec.cells[record_col]);
    if (!row.spec) {
      std::string near = ClosestMatch(rec.cells[record_col], KindNames(false));
      sink.Error("E1023", rec.spans[record_col], fmt::format("unknown record kind `{}`", rec.cells[record_col]),
                 near.empty() ? "kinds: " + JoinNames(KindNames(false)) : fmt::format("did you mean `{}`?", near));
      return;
    }
    bool row_ok = true;
    for (size_t c = 0; c < cols.size(); ++c) {
      if (static_cast<int>(c) == record_col || rec.cells[c].empty()) continue;
      const FieldSpec* fs = row.spec->Find(cols[c]);
      if (!fs) {
        sink.Error("E1023", rec.spans[c], fmt::format("column `{}` does not apply to a `{}` row", cols[c], row.spec->kind),
                   "leave the cell empty");
        row_ok = false;
        continue;
      }
      Cell cell;
      cell.span = rec.spans[c];
      cell.found = "text";
      if (fs->type == FType::List || fs->type == FType::Standards || fs->type == FType::Sites) {
        cell.is_list = true;
        for (const auto& item : SplitList(rec.cells[c])) {
          cell.items.push_back(item);
          cell.item_spans.push_back(rec.spans[c]);
          cell.objects.emplace_back();
        }
      } else {
        cell.text = rec.cells[c];
      }
      row.cells.emplace(cols[c], std::move(cell));
    }
    if (row_ok) on_row(std::move(row));
  }
}

// Header first, then each record becomes a row handed to `on_row` as soon as it is parsed.
bool ReadCsv(uint32_t file, const std::string& text, Sink& sink, const std::function<void(Row&&)>& on_row) {
  bool have_header = false, header_ok = true;
  std::vector<std::string> cols;
  int record_col = -1;
  auto record = [&](CsvRecord&& rec) {
    if (!have_header) {
      have_header = true;
      header_ok = ReadCsvHeader(rec, sink, cols, record_col);
      return;
    }
    if (header_ok) CsvRow(rec, cols, record_col, sink, on_row);
  };
  if (!ParseCsv(file, text, sink, record)) return false;
  if (!have_header) {
    sink.Error("E1022", {file, 0, 0}, "the CSV file has no header row",
               "the first row names the columns; one of them is `record` (the kind of each row)");
    return false;
  }
  return header_ok && sink.count() == 0;
}

// ---- typed rows ------------------------------------------------------------------------------

struct Typed {
  const KindSpec* spec;
  Span span;
  std::map<std::string, std::string> text;           // Text, Date (ISO), Enum
  std::map<std::string, std::vector<std::string>> lists;
  std::vector<StandardRef> standards;
  struct Site {
    std::string name;
    std::optional<std::string> country, scope;
  };
  std::vector<Site> sites;
  std::map<std::string, Span> spans;
  std::optional<std::string> Opt(const char* f) const {
    auto it = text.find(f);
    if (it == text.end()) return std::nullopt;
    return it->second;
  }
  std::string Get(const char* f) const { return Opt(f).value_or(""); }
  std::string Key() const {
    std::string k;
    for (const char* f : spec->key) {
      std::string v = Get(f);
      if (std::string(f) == "standard" || std::string(f) == "main_scope" || std::string(f) == "sub_scope") v = StandardKey(v);
      k += (k.empty() ? "" : " / ") + v;
    }
    return k;
  }
};

bool Check(const Row& row, Sink& sink, Typed& out) {
  out.spec = row.spec;
  out.span = row.span;
  bool ok = true;
  for (const auto& [name, cell] : row.cells) {
    const FieldSpec* fs = row.spec->Find(name);
    if (!fs) {
      std::vector<std::string> names;
      for (const auto& f : row.spec->fields) names.push_back(f.name);
      std::string near = ClosestMatch(name, names);
      sink.Error("E1023", cell.span, fmt::format("unknown field `{}` of a `{}`", name, row.spec->kind),
                 near.empty() ? "fields: " + JoinNames(names) : fmt::format("did you mean `{}`?", near));
      ok = false;
      continue;
    }
    out.spans[name] = cell.span;
    bool list_type = fs->type == FType::List || fs->type == FType::Standards || fs->type == FType::Sites;
    if (list_type != cell.is_list || cell.wrong_kind || (cell.has_objects && fs->type == FType::List)) {
      sink.Error("E1025", cell.span,
                 fmt::format("`{}` of a `{}` must be {}, found {}", name, row.spec->kind, list_type ? "a list" : "text", cell.found),
                 list_type ? "write a list: [\"a\", \"b\"] in JSON, a; b in CSV" : "");
      ok = false;
      continue;
    }
    switch (fs->type) {
      case FType::Text:
      case FType::Number: {
        std::string v = fs->type == FType::Number ? NormalizeNumber(cell.text) : cell.text;
        if (v.empty()) {
          sink.Error("E1025", cell.span, fmt::format("`{}` of a `{}` is empty", name, row.spec->kind), "leave the field out, or fill it");
          ok = false;
        }
        out.text[name] = v;
        break;
      }
      case FType::Date:
        if (!cal::ParseDate(cell.text)) {
          sink.Error("E1025", cell.span, fmt::format("invalid date `{}` in `{}`", cell.text, name),
                     "write dates as YYYY-MM-DD, a real calendar day");
          ok = false;
        }
        out.text[name] = cell.text;
        break;
      case FType::Enum:
        if (std::find(fs->members.begin(), fs->members.end(), cell.text) == fs->members.end()) {
          std::string near = ClosestMatch(cell.text, fs->members);
          sink.Error("E1025", cell.span, fmt::format("`{}` is not a valid `{}` of a `{}`", cell.text, name, row.spec->kind),
                     "one of: " + JoinNames(fs->members) + (near.empty() ? "" : fmt::format(" (did you mean `{}`?)", near)));
          ok = false;
        }
        out.text[name] = cell.text;
        break;
      case FType::List: out.lists[name] = cell.items; break;
      case FType::Standards:
        for (size_t i = 0; i < cell.items.size(); ++i) {
          StandardRef s;
          if (cell.has_objects && !cell.objects[i].fields.empty()) {
            const auto& o = cell.objects[i].fields;
            auto st = o.find("standard"), ed = o.find("edition");
            for (const auto& [k, v] : o)
              if (k != "standard" && k != "edition")
                sink.Error("E1023", cell.item_spans[i], fmt::format("unknown field `{}` of a certificate's standard", k),
                           "a standard has `standard` and `edition`"),
                    ok = false;
            if (st == o.end() || ed == o.end() || st->second.empty() || ed->second.empty()) {
              sink.Error("E1024", cell.item_spans[i], "a certificate's standard needs `standard` and `edition`",
                         "e.g. {\"standard\": \"ISO 9001\", \"edition\": \"2015\"}");
              ok = false;
              continue;
            }
            s = {st->second, ed->second};
          } else {
            const std::string& t = cell.items[i];
            size_t colon = t.find(':');  // the edition may hold one itself: ISO 9001:2015+A1:2024
            if (colon == std::string::npos || colon == 0 || colon + 1 == t.size()) {
              sink.Error("E1025", cell.item_spans[i], fmt::format("`{}` does not name a standard and its edition", t),
                         "write STANDARD:EDITION, e.g. ISO 9001:2015");
              ok = false;
              continue;
            }
            s = {t.substr(0, colon), t.substr(colon + 1)};
            while (!s.standard.empty() && s.standard.back() == ' ') s.standard.pop_back();
            while (!s.edition.empty() && s.edition.front() == ' ') s.edition.erase(0, 1);
          }
          out.standards.push_back(s);
        }
        if (out.standards.empty() && ok) {
          sink.Error("E1024", cell.span, "a certificate names at least one standard", "e.g. standards: ISO 9001:2015");
          ok = false;
        }
        break;
      case FType::Sites:
        for (size_t i = 0; i < cell.items.size(); ++i) {
          Typed::Site site;
          if (cell.has_objects && !cell.objects[i].fields.empty()) {
            const auto& o = cell.objects[i].fields;
            for (const auto& [k, v] : o)
              if (k != "name" && k != "country" && k != "scope")
                sink.Error("E1023", cell.item_spans[i], fmt::format("unknown field `{}` of a certificate's site", k),
                           "a site has `name`, `country` and `scope`"),
                    ok = false;
            auto nm = o.find("name");
            if (nm == o.end() || nm->second.empty()) {
              sink.Error("E1024", cell.item_spans[i], "a certificate's site needs a `name`");
              ok = false;
              continue;
            }
            site.name = nm->second;
            if (auto c = o.find("country"); c != o.end()) site.country = c->second;
            if (auto c = o.find("scope"); c != o.end()) site.scope = c->second;
          } else {
            site.name = cell.items[i];
          }
          out.sites.push_back(site);
        }
        break;
    }
  }
  for (const auto& f : row.spec->fields)
    if (f.required && !row.cells.count(f.name)) {
      sink.Error("E1024", row.span, fmt::format("a `{}` needs `{}`", row.spec->kind, f.name), fmt::format("add `{}`", f.name));
      ok = false;
    }
  if (!ok) return false;
  // Periods that end before they start.
  auto order = [&](const char* a, const char* b, bool strict) {
    auto x = out.Opt(a), y = out.Opt(b);
    if (x && y && (*y < *x || (strict && *y == *x))) {
      sink.Error("E1025", out.spans[b], fmt::format("`{}` ({}) is {} `{}` ({})", b, *y, strict ? "not after" : "before", a, *x),
                 "check both dates");
      ok = false;
    }
  };
  order("issued", "expiry", true);
  order("valid_from", "valid_to", false);
  order("since", "until", false);
  order("declared_at", "valid_until", false);
  return ok;
}

// Writes one checked row (inside the import's transaction). False after an E1027.
bool InsertRow(sqlite3* db, const Typed& t, Sink& sink) {
  std::string kind = t.spec->kind;
  auto fail = [&](Stmt& st) {
    sink.Error("E1027", t.span, fmt::format("cannot write this {}: {}", kind, st.ok() ? st.Error() : sqlite3_errmsg(db)),
               "nothing from this file was written");
    return false;
  };
  auto run = [&](Stmt& st) { return st.ok() && st.Step() == SQLITE_DONE; };
  bool ok = true;
  if (kind == "accreditation_body") {
    Stmt st(db, "INSERT OR REPLACE INTO accreditation_bodies(id, name, acronym, economies, kind) VALUES (?,?,?,?,?)");
    st.Bind(1, t.Get("id")).Bind(2, t.Get("name")).Bind(3, t.Opt("acronym"));
    st.Bind(4, t.lists.count("economies") ? std::optional<std::string>(JoinList(t.lists.at("economies"))) : std::nullopt);
    st.Bind(5, t.Opt("kind"));
    ok = run(st) || fail(st);
  } else if (kind == "recognition") {
    Stmt st(db, "INSERT OR REPLACE INTO recognitions VALUES (?,?,?,?,?,?,?,?)");
    st.Bind(1, t.Get("accreditation_body")).Bind(2, t.Get("arrangement")).Bind(3, t.Get("main_scope"));
    st.Bind(4, StandardKey(t.Get("main_scope"))).Bind(5, t.Opt("sub_scope")).Bind(6, StandardKey(t.Get("sub_scope")));
    st.Bind(7, t.Get("since")).Bind(8, t.Opt("until"));
    ok = run(st) || fail(st);
  } else if (kind == "certification_body") {
    Stmt st(db, "INSERT OR REPLACE INTO bodies VALUES (?,?,?,?,?)");
    st.Bind(1, t.Get("id")).Bind(2, t.Get("name")).Bind(3, t.Opt("kind").value_or("certification_body")).Bind(4, t.Opt("country"));
    st.Bind(5, t.lists.count("aka") ? std::optional<std::string>(JoinList(t.lists.at("aka"))) : std::nullopt);
    ok = run(st) || fail(st);
  } else if (kind == "accreditation") {
    Stmt st(db, "INSERT OR REPLACE INTO accreditations VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
    st.Bind(1, t.Get("id")).Bind(2, t.Get("body")).Bind(3, t.Get("accreditation_body")).Bind(4, t.Get("normative"));
    st.Bind(5, StandardKey(t.Get("normative"))).Bind(6, t.Opt("standard"));
    st.Bind(7, t.Opt("standard") ? std::optional<std::string>(StandardKey(t.Get("standard"))) : std::nullopt);
    st.Bind(8, t.Opt("edition"));
    st.Bind(9, t.lists.count("iaf_codes") ? std::optional<std::string>(JoinList(t.lists.at("iaf_codes"))) : std::nullopt);
    st.Bind(10, t.Get("valid_from")).Bind(11, t.Opt("valid_to")).Bind(12, t.Opt("status").value_or("active"));
    st.Bind(13, t.Opt("status_since"));
    ok = run(st) || fail(st);
  } else if (kind == "certificate") {
    Stmt st(db,
            "INSERT OR REPLACE INTO certificates(number, body, accreditation_body, organization, country, scope, iaf_codes, "
            "original_date, decision_date, issued, expiry, status, status_since, audit_date) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    st.Bind(1, t.Get("number")).Bind(2, t.Get("body")).Bind(3, t.Opt("accreditation_body")).Bind(4, t.Get("organization"));
    st.Bind(5, t.Opt("country")).Bind(6, t.Opt("scope"));
    st.Bind(7, t.lists.count("iaf_codes") ? std::optional<std::string>(JoinList(t.lists.at("iaf_codes"))) : std::nullopt);
    st.Bind(8, t.Opt("original_date")).Bind(9, t.Opt("decision_date")).Bind(10, t.Get("issued")).Bind(11, t.Get("expiry"));
    st.Bind(12, t.Get("status")).Bind(13, t.Opt("status_since")).Bind(14, t.Opt("audit_date"));
    ok = run(st) || fail(st);
    for (const char* sql : {"DELETE FROM certificate_standards WHERE number = ?", "DELETE FROM certificate_sites WHERE number = ?"}) {
      if (!ok) break;
      Stmt del(db, sql);
      del.Bind(1, t.Get("number"));
      ok = run(del) || fail(del);
    }
    for (size_t i = 0; ok && i < t.standards.size(); ++i) {
      Stmt s(db, "INSERT INTO certificate_standards VALUES (?,?,?,?,?)");
      s.Bind(1, t.Get("number")).BindInt(2, static_cast<int64_t>(i)).Bind(3, t.standards[i].standard);
      s.Bind(4, StandardKey(t.standards[i].standard)).Bind(5, t.standards[i].edition);
      ok = run(s) || fail(s);
    }
    for (size_t i = 0; ok && i < t.sites.size(); ++i) {
      Stmt s(db, "INSERT INTO certificate_sites VALUES (?,?,?,?,?)");
      s.Bind(1, t.Get("number")).BindInt(2, static_cast<int64_t>(i)).Bind(3, t.sites[i].name).Bind(4, t.sites[i].country);
      s.Bind(5, t.sites[i].scope);
      ok = run(s) || fail(s);
    }
  } else if (kind == "self_declaration") {
    Stmt st(db, "INSERT OR REPLACE INTO self_declarations VALUES (?,?,?,?,?,?,?,?,?,?)");
    st.Bind(1, t.Get("id")).Bind(2, t.Get("organization")).Bind(3, t.Opt("country")).Bind(4, t.Get("standard"));
    st.Bind(5, StandardKey(t.Get("standard"))).Bind(6, t.Opt("edition")).Bind(7, t.Get("declared_at"));
    st.Bind(8, t.Opt("valid_until")).Bind(9, t.Opt("registry")).Bind(10, t.Opt("scope"));
    ok = run(st) || fail(st);
  } else if (kind == "edition") {
    Stmt st(db,
            "INSERT OR REPLACE INTO editions(standard, standard_key, edition, published, transition_end, source, last_audit) "
            "VALUES (?,?,?,?,?,?,?)");
    st.Bind(1, t.Get("standard")).Bind(2, StandardKey(t.Get("standard"))).Bind(3, t.Get("edition"));
    st.Bind(4, t.Opt("published")).Bind(5, t.Opt("transition_end")).Bind(6, t.Opt("source")).Bind(7, t.Opt("last_audit"));
    ok = run(st) || fail(st);
  } else if (kind == "scheme") {
    Stmt st(db, "INSERT OR REPLACE INTO schemes VALUES (?,?,?,?,?,?,?)");
    st.Bind(1, t.Get("standard")).Bind(2, StandardKey(t.Get("standard"))).Bind(3, t.Get("normative"));
    st.Bind(4, StandardKey(t.Get("normative"))).Bind(5, JoinList(t.lists.at("arrangements"))).Bind(6, t.Opt("owner"));
    st.Bind(7, t.Opt("source"));
    ok = run(st) || fail(st);
  }
  return ok;
}

}  // namespace

bool Registry::ImportFile(const std::string& path, ImportFormat format, SourceManager& sm, Diagnostics& diags,
                          ImportStats* stats) {
  std::string text, err;
  // Room for simdjson's padding, so the JSON is parsed where it was read (no second copy).
  std::error_code ec;
  if (auto size = fs::file_size(path, ec); !ec) text.reserve(size + simdjson::SIMDJSON_PADDING);
  if (!ReadFile(path, text, err)) {
    auto& d = diags.Error("E1021", {}, fmt::format("cannot read the import file: {}", err), "check the path");
    d.path = path;
    return false;
  }
  return Import(path, std::move(text), format, sm, diags, stats);
}

bool Registry::Import(const std::string& path, std::string text, ImportFormat format, SourceManager& sm, Diagnostics& diags,
                      ImportStats* stats) {
  // The text is kept once (by the source manager, for the positions of diagnostics) and parsed
  // in place; rows are checked and written one at a time inside one transaction, so memory
  // stays near the size of the file whatever the number of rows (issue 15: a 137 MB import
  // used 2 GB when every row was held until the end). Any error rolls the whole file back.
  uint32_t file = sm.Add(path, std::move(text));
  const std::string& body = sm.Get(file)->text();
  if (format == ImportFormat::Auto) {
    bool json = path.size() >= 5 && Lower(path.substr(path.size() - 5)) == ".json";
    bool csv = path.size() >= 4 && Lower(path.substr(path.size() - 4)) == ".csv";
    if (!json && !csv) {
      size_t p = body.find_first_not_of(" \t\r\n");
      json = p != std::string::npos && body[p] == '{';
    }
    format = json ? ImportFormat::Json : ImportFormat::Csv;
  }
  Sink sink(diags, 50);
  const size_t first_diag = diags.items().size();
  // Report in file order, whatever the phase that found each problem.
  auto sorted = [&](bool ok) {
    auto& items = diags.items();
    std::stable_sort(items.begin() + static_cast<std::ptrdiff_t>(first_diag), items.end(),
                     [](const Diagnostic& a, const Diagnostic& b) { return a.span.begin < b.span.begin; });
    return ok;
  };
  sqlite3* db = impl_->db;
  auto in_db = [&](const char* table, const std::string& id) {
    Stmt st(db, fmt::format("SELECT 1 FROM {} WHERE id = ?", table));
    st.Bind(1, id);
    return st.Row();
  };
  // Arrangements: the built-in multilateral ones, or one that a scheme (in the file or the
  // registry) names as its recognition path.
  std::vector<std::string> arrangements = {"IAF MLA", "ILAC MRA", "GACI MRA"};
  {
    Stmt st(db, "SELECT arrangements FROM schemes");
    while (st.Row())
      for (const auto& a : SplitList(st.Text(0))) arrangements.push_back(a);
  }
  std::string err;
  if (!Exec(db, "BEGIN IMMEDIATE", &err)) {
    int rc = sqlite3_errcode(db);
    bool locked = rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
    auto& d = locked ? diags.Error("E0912", {}, "the registry is locked by another process (an import in progress?)",
                                   "wait for it to finish (or pass --wait SECONDS) and run the command again; the registry is not damaged")
                     : diags.Error("E1027", {}, fmt::format("cannot write the registry: {}", err), "is another conform writing to it?");
    d.path = impl_->path;
    return false;
  }

  // What can only be checked once the whole file is read: references to bodies and
  // arrangements defined further down. Only the unresolved ones are kept.
  struct PendingRef {
    std::string id;
    Span span;
    const char* table;
    const char* what;
    bool accreditation_body;
  };
  std::vector<PendingRef> refs;
  std::vector<std::pair<std::string, Span>> pending_arrangements;
  std::map<std::string, Span> seen;  // keys repeated in the file
  std::set<std::string> cabs, abs;
  ImportStats local;
  bool write_failed = false;
  auto on_row = [&](Row&& r) {
    Typed t;
    if (!Check(r, sink, t)) return;
    std::string kind = t.spec->kind;
    std::string key = kind + ": " + t.Key();
    auto [it, fresh] = seen.emplace(std::move(key), t.span);
    if (!fresh) {
      if (auto* d = sink.Error("E1026", t.span, fmt::format("{} `{}` appears twice in the file", t.spec->kind, t.Key()),
                               "keep one row per key"))
        d->notes.push_back({it->second, "first here"});
      return;
    }
    if (kind == "certification_body") cabs.insert(t.Get("id"));
    if (kind == "accreditation_body") abs.insert(t.Get("id"));
    if (kind == "scheme")
      for (const auto& a : t.lists.at("arrangements")) arrangements.push_back(a);
    auto ref = [&](const char* field, const std::set<std::string>& in_file, const char* table, const char* what) {
      std::string id = t.Get(field);
      if (in_file.count(id) || in_db(table, id)) return;
      refs.push_back({id, t.spans.at(field), table, what, &in_file == &abs});
    };
    if (kind == "accreditation") {
      ref("body", cabs, "bodies", "conformity-assessment body");
      ref("accreditation_body", abs, "accreditation_bodies", "accreditation body");
    } else if (kind == "recognition") {
      ref("accreditation_body", abs, "accreditation_bodies", "accreditation body");
      std::string a = t.Get("arrangement");
      if (std::find(arrangements.begin(), arrangements.end(), a) == arrangements.end())
        pending_arrangements.emplace_back(a, t.spans.at("arrangement"));
    }
    // Written at once while the file is clean so far; after the first error only checked.
    if (sink.count() == 0 && !write_failed) {
      if (InsertRow(db, t, sink)) local.rows[kind]++;
      else write_failed = true;
    }
  };
  if (format == ImportFormat::Json) {
    JsonReader reader(file, body, path, sink);
    reader.Read(on_row);
  } else {
    ReadCsv(file, body, sink, on_row);
  }
  for (const auto& [a, span] : pending_arrangements) {
    if (std::find(arrangements.begin(), arrangements.end(), a) != arrangements.end()) continue;
    std::string near = ClosestMatch(a, arrangements);
    sink.Error("E1025", span, fmt::format("`{}` is not a recognition arrangement", a),
               "one of: " + JoinNames(arrangements) + (near.empty() ? "" : fmt::format(" (did you mean `{}`?)", near)) +
                   "; a scheme (record `scheme`) may name its own");
  }
  for (const auto& r : refs) {
    const std::set<std::string>& in_file = r.accreditation_body ? abs : cabs;
    if (in_file.count(r.id) || in_db(r.table, r.id)) continue;
    std::vector<std::string> cands(in_file.begin(), in_file.end());
    std::string near = ClosestMatch(r.id, cands);
    sink.Error("E1028", r.span, fmt::format("unknown {} `{}`", r.what, r.id),
               near.empty() ? fmt::format("add the {} to the file (or import it first)", r.what) : fmt::format("did you mean `{}`?", near));
  }
  if (sink.count() > 0 || write_failed) {
    Exec(db, "ROLLBACK");
    return sorted(false);
  }
  if (!Exec(db, "COMMIT", &err)) {
    Exec(db, "ROLLBACK");
    auto& d = diags.Error("E1027", {}, fmt::format("cannot commit the import: {}", err), "nothing from this file was written");
    d.path = impl_->path;
    return false;
  }
  if (stats) *stats = local;
  return true;
}

}  // namespace conform::runtime::registry
