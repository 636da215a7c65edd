// `--format csv`: one row per requirement (RFC 4180), the same columns as the XLSX sheet.
#include <fmt/format.h>

#include "conform/compiler/calendar.h"
#include "conform/runtime/results.h"
#include "table.h"

namespace conform::runtime {
namespace {

std::string Cell(const std::string& s) {
  // Spreadsheets run cells that start with = + - @ as formulas: quote them as text.
  std::string v = s;
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@')) v = "'" + v;
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string WriteCsv(const Assessment& a) {
  std::string out;
  const auto& cols = detail::TableColumns();
  for (size_t i = 0; i < cols.size(); ++i) out += (i ? "," : "") + Cell(cols[i]);
  out += "\r\n";
  for (const StandardResults& s : a.standards)
    for (const RequirementRow& r : s.requirements) {
      auto cells = detail::TableRow(r);
      for (size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + Cell(cells[i]);
      out += "\r\n";
    }
  return out;
}

}  // namespace conform::runtime
