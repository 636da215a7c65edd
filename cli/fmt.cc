// `conform fmt`: a token-level formatter. It re-indents by block depth and normalizes the
// spaces between tokens; it never adds or removes a token or a line break (except blank-line
// runs), so it keeps comments and any construct of the grammar, old or new.
#include "fmt.h"

#include "conform/compiler/ast.h"
#include "conform/compiler/parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <vector>

namespace conform::fmt_clause {

namespace {

enum class Kind { Word, Number, String, Punct, LineComment, BlockComment };

struct Token {
  Kind kind;
  std::string text;
  size_t gap = 0;      // spaces before it on its line (0 at the start of a line)
  bool binary = false;  // an infix operator (set by Classify: `-` and `<` `>` depend on context)
};

struct Line {
  std::vector<Token> tokens;
  int blank_before = 0;
};

bool IsWordStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsWord(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool Lex(const std::string& t, std::vector<Line>& lines, std::string& error) {
  lines.clear();
  lines.emplace_back();
  size_t i = 0, gap = 0;
  int blank = 0;
  auto push = [&](Kind k, std::string s) {
    Line& l = lines.back();
    if (l.tokens.empty()) l.blank_before = blank, blank = 0;
    l.tokens.push_back({k, std::move(s), l.tokens.empty() ? 0 : gap});
    gap = 0;
  };
  while (i < t.size()) {
    char c = t[i];
    if (c == '\n') {
      if (lines.back().tokens.empty()) ++blank;
      else lines.emplace_back();
      gap = 0;
      ++i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      gap += c == '\t' ? 2 : c == ' ' ? 1 : 0;
      ++i;
      continue;
    }
    size_t start = i;
    if (c == '/' && i + 1 < t.size() && t[i + 1] == '/') {
      while (i < t.size() && t[i] != '\n') ++i;
      std::string s = t.substr(start, i - start);
      while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
      push(Kind::LineComment, s);
      continue;
    }
    if (c == '/' && i + 1 < t.size() && t[i + 1] == '*') {
      size_t end = t.find("*/", i + 2);
      if (end == std::string::npos) {
        error = "unterminated block comment";
        return false;
      }
      i = end + 2;
      push(Kind::BlockComment, t.substr(start, i - start));
      continue;
    }
    if (c == '"') {
      ++i;
      while (i < t.size() && t[i] != '"' && t[i] != '\n') i += t[i] == '\\' ? 2 : 1;
      if (i >= t.size() || t[i] != '"') {
        error = "unterminated string literal";
        return false;
      }
      ++i;
      push(Kind::String, t.substr(start, i - start));
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      // 12, 1.5, 9.2.1, 2025-09-15
      while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) ||
                              (t[i] == '.' && i + 1 < t.size() && std::isdigit(static_cast<unsigned char>(t[i + 1])))))
        ++i;
      if (i - start == 4 && i + 6 <= t.size() && t[i] == '-' && std::isdigit(static_cast<unsigned char>(t[i + 1])))
        i = std::min(t.size(), i + 6);
      push(Kind::Number, t.substr(start, i - start));
      continue;
    }
    if (IsWordStart(c)) {
      while (i < t.size() && IsWord(t[i])) ++i;
      push(Kind::Word, t.substr(start, i - start));
      continue;
    }
    static const char* const kTwo[] = {"==", "!=", "<=", ">=", "->", "=>", "::", ".."};
    std::string two = t.substr(i, 2);
    if (std::find(std::begin(kTwo), std::end(kTwo), two) != std::end(kTwo)) {
      i += 2;
      push(Kind::Punct, two);
      continue;
    }
    ++i;
    push(Kind::Punct, std::string(1, c));
  }
  if (lines.back().tokens.empty()) lines.pop_back();
  return true;
}

const std::set<std::string>& Keywords() {
  static const std::set<std::string> k = {
      "use", "schema", "enum", "entity", "root", "extend", "standard", "param", "exclusions", "clause", "requirement",
      "says", "applies", "when", "let", "pass", "else", "is", "present", "absent", "not", "and", "or", "implies", "in",
      "under", "exists", "all", "none", "where", "for", "true", "false", "if", "then", "def", "each"};
  return k;
}

bool IsBinary(const Token& t) { return t.binary; }

// Marks the infix operators of a line: `-` after a value (not unary minus), `<` `>` unless they
// bracket a type argument (`list<doc>`).
void Classify(std::vector<Token>& tokens) {
  static const std::set<std::string> ops = {"==", "!=", "<=", ">=", "+", "*", "/", "%", "&", "=", "and", "or", "implies"};
  int angles = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    Token& t = tokens[i];
    const Token* p = i ? &tokens[i - 1] : nullptr;
    if (t.kind == Kind::String || t.kind == Kind::Number || t.kind == Kind::LineComment || t.kind == Kind::BlockComment) continue;
    if (ops.count(t.text)) {
      t.binary = true;
    } else if (t.text == "<" && p && p->kind == Kind::Word && (p->text == "list" || p->text == "set")) {
      ++angles;
    } else if (t.text == ">" && angles > 0) {
      --angles;
    } else if (t.text == "<" || t.text == ">") {
      t.binary = true;
    } else if (t.text == "-") {
      bool after_value = !p || p->kind == Kind::Number || p->kind == Kind::String || p->text == ")" || p->text == "}" ||
                         p->text == "]" ||
                         (p->kind == Kind::Word && !Keywords().count(p->text));
      t.binary = after_value;
    }
  }
}

