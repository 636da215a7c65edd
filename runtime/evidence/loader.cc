// Evidence loading entry points: format detection, file reading, and the guard that keeps
// every failure a diagnostic.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <new>

#include "builder.h"
#include "json_plan.h"
#include "conform/compiler/driver.h"
#include "conform/runtime/evidence.h"

namespace conform::runtime {

namespace {
// simdjson reads up to this many bytes past the text (SIMDJSON_PADDING in simdjson 3).
constexpr size_t kJsonPadding = 64;

// The JSON fast path over `text` (LoadEvidence's padding behind it), after a byte order mark.
bool FastPath(const std::string& text, const JsonPlan& plan, Document& doc) {
  size_t skip = text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  return detail::LoadJsonFast(plan, std::string_view(text).substr(skip), text.capacity() - skip, doc);
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (size_t i = 0; i < suffix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i]) return false;
  return true;
}
}  // namespace

EvidenceFormat DetectFormat(const std::string& path, std::string_view text, EvidenceFormat requested) {
  if (requested != EvidenceFormat::Auto) return requested;
  if (EndsWith(path, ".json")) return EvidenceFormat::Json;
  // A YAML file may well open with a flow mapping `{`: its extension decides.
  if (EndsWith(path, ".yaml") || EndsWith(path, ".yml")) return EvidenceFormat::Yaml;
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '{') return EvidenceFormat::Json;
  return EvidenceFormat::Yaml;
}

std::unique_ptr<Document> LoadEvidence(const std::string& path, std::string text, const SchemaModel& schema,
                                       const StringPool* literals, SourceManager& sm, Diagnostics& diags,
                                       const LoadOptions& opts) {
  if (text.size() > std::numeric_limits<uint32_t>::max() - 2 * kJsonPadding) {
    auto& d = diags.Error("E0701", {}, "evidence file is too large (4 GiB or more)", "split the evidence");
    d.path = path;
    return nullptr;
  }
  const size_t size = text.size();
  const EvidenceFormat format = DetectFormat(path, text, opts.format);
  if (format == EvidenceFormat::Json) {
    // Initialised capacity behind the text lets simdjson parse the registered text in place
    // (moving a std::string keeps its buffer).
    text.append(kJsonPadding, ' ');
    text.resize(size);
  }
  uint32_t file = sm.Add(path, std::move(text));
  // A document's own arena starts with about its JSON text's size (a small NDJSON line's records
  // take less), not 4 KiB; YAML, whose text may be mostly comments and indentation, keeps 4 KiB.
  auto fresh = [&] {
    auto d = std::make_unique<Document>(literals, opts.arena);
    if (!opts.arena && format == EvidenceFormat::Json) d->arena().SizeFirstBlock(std::min<size_t>(size, 4096));
    d->set_source_path(path);
    return d;
  };
  auto doc = fresh();

  if (schema.root < 0 || static_cast<size_t>(schema.root) >= schema.entities.size()) {
    auto& d = diags.Error("E0708", {}, "the schema has no root entity to load evidence into",
                          "declare one entity with `root` in a loaded module");
    d.path = path;
    return nullptr;
  }

  const bool json = format == EvidenceFormat::Json;
  if (json && opts.json_plan && &opts.json_plan->schema() == &schema && !opts.keep_positions) {
    if (FastPath(sm.Get(file)->text(), *opts.json_plan, *doc)) return doc;
    doc = fresh();  // the diagnostic loader starts afresh
  }
  // Without YAML aliases a value takes at least one byte of text; past this many values,
  // aliases are multiplying the data (a "billion laughs" file).
  const size_t budget = json ? std::numeric_limits<size_t>::max() : 4 * size + (size_t{1} << 20);
  detail::Builder b(schema, *doc, sm, diags, opts, path, file, json, budget);
  try {
    if (json)
      detail::LoadJson(b);
    else
      detail::LoadYaml(b);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    b.Error("E0702", Span{file, 0, 0}, std::string("could not read the evidence: ") + e.what());
  } catch (...) {
    b.Error("E0702", Span{file, 0, 0}, "could not read the evidence");
  }
  if (b.errors() > 0) return nullptr;
  if (!doc->root()) {
    // Every path that leaves no root reports an error; this is a safety net.
    auto& d = diags.Error("E0708", Span{file, 0, 0}, "evidence file is empty");
    d.path = path;
    d.data_path = "$";
    return nullptr;
  }
  return doc;
}

std::unique_ptr<Document> LoadJsonFastOnly(std::string text, const JsonPlan& plan, const StringPool* literals) {
  const size_t size = text.size();
  text.append(kJsonPadding, ' ');
  text.resize(size);
  auto doc = std::make_unique<Document>(literals);
  if (!FastPath(text, plan, *doc)) return nullptr;
  return doc;
}

namespace {
uint64_t PathHash(std::string_view path) { return std::hash<std::string_view>{}(path); }
}  // namespace

void Document::AddPosition(std::string_view path, LineCol at) { positions_.push_back({PathHash(path), at}); }

LineCol Document::PositionOf(std::string_view path) const {
  std::lock_guard<std::mutex> lock(positions_mu_);
  if (positions_sorted_ != positions_.size()) {
    std::stable_sort(positions_.begin(), positions_.end(),
                     [](const PositionSlot& x, const PositionSlot& y) { return x.hash < y.hash; });
    positions_sorted_ = positions_.size();
  }
  std::string_view key = path;
  while (!key.empty()) {
    const uint64_t h = PathHash(key);
    auto it = std::lower_bound(positions_.begin(), positions_.end(), h,
                               [](const PositionSlot& x, uint64_t v) { return x.hash < v; });
    if (it != positions_.end() && it->hash == h) return it->at;
    // Drop the last segment: `.field`, `[3]` or `["key"]`.
    size_t cut = key.find_last_of(".[");
    if (cut == std::string_view::npos || cut == 0) break;
    key = key.substr(0, cut);
  }
  return {};
}

std::unique_ptr<Document> LoadEvidenceFile(const std::string& path, const SchemaModel& schema,
                                           const StringPool* literals, SourceManager& sm, Diagnostics& diags,
                                           const LoadOptions& opts) {
  std::string text, error;
  bool ok = false;
  try {
    ok = ReadFile(path, text, error, opts.max_bytes);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!ok) {
    auto& d = diags.Error("E0701", {}, "cannot read evidence file `" + path + "`: " + error,
                          error.rfind("larger than", 0) == 0 ? "split the evidence, or raise the limit with --max-evidence-bytes"
                                                             : "check the path: it must name a readable YAML or JSON file");
    d.path = path;
    return nullptr;
  }
  return LoadEvidence(path, std::move(text), schema, literals, sm, diags, opts);
}

}  // namespace conform::runtime
