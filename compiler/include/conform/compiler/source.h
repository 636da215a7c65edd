// Source files, spans and the line table used by every diagnostic.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace conform {

struct Span {
  uint32_t file = 0;   // index in SourceManager; 0 = no source
  uint32_t begin = 0;  // byte offsets, half open
  uint32_t end = 0;
  bool valid() const { return file != 0; }
};

struct LineCol {
  uint32_t line = 0;  // 1-based
  uint32_t col = 0;   // 1-based, in bytes
};

class SourceFile {
 public:
  SourceFile(std::string path, std::string text);
  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  LineCol Locate(uint32_t offset) const;
  std::string_view Line(uint32_t line) const;  // without the newline
  uint32_t OffsetOf(uint32_t line, uint32_t col) const;

 private:
  // The line index is built on first use (a position asked for: diagnostics, evidence
  // positions), not for every file loaded: a batch loads one file per line and most need none.
  const std::vector<uint32_t>& LineStarts() const;
  std::string path_;
  std::string text_;
  mutable std::once_flag lines_once_;
  mutable std::vector<uint32_t> line_starts_;
};

class SourceManager {
 public:
  SourceManager();
  uint32_t Add(std::string path, std::string text);
  const SourceFile* Get(uint32_t id) const;
  std::string_view Text(Span s) const;

 private:
  std::vector<std::unique_ptr<SourceFile>> files_;
};

}  // namespace conform
