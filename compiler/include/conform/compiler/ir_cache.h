// The compiled-program cache: checked, lowered programs (with their schema and literals) saved
// after a successful compile and reloaded when the same sources are compiled again, so a warm
// `conform check` skips parsing and checking. Keyed by a fingerprint of every source file.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "conform/compiler/ir.h"
#include "conform/compiler/schema.h"
#include "conform/compiler/strings.h"

namespace conform {

struct CompiledBundle {
  std::shared_ptr<const SchemaModel> schema;
  std::shared_ptr<StringPool> literals;
  std::vector<std::shared_ptr<ir::Program>> programs;  // in the order they were asked for
};

// Identifies a compilation: compiler version, the standards asked for, and the path, size and
// content hash of every source file (read here). Empty if a file cannot be read.
std::string SourceFingerprint(const std::vector<std::string>& standards, const std::vector<std::string>& files);

// Writes atomically; returns false (and writes nothing) on any error.
bool SaveBundle(const std::string& path, const std::string& fingerprint, const CompiledBundle& bundle);
// nullopt unless the file exists, is intact and was written for exactly `fingerprint`.
std::optional<CompiledBundle> LoadBundle(const std::string& path, const std::string& fingerprint);

}  // namespace conform
