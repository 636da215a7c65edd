// IAF MD 1 multi-site sample sizes: table-driven, on both sides of every rounding boundary.
#include <gtest/gtest.h>

#include "conform/runtime/sampling.h"

namespace smp = conform::runtime::sampling;

namespace {

struct SizeCase {
  int n;
  int initial, surveillance, recertification;
};

class SampleSizes : public ::testing::TestWithParam<SizeCase> {};

TEST_P(SampleSizes, CeilOfScaledSquareRoot) {
  const SizeCase& c = GetParam();
  EXPECT_EQ(smp::MinimumSample(c.n, smp::AuditType::Initial), c.initial) << "n=" << c.n;
  EXPECT_EQ(smp::MinimumSample(c.n, smp::AuditType::Surveillance), c.surveillance) << "n=" << c.n;
  EXPECT_EQ(smp::MinimumSample(c.n, smp::AuditType::Recertification), c.recertification) << "n=" << c.n;
}

// √n exact at 1, 4, 9, 16, 25, 100, 400; 0.6√n exact at 25 (3), 100 (6), 400 (12);
// 0.8√n exact at 25 (4), 100 (8), 400 (16). The row after each exact value rounds up.
INSTANTIATE_TEST_SUITE_P(Table, SampleSizes,
                         ::testing::Values(SizeCase{0, 0, 0, 0},        //
                                           SizeCase{1, 1, 1, 1},        // 0.6, 0.8 → 1
                                           SizeCase{2, 2, 1, 2},        // 1.41, 0.85, 1.13
                                           SizeCase{3, 2, 2, 2},        // 1.73, 1.04, 1.39
                                           SizeCase{4, 2, 2, 2},        // 2, 1.2, 1.6
                                           SizeCase{5, 3, 2, 2},        // 2.24, 1.34, 1.79
                                           SizeCase{8, 3, 2, 3},        // 2.83, 1.70, 2.26
                                           SizeCase{9, 3, 2, 3},        // 3, 1.8, 2.4
                                           SizeCase{10, 4, 2, 3},       // 3.16, 1.90, 2.53
                                           SizeCase{11, 4, 2, 3},       // 3.32, 1.99, 2.65
                                           SizeCase{12, 4, 3, 3},       // 3.46, 2.08, 2.77
                                           SizeCase{16, 4, 3, 4},       // 4, 2.4, 3.2
                                           SizeCase{17, 5, 3, 4},       // 4.12, 2.47, 3.30
                                           SizeCase{24, 5, 3, 4},       // 4.90, 2.94, 3.92
                                           SizeCase{25, 5, 3, 4},       // 5, 3 (exact), 4 (exact)
                                           SizeCase{26, 6, 4, 5},       // 5.10, 3.06, 4.08
                                           SizeCase{100, 10, 6, 8},     // exact
                                           SizeCase{101, 11, 7, 9},     // 10.05, 6.03, 8.04
                                           SizeCase{400, 20, 12, 16},   // exact
                                           SizeCase{401, 21, 13, 17},   //
                                           SizeCase{10000, 100, 60, 80},
                                           SizeCase{10001, 101, 61, 81}));

struct ThirtyCase {
  int n, sites;
};
class Thirty : public ::testing::TestWithParam<ThirtyCase> {};
TEST_P(Thirty, ThirtyPercentRoundedUp) { EXPECT_EQ(smp::ThirtyPercent(GetParam().n), GetParam().sites) << GetParam().n; }
INSTANTIATE_TEST_SUITE_P(Table, Thirty,
                         ::testing::Values(ThirtyCase{0, 0}, ThirtyCase{1, 1}, ThirtyCase{3, 1}, ThirtyCase{4, 2}, ThirtyCase{10, 3},
                                           ThirtyCase{11, 4}, ThirtyCase{20, 6}, ThirtyCase{21, 7}));

smp::Eligibility All(bool v) {
  smp::Eligibility e;
  for (auto& x : e) x = v;
  return e;
}

TEST(SamplingPlan, EligibleSamplingAddsTheCentralFunctionEveryTime) {
  smp::Plan p = smp::MakePlan(25, All(true));
  EXPECT_EQ(p.mode, smp::Mode::Sampling);
  EXPECT_TRUE(p.eligibility_known);
  ASSERT_EQ(p.visits.size(), 3u);
  EXPECT_EQ(p.visits[0].type, smp::AuditType::Initial);
  EXPECT_EQ(p.visits[0].sites, 5);
  EXPECT_EQ(p.visits[0].total, 6);
  EXPECT_EQ(p.visits[1].sites, 3);
  EXPECT_EQ(p.visits[1].total, 4);
  EXPECT_EQ(p.visits[2].sites, 4);
  EXPECT_EQ(p.visits[2].total, 5);
  for (const auto& v : p.visits) EXPECT_TRUE(v.central_function);
  EXPECT_EQ(p.visits[1].formula, "ceil(0.6 × √25) = 3");
}

TEST(SamplingPlan, RiskIncreaseIsAddedAndBoundedByTheSites) {
  smp::Plan p = smp::MakePlan(4, All(true), 3);
  EXPECT_EQ(p.visits[0].minimum, 2);
  EXPECT_EQ(p.visits[0].sites, 4);  // 2 + 3, bounded by 4
  EXPECT_EQ(p.visits[1].sites, 4);
}

TEST(SamplingPlan, SamplingNotAppropriateMeansAllSitesAndThirtyPercent) {
  smp::Eligibility e = All(true);
  e[static_cast<size_t>(smp::Condition::SimilarProcesses)] = false;
  smp::Plan p = smp::MakePlan(11, e);
  EXPECT_EQ(p.mode, smp::Mode::NoSampling);
  EXPECT_EQ(p.visits[0].sites, 11);
  EXPECT_EQ(p.visits[1].sites, 4);
  EXPECT_EQ(p.visits[2].sites, 11);
  EXPECT_TRUE(p.visits[1].central_function);
}

TEST(SamplingPlan, EveryMultiSiteConditionMatters) {
  for (const auto& c : smp::Conditions()) {
    if (c.for_sampling_only) continue;
    smp::Eligibility e = All(true);
    e[static_cast<size_t>(c.condition)] = false;
    smp::Plan p = smp::MakePlan(9, e);
    EXPECT_EQ(p.mode, smp::Mode::NotMultiSite) << c.key;
    for (const auto& v : p.visits) {
      EXPECT_EQ(v.sites, 9) << c.key;
      EXPECT_FALSE(v.central_function) << c.key;
    }
  }
}

TEST(SamplingPlan, UnknownConditionsAreAssumedMetAndSaidSo) {
  smp::Eligibility e{};
  smp::Plan p = smp::MakePlan(9, e);
  EXPECT_EQ(p.mode, smp::Mode::Sampling);
  EXPECT_FALSE(p.eligibility_known);
  EXPECT_EQ(p.visits[0].sites, 3);
  EXPECT_NE(p.notes.back().find("unknown"), std::string::npos);
}

}  // namespace
