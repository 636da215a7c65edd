// WriteReport: one Assessment, any format, to a file or stdout.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "conform/runtime/results.h"

namespace conform::runtime {

bool WriteReport(Format format, const Assessment& a, const TextOptions& opts, const std::string& path, std::string& error) {
  if (format == Format::Xlsx) {
    if (path == "-") {
      error = "xlsx is a binary format: give a file, e.g. --output xlsx=report.xlsx";
      return false;
    }
    return WriteXlsx(a, path, error);
  }
  std::string text;
  switch (format) {
    case Format::Text: text = WriteText(a, opts); break;
    case Format::Json: text = WriteJson(a); break;
    case Format::Html: text = WriteHtml(a); break;
    case Format::Junit: text = WriteJunit(a); break;
    case Format::Sarif: text = WriteSarif(a); break;
    case Format::Oscal: text = WriteOscal(a); break;
    case Format::Csv: text = WriteCsv(a); break;
    case Format::Markdown: text = WriteMarkdown(a); break;
    case Format::Xlsx: break;
  }
  if (path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return true;
  }
  std::ofstream out(path, std::ios::binary);
  if (!out || !out.write(text.data(), static_cast<std::streamsize>(text.size())) || !out.flush()) {
    error = "cannot write `" + path + "`";
    return false;
  }
  return true;
}

}  // namespace conform::runtime
