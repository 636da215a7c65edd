// The certification lifecycle: timing rules (table-driven, a date on each side of every
// boundary), the state machine over synthetic histories, reading the history from evidence
// through the schema, and the example history at several dates.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "conform/compiler/calendar.h"
#include "conform/compiler/driver.h"
#include "conform/runtime/evidence.h"
#include "conform/runtime/lifecycle.h"
#include "conform/runtime/record_reader.h"
#include "conform/runtime/report.h"

namespace lc = conform::runtime::lifecycle;
using conform::cal::FormatDate;
using lc::State;

namespace {

lc::Date D(const char* s) {
  auto d = conform::cal::ParseDate(s);
  EXPECT_TRUE(d) << s;
  return d.value_or(0);
}

bool HasIrregularity(const lc::Status& s, const std::string& rule) {
  return std::any_of(s.irregularities.begin(), s.irregularities.end(), [&](const lc::Irregularity& i) { return i.rule == rule; });
}

const lc::Deadline* FindDeadline(const lc::Status& s, const std::string& rule) {
  for (const auto& d : s.deadlines)
    if (d.rule == rule) return &d;
  return nullptr;
}

std::string Dump(const lc::Status& s) {
  std::string out = std::string("state ") + lc::StateName(s.state) + "\n";
  for (const auto& t : s.timeline) out += FormatDate(t.date) + " " + lc::StateName(t.state) + " " + t.event + "\n";
  for (const auto& i : s.irregularities) out += "! " + i.rule + " " + i.message + "\n";
  for (const auto& d : s.deadlines) out += "due " + d.rule + " " + FormatDate(d.due) + "\n";
  return out;
}

// ---- building blocks of synthetic histories ---------------------------------------------------

lc::Audit Audit(const char* id, lc::AuditKind kind, const char* start, const char* end, bool ready = true) {
  lc::Audit a;
  a.id = id;
  a.kind = kind;
  a.start = D(start);
  if (end) a.end = D(end);
  a.team = {"auditor"};
  a.lead_auditor = "auditor";
  if (kind == lc::AuditKind::Stage1) a.ready_for_stage2 = ready;
  return a;
}

lc::Finding Major(const char* id, const char* audit, const char* raised, const char* verified) {
  lc::Finding f;
  f.id = id;
  f.audit_id = audit;
  f.grade = lc::Grade::Major;
  f.raised = D(raised);
  if (verified) f.correction_verified = f.action_verified = D(verified);
  return f;
}

lc::Finding Minor(const char* id, const char* audit, const char* raised, const char* plan) {
  lc::Finding f;
  f.id = id;
  f.audit_id = audit;
  f.grade = lc::Grade::Minor;
  f.raised = D(raised);
  if (plan) f.action_accepted = D(plan);
  return f;
}

lc::Decision Decision(const char* id, lc::Outcome o, const char* at, const char* cert = nullptr) {
  lc::Decision d;
  d.id = id;
  d.outcome = o;
  d.decided = D(at);
  d.decided_by = "decider";
  if (cert) d.certificate = cert;
  return d;
}

lc::Certificate Cert(const char* number, const char* issued, const char* expiry) {
  lc::Certificate c;
  c.number = number;
  c.issued = D(issued);
  c.expiry = D(expiry);
  return c;
}

// Initial certification: stage 1, stage 2 ending `s2_end`, granted on `grant` with a
// certificate valid 3 years (to the day before).
lc::History Initial(const char* s2_end = "2023-02-15", const char* grant = "2023-03-15", const char* expiry = "2026-03-14") {
  lc::History h;
  h.id = "cr";
  h.standard = "iso9001";
  h.certification_body = "cb";
  // Stage 1 five weeks before the last stage-2 day; stage 2 over three days.
  lc::Date end = D(s2_end);
  std::string s1a = FormatDate(end - 36), s1b = FormatDate(end - 35), s2a = FormatDate(end - 2);
  h.audits.push_back(Audit("s1", lc::AuditKind::Stage1, s1a.c_str(), s1b.c_str()));
  h.audits.push_back(Audit("s2", lc::AuditKind::Stage2, s2a.c_str(), s2_end));
  h.decisions.push_back(Decision("grant", lc::Outcome::Grant, grant, "C-1"));
  h.certificates.push_back(Cert("C-1", grant, expiry));
  return h;
}

// ---- the rule table itself ----------------------------------------------------------------------

TEST(TimingRules, EveryRuleHasASourceAndABasis) {
  std::vector<std::string> ids;
  for (const auto& r : lc::TimingRules()) {
    EXPECT_NE(std::string(r.source), "") << r.id;
    EXPECT_NE(std::string(r.summary), "") << r.id;
    ids.push_back(r.id);
  }
  for (const char* id : {"T2", "T4", "T4i", "T5", "T6", "T8a", "T8b", "T10", "T11", "T12", "T13", "T17", "T17c"})
    EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << id;
  EXPECT_STREQ(lc::Rule("T8a").source, "ISO/IEC 17021-1:2015 9.6.2.2");
  EXPECT_STREQ(lc::Rule("T12").source, "ISO/IEC 17021-1:2015 9.6.3.2.5");
  EXPECT_STREQ(lc::Rule("T5").source, "ISO/IEC 17021-1:2015 9.5");
  EXPECT_EQ(lc::Rule("T13").basis, lc::Basis::Practice);
  EXPECT_EQ(lc::Rule("T2").basis, lc::Basis::Practice);
  EXPECT_EQ(lc::Rule("T17").basis, lc::Basis::IafMandatory);
}

struct LimitCase {
  const char* rule;
  const char* anchor;
  const char* when;
  bool in_time;
};

class Limits : public ::testing::TestWithParam<LimitCase> {};

TEST_P(Limits, OnTheLimitDayIsInTimeTheDayAfterIsLate) {
  const LimitCase& c = GetParam();
  EXPECT_EQ(lc::InTime(lc::Rule(c.rule), D(c.anchor), D(c.when)), c.in_time)
      << c.rule << " anchor " << c.anchor << " when " << c.when << " limit " << FormatDate(lc::LimitDate(lc::Rule(c.rule), D(c.anchor)));
}

INSTANTIATE_TEST_SUITE_P(
    Table, Limits,
    ::testing::Values(
        // T5: majors verified within 6 months after the last stage-2 day.
        LimitCase{"T5", "2025-03-10", "2025-09-10", true}, LimitCase{"T5", "2025-03-10", "2025-09-11", false},
        LimitCase{"T5", "2025-03-31", "2025-09-30", true}, LimitCase{"T5", "2025-03-31", "2025-10-01", false},  // month end clamps
        LimitCase{"T5", "2019-08-31", "2020-02-29", true}, LimitCase{"T5", "2019-08-31", "2020-03-01", false},  // leap year
        // T6: the cycle is a 3-year period from the decision: its last day is the day before the
        // third anniversary (29 February's anniversary in a common year is 1 March).
        LimitCase{"T6", "2020-02-03", "2023-02-02", true}, LimitCase{"T6", "2020-02-03", "2023-02-03", false},
        LimitCase{"T6", "2020-02-29", "2023-02-28", true}, LimitCase{"T6", "2020-02-29", "2023-03-01", false},
        LimitCase{"T6", "2025-03-01", "2028-02-29", true}, LimitCase{"T6", "2025-03-01", "2028-03-01", false},
        LimitCase{"T6", "2024-01-01", "2026-12-31", true}, LimitCase{"T6", "2024-01-01", "2027-01-01", false},
        // T8a: first surveillance within 12 months of the initial decision.
        LimitCase{"T8a", "2024-03-15", "2025-03-15", true}, LimitCase{"T8a", "2024-03-15", "2025-03-16", false},
        LimitCase{"T8a", "2024-02-29", "2025-02-28", true}, LimitCase{"T8a", "2024-02-29", "2025-03-01", false},
        // T12: restore within 6 months after expiry.
        LimitCase{"T12", "2023-02-02", "2023-08-02", true}, LimitCase{"T12", "2023-02-02", "2023-08-03", false},
        LimitCase{"T12", "2023-08-31", "2024-02-29", true}, LimitCase{"T12", "2023-08-31", "2024-03-01", false},
        // T13: suspension, 6 months (CB practice).
        LimitCase{"T13", "2022-01-17", "2022-07-17", true}, LimitCase{"T13", "2022-01-17", "2022-07-18", false},
        // T2: stage 1 to stage 2, 6 months (CB practice).
        LimitCase{"T2", "2025-01-31", "2025-07-31", true}, LimitCase{"T2", "2025-01-31", "2025-08-01", false}));

// The initial cycle and a continued one (recertification, restore) end on the same kind of day:
// the day before an anniversary of the day the cycle starts.
struct CycleCase {
  const char* from;
  bool continued;  // from = the old expiry
  const char* last_day;
};
class Cycles : public ::testing::TestWithParam<CycleCase> {};
TEST_P(Cycles, InitialAndContinuedCyclesShareTheExpiryDayRule) {
  const CycleCase& c = GetParam();
  lc::Date last = c.continued ? lc::ContinuedCycleLastDay(D(c.from)) : lc::CycleLastDay(D(c.from));
  EXPECT_EQ(FormatDate(last), c.last_day) << c.from;
}
INSTANTIATE_TEST_SUITE_P(Table, Cycles,
                         ::testing::Values(CycleCase{"2023-03-15", false, "2026-03-14"}, CycleCase{"2020-02-29", false, "2023-02-28"},
                                           CycleCase{"2025-03-01", false, "2028-02-29"}, CycleCase{"2026-03-14", true, "2029-03-14"},
                                           CycleCase{"2025-02-28", true, "2028-02-29"}, CycleCase{"2023-02-28", true, "2026-02-28"},
                                           CycleCase{"2027-02-28", true, "2030-02-28"}, CycleCase{"2023-02-02", true, "2026-02-02"}));

// ---- the state machine ----------------------------------------------------------------------------

TEST(Lifecycle, NoHistoryIsNone) {
  lc::History h;
  EXPECT_EQ(lc::Evaluate(h, D("2026-01-01")).state, State::None);
}

TEST(Lifecycle, InitialPathThroughEveryPreCertificationState) {
  lc::History h = Initial();
  lc::Application app;
  app.id = "app";
  app.submitted = D("2022-12-01");
  app.reviewed = D("2022-12-10");
  app.accepted = true;
  h.applications.push_back(app);
  h.findings.push_back(Major("f1", "s2", "2023-02-15", "2023-03-01"));
  h.findings.push_back(Minor("f2", "s2", "2023-02-15", "2023-02-20"));
  struct Case {
    const char* as_of;
    State state;
  } cases[] = {
      {"2022-11-30", State::None},          {"2022-12-01", State::Applied},      {"2022-12-09", State::Applied},
      {"2022-12-10", State::Stage1},         {"2023-01-10", State::Stage1},       {"2023-01-11", State::Stage2},
      {"2023-02-14", State::Stage2},         {"2023-02-15", State::FindingsOpen}, {"2023-02-28", State::FindingsOpen},
      {"2023-03-01", State::DecisionPending}, {"2023-03-14", State::DecisionPending}, {"2023-03-15", State::Active},
  };
  for (const auto& c : cases) {
    lc::Status s = lc::Evaluate(h, D(c.as_of));
    EXPECT_EQ(s.state, c.state) << c.as_of << "\n" << Dump(s);
  }
  lc::Status s = lc::Evaluate(h, D("2023-03-15"));
  EXPECT_FALSE(HasIrregularity(s, "T4")) << Dump(s);
  EXPECT_EQ(s.certificate, "C-1");
  EXPECT_EQ(FormatDate(*s.expiry), "2026-03-14");
}

TEST(Lifecycle, StageOneNotReadyStaysInStageOne) {
  lc::History h;
  h.audits.push_back(Audit("s1", lc::AuditKind::Stage1, "2025-01-10", "2025-01-11", /*ready=*/false));
  lc::Status s = lc::Evaluate(h, D("2025-02-01"));
  EXPECT_EQ(s.state, State::Stage1) << Dump(s);
}

TEST(Lifecycle, RefusedApplication) {
  lc::History h;
  lc::Application app;
  app.id = "app";
  app.submitted = D("2025-01-01");
  app.reviewed = D("2025-01-05");
  app.accepted = false;
  h.applications.push_back(app);
  EXPECT_EQ(lc::Evaluate(h, D("2025-01-04")).state, State::Applied);
  EXPECT_EQ(lc::Evaluate(h, D("2025-01-05")).state, State::Refused);
}

// T5, through the state machine: verification on the limit day opens the decision; the day
// after, a new stage 2 is needed.
struct T5Case {
  const char* s2_end;
  const char* verified;  // nullptr: never
  const char* as_of;
  State state;
};
class T5 : public ::testing::TestWithParam<T5Case> {};
TEST_P(T5, MajorsVerifiedWithinSixMonthsOfTheLastStageTwoDay) {
  const T5Case& c = GetParam();
  lc::History h = Initial(c.s2_end, "2030-01-01", "2032-12-31");  // the decision comes much later
  h.findings.push_back(Major("f1", "s2", c.s2_end, c.verified));
  lc::Status s = lc::Evaluate(h, D(c.as_of));
  EXPECT_EQ(s.state, c.state) << Dump(s);
}
INSTANTIATE_TEST_SUITE_P(Table, T5,
                         ::testing::Values(T5Case{"2023-03-31", "2023-09-30", "2023-09-30", State::DecisionPending},
                                           T5Case{"2023-03-31", "2023-10-01", "2023-10-01", State::Stage2},
                                           T5Case{"2023-03-31", nullptr, "2023-09-30", State::FindingsOpen},
                                           T5Case{"2023-03-31", nullptr, "2023-10-01", State::Stage2},
                                           T5Case{"2023-02-15", "2023-08-15", "2023-12-01", State::DecisionPending},
                                           T5Case{"2023-02-15", "2023-08-16", "2023-12-01", State::Stage2}));

TEST(Lifecycle, T5DeadlineWhileFindingsOpenAndGrantWithoutNewStage2IsIrregular) {
  lc::History h = Initial("2023-02-15", "2023-09-01", "2026-08-31");
  h.findings.push_back(Major("f1", "s2", "2023-02-15", "2023-08-20"));
  lc::Status open = lc::Evaluate(h, D("2023-03-01"));
  ASSERT_EQ(open.state, State::FindingsOpen);
  const lc::Deadline* d = FindDeadline(open, "T5");
  ASSERT_NE(d, nullptr) << Dump(open);
  EXPECT_EQ(FormatDate(d->due), "2023-08-15");
  lc::Status after = lc::Evaluate(h, D("2023-09-01"));
  EXPECT_EQ(after.state, State::Active);
  EXPECT_TRUE(HasIrregularity(after, "T5")) << Dump(after);
}

TEST(Lifecycle, T4GrantBeforeMinorPlanAcceptedIsIrregular) {
  for (const char* plan : {"2023-03-15", "2023-03-16"}) {
    lc::History h = Initial();
    h.findings.push_back(Minor("f1", "s2", "2023-02-15", plan));
    lc::Status s = lc::Evaluate(h, D("2023-04-01"));
    EXPECT_EQ(s.state, State::Active);
    EXPECT_EQ(HasIrregularity(s, "T4"), std::string(plan) == "2023-03-16") << plan << "\n" << Dump(s);
  }
}

TEST(Lifecycle, T4iDecisionByAnAuditorIsIrregular) {
  lc::History h = Initial();
  h.decisions[0].decided_by = "auditor";
  h.decisions[0].audit_ids = {"s1", "s2"};
  EXPECT_TRUE(HasIrregularity(lc::Evaluate(h, D("2023-04-01")), "T4i"));
  h.decisions[0].decided_by = "decider";
  EXPECT_FALSE(HasIrregularity(lc::Evaluate(h, D("2023-04-01")), "T4i"));
}

// T6: expiry no later than 3 years after the decision; effective not before the decision.
struct T6Case {
  const char* grant;
  const char* issued;
  const char* expiry;
  bool irregular;
};
class T6 : public ::testing::TestWithParam<T6Case> {};
TEST_P(T6, CertificateWithinTheCycle) {
  const T6Case& c = GetParam();
  lc::History h = Initial("2023-02-15", c.grant, c.expiry);
  h.certificates[0].issued = D(c.issued);
  lc::Status s = lc::Evaluate(h, D("2025-01-01"));
  EXPECT_EQ(HasIrregularity(s, "T6"), c.irregular) << Dump(s);
}
INSTANTIATE_TEST_SUITE_P(Table, T6,
                         ::testing::Values(T6Case{"2023-03-15", "2023-03-15", "2026-03-14", false},
                                           T6Case{"2023-03-15", "2023-03-15", "2026-03-15", true},  // 3 years and a day
                                           T6Case{"2023-03-15", "2023-03-15", "2026-03-13", false},
                                           T6Case{"2023-03-15", "2023-03-14", "2026-03-14", true},
                                           T6Case{"2024-02-29", "2024-02-29", "2027-02-28", false},
                                           T6Case{"2024-02-29", "2024-02-29", "2027-03-01", true}));

// A recertification continues from the old expiry with the same rule: old expiry + 3 years.
TEST(Lifecycle, RecertificationCertificateBeyondTheContinuedCycleIsIrregular) {
  for (const char* expiry : {"2029-03-14", "2029-03-15"}) {
    lc::History h = Initial("2023-02-15", "2023-03-15", "2026-03-14");
    h.audits.push_back(Audit("sv-2024", lc::AuditKind::Surveillance, "2024-03-01", "2024-03-02"));
    h.audits.push_back(Audit("rc", lc::AuditKind::Recertification, "2025-11-10", "2025-11-12"));
    h.decisions.push_back(Decision("recert", lc::Outcome::Recertify, "2026-01-20", "C-2"));
    h.certificates.push_back(Cert("C-2", "2026-01-20", expiry));
    lc::Status s = lc::Evaluate(h, D("2026-02-01"));
    EXPECT_EQ(HasIrregularity(s, "T11"), std::string(expiry) == "2029-03-15") << expiry << "\n" << Dump(s);
  }
}

// T8a: first surveillance no later than 12 months after the initial decision.
struct T8aCase {
  const char* surveillance_end;  // nullptr: none
  const char* as_of;
  bool missed;
  bool due;
  bool overdue = false;  // a missed first surveillance stays an overdue obligation until held
};
class T8a : public ::testing::TestWithParam<T8aCase> {};
TEST_P(T8a, FirstSurveillanceWithinTwelveMonths) {
  const T8aCase& c = GetParam();
  lc::History h = Initial("2023-02-15", "2024-03-15", "2027-03-14");
  if (c.surveillance_end) h.audits.push_back(Audit("sv1", lc::AuditKind::Surveillance, c.surveillance_end, c.surveillance_end));
  lc::Status s = lc::Evaluate(h, D(c.as_of));
  EXPECT_EQ(HasIrregularity(s, "T8a"), c.missed) << Dump(s);
  const lc::Deadline* d = FindDeadline(s, "T8a");
  EXPECT_EQ(d != nullptr, c.due || c.overdue) << Dump(s);
  if (d) {
    EXPECT_EQ(FormatDate(d->due), "2025-03-15");
    EXPECT_EQ(d->status, c.overdue ? lc::DueStatus::Overdue : lc::DueStatus::Due);
  }
}
INSTANTIATE_TEST_SUITE_P(Table, T8a,
                         ::testing::Values(T8aCase{"2025-03-15", "2025-06-01", false, false},
                                           T8aCase{"2025-03-16", "2025-06-01", true, false},  // held late: no longer overdue
                                           T8aCase{"2025-03-16", "2025-03-15", false, true},
                                           T8aCase{nullptr, "2025-03-15", false, true},
                                           T8aCase{nullptr, "2025-03-16", true, false, true},
                                           T8aCase{nullptr, "2026-01-20", true, false, true},
                                           T8aCase{"2024-11-20", "2025-06-01", false, false}));

TEST(Lifecycle, SurveillanceYearsExcludeTheDecisionAndExpiryYears) {
  EXPECT_EQ(lc::SurveillanceYears(D("2023-03-15"), D("2026-03-14")), (std::vector<int>{2024, 2025}));
  EXPECT_EQ(lc::SurveillanceYears(D("2023-12-20"), D("2026-12-19")), (std::vector<int>{2024, 2025}));
  EXPECT_EQ(lc::SurveillanceYears(D("2023-01-10"), D("2026-01-09")), (std::vector<int>{2024, 2025}));
  // A cycle started by a recertification: its first year counts (exempt only if the audit ended in it).
  EXPECT_EQ(lc::SurveillanceYears(D("2026-01-15"), D("2029-02-02"), true), (std::vector<int>{2026, 2027, 2028}));
}

// A missed surveillance stays an overdue obligation (exit 1, a suspension trigger) until a
// surveillance audit is held; then only the irregularity remains in the history.
struct OverdueCase {
  const char* late_audit;  // nullptr: none
  const char* as_of;
  bool overdue;
};
class Overdue : public ::testing::TestWithParam<OverdueCase> {};
TEST_P(Overdue, MissedSurveillanceStaysOverdue) {
  const OverdueCase& c = GetParam();
  lc::History h = Initial("2023-02-15", "2023-03-15", "2026-03-14");
  h.audits.push_back(Audit("sv-2024", lc::AuditKind::Surveillance, "2024-03-01", "2024-03-02"));
  if (c.late_audit) h.audits.push_back(Audit("sv-late", lc::AuditKind::Surveillance, c.late_audit, c.late_audit));
  lc::Status s = lc::Evaluate(h, D(c.as_of));
  bool overdue = false;
  for (const auto& d : s.deadlines)
    overdue = overdue || (d.rule == "T8b" && d.status == lc::DueStatus::Overdue && FormatDate(d.due) == "2025-12-31");
  EXPECT_EQ(overdue, c.overdue) << Dump(s);
  EXPECT_EQ(s.state, State::Active) << Dump(s);  // a suspension trigger, not a suspension
}
INSTANTIATE_TEST_SUITE_P(Table, Overdue,
                         ::testing::Values(OverdueCase{nullptr, "2025-12-31", false}, OverdueCase{nullptr, "2026-01-01", true},
                                           OverdueCase{nullptr, "2026-03-14", true},
                                           OverdueCase{"2026-01-20", "2026-01-19", true},
                                           OverdueCase{"2026-01-20", "2026-01-20", false}));

// The calendar-year rule exempts the year in which the recertification AUDIT ended, not the year
// of the recertification decision.
struct RecertYearCase {
  const char* recert_audit_end;
  const char* surveillance_2026;  // nullptr: none
  const char* as_of;
  bool missed_2026;
  bool missed_2025;
};
class RecertYear : public ::testing::TestWithParam<RecertYearCase> {};
TEST_P(RecertYear, TheExemptionFollowsTheAudit) {
  const RecertYearCase& c = GetParam();
  lc::History h = Initial("2023-02-15", "2023-03-15", "2026-03-14");
  h.audits.push_back(Audit("sv-2024", lc::AuditKind::Surveillance, "2024-03-01", "2024-03-02"));
  h.audits.push_back(Audit("rc", lc::AuditKind::Recertification, c.recert_audit_end, c.recert_audit_end));
  h.decisions.push_back(Decision("recert", lc::Outcome::Recertify, "2026-02-20", "C-2"));
  h.certificates.push_back(Cert("C-2", "2026-02-20", "2029-03-14"));
  if (c.surveillance_2026) h.audits.push_back(Audit("sv-2026", lc::AuditKind::Surveillance, c.surveillance_2026, c.surveillance_2026));
  lc::Status s = lc::Evaluate(h, D(c.as_of));
  auto missed = [&](const char* year) {
    for (const auto& i : s.irregularities)
      if (i.rule == "T8b" && i.message.find(std::string("calendar year ") + year) != std::string::npos) return true;
    return false;
  };
  EXPECT_EQ(missed("2026"), c.missed_2026) << Dump(s);
  EXPECT_EQ(missed("2025"), c.missed_2025) << Dump(s);
}
INSTANTIATE_TEST_SUITE_P(Table, RecertYear,
                         ::testing::Values(RecertYearCase{"2025-12-03", nullptr, "2026-12-31", false, false},
                                           RecertYearCase{"2025-12-03", nullptr, "2027-01-01", true, false},
                                           RecertYearCase{"2025-12-03", "2026-12-31", "2027-01-01", false, false},
                                           RecertYearCase{"2026-01-10", nullptr, "2027-01-01", false, true}));

// T8b: one surveillance per calendar year, except recertification years.
struct T8bCase {
  const char* audit_end;      // surveillance audit meant for 2025; nullptr: none
  const char* recert_end;     // a recertification audit instead; nullptr: none
  const char* as_of;
  bool missed_2025;
  bool due_2025;
};
class T8b : public ::testing::TestWithParam<T8bCase> {};
TEST_P(T8b, OneSurveillancePerCalendarYear) {
  const T8bCase& c = GetParam();
  lc::History h = Initial("2023-02-15", "2023-03-15", "2026-03-14");
  h.audits.push_back(Audit("sv-2024", lc::AuditKind::Surveillance, "2024-03-01", "2024-03-02"));
  if (c.audit_end) h.audits.push_back(Audit("sv-2025", lc::AuditKind::Surveillance, c.audit_end, c.audit_end));
  if (c.recert_end) h.audits.push_back(Audit("rc", lc::AuditKind::Recertification, c.recert_end, c.recert_end));
  lc::Status s = lc::Evaluate(h, D(c.as_of));
  bool missed = false, due = false;
  for (const auto& i : s.irregularities) missed = missed || (i.rule == "T8b" && i.message.find("2025") != std::string::npos);
  for (const auto& d : s.deadlines)
    due = due || (d.rule == "T8b" && FormatDate(d.due) == "2025-12-31" && d.status == lc::DueStatus::Due);
  EXPECT_EQ(missed, c.missed_2025) << Dump(s);
  EXPECT_EQ(due, c.due_2025) << Dump(s);
  EXPECT_FALSE(HasIrregularity(s, "T8a")) << Dump(s);
}
INSTANTIATE_TEST_SUITE_P(Table, T8b,
                         ::testing::Values(T8bCase{"2025-12-31", nullptr, "2026-01-15", false, false},
                                           T8bCase{"2026-01-01", nullptr, "2026-01-15", true, false},
                                           T8bCase{nullptr, nullptr, "2025-12-31", false, true},
                                           T8bCase{nullptr, nullptr, "2026-01-01", true, false},
                                           T8bCase{"2025-01-01", nullptr, "2026-01-15", false, false},
                                           T8bCase{nullptr, "2025-11-20", "2026-01-15", false, false}));

// T11 / T10: recertification decided on or before expiry; otherwise expired.
struct T11Case {
  const char* decided;
  const char* verified;  // a major of the recertification audit; nullptr: no major
  const char* as_of;
  State state;
  bool t11_irregular;
  bool t10_irregular;
};
class T11 : public ::testing::TestWithParam<T11Case> {};
TEST_P(T11, RecertificationBeforeExpiry) {
  const T11Case& c = GetParam();
  lc::History h = Initial("2023-02-15", "2023-03-15", "2026-03-14");
  h.audits.push_back(Audit("sv-2024", lc::AuditKind::Surveillance, "2024-03-01", "2024-03-02"));
  h.audits.push_back(Audit("sv-2025", lc::AuditKind::Surveillance, "2025-03-01", "2025-03-02"));
  h.audits.push_back(Audit("rc", lc::AuditKind::Recertification, "2026-01-10", "2026-01-12"));
  if (c.verified) h.findings.push_back(Major("f-rc", "rc", "2026-01-12", c.verified));
  if (c.decided) {
    h.decisions.push_back(Decision("recert", lc::Outcome::Recertify, c.decided, "C-2"));
    h.certificates.push_back(Cert("C-2", c.decided, "2029-03-14"));
  }
  lc::Status s = lc::Evaluate(h, D(c.as_of));
  EXPECT_EQ(s.state, c.state) << Dump(s);
  EXPECT_EQ(HasIrregularity(s, "T11"), c.t11_irregular) << Dump(s);
  EXPECT_EQ(HasIrregularity(s, "T10"), c.t10_irregular) << Dump(s);
}
INSTANTIATE_TEST_SUITE_P(Table, T11,
                         ::testing::Values(T11Case{nullptr, nullptr, "2026-03-14", State::Active, false, false},
                                           T11Case{nullptr, nullptr, "2026-03-15", State::Expired, false, false},
                                           T11Case{"2026-03-14", nullptr, "2026-03-20", State::Active, false, false},
                                           T11Case{"2026-03-15", nullptr, "2026-03-20", State::Active, true, false},
                                           T11Case{"2026-03-14", "2026-03-14", "2026-03-20", State::Active, false, false},
                                           T11Case{"2026-03-14", "2026-03-15", "2026-03-20", State::Active, false, true}));

TEST(Lifecycle, RecertificationContinuesTheCycleFromTheOldExpiry) {
  lc::History h = Initial("2023-02-15", "2023-03-15", "2026-03-14");
  h.audits.push_back(Audit("rc", lc::AuditKind::Recertification, "2026-01-10", "2026-01-12"));
  h.decisions.push_back(Decision("recert", lc::Outcome::Recertify, "2026-02-01"));  // no certificate recorded
  lc::Status s = lc::Evaluate(h, D("2026-06-01"));
  EXPECT_EQ(s.state, State::Active);
  EXPECT_EQ(FormatDate(*s.expiry), "2029-03-14");  // old expiry + 3 years
  EXPECT_EQ(FormatDate(*s.cycle_start), "2026-02-01");
}

// T12: restore within 6 months after expiry; later, at least a stage 2.
struct T12Case {
  const char* restored;  // nullptr: never
  const char* as_of;
  State state;
  bool irregular;
};
class T12 : public ::testing::TestWithParam<T12Case> {};
TEST_P(T12, RestoreWindow) {
  const T12Case& c = GetParam();
  lc::History h = Initial("2019-11-28", "2020-02-03", "2023-02-02");
  h.audits.push_back(Audit("sv1", lc::AuditKind::Surveillance, "2021-01-10", "2021-01-11"));
  h.audits.push_back(Audit("sv2", lc::AuditKind::Surveillance, "2022-01-10", "2022-01-11"));
  h.audits.push_back(Audit("rc", lc::AuditKind::Recertification, "2023-01-20", "2023-01-22"));
  if (c.restored) {
    h.decisions.push_back(Decision("restore", lc::Outcome::Restore, c.restored, "C-2"));
    h.certificates.push_back(Cert("C-2", c.restored, "2026-02-02"));
  }
  lc::Status s = lc::Evaluate(h, D(c.as_of));
  EXPECT_EQ(s.state, c.state) << Dump(s);
  EXPECT_EQ(HasIrregularity(s, "T12"), c.irregular) << Dump(s);
  if (c.state == State::Expired) {
    const lc::Deadline* d = FindDeadline(s, "T12");
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(FormatDate(d->due), "2023-08-02");
  }
}
INSTANTIATE_TEST_SUITE_P(Table, T12,
                         ::testing::Values(T12Case{nullptr, "2023-02-02", State::Active, false},
                                           T12Case{nullptr, "2023-02-03", State::Expired, false},
                                           T12Case{nullptr, "2023-08-02", State::Expired, false},
                                           T12Case{nullptr, "2023-08-03", State::Stage2, false},
                                           T12Case{"2023-08-02", "2023-09-01", State::Active, false},
                                           T12Case{"2023-08-03", "2023-09-01", State::Active, true}));

// After the restore window is missed, the restore is irregular for that reason only.
TEST(Lifecycle, ARestoreAfterTheWindowReportsOnlyTheWindow) {
  for (const char* restored : {"2023-08-02", "2023-08-03", "2024-01-10"}) {
    lc::History h = Initial("2019-11-28", "2020-02-03", "2023-02-02");
    h.audits.push_back(Audit("sv1", lc::AuditKind::Surveillance, "2021-01-10", "2021-01-11"));
    h.audits.push_back(Audit("sv2", lc::AuditKind::Surveillance, "2022-01-10", "2022-01-11"));
    h.audits.push_back(Audit("rc", lc::AuditKind::Recertification, "2023-01-20", "2023-01-22"));
    h.decisions.push_back(Decision("restore", lc::Outcome::Restore, restored, "C-2"));
    h.certificates.push_back(Cert("C-2", restored, "2026-02-02"));
    lc::Status s = lc::Evaluate(h, D("2024-02-01"));
    bool late = std::string(restored) != "2023-08-02";
    ASSERT_EQ(s.irregularities.size(), late ? 1u : 0u) << restored << "\n" << Dump(s);
    if (late) {
      EXPECT_NE(s.irregularities[0].message.find("after the 6-month window"), std::string::npos) << Dump(s);
    }
    // The same through a late recertification decision.
    h.decisions.back().outcome = lc::Outcome::Recertify;
    lc::Status r = lc::Evaluate(h, D("2024-02-01"));
    ASSERT_EQ(r.irregularities.size(), 1u) << restored << "\n" << Dump(r);
    EXPECT_EQ(r.irregularities[0].rule, late ? "T12" : "T11") << Dump(r);
  }
}

TEST(Lifecycle, RestoreKeepsTheOldCycleAndShowsTheGap) {
  lc::History h = Initial("2019-11-28", "2020-02-03", "2023-02-02");
  h.audits.push_back(Audit("rc", lc::AuditKind::Recertification, "2023-01-20", "2023-01-22"));
  h.decisions.push_back(Decision("restore", lc::Outcome::Restore, "2023-03-20"));
  lc::Status s = lc::Evaluate(h, D("2023-04-01"));
  EXPECT_EQ(s.state, State::Active);
  EXPECT_EQ(FormatDate(*s.expiry), "2026-02-02");
  bool gap = false;
  for (const auto& t : s.timeline) gap = gap || t.event.find("not certified 2023-02-03 – 2023-03-19") != std::string::npos;
  EXPECT_TRUE(gap) << Dump(s);
}

// T13: suspension, resolved within the CB-set period (6 months by practice).
struct T13Case {
  const char* until;  // nullptr: not set, 6 months
  const char* as_of;
  lc::DueStatus status;
};
class T13 : public ::testing::TestWithParam<T13Case> {};
TEST_P(T13, SuspensionPeriod) {
  const T13Case& c = GetParam();
  lc::History h = Initial("2023-02-15", "2023-03-15", "2026-03-14");
  lc::Decision d = Decision("susp", lc::Outcome::Suspend, "2024-01-17");
  if (c.until) d.until = D(c.until);
  h.decisions.push_back(d);
  lc::Status s = lc::Evaluate(h, D(c.as_of));
  EXPECT_EQ(s.state, State::Suspended) << Dump(s);
  const lc::Deadline* dl = FindDeadline(s, "T13");
  ASSERT_NE(dl, nullptr);
  EXPECT_EQ(dl->status, c.status) << Dump(s);
}
INSTANTIATE_TEST_SUITE_P(Table, T13,
                         ::testing::Values(T13Case{nullptr, "2024-07-17", lc::DueStatus::Due},
                                           T13Case{nullptr, "2024-07-18", lc::DueStatus::Overdue},
                                           T13Case{"2024-03-01", "2024-03-01", lc::DueStatus::Due},
                                           T13Case{"2024-03-01", "2024-03-02", lc::DueStatus::Overdue}));

TEST(Lifecycle, SuspendReinstateWithdraw) {
  lc::History h = Initial("2023-02-15", "2023-03-15", "2026-03-14");
  h.decisions.push_back(Decision("susp", lc::Outcome::Suspend, "2024-01-17"));
  h.decisions.push_back(Decision("lift", lc::Outcome::Reinstate, "2024-03-01"));
  h.certificates[0].status.push_back({lc::StatusChange::Suspended, D("2024-01-17"), std::nullopt, std::nullopt, ""});
  h.certificates[0].status.push_back({lc::StatusChange::Withdrawn, D("2025-05-05"), std::nullopt, std::string("client request"), ""});
  EXPECT_EQ(lc::Evaluate(h, D("2024-01-16")).state, State::Active);
  EXPECT_EQ(lc::Evaluate(h, D("2024-01-17")).state, State::Suspended);
  EXPECT_EQ(lc::Evaluate(h, D("2024-03-01")).state, State::Active);
  EXPECT_EQ(lc::Evaluate(h, D("2025-05-04")).state, State::Active);
  EXPECT_EQ(lc::Evaluate(h, D("2025-05-05")).state, State::Withdrawn);
  // The suspension recorded twice (decision and certificate status) appears once.
  lc::Status s = lc::Evaluate(h, D("2024-02-01"));
  EXPECT_EQ(std::count_if(s.timeline.begin(), s.timeline.end(), [](const lc::TimelineEntry& t) { return t.state == State::Suspended; }), 1)
      << Dump(s);
}

TEST(Lifecycle, SuspendedPastExpiryExpires) {
  lc::History h = Initial("2023-02-15", "2023-03-15", "2026-03-14");
  h.decisions.push_back(Decision("susp", lc::Outcome::Suspend, "2026-01-17"));
  EXPECT_EQ(lc::Evaluate(h, D("2026-03-14")).state, State::Suspended);
  EXPECT_EQ(lc::Evaluate(h, D("2026-03-15")).state, State::Expired);
}

TEST(Lifecycle, TransferOutAndTransferOfASuspendedCertificate) {
  lc::History h = Initial("2023-02-15", "2023-03-15", "2026-03-14");
  h.transferred_at = D("2024-06-01");
  h.transferred_to = "Other CB";
  EXPECT_EQ(lc::Evaluate(h, D("2024-05-31")).state, State::Active);
  lc::Status s = lc::Evaluate(h, D("2024-06-01"));
  EXPECT_EQ(s.state, State::Transferred);
  EXPECT_FALSE(HasIrregularity(s, "T17"));
  h.decisions.push_back(Decision("susp", lc::Outcome::Suspend, "2024-05-01"));
  EXPECT_TRUE(HasIrregularity(lc::Evaluate(h, D("2024-06-01")), "T17"));
}

TEST(Lifecycle, TransferInContinuesTheCycle) {
  lc::History h;
  h.transferred_from = "Old CB";
  h.audits.push_back(Audit("tr", lc::AuditKind::TransferReview, "2024-05-01", "2024-05-01"));
  h.decisions.push_back(Decision("acc", lc::Outcome::AcceptTransfer, "2024-05-10", "T-1"));
  h.certificates.push_back(Cert("T-1", "2024-05-10", "2025-09-30"));
  lc::Status s = lc::Evaluate(h, D("2024-06-01"));
  EXPECT_EQ(s.state, State::Active) << Dump(s);
  EXPECT_EQ(FormatDate(*s.expiry), "2025-09-30");
  EXPECT_FALSE(HasIrregularity(s, "T17"));
}

// IAF MD 2: the accepting body continues the cycle of the record it took over.
lc::History Accepting(const char* accepted, const char* expiry) {
  lc::History n;
  n.id = "cr-new";
  n.standard = "iso9001";
  n.certification_body = "New CB";
  n.transferred_from = "cb";
  n.audits.push_back(Audit("tr", lc::AuditKind::TransferReview, "2024-05-01", "2024-05-01"));
  n.decisions.push_back(Decision("acc", lc::Outcome::AcceptTransfer, accepted, "T-1"));
  n.certificates.push_back(Cert("T-1", accepted, expiry));
  return n;
}

struct TransferCase {
  const char* new_expiry;
  const char* suspended;  // a suspension on the old record before the transfer; nullptr: none
  bool t17c;              // a new cycle at transfer
  State state;
};
class Transfer : public ::testing::TestWithParam<TransferCase> {};
TEST_P(Transfer, TheCycleContinues) {
  const TransferCase& c = GetParam();
  lc::History old = Initial("2023-02-15", "2023-03-15", "2026-03-14");
  old.audits.push_back(Audit("sv-2024", lc::AuditKind::Surveillance, "2024-02-20", "2024-02-21"));
  old.transferred_at = D("2024-05-10");
  old.transferred_to = "New CB";
  if (c.suspended) {
    lc::Decision d = Decision("susp", lc::Outcome::Suspend, c.suspended);
    d.until = D("2024-08-01");
    old.decisions.push_back(d);
  }
  std::vector<lc::History> hs = {old, Accepting("2024-05-10", c.new_expiry)};
  std::vector<lc::Status> all = lc::EvaluateAll(hs, D("2025-01-02"));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].state, State::Transferred) << Dump(all[0]);
  const lc::Status& s = all[1];
  EXPECT_EQ(s.state, c.state) << Dump(s);
  EXPECT_EQ(HasIrregularity(s, "T17c"), c.t17c) << Dump(s);
  EXPECT_EQ(HasIrregularity(s, "T17"), c.state == State::Suspended) << Dump(s);
  EXPECT_EQ(FormatDate(*s.cycle_start), "2023-03-15");  // the cycle continues
  EXPECT_EQ(FormatDate(*s.initial_decision), "2023-03-15");
  EXPECT_FALSE(HasIrregularity(s, "T8b")) << Dump(s);  // 2024's surveillance was the old body's
  if (c.state == State::Suspended) {
    const lc::Deadline* d = FindDeadline(s, "T13");
    ASSERT_NE(d, nullptr) << Dump(s);
    EXPECT_EQ(FormatDate(d->due), "2024-08-01");
  }
}
INSTANTIATE_TEST_SUITE_P(Table, Transfer,
                         ::testing::Values(TransferCase{"2026-03-14", nullptr, false, State::Active},
                                           TransferCase{"2026-03-15", nullptr, true, State::Active},
                                           TransferCase{"2027-05-09", nullptr, true, State::Active},  // a new 3-year cycle
                                           TransferCase{"2026-03-14", "2024-05-09", false, State::Suspended},
                                           TransferCase{"2026-03-14", "2024-05-10", false, State::Active}));

