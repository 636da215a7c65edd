// Diagnostic collection and caret rendering.
#include "conform/compiler/diagnostics.h"

#include <fmt/format.h>

#include <algorithm>

namespace conform {

Diagnostic& Diagnostics::Error(std::string code, Span span, std::string message, std::string help) {
  items_.push_back({Severity::Error, std::move(code), std::move(message), span, {}, {}, std::move(help), {}});
  return items_.back();
}

Diagnostic& Diagnostics::Warning(std::string code, Span span, std::string message, std::string help) {
  items_.push_back({Severity::Warning, std::move(code), std::move(message), span, {}, {}, std::move(help), {}});
  return items_.back();
}

void Diagnostics::Append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

bool Diagnostics::HasErrors() const { return ErrorCount() > 0; }

size_t Diagnostics::ErrorCount() const {
  return std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) { return d.severity == Severity::Error; });
}

namespace {
const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "error";
}

// Long lines (minified JSON, a 1 MB line) are cut around the caret so output stays readable.
void RenderSnippet(std::string& out, const SourceFile& f, Span span, const std::string& label, const char* marker,
                   size_t gutter) {
  LineCol lc = f.Locate(span.begin);
  std::string_view line = f.Line(lc.line);
  size_t col0 = lc.col - 1;
  size_t width = span.end > span.begin ? span.end - span.begin : 1;
  LineCol lce = f.Locate(span.end > span.begin ? span.end - 1 : span.begin);
  if (lce.line != lc.line) width = line.size() > col0 ? line.size() - col0 : 1;
  size_t start = 0;
  std::string prefix, suffix;
  const size_t kMax = 120;
  if (line.size() > kMax) {
    start = col0 > 40 ? col0 - 40 : 0;
    if (start > 0) prefix = "…";
    if (start + kMax < line.size()) suffix = "…";
    line = line.substr(start, kMax);
    width = std::min(width, kMax - std::min(kMax, col0 - start));
  }
  std::string num = std::to_string(lc.line);
  num = std::string(gutter > num.size() ? gutter - num.size() : 0, ' ') + num;
  std::string pad(num.size(), ' ');
  out += fmt::format("{} |\n", pad);
  out += fmt::format("{} | {}{}{}\n", num, prefix, line, suffix);
  size_t caret_col = col0 - start + (prefix.empty() ? 0 : 1);
  std::string carets(std::max<size_t>(width, 1), marker[0]);
  out += fmt::format("{} | {}{}{}{}\n", pad, std::string(caret_col, ' '), carets, label.empty() ? "" : " ", label);
}
}  // namespace

std::string Render(const Diagnostic& d, const SourceManager& sm, bool color) {
  std::string out;
  const char* sev = SeverityName(d.severity);
  if (color) {
    const char* c = d.severity == Severity::Error ? "\033[1;31m" : d.severity == Severity::Warning ? "\033[1;33m" : "\033[1;36m";
    out += fmt::format("{}{}[{}]\033[0m\033[1m: {}\033[0m\n", c, sev, d.code, d.message);
  } else {
    out += fmt::format("{}[{}]: {}\n", sev, d.code, d.message);
  }
  const SourceFile* f = sm.Get(d.span.file);
  // The gutter is as wide as the largest line number shown, as in rustc.
  size_t gutter = 1;
  if (f) gutter = std::to_string(f->Locate(d.span.begin).line).size();
  for (const Label& n : d.notes)
    if (const SourceFile* nf = sm.Get(n.span.file)) gutter = std::max(gutter, std::to_string(nf->Locate(n.span.begin).line).size());
  std::string pad(gutter, ' ');
  if (f) {
    LineCol lc = f->Locate(d.span.begin);
    out += fmt::format("{}--> {}:{}:{}{}\n", pad, f->path(), lc.line, lc.col,
                       d.data_path.empty() ? "" : fmt::format(" (at {})", d.data_path));
    RenderSnippet(out, *f, d.span, "", "^", gutter);
  } else if (!d.path.empty()) {
    out += fmt::format("{}--> {}{}\n", pad, d.path, d.data_path.empty() ? "" : fmt::format(" (at {})", d.data_path));
  } else if (!d.data_path.empty()) {
    out += fmt::format("{}--> at {}\n", pad, d.data_path);
  }
  for (const Label& n : d.notes) {
    const SourceFile* nf = sm.Get(n.span.file);
    if (!nf) {
      out += fmt::format("{} = note: {}\n", pad, n.message);
      continue;
    }
    LineCol lc = nf->Locate(n.span.begin);
    out += fmt::format("{}::: {}:{}:{}\n", pad, nf->path(), lc.line, lc.col);
    RenderSnippet(out, *nf, n.span, n.message, "-", gutter);
  }
  if (!d.help.empty()) out += fmt::format("{} = help: {}\n", pad, d.help);
  return out;
}

std::string RenderAll(const Diagnostics& ds, const SourceManager& sm, bool color) {
  std::string out;
  for (const Diagnostic& d : ds.items()) out += Render(d, sm, color);
  size_t errors = ds.ErrorCount();
  if (errors) out += fmt::format("{} error{} emitted\n", errors, errors == 1 ? "" : "s");
  return out;
}

std::string ClosestMatch(const std::string& name, const std::vector<std::string>& candidates) {
  auto distance = [](const std::string& a, const std::string& b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      cur[0] = i;
      for (size_t j = 1; j <= b.size(); ++j)
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      std::swap(prev, cur);
    }
    return prev[b.size()];
  };
  std::string best;
  size_t best_d = std::max<size_t>(2, name.size() / 3) + 1;
  for (const auto& c : candidates) {
    size_t dd = distance(name, c);
    if (dd < best_d) {
      best_d = dd;
      best = c;
    }
  }
  return best;
}

}  // namespace conform