// Spaces between `p` and `n` on one line; `last` = n ends the line.
size_t Gap(const Token& p, const Token& n, bool last) {
  if (n.kind == Kind::LineComment || n.kind == Kind::BlockComment) return std::max<size_t>(n.gap, 1);
  if (n.kind == Kind::String && last && n.gap > 1 && p.text != "(" && p.text != ",") return n.gap;  // aligned docs
  if (p.text == "(" || p.text == "[" || p.text == "." || n.text == ")" || n.text == "]" || n.text == "," || n.text == "." ||
      n.text == "?")
    return 0;
  if (n.text == "(" && p.kind == Kind::Word && !Keywords().count(p.text)) return 0;  // a call
  if (p.text == "," || p.text == ":") return 1;
  if (IsBinary(p) || IsBinary(n)) return 1;
  return n.gap ? 1 : 0;
}

// A line that carries on the statement of the line before.
bool Continues(const Line& prev, const Line& l, int parens) {
  if (parens > 0) return true;
  const Token& first = l.tokens.front();
  if (first.kind == Kind::String) return true;  // a doc string under its `param` or field
  if (IsBinary(first) || first.text == "then") return true;
  const Token* last = nullptr;
  for (const auto& t : prev.tokens)
    if (t.kind != Kind::LineComment && t.kind != Kind::BlockComment) last = &t;
  if (!last) return false;
  return IsBinary(*last) || last->text == "(" || last->text == "then";
}

}  // namespace

bool Format(const std::string& text, std::string& out, std::string& error) {
  std::vector<Line> lines;
  if (!Lex(text, lines, error)) return false;
  for (auto& l : lines) Classify(l.tokens);
  out.clear();
  int depth = 0, parens = 0;
  const Line* prev_code = nullptr;
  for (size_t li = 0; li < lines.size(); ++li) {
    const Line& l = lines[li];
    bool only_comments = std::all_of(l.tokens.begin(), l.tokens.end(), [](const Token& t) {
      return t.kind == Kind::LineComment || t.kind == Kind::BlockComment;
    });
    if (li > 0 && l.blank_before > 0) out += "\n";
    int closing = 0;  // leading `}`/`)` pull the line out
    for (const auto& t : l.tokens) {
      if (t.text == "}") ++closing;
      else break;
    }
    int indent = std::max(0, depth - closing);
    bool cont = !only_comments && prev_code && l.tokens.front().text != "}" && Continues(*prev_code, l, parens);
    out += std::string(static_cast<size_t>(indent) * 2 + (cont ? 2 : 0), ' ');
    for (size_t k = 0; k < l.tokens.size(); ++k) {
      const Token& t = l.tokens[k];
      if (k) out += std::string(Gap(l.tokens[k - 1], t, k + 1 == l.tokens.size()), ' ');
      out += t.text;
      if (t.kind == Kind::Punct) {
        if (t.text == "{") ++depth;
        if (t.text == "}") depth = std::max(0, depth - 1);
        if (t.text == "(") ++parens;
        if (t.text == ")") parens = std::max(0, parens - 1);
      }
    }
    out += "\n";
    if (!only_comments) prev_code = &l;
  }
  return true;
}

bool FormatVerified(const std::string& path, const std::string& text, std::string& out, SourceManager& sm, Diagnostics& diags,
                    std::string& code) {
  std::string error;
  if (!Format(text, out, error)) {
    code = "E0110";
    diags.Error("E0110", {}, fmt::format("cannot format {}: {}", path, error), fmt::format("fix the file first (`conform compile {}`)", path));
    return false;
  }
  auto before = syntax::ParseFile(sm, sm.Add(path, text), diags);
  if (diags.HasErrors()) {
    code = diags.items().front().code;
    return false;
  }
  auto after = syntax::ParseFile(sm, sm.Add(path, out), diags);
  if (diags.HasErrors() || ast::Print(*before) != ast::Print(*after)) {
    code = "E0111";
    diags.Error("E0111", {}, fmt::format("formatting {} would change its meaning; the file is left as it is", path),
                "please report this with the file");
    return false;
  }
  return true;
}

bool FormatVerified(const std::string& path, const std::string& text, std::string& out, std::string& why) {
  SourceManager sm;
  Diagnostics d;
  std::string code;
  if (FormatVerified(path, text, out, sm, d, code)) return true;
  const Diagnostic& first = d.items().front();
  why = fmt::format("{} {}", first.code, first.message);
  return false;
}

}  // namespace conform::fmt_clause