TEST(Lifecycle, TransferWithoutTheOldRecordFlagsANewCycle) {
  for (const char* expiry : {"2027-05-08", "2027-05-09"}) {
    lc::Status s = lc::Evaluate(Accepting("2024-05-10", expiry), D("2024-06-01"));
    EXPECT_EQ(HasIrregularity(s, "T17c"), std::string(expiry) == "2027-05-09") << expiry << "\n" << Dump(s);
  }
}

TEST(Lifecycle, TransferredCycleKeepsItsSurveillanceProgramme) {
  lc::History old = Initial("2023-02-15", "2023-03-15", "2026-03-14");
  old.transferred_at = D("2024-05-10");
  old.transferred_to = "New CB";
  std::vector<lc::History> hs = {old, Accepting("2024-05-10", "2026-03-14")};
  // No surveillance in 2024 by either body: the accepting body's record reports it, once.
  std::vector<lc::Status> all = lc::EvaluateAll(hs, D("2025-01-02"));
  EXPECT_FALSE(HasIrregularity(all[0], "T8b")) << Dump(all[0]);
  EXPECT_TRUE(HasIrregularity(all[1], "T8b")) << Dump(all[1]);
  const lc::Deadline* d = FindDeadline(all[1], "T8b");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->status, lc::DueStatus::Overdue);
  // The first surveillance (12 months after 2023-03-15) was the old body's obligation.
  EXPECT_FALSE(HasIrregularity(all[1], "T8a")) << Dump(all[1]);
  EXPECT_TRUE(HasIrregularity(all[0], "T8a")) << Dump(all[0]);
}

