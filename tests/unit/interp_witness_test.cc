// How far the interpreter walks a nonconforming quantifier to name its witness in the message.
// A plain message (`{d.kind}`) needs only the first failing element, as the quantifier itself
// does; a message that lists them (`{each d.kind}`) needs them all. What the evaluation read is
// observable as evidence usage (interp::TraceUsage: the records a requirement's evaluation read
// serve its clause) — a message that walked the whole list would make every element serve it,
// and made a linear rule quadratic in the interpreter (the regression fixed in 01c94e0).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "conform/compiler/calendar.h"
#include "conform/compiler/driver.h"
#include "conform/runtime/evidence.h"
#include "conform/runtime/report.h"

namespace conform {
namespace {

const char* kRules = R"(schema t {
  entity doc { kind: string  approved: bool }
  root org { docs: list<doc>  tags: set<string> }
}
standard s "Witness walk" {
  clause 1 "First failing" {
    requirement plain : minor {
      says "every document is approved"
      pass all d in docs : d.approved
      else "document {d.kind} is not approved"
    }
  }
  clause 2 "Every failing" {
    requirement listed : minor {
      says "every document is approved"
      pass all d in docs : d.approved
      else "documents {each d.kind} are not approved"
    }
  }
}
)";

// The clauses of standard `s` that the element at `path` served.
std::vector<std::string> Served(const std::vector<runtime::EvidenceUse>& uses, const std::string& path) {
  for (const auto& u : uses)
    if (u.path == path)
      for (const auto& [standard, clauses] : u.served)
        if (standard == "s") return clauses;
  return {};
}

TEST(InterpWitness, APlainMessageStopsAtTheFirstFailingElement) {
  Session s({});
  s.LoadText("w.clause", kRules);
  auto p = s.Compile("s");
  ASSERT_TRUE(p && !s.diags().HasErrors()) << RenderAll(s.diags(), s.sources());
  // docs[1] and docs[3] fail.
  const std::string text =
      R"({"docs":[{"kind":"a","approved":true},{"kind":"b","approved":false},{"kind":"c","approved":true},)"
      R"({"kind":"d","approved":false},{"kind":"e","approved":true},{"kind":"f","approved":true}],"tags":[]})";
  Diagnostics d;
  runtime::LoadOptions lo;
  lo.format = runtime::EvidenceFormat::Json;
  auto doc = runtime::LoadEvidence("w.json", text, *p->schema, s.literals().get(), s.sources(), d, lo);
  ASSERT_TRUE(doc && !d.HasErrors()) << RenderAll(d, s.sources());
  ParamValues pv = runtime::ResolveParameters(*p, doc->parameters(), doc->strings(), s.sources(), d);
  const int64_t as_of = cal::ParseDate("2026-11-22").value();

  // The messages themselves: the first failing element, or every one.
  runtime::StandardReport r = runtime::Evaluate(*p, *doc, as_of, pv, runtime::Engine::Interp, false);
  ASSERT_EQ(r.results.size(), 2u);
  EXPECT_EQ(r.results[0].message, "document b is not approved");
  EXPECT_EQ(r.results[1].message, "documents b, d are not approved");

  auto uses = runtime::EvidenceUsage({p.get()}, *doc, as_of, {&pv});
  const std::vector<std::string> both{"1", "2"}, listed{"2"};
  // Up to the first failing element both requirements read the documents; past it only the
  // requirement whose message lists every failing element does.
  EXPECT_EQ(Served(uses, "$.docs[0]"), both);
  EXPECT_EQ(Served(uses, "$.docs[1]"), both);
  for (const char* after : {"$.docs[2]", "$.docs[3]", "$.docs[4]", "$.docs[5]"})
    EXPECT_EQ(Served(uses, after), listed) << after;
}

}  // namespace
}  // namespace conform
