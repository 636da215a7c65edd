// The one JSON writer of the runtime: a minimal streaming writer (RFC 8259 strings via
// runtime::JsonQuote), pretty (2-space indent) or compact (one line, for NDJSON and `check
// --format json`). Used by the assessment formats (report/), the certification and registry
// reports. Private to runtime/.
#pragma once
#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conform/compiler/calendar.h"
#include "conform/runtime/report.h"

namespace conform::runtime::detail {

class JsonWriter {
 public:
  explicit JsonWriter(bool pretty = true) : pretty_(pretty) {}
  JsonWriter& Open(char c) {
    Pre();
    out_ += c;
    first_.push_back(true);
    return *this;
  }
  JsonWriter& Close(char c) {
    bool empty = first_.back();
    first_.pop_back();
    if (!empty) Newline();
    out_ += c;
    return *this;
  }
  JsonWriter& Object() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& Array() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }
  JsonWriter& Key(std::string_view k) {
    Pre();
    AppendJsonQuoted(out_, k);
    out_ += pretty_ ? ": " : ":";
    after_key_ = true;
    return *this;
  }
  JsonWriter& Str(std::string_view s) {
    Pre();
    AppendJsonQuoted(out_, s);
    return *this;
  }
  JsonWriter& Int(int64_t v) { return Raw(std::to_string(v)); }
  JsonWriter& Bool(bool b) { return Raw(b ? "true" : "false"); }
  JsonWriter& Null() { return Raw("null"); }
  JsonWriter& Double(double v) { return Raw(fmt::format("{}", v)); }
  // A value already rendered as JSON.
  JsonWriter& Json(std::string_view v) { return Raw(v); }
  JsonWriter& Date(int64_t d) { return Str(cal::FormatDate(d)); }
  JsonWriter& Date(const std::optional<int64_t>& d) { return d ? Date(*d) : Null(); }
  JsonWriter& OptStr(const std::optional<std::string>& s) { return s ? Str(*s) : Null(); }
  JsonWriter& Strs(const std::vector<std::string>& xs) {
    Array();
    for (const auto& x : xs) Str(x);
    return EndArray();
  }
  // key: value shorthands
  JsonWriter& KStr(std::string_view k, std::string_view v) { return Key(k).Str(v); }
  JsonWriter& KInt(std::string_view k, int64_t v) { return Key(k).Int(v); }
  JsonWriter& KBool(std::string_view k, bool v) { return Key(k).Bool(v); }
  JsonWriter& KDate(std::string_view k, const std::optional<int64_t>& d) { return Key(k).Date(d); }
  JsonWriter& KOptStr(std::string_view k, const std::optional<std::string>& s) { return Key(k).OptStr(s); }
  // A string, or null when empty.
  JsonWriter& KStrOrNull(std::string_view k, std::string_view v) { return v.empty() ? Key(k).Null() : Key(k).Str(v); }
  std::string Take() {
    out_ += '\n';
    return std::move(out_);
  }
  // Without the final newline (a value inside another document, one NDJSON record).
  std::string TakeRaw() { return std::move(out_); }

 private:
  JsonWriter& Raw(std::string_view v) {
    Pre();
    out_ += v;
    return *this;
  }
  void Pre() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (first_.empty()) return;
    if (!first_.back()) out_ += ',';
    first_.back() = false;
    Newline();
  }
  void Newline() {
    if (!pretty_) return;
    out_ += '\n';
    out_.append(2 * first_.size(), ' ');
  }
  bool pretty_ = true;
  std::string out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

}  // namespace conform::runtime::detail