TEST(Lifecycle, CertificatesWithoutDecisionsStillDriveTheState) {
  lc::History h;
  h.certificates.push_back(Cert("C-1", "2020-01-10", "2023-01-09"));
  h.certificates.push_back(Cert("C-1", "2022-12-20", "2026-01-09"));
  EXPECT_EQ(lc::Evaluate(h, D("2020-01-09")).state, State::None);
  EXPECT_EQ(lc::Evaluate(h, D("2020-01-10")).state, State::Active);
  lc::Status s = lc::Evaluate(h, D("2024-01-01"));
  EXPECT_EQ(s.state, State::Active);
  EXPECT_EQ(FormatDate(*s.expiry), "2026-01-09");
  EXPECT_TRUE(s.irregularities.empty() || !HasIrregularity(s, "T4")) << Dump(s);
}

TEST(Lifecycle, StageTwoAwaitedForSixMonthsIsFlaggedAsPractice) {
  lc::History h;
  h.audits.push_back(Audit("s1", lc::AuditKind::Stage1, "2025-01-30", "2025-01-31"));
  lc::Status in = lc::Evaluate(h, D("2025-07-31"));
  ASSERT_EQ(in.state, State::Stage2) << Dump(in);
  ASSERT_NE(FindDeadline(in, "T2"), nullptr);
  EXPECT_EQ(FindDeadline(in, "T2")->status, lc::DueStatus::Due);
  lc::Status late = lc::Evaluate(h, D("2025-08-01"));
  EXPECT_EQ(FindDeadline(late, "T2")->status, lc::DueStatus::Overdue);
}

