// The batch record written straight from the evaluation (runtime/report/batch_record.h) is
// byte for byte the typed model's rendering, WriteJsonRecord(line, BuildAssessment(…)), for
// every verdict, messages that need escapes, blocked requirements, facts, warnings, with and
// without an organization name, and for several standards in one record.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "conform/compiler/calendar.h"
#include "conform/compiler/driver.h"
#include "conform/runtime/catalogue.h"
#include "conform/runtime/evidence.h"
#include "conform/runtime/report.h"
#include "conform/runtime/results.h"
#include "report/batch_record.h"

namespace conform {
namespace {

namespace fs = std::filesystem;

const char* kRules = R"(schema t {
  entity doc { kind: string  approved: bool  note: string? }
  root org { name: string?  docs: list<doc>  objectives: int?  excluded: set<string> }
}
standard s "Batch record" {
  exclusions excluded
  clause 5 "Leadership \"quoted\"" {
    requirement policy : major {
      says "an approved policy exists"
      pass exists d in docs : d.kind == "policy" and d.approved
      else "no approved policy — \"see\" {count(docs)} docs\\ here"
    }
    requirement communicated : minor {
      says "blocked when the policy fails"
      depends on policy
      pass true
    }
    requirement all_approved : observation {
      says "every document is approved"
      pass all d in docs : d.approved
      else "document {d.kind} is not approved"
    }
    requirement notes : minor {
      says "not evidenced when a note is missing"
      pass all d in docs : d.note != ""
    }
  }
  clause 6 "Planning" {
    requirement objectives_set : minor {
      says "objectives are counted"
      applies when count(docs) > 1
      pass objectives > 0
    }
  }
}
)";

std::string Expected(size_t line, const std::vector<runtime::StandardReport>& reports, runtime::Document* doc) {
  runtime::RunInfo info{"batch.ndjson", 0, runtime::Engine::Interp, {}};
  runtime::BuildOptions bo;
  bo.words = false;
  return runtime::WriteJsonRecord(line, runtime::BuildAssessment(reports, info, doc, bo));
}

std::string Written(const runtime::detail::BatchRecordWriter& w, size_t line,
                    const std::vector<runtime::StandardReport>& reports, runtime::Document* doc,
                    bool* open_gap = nullptr) {
  std::string out;
  bool gap = w.Write(out, line, *doc, reports);
  if (open_gap) *open_gap = gap;
  return out;
}

TEST(BatchRecord, SameBytesAsTheTypedModel) {
  Session s({});
  s.LoadText("batch.clause", kRules);
  auto p = s.Compile("s");
  ASSERT_TRUE(p && !s.diags().HasErrors()) << RenderAll(s.diags(), s.sources());
  std::vector<std::shared_ptr<ir::Program>> programs{p};
  runtime::detail::BatchRecordWriter writer(programs);
  const std::vector<std::string> docs = {
      // every requirement conforms (no message at all)
      R"({"name":"A","docs":[{"kind":"policy","approved":true,"note":"n"},{"kind":"x","approved":true,"note":"m"}],"objectives":2,"excluded":[]})",
      // nonconform with an escaped message, blocked, a witness message, not evidenced, not applicable
      R"({"name":"Quote \" and \\ and\nnewline","docs":[{"kind":"manual","approved":false}],"excluded":[]})",
      // no organization name; an excluded clause
      R"({"docs":[{"kind":"policy","approved":true,"note":""},{"kind":"p2","approved":true}],"excluded":["6"]})",
      // unicode, control character
      R"({"name":"Zürich \u0001 ☃","docs":[],"objectives":0,"excluded":[]})",
  };
  size_t line = 0;
  std::set<Verdict> seen;
  for (const std::string& text : docs) {
    for (bool explain : {false, true}) {
      Diagnostics d;
      runtime::LoadOptions lo;
      lo.format = runtime::EvidenceFormat::Json;
      auto doc = runtime::LoadEvidence("line.json", text, *p->schema, s.literals().get(), s.sources(), d, lo);
      ASSERT_TRUE(doc && !d.HasErrors()) << RenderAll(d, s.sources()) << text;
      ParamValues pv = runtime::ResolveParameters(*p, doc->parameters(), doc->strings(), s.sources(), d);
      std::vector<runtime::StandardReport> reports{
          runtime::Evaluate(*p, *doc, cal::ParseDate("2026-11-22").value(), pv, runtime::Engine::Interp, explain)};
      for (const auto& r : reports[0].results) seen.insert(r.verdict);
      ++line;
      bool gap = false;
      EXPECT_EQ(Written(writer, line, reports, doc.get(), &gap), Expected(line, reports, doc.get())) << text;
      runtime::RunInfo info{"b", 0, runtime::Engine::Interp, {}};
      runtime::BuildOptions bo;
      bo.words = false;
      EXPECT_EQ(gap, runtime::BuildAssessment(reports, info, doc.get(), bo).OpenGaps() > 0) << text;
      // A warning of the standard, and the same standard twice in one record.
      reports[0].warnings.push_back({Severity::Warning, "W0601", "edition \"x\" was withdrawn", {}, {}, {}, {}, {}});
      reports.push_back(reports[0]);
      runtime::detail::BatchRecordWriter twice({p, p});
      EXPECT_EQ(Written(twice, line, reports, doc.get()), Expected(line, reports, doc.get())) << text;
    }
  }
  // The documents above reach every verdict.
  EXPECT_EQ(seen.size(), 5u);
}

