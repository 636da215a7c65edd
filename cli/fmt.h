// The canonical layout of Clause sources (`conform fmt`, docs/language.md "Layout").
#pragma once
#include <string>

namespace conform::fmt_clause {

// Re-lays out `text`: indentation by block depth (two spaces a level; a line that continues
// the statement above — inside parentheses, after or before a binary operator, a doc string —
// two more), single spaces between tokens except before end-of-line strings and comments
// (their alignment is kept), no trailing whitespace, at most one blank line in a row, one
// final newline. Comments are kept; tokens never change. Returns false
// (with `error`) when the text cannot be tokenized (an unterminated string or comment).
bool Format(const std::string& text, std::string& out, std::string& error);

}  // namespace conform::fmt_clause