// ---- reading the history from evidence, through the schema --------------------------------------

struct Loaded {
  std::unique_ptr<conform::Session> session;
  std::unique_ptr<conform::runtime::Document> doc;
  conform::Diagnostics diags;
  std::vector<lc::History> histories;
};

std::unique_ptr<Loaded> Load(const std::string& path, const std::string* text = nullptr) {
  auto l = std::make_unique<Loaded>();
  l->session = std::make_unique<conform::Session>(std::vector<std::string>{std::string(CONFORM_SOURCE_DIR) + "/standards"});
  EXPECT_TRUE(l->session->LoadModule("core"));
  EXPECT_TRUE(l->session->LoadModule("certification"));
  auto schema = l->session->Schema();
  EXPECT_FALSE(l->session->diags().HasErrors()) << conform::RenderAll(l->session->diags(), l->session->sources());
  if (text)
    l->doc = conform::runtime::LoadEvidence(path, *text, *schema, l->session->literals().get(), l->session->sources(), l->diags);
  else
    l->doc = conform::runtime::LoadEvidenceFile(path, *schema, l->session->literals().get(), l->session->sources(), l->diags);
  if (l->doc) l->histories = lc::ReadHistories(*schema, *l->doc, path, l->diags);
  return l;
}

TEST(History, ExampleHistoryAtSeveralDates) {
  auto l = Load(std::string(CONFORM_SOURCE_DIR) + "/examples/certification/history.yaml");
  ASSERT_FALSE(l->diags.HasErrors()) << conform::RenderAll(l->diags, l->session->sources());
  ASSERT_EQ(l->histories.size(), 1u);
  const lc::History& h = l->histories[0];
  EXPECT_EQ(h.standard, "iso9001");
  EXPECT_EQ(h.audits.size(), 8u);
  EXPECT_EQ(h.certificates.size(), 3u);
  EXPECT_EQ(h.certificates[0].status.size(), 2u);
  struct Case {
    const char* as_of;
    State state;
  } cases[] = {
      {"2019-09-10", State::Applied},      {"2019-10-14", State::Stage1},     {"2019-11-01", State::Stage2},
      {"2019-12-01", State::FindingsOpen}, {"2020-01-25", State::DecisionPending}, {"2021-06-01", State::Active},
      {"2022-02-01", State::Suspended},    {"2022-06-01", State::Active},     {"2023-02-02", State::Active},
      {"2023-02-03", State::Expired},      {"2023-03-20", State::Active},     {"2026-11-22", State::Active},
  };
  for (const auto& c : cases) {
    lc::Status s = lc::Evaluate(h, D(c.as_of));
    EXPECT_EQ(s.state, c.state) << c.as_of << "\n" << Dump(s);
  }
  lc::Status now = lc::Evaluate(h, D("2026-11-22"));
  EXPECT_EQ(FormatDate(*now.expiry), "2029-02-02");
  EXPECT_EQ(FormatDate(*now.initial_decision), "2020-02-03");
  ASSERT_EQ(now.irregularities.size(), 1u) << Dump(now);
  EXPECT_EQ(now.irregularities[0].rule, "T8b");  // the missed 2021 surveillance
  EXPECT_EQ(FormatDate(now.irregularities[0].date), "2022-01-01");
  // 2026: the year of the recertification decision (the audit ended in 2025) needs its surveillance.
  ASSERT_EQ(now.deadlines.size(), 4u) << Dump(now);
  EXPECT_EQ(FormatDate(now.deadlines[0].due), "2026-12-31");
  EXPECT_EQ(now.deadlines[0].status, lc::DueStatus::Due);
  EXPECT_EQ(FormatDate(now.deadlines[1].due), "2027-12-31");
  EXPECT_EQ(FormatDate(now.deadlines[3].due), "2029-02-02");
  // While the 2021 surveillance was missed and not yet held, it was an overdue obligation.
  lc::Status susp = lc::Evaluate(h, D("2022-02-01"));
  const lc::Deadline* missed = FindDeadline(susp, "T8b");
  ASSERT_NE(missed, nullptr) << Dump(susp);
  EXPECT_EQ(missed->status, lc::DueStatus::Overdue);
  EXPECT_EQ(FormatDate(missed->due), "2021-12-31");
}

