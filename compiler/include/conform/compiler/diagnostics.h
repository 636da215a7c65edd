// Diagnostics: stable codes, spans, help lines; collected as values, never thrown.
#pragma once
#include <string>
#include <vector>

#include "conform/compiler/source.h"

namespace conform {

enum class Severity { Error, Warning, Note };

struct Label {
  Span span;
  std::string message;
};

struct Diagnostic {
  Severity severity = Severity::Error;
  std::string code;     // E0101 … ; stable, documented in docs/diagnostics.md
  std::string message;  // lowercase, no trailing period
  Span span;            // primary location (may be invalid for file-less errors)
  std::string path;     // a file path when there is no span (e.g. unreadable file)
  std::string data_path;  // evidence errors: $.internal_audits[3].end
  std::string help;     // the fix, when there is one
  std::vector<Label> notes;
};

class Diagnostics {
 public:
  Diagnostic& Error(std::string code, Span span, std::string message, std::string help = {});
  Diagnostic& Warning(std::string code, Span span, std::string message, std::string help = {});
  void Add(Diagnostic d) { items_.push_back(std::move(d)); }
  void Append(const Diagnostics& other);
  bool HasErrors() const;
  size_t ErrorCount() const;
  const std::vector<Diagnostic>& items() const { return items_; }
  std::vector<Diagnostic>& items() { return items_; }
  bool empty() const { return items_.empty(); }

 private:
  std::vector<Diagnostic> items_;
};

// Renders like rustc/clang:
//   error[E0201]: unknown field `nme` on entity `document`
//     --> standards/x.clause:12:17
//      |
//   12 |   pass d.nme == "x"
//      |          ^^^
//      = help: did you mean `name`?
std::string Render(const Diagnostic& d, const SourceManager& sm, bool color = false);
std::string RenderAll(const Diagnostics& ds, const SourceManager& sm, bool color = false);

// Closest candidate by edit distance, for "did you mean" help lines; empty if none is close.
std::string ClosestMatch(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace conform
