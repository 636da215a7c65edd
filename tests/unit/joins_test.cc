// The join plan (compiler/include/conform/compiler/joins.h): which filtered collections both
// engines evaluate with a hash index. The answers are tested in the conformance case
// join_index.yaml (both engines); here, that the plan finds the joins it should and only those.
#include <gtest/gtest.h>

#include "conform/compiler/joins.h"
#include "test_util.h"

namespace conform::test {
namespace {

const char* kJoinSchema = R"(schema t {
  entity item { k: string?  n: int  x: decimal  tag: string? }
  entity box { code: string  items: list<item> }
  root org { items: list<item>  boxes: list<box>  limit: int? }
}
)";

// The joins of the one requirement `pass`.
ir::JoinPlan Plan(const std::string& pass) {
  auto c = CompileText(std::string(kJoinSchema) + "standard s \"S\" { clause 1 \"C\" { requirement r : minor {\n" +
                       "  says \"x\"\n  pass " + pass + "\n} } }\n");
  EXPECT_FALSE(c.diags().HasErrors()) << c.Rendered();
  if (c.programs.empty()) return {};
  const ir::Program& p = *c.programs[0];
  ir::JoinPlan plan = ir::PlanJoins(p);
  EXPECT_EQ(plan.of_node.size(), p.nodes.size());
  for (size_t i = 0; i < plan.of_node.size(); ++i)
    if (plan.of_node[i] >= 0) {
      const ir::Join& j = plan.joins[plan.of_node[i]];
      EXPECT_EQ(j.slot, plan.of_node[i]);
      EXPECT_EQ(p.nodes[j.key].op, ir::Op::Field) << pass;  // g.k in these programs
    }
  return plan;
}

TEST(Joins, NestedEqualityFiltersAreJoins) {
  EXPECT_EQ(Plan("all f in items : count(g in items where g.k == f.k) <= 5").joins.size(), 1u);
  EXPECT_EQ(Plan("all f in items : count(g in items where f.k == g.k) <= 5").joins.size(), 1u);
  EXPECT_EQ(Plan("all f in items : exists g in items where g.k == f.k : g.n > 1").joins.size(), 1u);
  EXPECT_EQ(Plan("all f in items : sum(g.n for g in items where g.k == f.k) < 9").joins.size(), 1u);
  // The other conjuncts stay a filter on the matches.
  auto p = Plan("all f in items : count(g in items where g.n > 1 and (g.k == f.k and g.tag == \"a\")) <= 5");
  ASSERT_EQ(p.joins.size(), 1u);
  EXPECT_EQ(p.joins[0].rest.size(), 2u);
  // Two levels deep, over a list of the root.
  EXPECT_EQ(Plan("all b in boxes : all f in b.items : count(g in items where g.k == f.k) >= 0").joins.size(), 1u);
  // Two joins in one requirement get two indexes.
  auto two = Plan("all f in items : count(g in items where g.k == f.k) <= 5 and count(h in items where h.n == f.n) < 3");
  ASSERT_EQ(two.joins.size(), 2u);
  EXPECT_NE(two.joins[0].slot, two.joins[1].slot);
}

TEST(Joins, OnlyWhereTheIndexGivesTheSameAnswers) {
  // Not nested: one pass over the list is as cheap as building an index.
  EXPECT_TRUE(Plan("count(g in items where g.k == \"a\") <= 5").joins.empty());
  // The list depends on the outer variable: a different list for every element.
  EXPECT_TRUE(Plan("all b in boxes : all f in b.items : count(g in b.items where g.k == f.k) <= 5").joins.empty());
  // Decimals compare as numbers (-0.0 == 0.0), not as bits.
  EXPECT_TRUE(Plan("all f in items : count(g in items where g.x == f.x) <= 5").joins.empty());
  // The key reads the outer variable too; the probe reads the element.
  EXPECT_TRUE(Plan("all f in items : count(g in items where g.n + f.n == 4) <= 5").joins.empty());
  EXPECT_TRUE(Plan("all f in items : count(g in items where g.n == g.n + f.n) <= 5").joins.empty());
  // Not an equality, or not a conjunct of the filter.
  EXPECT_TRUE(Plan("all f in items : count(g in items where g.n < f.n) <= 5").joins.empty());
  EXPECT_TRUE(Plan("all f in items : count(g in items where g.k == f.k or g.n == 1) <= 5").joins.empty());
  EXPECT_TRUE(Plan("all f in items : count(g in items where not (g.k != f.k)) <= 5").joins.empty());
  // An equality in the body, not the filter, is not a join (an unknown key makes the body unknown).
  EXPECT_TRUE(Plan("all f in items : exists g in items : g.k == f.k and g.n > 1").joins.empty());
}

}  // namespace
}  // namespace conform::test