TEST(History, InconsistentHistoriesAreE1002To1004) {
  std::string text = R"(name: X
employees: 3
certification_history:
  - id: cr
    standard_id: iso9001
    certification_body: CB
    audits:
      - { id: a1, kind: stage1, start: 2025-02-10, end: 2025-02-09, sites: [], team: [] }
      - { id: a1, kind: stage2, start: 2025-03-10, sites: [], team: [] }
    findings:
      - { id: f1, audit_id: a2, grade: major, raised_at: 2025-03-10, statement: x, corrective_action_verified_at: 2025-03-01 }
    certificates:
      - { number: C, issued_at: 2025-04-01, expiry: 2025-04-01 }
)";
  auto l = Load("bad.yaml", &text);
  std::vector<std::string> codes;
  for (const auto& d : l->diags.items()) codes.push_back(d.code + " " + d.data_path);
  auto has = [&](const std::string& s) { return std::find(codes.begin(), codes.end(), s) != codes.end(); };
  EXPECT_TRUE(has("E1002 $.certification_history[0].audits[0].end"));
  EXPECT_TRUE(has("E1004 $.certification_history[0].audits[1]"));
  EXPECT_TRUE(has("E1003 $.certification_history[0].findings[0].audit_id"));
  EXPECT_TRUE(has("E1002 $.certification_history[0].findings[0].corrective_action_verified_at"));
  EXPECT_TRUE(has("E1002 $.certification_history[0].certificates[0].expiry"));
}