TEST(BatchRecord, Iso9001ExamplesWithFacts) {
  Diagnostics d;
  auto catalogue = runtime::Catalogue::Discover({fs::path(CONFORM_SOURCE_DIR) / "standards"}, d);
  const runtime::PluginManifest* pkg = catalogue.Find("iso9001", d);
  ASSERT_NE(pkg, nullptr);
  Session s(catalogue.dirs());
  ASSERT_TRUE(catalogue.Load(s, {pkg}, d));
  auto p = s.Compile("iso9001");
  ASSERT_TRUE(p && !s.diags().HasErrors());
  runtime::detail::BatchRecordWriter writer({p});
  size_t line = 0;
  for (const char* ex : {"examples/precision-parts.yaml", "examples/young-company.yaml"}) {
    auto doc = runtime::LoadEvidenceFile((fs::path(CONFORM_SOURCE_DIR) / ex).string(), *p->schema, s.literals().get(),
                                         s.sources(), d);
    ASSERT_TRUE(doc) << ex;
    ParamValues pv = runtime::ResolveParameters(*p, doc->parameters(), doc->strings(), s.sources(), d);
    for (bool explain : {false, true}) {
      std::vector<runtime::StandardReport> reports{
          runtime::Evaluate(*p, *doc, cal::ParseDate("2026-11-22").value(), pv, runtime::Engine::Interp, explain)};
      ++line;
      std::string got = Written(writer, line, reports, doc.get());
      EXPECT_EQ(got, Expected(line, reports, doc.get())) << ex;
      EXPECT_EQ(explain, got.find("\"facts\":[") != std::string::npos) << ex;
    }
  }
}

// JsonQuote scans sixteen bytes at a time: every character that needs an escape, at every
// position of a block and in the tail, gets the same text as a character-by-character quote.
TEST(BatchRecord, JsonQuoteEscapesAtEveryPosition) {
  auto reference = [](std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
      if (c == '"') out += "\\\"";
      else if (c == '\\') out += "\\\\";
      else if (c == '\n') out += "\\n";
      else if (c == '\r') out += "\\r";
      else if (c == '\t') out += "\\t";
      else if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else out += static_cast<char>(c);
    }
    return out + "\"";
  };
  for (char special : {'"', '\\', '\n', '\r', '\t', '\x01', '\x1f'})
    for (size_t len : {0, 1, 15, 16, 17, 31, 32, 33, 40})
      for (size_t at = 0; at < len; ++at) {
        std::string s(len, 'a');
        s[at] = special;
        if (len > 20) s[len - 1 - at % 3] = '\x7f';  // DEL and UTF-8 stay as they are
        s += "\xc3\xa9";
        EXPECT_EQ(runtime::JsonQuote(s), reference(s)) << int(special) << " at " << at << " of " << len;
      }
}

}  // namespace
}  // namespace conform
