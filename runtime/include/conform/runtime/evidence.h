// Evidence loading: YAML or JSON → records in the schema's layout, with data-path diagnostics.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "conform/compiler/diagnostics.h"
#include "conform/compiler/schema.h"
#include "conform/compiler/strings.h"

namespace conform::runtime {

// Bump allocator owning every record and sequence of one document.
class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  // Returns zeroed memory (records start with every presence bit clear), valid for the
  // arena's lifetime. `align` must be a power of two.
  void* Allocate(size_t bytes, size_t align = 8);
  size_t bytes_used() const { return used_; }
  // The size of the first block, if nothing is allocated yet (default 4 KiB; at least 256
  // bytes): a loader that can estimate a small document's need keeps it from holding 4 KiB.
  void SizeFirstBlock(size_t bytes);

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t block_size_ = 0, offset_ = 0, used_ = 0;
  size_t first_block_ = 0;  // 0: the default
};

// A `parameters:` entry of the evidence file, resolved against a program later.
struct ParamOverride {
  std::string name;       // e.g. "iso9001.audit_interval" or "audit_interval"
  std::string text;       // the scalar as written
  std::vector<std::string> items;  // for sequences (set-valued parameters)
  std::vector<Span> item_spans;    // one per item, in the evidence file
  bool is_sequence = false;
  Span span;              // in the evidence file: the value for a scalar, the key for a sequence
  std::string data_path;  // $.parameters["iso9001.audit_interval"]
};

// One loaded organization. Immutable after loading except for its private string layer,
// which builtins such as lower() extend during evaluation.
class Document {
 public:
  // With `shared`, records go into that arena (LoadOptions::arena), which must outlive the document.
  explicit Document(const StringPool* literals, Arena* shared = nullptr) : strings_(literals), shared_(shared) {}
  const void* root() const { return root_; }
  LayeredStrings& strings() { return strings_; }
  const std::vector<ParamOverride>& parameters() const { return params_; }
  Arena& arena() { return shared_ ? *shared_ : arena_; }
  void set_root(const void* r) { root_ = r; }
  std::vector<ParamOverride>& mutable_parameters() { return params_; }

  // Where each data path was written, when loaded with LoadOptions::keep_positions: every key
  // of a mapping ($.documents[3].approved_at) and every list item ($.documents[3]).
  // The first position given for a path is kept.
  void AddPosition(std::string_view path, LineCol at);
  // The position of `path`, or of its nearest written ancestor (an absent field is located at
  // the record that lacks it); line 0 when nothing of it was written or positions were not kept.
  LineCol PositionOf(std::string_view path) const;
  const std::string& source_path() const { return source_path_; }
  void set_source_path(std::string p) { source_path_ = std::move(p); }

 private:
  Arena arena_;
  LayeredStrings strings_;
  Arena* shared_ = nullptr;
  const void* root_ = nullptr;
  std::vector<ParamOverride> params_;
  // Positions keyed by a 64-bit hash of the data path: 16 bytes a key, no string or node per
  // key — a 150,000-document file writes 2 million of them. Appended in the order written (no
  // random access while loading) and sorted by hash, stably, at the first lookup after a write,
  // so the first position written for a path wins. Two paths of one document sharing a hash
  // (odds about n²/2⁶⁵, 1e-7 for 2 million keys) could only misplace a line number in a
  // report, never change a verdict.
  struct PositionSlot {
    uint64_t hash = 0;
    LineCol at;
  };
  mutable std::vector<PositionSlot> positions_;
  mutable size_t positions_sorted_ = 0;  // positions_[0, positions_sorted_) is sorted
  mutable std::mutex positions_mu_;       // PositionOf may sort; reports may ask from threads
  std::string source_path_;
};

enum class EvidenceFormat { Auto, Yaml, Json };

// Mappings and sequences nested deeper than this are rejected with E0710.
inline constexpr int kMaxEvidenceDepth = 64;

// The format `opts.format` resolves to for this path and text (Auto: a `.json` path is JSON,
// a `.yaml`/`.yml` path YAML; otherwise text whose first non-blank character is `{` is JSON,
// anything else YAML).
EvidenceFormat DetectFormat(const std::string& path, std::string_view text, EvidenceFormat requested);

// The JSON fast path's load plan for one schema: per entity its field names, slots and required
// fields, per enum its members. Built once (MakeJsonPlan), read-only, shared by threads; the
// schema must outlive it.
class JsonPlan;
std::shared_ptr<const JsonPlan> MakeJsonPlan(const SchemaModel& schema);

struct LoadOptions {
  EvidenceFormat format = EvidenceFormat::Auto;  // Auto: by extension (.json → JSON), else YAML
  bool unknown_fields_are_errors = false;        // default: warning W0701
  size_t max_errors = 50;                        // stop after this many errors (0: no limit);
                                                 // warnings are capped at the same number
  bool keep_positions = false;                   // record Document::PositionOf (for SARIF, reports)
  size_t max_bytes = size_t{256} << 20;          // LoadEvidenceFile: a larger file is E0701
  // JSON without keep_positions: a plan made by MakeJsonPlan for the same schema turns on the
  // fast path — simdjson's DOM parser walked by the plan straight into records. A document the
  // fast path would have to report anything about (an error, a warning) or does not handle
  // (a `parameters:` mapping, a number in a string field, …) is re-run through the diagnostic
  // loader, so the records, diagnostics and warnings are the same with or without a plan.
  const JsonPlan* json_plan = nullptr;
  // Documents loaded with one arena put their records and lists into it, one document after
  // another: evaluating a set of organizations loaded together then reads memory in order
  // instead of a scattered block per document (docs/performance.md, fifth round). The arena
  // must outlive the documents, and is used by one loading thread at a time. Without it each
  // document has its own arena, whose first block is sized from the JSON text (at most 4 KiB).
  Arena* arena = nullptr;
};

// Loads evidence text (registered in `sm` under `path` so diagnostics show the line and a
// caret) into a Document laid out per `schema`'s root entity. Returns nullptr if any error
// was reported. Diagnostic codes: E0702 malformed YAML/JSON, E0703 missing required field,
// E0704 wrong type, E0705 invalid date, E0706 invalid duration, E0707 unknown enum member,
// E0708 empty document / root not a mapping, E0709 duplicate key, E0710 nesting deeper than
// kMaxEvidenceDepth (or YAML aliases expanding past a size budget), W0701 unknown field
// (severity Error, same code, when opts.unknown_fields_are_errors).
// Every diagnostic carries data_path (e.g. $.internal_audits[3].end) and a span; JSON
// syntax errors that simdjson cannot place carry Diagnostic::path and no span.
// Never throws (except std::bad_alloc).
std::unique_ptr<Document> LoadEvidence(const std::string& path, std::string text, const SchemaModel& schema,
                                       const StringPool* literals, SourceManager& sm, Diagnostics& diags,
                                       const LoadOptions& opts = {});

// The JSON fast path alone (tests, benchmarks): the document, or nullptr where LoadEvidence
// would re-run the text through the diagnostic loader. Reports nothing.
std::unique_ptr<Document> LoadJsonFastOnly(std::string text, const JsonPlan& plan, const StringPool* literals);

// Reads the file, then LoadEvidence; E0701 if the file cannot be read.
std::unique_ptr<Document> LoadEvidenceFile(const std::string& path, const SchemaModel& schema,
                                           const StringPool* literals, SourceManager& sm, Diagnostics& diags,
                                           const LoadOptions& opts = {});

}  // namespace conform::runtime