TEST(History, WithoutTheCertificationModuleIsE1001) {
  conform::Session session({std::string(CONFORM_SOURCE_DIR) + "/standards"});
  ASSERT_TRUE(session.LoadModule("core"));
  auto schema = session.Schema();
  conform::Diagnostics diags;
  auto doc = conform::runtime::LoadEvidence("x.yaml", "name: X\nemployees: 1\n", *schema, session.literals().get(),
                                            session.sources(), diags);
  ASSERT_TRUE(doc);
  lc::ReadHistories(*schema, *doc, "x.yaml", diags);
  ASSERT_TRUE(diags.HasErrors());
  EXPECT_EQ(diags.items().back().code, "E1001");
}

TEST(RecordReader, TypedGettersByFieldName) {
  auto l = Load(std::string(CONFORM_SOURCE_DIR) + "/examples/certification/history.yaml");
  ASSERT_TRUE(l->doc);
  auto schema = l->session->Schema();
  conform::runtime::RecordReader root = conform::runtime::RecordReader::Root(*schema, *l->doc);
  EXPECT_EQ(root.String("name").value_or(""), "Harbourline Facility Services B.V.");
  EXPECT_EQ(root.Int("employees").value_or(0), 210);
  EXPECT_EQ(root.Bool("climate_change_relevant").value_or(false), true);
  EXPECT_FALSE(root.Int("name"));              // wrong type
  EXPECT_FALSE(root.String("no_such_field"));  // unknown field
  EXPECT_FALSE(root.Declares("no_such_field"));
  EXPECT_TRUE(root.Declares("certification_history"));
  EXPECT_FALSE(root.List("complaints"));       // absent: not evidenced
  auto design = root.List("design_projects");
  ASSERT_TRUE(design);                          // written []
  EXPECT_TRUE(design->empty());
  auto sites = root.List("sites");
  ASSERT_TRUE(sites);
  EXPECT_EQ(sites->size(), 9u);
  EXPECT_EQ((*sites)[0].Enum("kind").value_or(""), "central_function");
  EXPECT_EQ((*sites)[1].path(), "$.sites[1]");
  // One element without the list (the report's data-path resolution): same record, same path.
  auto s8 = root.At("sites", 8);
  ASSERT_TRUE(s8);
  EXPECT_EQ(s8->path(), "$.sites[8]");
  EXPECT_EQ(s8->String("id"), (*sites)[8].String("id"));
  EXPECT_FALSE(root.At("sites", 9));       // past the end
  EXPECT_FALSE(root.At("complaints", 0));  // absent list
  EXPECT_FALSE(root.At("design_projects", 0));
  EXPECT_FALSE(root.At("name", 0));        // not a list
  auto codes = root.Strings("iaf_codes");
  ASSERT_TRUE(codes);
  EXPECT_EQ(*codes, std::vector<std::string>{"35"});
  auto kpis = root.List("kpis");
  ASSERT_TRUE(kpis && !kpis->empty());
  EXPECT_EQ((*kpis)[0].Duration("frequency")->months, 1);
  auto ms = (*kpis)[0].List("measurements");
  ASSERT_TRUE(ms && ms->size() == 3);
  EXPECT_DOUBLE_EQ((*ms)[2].Decimal("value").value_or(0), 87.2);
  EXPECT_EQ(FormatDate((*ms)[0].Date("measured_at").value_or(0)), "2026-08-31");
  auto aw = root.List("awareness_records");
  ASSERT_TRUE(aw && !aw->empty());
  auto topics = (*aw)[0].Strings("topics");  // a set of enum members, by name
  ASSERT_TRUE(topics);
  EXPECT_NE(std::find(topics->begin(), topics->end(), "policy"), topics->end());
}

}  // namespace

