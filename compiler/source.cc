// Source files and line tables.
#include "conform/compiler/source.h"

#include <algorithm>
#include <cstring>

namespace conform {

SourceFile::SourceFile(std::string path, std::string text) : path_(std::move(path)), text_(std::move(text)) {}

const std::vector<uint32_t>& SourceFile::LineStarts() const {
  std::call_once(lines_once_, [this] {
    line_starts_.push_back(0);
    const char* b = text_.data();
    const char* e = b + text_.size();
    for (const char* p = b; (p = static_cast<const char*>(std::memchr(p, '\n', e - p))) != nullptr; ++p)
      line_starts_.push_back(static_cast<uint32_t>(p - b + 1));
  });
  return line_starts_;
}

LineCol SourceFile::Locate(uint32_t offset) const {
  const auto& ls = LineStarts();
  auto it = std::upper_bound(ls.begin(), ls.end(), offset);
  uint32_t line = static_cast<uint32_t>(it - ls.begin());
  return {line, offset - ls[line - 1] + 1};
}

std::string_view SourceFile::Line(uint32_t line) const {
  const auto& ls = LineStarts();
  if (line == 0 || line > ls.size()) return {};
  uint32_t b = ls[line - 1];
  uint32_t e = line < ls.size() ? ls[line] : static_cast<uint32_t>(text_.size());
  while (e > b && (text_[e - 1] == '\n' || text_[e - 1] == '\r')) --e;
  return std::string_view(text_).substr(b, e - b);
}

uint32_t SourceFile::OffsetOf(uint32_t line, uint32_t col) const {
  const auto& ls = LineStarts();
  if (line == 0) return 0;
  if (line > ls.size()) return static_cast<uint32_t>(text_.size());
  uint32_t off = ls[line - 1] + (col ? col - 1 : 0);
  return std::min<uint32_t>(off, static_cast<uint32_t>(text_.size()));
}

SourceManager::SourceManager() { files_.push_back(nullptr); }

uint32_t SourceManager::Add(std::string path, std::string text) {
  files_.push_back(std::make_unique<SourceFile>(std::move(path), std::move(text)));
  return static_cast<uint32_t>(files_.size() - 1);
}

const SourceFile* SourceManager::Get(uint32_t id) const {
  return id < files_.size() ? files_[id].get() : nullptr;
}

std::string_view SourceManager::Text(Span s) const {
  const SourceFile* f = Get(s.file);
  if (!f || s.begin > s.end || s.end > f->text().size()) return {};
  return std::string_view(f->text()).substr(s.begin, s.end - s.begin);
}

}  // namespace conform
