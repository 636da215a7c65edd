// One `check --batch` NDJSON record written straight from the evaluation. The bytes are those of
// WriteJsonRecord(line, BuildAssessment(reports, info, doc, {.words = false})) — the typed
// model's rendering, which tests/unit/batch_record_test.cc compares it with — but nothing
// per requirement is copied or quoted again per organization: each requirement's constant part
// (clause, id, its grade when it does not conform) is quoted once per batch. Private to runtime/.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "conform/compiler/ir.h"
#include "conform/runtime/evidence.h"
#include "conform/runtime/report.h"

namespace conform::runtime::detail {

class BatchRecordWriter {
 public:
  explicit BatchRecordWriter(const std::vector<std::shared_ptr<ir::Program>>& programs);
  // Appends the record for `reports` (parallel to the programs) over `doc` (its root's `name`
  // is the organization), without a newline. Returns whether some requirement is an open gap
  // (nonconform, not evidenced or blocked).
  bool Write(std::string& out, size_t line, Document& doc, const std::vector<StandardReport>& reports) const;

 private:
  struct Req {
    std::string head;       // {"clause":"…","id":"…","verdict":"
    std::string conform;    // the whole row of a conforming requirement without message or facts
    std::string nonconform; // nonconform","grade":"minor","message":
  };
  struct Std {
    std::string head;  // {"standard":"…","summary":
    std::vector<Req> reqs;
  };
  std::vector<Std> std_;
};

// Appends `n` in decimal.
void AppendInt(std::string& out, int64_t n);

}  // namespace conform::runtime::detail
