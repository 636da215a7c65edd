// A minimal streaming JSON writer for the certification and registry reports (2-space indent,
// RFC 8259 strings via runtime::JsonQuote). Private to runtime/lifecycle and runtime/registry.
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
    out_ += JsonQuote(k);
    out_ += ": ";
    after_key_ = true;
    return *this;
  }
  JsonWriter& Str(std::string_view s) { return Raw(JsonQuote(s)); }
  JsonWriter& Int(int64_t v) { return Raw(std::to_string(v)); }
  JsonWriter& Bool(bool b) { return Raw(b ? "true" : "false"); }
  JsonWriter& Null() { return Raw("null"); }
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
  std::string Take() {
    out_ += '\n';
    return std::move(out_);
  }

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
    out_ += '\n';
    out_.append(2 * first_.size(), ' ');
  }
  std::string out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

}  // namespace conform::runtime::detail
