// `conform explain CODE`: the documentation of a diagnostic code, from docs/diagnostics.md as
// built into the binary (cli/CMakeLists.txt embeds it at build time).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <sstream>

#include "commands.h"
#include "common.h"

namespace conform::docs {
extern const char* const kDiagnosticsMd;
}

namespace conform::cli {

namespace {

std::vector<std::string> Cells(const std::string& row) {
  std::vector<std::string> out;
  std::string cell;
  bool code = false;  // `|` inside backticks is text
  for (size_t i = 1; i < row.size(); ++i) {
    char c = row[i];
    if (c == '`') code = !code;
    if (c == '|' && !code) {
      cell.erase(0, cell.find_first_not_of(' '));
      cell.erase(cell.find_last_not_of(' ') + 1);
      out.push_back(cell);
      cell.clear();
    } else {
      cell += c;
    }
  }
  return out;
}

struct Entry {
  std::string code, meaning, todo, section;
  std::vector<std::string> notes;  // paragraphs of the section that name the code
};

std::vector<Entry> Parse(const std::string& md) {
  std::vector<Entry> out;
  std::istringstream in(md);
  std::string line, section;
  std::vector<std::string> paragraphs;  // of the current section, outside tables
  std::string para;
  size_t first_of_section = 0;
  auto flush = [&] {
    if (!para.empty()) paragraphs.push_back(para);
    para.clear();
  };
  auto close_section = [&] {
    flush();
    for (size_t i = first_of_section; i < out.size(); ++i)
      for (const auto& p : paragraphs)
        if (p.find(out[i].code) != std::string::npos) out[i].notes.push_back(p);
    paragraphs.clear();
    first_of_section = out.size();
  };
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) {
      close_section();
      section = line.substr(3);
      continue;
    }
    if (line.rfind("| ", 0) == 0) {
      flush();
      auto cells = Cells(line);
      if (cells.size() >= 2 && cells[0].size() == 5 && std::isupper(static_cast<unsigned char>(cells[0][0])) &&
          std::all_of(cells[0].begin() + 1, cells[0].end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
        out.push_back({cells[0], cells[1], cells.size() > 2 ? cells[2] : "", section, {}});
      continue;
    }
    if (line.empty()) {
      flush();
      continue;
    }
    para += (para.empty() ? "" : "\n") + line;
  }
  close_section();
  return out;
}

}  // namespace

void AddExplain(CLI::App& app, std::function<int()>& run) {
  auto code = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("explain", "Explain a diagnostic code (E0202, W0701 …) from docs/diagnostics.md");
  cmd->add_option("code", *code, "the code, e.g. E0202")->required();
  cmd->callback([code, &run] {
    run = [code] {
      std::string want = *code;
      for (auto& c : want) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (!want.empty() && std::isdigit(static_cast<unsigned char>(want[0]))) want = "E" + want;  // `explain 0202`
      auto entries = Parse(docs::kDiagnosticsMd);
      for (const auto& e : entries)
        if (e.code == want) {
          fmt::print("{}: {}\n\n  section:    {}\n", e.code, e.meaning, e.section);
          if (!e.todo.empty()) fmt::print("  what to do: {}\n", e.todo);
          for (const auto& n : e.notes) {
            std::string indented = "  ";
            for (char c : n) indented += c == '\n' ? std::string("\n  ") : std::string(1, c);
            fmt::print("\n{}\n", indented);
          }
          fmt::print("\n(docs/diagnostics.md)\n");
          return 0;
        }
      std::vector<std::string> codes;
      for (const auto& e : entries) codes.push_back(e.code);
      std::string near = ClosestMatch(want, codes);
      return UsageError(fmt::format("no diagnostic `{}` is documented", *code),
                        near.empty() ? "codes look like E0202 or W0701; see docs/diagnostics.md"
                                     : fmt::format("did you mean `{}`?", near));
    };
  });
}

}  // namespace conform::cli
