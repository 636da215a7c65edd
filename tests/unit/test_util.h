// Helpers shared by the compiler unit tests: compile Clause text in a fresh Session and
// inspect the diagnostics.
#pragma once
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "conform/compiler/diagnostics.h"
#include "conform/compiler/driver.h"
#include "conform/compiler/ir.h"

namespace conform::test {

inline std::string StandardsDir() { return std::string(CONFORM_SOURCE_DIR) + "/standards"; }

struct Compiled {
  std::unique_ptr<Session> session;
  std::vector<std::shared_ptr<ir::Program>> programs;

  const Diagnostics& diags() const { return session->diags(); }
  const SourceManager& sources() const { return session->sources(); }
  std::string Rendered() const { return RenderAll(session->diags(), session->sources(), false); }

  // Error codes, in order of emission.
  std::vector<std::string> ErrorCodes() const {
    std::vector<std::string> out;
    for (const auto& d : diags().items())
      if (d.severity == Severity::Error) out.push_back(d.code);
    return out;
  }
  // The first diagnostic (error or warning) with `code`, or nullptr.
  const Diagnostic* Find(const std::string& code) const {
    for (const auto& d : diags().items())
      if (d.code == code) return &d;
    return nullptr;
  }
  bool Has(const std::string& code) const { return Find(code) != nullptr; }
  // Text the diagnostic's primary span covers.
  std::string SpanText(const Diagnostic& d) const { return std::string(sources().Text(d.span)); }
  LineCol Where(const Diagnostic& d) const {
    const SourceFile* f = sources().Get(d.span.file);
    return f ? f->Locate(d.span.begin) : LineCol{};
  }
};

// Compiles `text` (registered as "test.clause") and every standard in it.
inline Compiled CompileText(const std::string& text, std::vector<std::string> search_dirs = {}) {
  Compiled c;
  c.session = std::make_unique<Session>(std::move(search_dirs));
  c.session->LoadText("test.clause", text);
  c.programs = c.session->CompileAll();
  return c;
}

// A small evidence schema used by most sema tests.
inline const char* kSchema = R"(schema t {
  enum status { draft, approved, obsolete }
  entity document {
    code: string
    status: status
    approved_at: date?
    clauses: set<string>
  }
  root org {
    name: string
    founded: date?
    budget: decimal?
    headcount: int?
    interval: duration?
    documents: list<document>?
    tags: set<string>?
  }
}
)";

// A standard with one requirement whose body is `body` (lines inside `requirement r : minor { … }`).
inline std::string WithRequirement(const std::string& body) {
  return std::string(kSchema) +
         "standard s \"S\" {\n"
         "  param audit_interval : duration = 12 months\n"
         "  clause 1 \"One\" {\n"
         "    requirement r : minor {\n"
         "      says \"a test requirement\"\n" +
         body +
         "\n    }\n"
         "  }\n"
         "}\n";
}

inline std::string WithPass(const std::string& pass) { return WithRequirement("      pass " + pass); }

}  // namespace conform::test