// ---- attestation kinds and readiness --------------------------------------------------------------

namespace {

TEST(Attestation, KindOfTheStandard) {
  for (const char* s : {"iso17021_1", "ISO/IEC 17021-1", "iso17011", "iso17025", "ISO/IEC 17020", "ISO 15189", "iso17065",
                        // requirements for bodies whose digits a naming heuristic misreads
                        "ISO/IEC 27006-1", "iso27006_1", "ISO/TS 22003-1", "ISO 50003", "iso50003", "ISO 14065"})
    EXPECT_EQ(lc::AttestationFor(s), lc::Attestation::Accreditation) << s;
  for (const char* s : {"iso9001", "iso14001", "ISO/IEC 27001", "iso45001", "hs", "ISO 22000", "ISO 50001", "ISO/IEC 17021-1x",
                        "IATF 16949", "ISO 13485"})
    EXPECT_EQ(lc::AttestationFor(s), lc::Attestation::Certification) << s;
  EXPECT_EQ(lc::AttestationAliases(lc::Attestation::Certification).front(), "registration (North America)");
  EXPECT_STREQ(lc::AttestationName(lc::Attestation::SelfDeclaration), "self_declaration");
  EXPECT_STREQ(lc::AttestationBasis(lc::Attestation::SelfDeclaration), "ISO/IEC 17050-1");
  EXPECT_STREQ(lc::AttestationBasis(lc::Attestation::Certification), "ISO/IEC 17021-1");
  EXPECT_STREQ(lc::AttestationBasis(lc::Attestation::Accreditation), "ISO/IEC 17011");
}

struct Evaluated {
  std::unique_ptr<Loaded> loaded;
  std::shared_ptr<conform::ir::Program> program;
  conform::runtime::StandardReport report;
};

Evaluated EvaluateMini(const char* clause4_title, const std::string& evidence) {
  Evaluated e;
  e.loaded = std::make_unique<Loaded>();
  auto& l = *e.loaded;
  l.session = std::make_unique<conform::Session>(std::vector<std::string>{std::string(CONFORM_SOURCE_DIR) + "/standards"});
  std::string rules = std::string("use core\nuse certification\nstandard mini \"Mini\" {\n  clause 4 \"") + clause4_title + R"(" {
    clause 4.3 "Scope" {
      requirement scope_set : major { says "a scope" pass count(scopes) > 0 else "no scope" }
    }
  }
  clause 8 "Operation" {
    requirement op_minor : minor { says "documents" pass count(documents) > 5 else "few documents" }
  }
  clause 9 "Performance evaluation" {
    clause 9.2 "Internal audit" {
      requirement ia_minor : minor { says "audits" pass count(internal_audits) > 0 else "no audits" }
    }
  }
}
)";
  EXPECT_TRUE(l.session->LoadText("mini.clause", rules));
  auto schema = l.session->Schema();
  e.program = l.session->Compile("mini");
  EXPECT_TRUE(e.program) << conform::RenderAll(l.session->diags(), l.session->sources());
  l.doc = conform::runtime::LoadEvidence("mini.yaml", evidence, *schema, l.session->literals().get(), l.session->sources(), l.diags);
  EXPECT_TRUE(l.doc) << conform::RenderAll(l.diags, l.session->sources());
  l.histories = lc::ReadHistories(*schema, *l.doc, "mini.yaml", l.diags);
  e.report = conform::runtime::Evaluate(*e.program, *l.doc, D("2026-11-22"), conform::ParamValues::Defaults(*e.program));
  return e;
}

