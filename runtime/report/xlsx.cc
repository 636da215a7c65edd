// `--format xlsx` (libxlsxwriter): a "Summary" sheet (organization, scope, assessor, date, the
// counts and readiness of each standard) and a "Requirements" sheet with one row per
// requirement — the CSV's columns — filterable, the header row frozen.
#include <xlsxwriter.h>

#include <fmt/format.h>

#include "conform/compiler/calendar.h"
#include "conform/runtime/results.h"
#include "table.h"

namespace conform::runtime {

bool WriteXlsx(const Assessment& a, const std::string& path, std::string& error) {
  lxw_workbook* wb = workbook_new(path.c_str());
  if (!wb) {
    error = "cannot create `" + path + "`";
    return false;
  }
  const AssessmentInfo& i = a.info;
  std::string title = i.organization.empty() ? "Conformity assessment" : i.organization + " — conformity assessment";
  lxw_doc_properties props{};
  props.title = const_cast<char*>(title.c_str());
  props.author = const_cast<char*>(i.assessor.c_str());
  props.company = const_cast<char*>(i.organization.c_str());
  std::string comments = "conform " + i.version;
  props.comments = const_cast<char*>(comments.c_str());
  workbook_set_properties(wb, &props);

  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  lxw_format* head = workbook_add_format(wb);
  format_set_bold(head);
  format_set_bg_color(head, 0xDDE4EE);
  format_set_text_wrap(head);
  lxw_format* wrap = workbook_add_format(wb);
  format_set_text_wrap(wrap);
  format_set_align(wrap, LXW_ALIGN_VERTICAL_TOP);
  lxw_format* bad = workbook_add_format(wb);
  format_set_font_color(bad, 0xB00020);
  format_set_align(bad, LXW_ALIGN_VERTICAL_TOP);
  lxw_format* top = workbook_add_format(wb);
  format_set_align(top, LXW_ALIGN_VERTICAL_TOP);

  // Summary.
  lxw_worksheet* sum = workbook_add_worksheet(wb, "Summary");
  worksheet_set_column(sum, 0, 0, 24, nullptr);
  worksheet_set_column(sum, 1, 11, 14, nullptr);
  lxw_row_t row = 0;
  worksheet_write_string(sum, row++, 0, title.c_str(), bold);
  auto kv = [&](const char* k, const std::string& v) {
    if (v.empty()) return;
    worksheet_write_string(sum, row, 0, k, bold);
    worksheet_write_string(sum, row++, 1, v.c_str(), nullptr);
  };
  kv("Organization", i.organization);
  if (i.legal_entity != i.organization) kv("Legal entity", i.legal_entity);
  for (const auto& s : i.scope) kv("Scope", s);
  kv("Assessor", i.assessor);
  kv("As of", cal::FormatDate(i.as_of));
  kv("Evidence", i.evidence_path);
  kv("Engine", i.engine);
  ++row;
  const char* cols[] = {"standard", "edition", "requirements", "conform", "nonconform", "major", "minor", "observation",
                        "not evidenced", "not applicable", "accepted", "readiness"};
  for (lxw_col_t c = 0; c < 12; ++c) worksheet_write_string(sum, row, c, cols[c], head);
  ++row;
  for (const StandardResults& s : a.standards) {
    const Counts& c = s.summary;
    worksheet_write_string(sum, row, 0, s.id.c_str(), nullptr);
    worksheet_write_string(sum, row, 1, s.edition.c_str(), nullptr);
    int nums[] = {c.total(), c.conform, c.nonconform, c.major, c.minor, c.observation, c.not_evidenced, c.not_applicable, s.accepted};
    for (lxw_col_t k = 0; k < 9; ++k) worksheet_write_number(sum, row, 2 + k, nums[k], nullptr);
    worksheet_write_string(sum, row, 11, s.readiness.label.c_str(), nullptr);
    ++row;
  }
  ++row;
  for (const StandardResults& s : a.standards)
    worksheet_write_string(sum, row++, 0, fmt::format("{}: {}", s.id, ReadinessText(s.readiness)).c_str(), nullptr);

  // Requirements.
  lxw_worksheet* req = workbook_add_worksheet(wb, "Requirements");
  const auto& names = detail::TableColumns();
  const double widths[] = {10, 9, 28, 30, 60, 14, 11, 60, 45, 50, 14, 12, 40};
  for (lxw_col_t c = 0; c < names.size(); ++c) {
    worksheet_set_column(req, c, c, c < sizeof widths / sizeof *widths ? widths[c] : 20, nullptr);
    worksheet_write_string(req, 0, c, names[c].c_str(), head);
  }
  lxw_row_t r = 1;
  for (const StandardResults& s : a.standards)
    for (const RequirementRow& rr : s.requirements) {
      auto cells = detail::TableRow(rr);
      for (lxw_col_t c = 0; c < cells.size(); ++c) {
        lxw_format* f = c == 5 && rr.IsGap() ? bad : (c == 4 || c == 7 || c == 8 || c == 9 || c == 12) ? wrap : top;
        worksheet_write_string(req, r, c, cells[c].c_str(), f);
      }
      ++r;
    }
  worksheet_freeze_panes(req, 1, 0);
  worksheet_autofilter(req, 0, 0, r > 1 ? r - 1 : 1, static_cast<lxw_col_t>(names.size() - 1));
  worksheet_activate(req);

  lxw_error e = workbook_close(wb);
  if (e != LXW_NO_ERROR) {
    error = fmt::format("cannot write `{}`: {}", path, lxw_strerror(e));
    return false;
  }
  return true;
}

}  // namespace conform::runtime
