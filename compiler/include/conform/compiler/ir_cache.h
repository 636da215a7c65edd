// The compiled-program cache: checked, lowered programs (with their schema and literals) saved
// after a successful compile and reloaded when the same sources are compiled again, so a warm
// `conform check` skips parsing and checking. Keyed by a fingerprint of every source file, the
// Conform version, the cache format and the builtin registry. Entries are verified files
// (cache_file.h): sealed with a SHA-256 digest and fully validated on load.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
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

// Identifies a compilation: cache format, Conform version, builtin registry fingerprint, the
// standards asked for, and the package folder, name, size and SHA-256 of every file given — the
// sources and each package's plugin.toml (read here; not the absolute path, so a build-tree and
// an installed catalogue share keys). Empty if a file cannot be read.
std::string SourceFingerprint(const std::vector<std::string>& standards, const std::vector<std::string>& files);

// The entry's file name in the cache folder for `fingerprint` ("ir-<hex>.bin").
std::string BundleFileName(const std::string& fingerprint);

// Writes atomically; returns false (and writes nothing) on any error.
bool SaveBundle(const std::string& path, const std::string& fingerprint, const CompiledBundle& bundle);
// nullopt unless the file exists, is a regular file of this user, is intact (digest), is
// structurally valid and was written for exactly `fingerprint`. When the entry exists but is
// damaged or refused, `problem` (if given) says why: the caller warns (W0911) and recompiles.
std::optional<CompiledBundle> LoadBundle(const std::string& path, const std::string& fingerprint,
                                         std::string* problem = nullptr);

// The magic line of the current format ("CONFORM-IR-CACHE N\n").
std::string_view BundleMagic();

// The sealed bytes SaveBundle writes, and their decoding (for tests and the fuzz target).
std::string EncodeBundle(const std::string& fingerprint, const CompiledBundle& bundle);
std::optional<CompiledBundle> DecodeBundle(std::string_view data, const std::string& fingerprint,
                                           std::string* problem = nullptr);

}  // namespace conform