const char* kMiniEvidence = R"(name: Mini
employees: 4
scopes: []
documents: []
nonconformities:
  - id: nc-1
    source: internal_audit
    detected_at: 2026-10-01
    description: too few documents
    clause_ref: "8"
    corrective_actions:
      - { id: ca-1, description: write them, due_at: 2026-12-31 }
    status: action_planned
certification_history:
  - id: cr
    standard_id: mini
    certification_body: CB
    audits:
      - { id: s2, kind: stage2, start: 2026-10-10, end: 2026-10-12, sites: [], team: [A] }
    findings:
      - { id: f1, audit_id: s2, grade: major, raised_at: 2026-10-12, statement: no scope }
      - { id: f2, audit_id: s2, grade: minor, raised_at: 2026-10-12, statement: x, corrective_action_accepted_at: 2026-10-20 }
)";

TEST(Readiness, PredictedGradesMapToStageOneAndTheDecisionGate) {
  Evaluated e = EvaluateMini("Context of the organization", kMiniEvidence);
  ASSERT_TRUE(e.program);
  ASSERT_EQ(e.loaded->histories.size(), 1u);
  conform::runtime::RecordReader root = conform::runtime::RecordReader::Root(*e.loaded->session->Schema(), *e.loaded->doc);
  lc::ReadinessReport r = lc::AssessReadiness(*e.program, e.report, root, &e.loaded->histories[0], D("2026-11-22"));
  ASSERT_EQ(r.stage1_clauses.size(), 2u);  // 4.3 and 9.2 exist in this standard
  EXPECT_EQ(r.stage1.verdict, lc::Readiness::NotReady);
  ASSERT_EQ(r.stage1.majors.size(), 1u);
  EXPECT_EQ(r.stage1.majors[0].requirement, "scope_set");
  ASSERT_EQ(r.stage1.not_evidenced.size(), 1u);
  EXPECT_EQ(r.stage1.not_evidenced[0].requirement, "ia_minor");
  EXPECT_TRUE(r.stage1.minors.empty());  // op_minor is clause 8: not documentation-level
  EXPECT_EQ(r.stage2.verdict, lc::Readiness::NotReady);
  ASSERT_EQ(r.stage2.minors.size(), 1u);
  EXPECT_TRUE(r.stage2.minors[0].planned);  // nc-1 on clause 8 with a dated corrective action
  EXPECT_EQ(r.stage2.minors_planned, 1);
  ASSERT_EQ(r.stage2.recorded.size(), 1u);  // f1 unverified; f2's plan is accepted
  EXPECT_EQ(r.stage2.recorded[0].rfind("major f1", 0), 0u) << r.stage2.recorded[0];
}

TEST(Readiness, ReadyAtRiskAndNotAssessed) {
  std::string good = "name: Mini\nemployees: 4\nscopes:\n  - { id: s, systems: [mini], products_services: [x], sites: [], non_applicable: [] }\n"
                     "documents: []\ninternal_audits: []\n";
  Evaluated e = EvaluateMini("Context of the organization", good);
  ASSERT_TRUE(e.program);
  conform::runtime::RecordReader root = conform::runtime::RecordReader::Root(*e.loaded->session->Schema(), *e.loaded->doc);
  lc::ReadinessReport r = lc::AssessReadiness(*e.program, e.report, root, nullptr, D("2026-11-22"));
  EXPECT_EQ(r.stage1.verdict, lc::Readiness::AtRisk);  // ia_minor fails: a minor at 9.2
  EXPECT_EQ(r.stage2.verdict, lc::Readiness::AtRisk);  // minors without a plan
  EXPECT_EQ(r.stage2.minors_planned, 0);

  Evaluated p = EvaluateMini("Principles", good);
  ASSERT_TRUE(p.program);
  conform::runtime::RecordReader proot = conform::runtime::RecordReader::Root(*p.loaded->session->Schema(), *p.loaded->doc);
  lc::ReadinessReport q = lc::AssessReadiness(*p.program, p.report, proot, nullptr, D("2026-11-22"));
  EXPECT_TRUE(q.stage1_clauses.empty());
  EXPECT_EQ(q.stage1.verdict, lc::Readiness::NotAssessed);
}

}  // namespace

namespace {

// Every day of the example history's life: the replay terminates, the timeline is in date order
// and never reaches past the date asked, and deadlines are never in the past unless overdue.
TEST(History, EveryDayOfTheExampleIsConsistent) {
  for (const char* file : {"history.yaml", "applicant.yaml", "transfer.yaml"}) {
    auto l = Load(std::string(CONFORM_SOURCE_DIR) + "/examples/certification/" + file);
    ASSERT_FALSE(l->histories.empty()) << file;
    for (lc::Date d = D("2019-08-01"); d <= D("2030-06-30"); d += 3) {
      lc::Status s = lc::EvaluateAll(l->histories, d).back();
      for (size_t i = 0; i < s.timeline.size(); ++i) {
        ASSERT_LE(s.timeline[i].date, d) << file << " " << FormatDate(d);
        if (i) {
          ASSERT_LE(s.timeline[i - 1].date, s.timeline[i].date);
        }
      }
      if (!s.timeline.empty()) {
        ASSERT_TRUE(s.timeline.back().state == s.state || s.timeline.back().derived) << FormatDate(d);
      }
      for (const auto& dl : s.deadlines) {
        if (dl.status == lc::DueStatus::Due) {
          ASSERT_GE(dl.due, d) << file << " " << FormatDate(d) << " " << dl.what;
        }
      }
    }
  }
}

}  // namespace
