// The canonical layout of Clause sources (`conform fmt`, docs/language.md "Layout").
#pragma once
#include <string>

#include "conform/compiler/diagnostics.h"

namespace conform::fmt_clause {

// Re-lays out `text`: indentation by block depth (two spaces a level; a line that continues
// the statement above — inside parentheses, after or before a binary operator, a doc string —
// two more), single spaces between tokens except before end-of-line strings and comments
// (their alignment is kept), no trailing whitespace, at most one blank line in a row, one
// final newline. Comments are kept; tokens never change. Returns false
// (with `error`) when the text cannot be tokenized (an unterminated string or comment).
bool Format(const std::string& text, std::string& out, std::string& error);

// Format, then re-parse both texts and compare their syntax trees (the formatter only moves
// whitespace; this guards that promise). False with `code` (E0110 cannot tokenize, E0101… the
// text does not parse, E0111 the tree would change) and diagnostics in `diags`/`sm`.
bool FormatVerified(const std::string& path, const std::string& text, std::string& out, SourceManager& sm, Diagnostics& diags,
                    std::string& code);
// The same, for callers that only need the reason as text.
bool FormatVerified(const std::string& path, const std::string& text, std::string& out, std::string& why);

}  // namespace conform::fmt_clause
