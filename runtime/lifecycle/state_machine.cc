// The certification state machine (iso-domain.md §9.2) replayed over a recorded history, with
// the timing rules of §9.3 as time-driven transitions, checks and deadlines.
//
// Recorded events (applications, audits, findings, decisions, certificates, status changes,
// transfers) are replayed in date order; between two events the machine fires the time-driven
// transitions whose day has come (expiry, the end of the restore window, the 6-month limit for
// verifying stage-2 majors, the end of a suspension period). Surveillance obligations are
// checked per certification cycle afterwards.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <set>

#include "conform/runtime/lifecycle.h"
#include "conform/runtime/registry.h"

namespace conform::runtime::lifecycle {
namespace {

constexpr Date kNever = std::numeric_limits<Date>::max();

std::string D(Date d) { return cal::FormatDate(d); }

int YearOf(Date d) {
  int64_t y;
  unsigned m, dd;
  cal::CivilFromDays(d, y, m, dd);
  return static_cast<int>(y);
}

// Same-day order: what happens first on one day.
enum class Ev { AppSubmitted, AppReviewed, AuditStart, FindingRaised, AuditEnd, FindingUpdate, Decision, CertIssued, CertStatus, TransferOut };

struct Event {
  Date date;
  Ev type;
  size_t a = 0, b = 0;  // indices into the history's lists
};

struct Cycle {
  Date start = 0, expiry = 0;
  bool initial = false;
  bool start_year_counts = false;  // started by a recertification or restore: its first year needs a surveillance
  Date from = 0;                   // obligations are judged from this day (a transfer: earlier ones are the old record's)
  std::optional<Date> end;  // the cycle stopped running (recertified, expired, withdrawn, transferred)
  std::string certificate;
};

std::string Join(const std::vector<std::string>& xs) {
  std::string out;
  for (size_t i = 0; i < xs.size(); ++i) out += (i ? ", " : "") + xs[i];
  return out;
}

class Machine {
 public:
  Machine(const History& h, Date as_of, const Continuation* from)
      : h_(h), as_of_(as_of), cont_(from), consumed_(h.certificates.size(), false), linked_(h.decisions.size()) {
    // Link each cycle-starting decision to its certificate before the replay, so that a
    // certificate dated (irregularly) before its decision is not taken for a decision of its own.
    std::vector<size_t> order(h.decisions.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return h.decisions[a].decided < h.decisions[b].decided; });
    for (size_t i : order) {
      const Decision& d = h.decisions[i];
      bool starts = d.outcome == Outcome::Grant || d.outcome == Outcome::Recertify || d.outcome == Outcome::Restore ||
                    d.outcome == Outcome::AcceptTransfer;
      if (starts && d.decided <= as_of) linked_[i] = LinkCertificate(d.decided, d.certificate);
    }
  }

  Status Run() {
    std::vector<Event> evs = Collect();
    size_t i = 0;
    for (int guard = 0; guard < 100000; ++guard) {
      Date next = i < evs.size() ? evs[i].date : kNever;
      Date trig = NextTrigger();
      if (trig <= as_of_ && trig <= next) {
        Fire(trig);
        continue;
      }
      if (i >= evs.size()) break;
      Handle(evs[i++]);
    }
    CheckSurveillance();
    Finish();
    if (st_.state == State::Suspended) st_.suspended_until = suspended_until_;
    if (!cycles_.empty()) {
      st_.cycle_initial = cycles_.back().initial;
      st_.start_year_counts = cycles_.back().start_year_counts;
    }
    std::stable_sort(st_.timeline.begin(), st_.timeline.end(),
                     [](const TimelineEntry& x, const TimelineEntry& y) { return x.date < y.date; });
    std::stable_sort(st_.deadlines.begin(), st_.deadlines.end(),
                     [](const Deadline& x, const Deadline& y) { return x.due < y.due; });
    std::stable_sort(st_.irregularities.begin(), st_.irregularities.end(),
                     [](const Irregularity& x, const Irregularity& y) { return x.date < y.date; });
    return std::move(st_);
  }

 private:
  // ---- events -------------------------------------------------------------------------------

  std::vector<Event> Collect() {
    std::vector<Event> evs;
    auto add = [&](Date d, Ev t, size_t a, size_t b = 0) {
      if (d <= as_of_) evs.push_back({d, t, a, b});
    };
    for (size_t i = 0; i < h_.applications.size(); ++i) {
      add(h_.applications[i].submitted, Ev::AppSubmitted, i);
      if (h_.applications[i].reviewed) add(*h_.applications[i].reviewed, Ev::AppReviewed, i);
    }
    for (size_t i = 0; i < h_.audits.size(); ++i) {
      add(h_.audits[i].start, Ev::AuditStart, i);
      if (h_.audits[i].end) add(*h_.audits[i].end, Ev::AuditEnd, i);
    }
    for (size_t i = 0; i < h_.findings.size(); ++i) {
      const Finding& f = h_.findings[i];
      add(f.raised, Ev::FindingRaised, i);
      std::set<Date> updates;
      for (const auto& d : {f.correction_accepted, f.action_accepted, f.correction_verified, f.action_verified, f.closed})
        if (d) updates.insert(*d);
      for (Date d : updates) add(d, Ev::FindingUpdate, i);
    }
    for (size_t i = 0; i < h_.decisions.size(); ++i) add(h_.decisions[i].decided, Ev::Decision, i);
    for (size_t i = 0; i < h_.certificates.size(); ++i) {
      add(h_.certificates[i].issued, Ev::CertIssued, i);
      for (size_t j = 0; j < h_.certificates[i].status.size(); ++j)
        add(h_.certificates[i].status[j].at, Ev::CertStatus, i, j);
    }
    if (h_.transferred_at) add(*h_.transferred_at, Ev::TransferOut, 0);
    std::stable_sort(evs.begin(), evs.end(), [](const Event& x, const Event& y) {
      if (x.date != y.date) return x.date < y.date;
      return static_cast<int>(x.type) < static_cast<int>(y.type);
    });
    return evs;
  }

  void Set(State s, Date d, std::string what, std::string rule = {}, std::string path = {}, bool derived = false) {
    st_.state = s;
    st_.timeline.push_back({d, std::move(what), s, std::move(rule), std::move(path), derived});
  }
  void Note(Date d, std::string what, std::string rule = {}, std::string path = {}, bool derived = false) {
    st_.timeline.push_back({d, std::move(what), st_.state, std::move(rule), std::move(path), derived});
  }
  void Irregular(const char* rule, Date d, std::string message, std::string path = {}) {
    st_.irregularities.push_back({rule, d, std::move(message), std::move(path)});
  }

  const Audit* AuditById(const std::string& id) const {
    for (const auto& a : h_.audits)
      if (a.id == id) return &a;
    return nullptr;
  }

  // Findings of the audits that gate the next decision, raised on or before `d`, that still
  // block it on `d`: majors not verified, minors without an accepted plan (T4).
  std::vector<const Finding*> Blocking(Date d, bool majors_only = false) const {
    std::vector<const Finding*> out;
    for (const auto& f : h_.findings) {
      if (f.raised > d || std::find(gate_.begin(), gate_.end(), f.audit_id) == gate_.end()) continue;
      if (f.grade == Grade::Major) {
        auto v = f.Verified();
        if (!v || *v > d) out.push_back(&f);
      } else if (f.grade == Grade::Minor && !majors_only) {
        auto p = f.PlanAccepted();
        if (!p || *p > d) out.push_back(&f);
      }
    }
    return out;
  }

  static std::string Describe(const std::vector<const Finding*>& fs) {
    std::vector<std::string> parts;
    for (const Finding* f : fs)
      parts.push_back(fmt::format("{} {}{}", GradeName(f->grade), f->id, f->clause ? " (" + *f->clause + ")" : ""));
    return Join(parts);
  }

  std::string FindingCounts(const std::string& audit_id) const {
    int maj = 0, min = 0, obs = 0;
    for (const auto& f : h_.findings)
      if (f.audit_id == audit_id && f.raised <= as_of_)
        (f.grade == Grade::Major ? maj : f.grade == Grade::Minor ? min : obs)++;
    if (!maj && !min && !obs) return "no findings";
    std::vector<std::string> p;
    if (maj) p.push_back(fmt::format("{} major", maj));
    if (min) p.push_back(fmt::format("{} minor", min));
    if (obs) p.push_back(fmt::format("{} observation{}", obs, obs == 1 ? "" : "s"));
    return Join(p);
  }

  // ---- time-driven transitions ----------------------------------------------------------------

  Date NextTrigger() const {
    Date t = kNever;
    State s = st_.state;
    if ((s == State::Active || s == State::Suspended) && st_.expiry) t = std::min(t, *st_.expiry + 1);
    if (s == State::Suspended && !suspension_noted_ && suspended_until_) t = std::min(t, *suspended_until_ + 1);
    if (s == State::Expired && st_.expiry) t = std::min(t, LimitDate(Rule("T12"), *st_.expiry) + 1);
    if (s == State::FindingsOpen && stage2_end_) {
      Date dl = LimitDate(Rule("T5"), *stage2_end_);
      if (!Blocking(dl, /*majors_only=*/true).empty()) t = std::min(t, dl + 1);
    }
    if (s == State::Stage2 && awaiting_stage2_ && !stage1_stale_noted_ && stage1_end_)
      t = std::min(t, LimitDate(Rule("T2"), *stage1_end_) + 1);
    return t;
  }

  void Fire(Date t) {
    State s = st_.state;
    if ((s == State::Active || s == State::Suspended) && st_.expiry && t == *st_.expiry + 1) {
      CloseCycle(*st_.expiry + 1);
      std::string extra;
      if (!gate_.empty()) {
        auto open = Blocking(*st_.expiry, true);
        if (!open.empty()) extra = fmt::format("; recertification majors not verified by expiry: {} (T10)", Describe(open));
      }
      Set(State::Expired, t,
          fmt::format("certificate {} expired: no recertification decision by {}{}", Cert(), D(*st_.expiry), extra), "T11",
          {}, true);
      return;
    }
    if (s == State::Suspended && suspended_until_ && t == *suspended_until_ + 1 && !suspension_noted_) {
      suspension_noted_ = true;
      Note(t,
           fmt::format("suspension not resolved by {}: withdrawal or reduction of the scope is expected", D(*suspended_until_)),
           "T13", {}, true);
      return;
    }
    if (s == State::Expired && st_.expiry && t == LimitDate(Rule("T12"), *st_.expiry) + 1) {
      lapsed_ = true;
      gate_.clear();
      awaiting_stage2_ = false;
      Set(State::Stage2, t,
          fmt::format("restore window closed ({} + 6 months = {}): at least a stage 2 audit is needed to certify again",
                      D(*st_.expiry), D(t - 1)),
          "T12", {}, true);
      return;
    }
    if (s == State::FindingsOpen && stage2_end_) {
      Date dl = LimitDate(Rule("T5"), *stage2_end_);
      if (t == dl + 1) {
        auto open = Blocking(dl, true);
        new_stage2_required_ = true;
        awaiting_stage2_ = false;
        Set(State::Stage2, t,
            fmt::format("{} not verified within 6 months of the last stage-2 day ({}): a new stage 2 is needed",
                        Describe(open), D(*stage2_end_)),
            "T5", {}, true);
        return;
      }
    }
    if (s == State::Stage2 && awaiting_stage2_ && stage1_end_ && t == LimitDate(Rule("T2"), *stage1_end_) + 1) {
      stage1_stale_noted_ = true;
      Note(t, fmt::format("6 months since stage 1 ended ({}) without stage 2: the CB may judge the stage-1 results stale",
                          D(*stage1_end_)),
           "T2", {}, true);
      return;
    }
    // Nothing matched (should not happen): make progress.
    suspension_noted_ = stage1_stale_noted_ = true;
  }

  // ---- recorded events ----------------------------------------------------------------------

  void Handle(const Event& e) {
    switch (e.type) {
      case Ev::AppSubmitted: return OnApplication(h_.applications[e.a]);
      case Ev::AppReviewed: return OnReview(h_.applications[e.a]);
      case Ev::AuditStart: return OnAuditStart(h_.audits[e.a]);
      case Ev::AuditEnd: return OnAuditEnd(h_.audits[e.a]);
      case Ev::FindingRaised: return OnFindingRaised(h_.findings[e.a]);
      case Ev::FindingUpdate: return OnFindingUpdate(h_.findings[e.a], e.date);
      case Ev::Decision: return OnDecision(h_.decisions[e.a]);
      case Ev::CertIssued: return OnCertificate(e.a);
      case Ev::CertStatus: return OnStatus(e.a, h_.certificates[e.a].status[e.b]);
      case Ev::TransferOut: return OnTransferOut(*h_.transferred_at);
    }
  }

  bool Restartable() const {
    State s = st_.state;
    return s == State::None || s == State::Refused || s == State::Withdrawn || s == State::Transferred ||
           s == State::Expired || (s == State::Stage2 && lapsed_);
  }

  void OnApplication(const Application& a) {
    if (Restartable()) {
      lapsed_ = false;
      Set(State::Applied, a.submitted, fmt::format("application {} submitted to {}", a.id, h_.certification_body), {}, a.path);
    } else {
      Note(a.submitted, fmt::format("application {} submitted (scope change or extension)", a.id), {}, a.path);
    }
  }

  void OnReview(const Application& a) {
    if (!a.accepted) {
      Note(*a.reviewed, fmt::format("application {} reviewed (outcome not recorded)", a.id), {}, a.path);
    } else if (*a.accepted) {
      if (st_.state == State::Applied)
        Set(State::Stage1, *a.reviewed, fmt::format("application {} accepted: stage 1 is next", a.id), {}, a.path);
      else
        Note(*a.reviewed, fmt::format("application {} accepted", a.id), {}, a.path);
    } else {
      Set(State::Refused, *a.reviewed, fmt::format("application {} refused by {}", a.id, h_.certification_body), {}, a.path);
    }
  }

  void OnAuditStart(const Audit& a) {
    State s = st_.state;
    switch (a.kind) {
      case AuditKind::Stage1:
        if (Restartable() || s == State::Applied || s == State::Stage1 || s == State::Stage2) {
          lapsed_ = false;
          stage1_ = a.id;
          awaiting_stage2_ = false;
          Set(State::Stage1, a.start, fmt::format("stage 1 audit {} started", a.id), {}, a.path);
        } else {
          Note(a.start, fmt::format("stage 1 audit {} started", a.id), {}, a.path);
        }
        return;
      case AuditKind::Stage2:
        if (s == State::Active || s == State::Suspended) {
          Note(a.start, fmt::format("stage 2 audit {} started", a.id), {}, a.path);
          return;
        }
        if (s == State::None || s == State::Applied || s == State::Refused || s == State::Withdrawn)
          Irregular("T4", a.start, fmt::format("stage 2 audit {} without a preceding stage 1 (the initial audit has two stages)", a.id),
                    a.path);
        stage2_ = a.id;
        gate_ = {a.id};
        stage2_end_.reset();
        new_stage2_required_ = false;
        awaiting_stage2_ = false;
        lapsed_ = false;
        Set(State::Stage2, a.start, fmt::format("stage 2 audit {} started", a.id), {}, a.path);
        return;
      case AuditKind::Recertification:
        if (s == State::Active || s == State::Suspended || s == State::Expired) {
          if (std::find(gate_.begin(), gate_.end(), a.id) == gate_.end()) gate_.push_back(a.id);
        }
        if (!a.end || *a.end > as_of_) Note(a.start, fmt::format("recertification audit {} under way", a.id), {}, a.path);
        return;
      default:
        if (!a.end || *a.end > as_of_)
          Note(a.start, fmt::format("{} audit {} under way", AuditLabel(a.kind), a.id), {}, a.path);
        return;
    }
  }

  static const char* AuditLabel(AuditKind k) {
    switch (k) {
      case AuditKind::Stage1: return "stage 1";
      case AuditKind::Stage2: return "stage 2";
      case AuditKind::Surveillance: return "surveillance";
      case AuditKind::Recertification: return "recertification";
      case AuditKind::Special: return "special";
      case AuditKind::TransferReview: return "pre-transfer review";
    }
    return "";
  }

  void OnAuditEnd(const Audit& a) {
    Date end = *a.end;
    switch (a.kind) {
      case AuditKind::Stage1:
        stage1_end_ = end;
        stage1_stale_noted_ = false;
        if (st_.state != State::Stage1 || stage1_ != a.id) {
          Note(end, fmt::format("stage 1 audit {} completed", a.id), {}, a.path);
        } else if (a.ready_for_stage2 && *a.ready_for_stage2) {
          awaiting_stage2_ = true;
          Set(State::Stage2, end, fmt::format("stage 1 audit {} completed: ready for stage 2", a.id), {}, a.path);
        } else if (a.ready_for_stage2) {
          Set(State::Stage1, end, fmt::format("stage 1 audit {} completed: not ready for stage 2 (stage 1 to be repeated or extended)", a.id),
              {}, a.path);
        } else {
          Note(end, fmt::format("stage 1 audit {} completed (its conclusion on readiness for stage 2 is not recorded)", a.id), {},
               a.path);
        }
        return;
      case AuditKind::Stage2: {
        if (st_.state != State::Stage2 || stage2_ != a.id) {
          Note(end, fmt::format("stage 2 audit {} completed: {}", a.id, FindingCounts(a.id)), {}, a.path);
          return;
        }
        stage2_end_ = end;
        auto open = Blocking(end);
        if (!open.empty())
          Set(State::FindingsOpen, end, fmt::format("stage 2 audit {} completed: {}", a.id, FindingCounts(a.id)), {}, a.path);
        else
          Set(State::DecisionPending, end, fmt::format("stage 2 audit {} completed: {}; the certification decision is next", a.id,
                                                       FindingCounts(a.id)),
              "T4", a.path);
        return;
      }
      default:
        Note(end, fmt::format("{} audit {} ({} – {}): {}", AuditLabel(a.kind), a.id, D(a.start), D(end), FindingCounts(a.id)), {},
             a.path);
        return;
    }
  }

  void OnFindingRaised(const Finding& f) {
    bool gating = std::find(gate_.begin(), gate_.end(), f.audit_id) != gate_.end();
    if (f.grade == Grade::Major) {
      const Audit* a = AuditById(f.audit_id);
      Note(f.raised, fmt::format("major nonconformity {} raised{}{}{}", f.id, a ? fmt::format(" at {} audit {}", AuditLabel(a->kind), a->id) : "",
                                 f.clause ? " (" + *f.clause + ")" : "", f.statement.empty() ? "" : ": " + f.statement),
           {}, f.path);
    }
    if (gating && st_.state == State::DecisionPending && f.grade != Grade::Observation && !Blocking(f.raised).empty())
      Set(State::FindingsOpen, f.raised, fmt::format("{} nonconformity {} raised after the audit", GradeName(f.grade), f.id), {},
          f.path);
  }

  void OnFindingUpdate(const Finding& f, Date d) {
    if (f.grade == Grade::Major && f.Verified() && *f.Verified() == d)
      Note(d, fmt::format("major nonconformity {}: correction and corrective action verified by the CB", f.id), {}, f.path);
    if (st_.state == State::FindingsOpen && std::find(gate_.begin(), gate_.end(), f.audit_id) != gate_.end() &&
        Blocking(d).empty())
      Set(State::DecisionPending, d, "every major verified and every minor's corrective-action plan accepted: the certification decision is next",
          "T4", f.path);
  }

  // The certificate a decision refers to: by number if given, else the first unused one issued
  // on or after the decision, else the last unused one issued before it.
  std::optional<size_t> LinkCertificate(Date decided, const std::optional<std::string>& number) {
    std::optional<size_t> after, before;
    for (size_t i = 0; i < h_.certificates.size(); ++i) {
      const Certificate& c = h_.certificates[i];
      if (consumed_[i] || (number && c.number != *number) || c.issued > as_of_) continue;
      if (c.issued >= decided) {
        if (!after || c.issued < h_.certificates[*after].issued) after = i;
      } else if (!before || c.issued > h_.certificates[*before].issued) {
        before = i;
      }
    }
    auto pick = after ? after : before;
    if (pick) consumed_[*pick] = true;
    return pick;
  }

  std::string Cert() const { return st_.certificate.empty() ? std::string("(number not recorded)") : st_.certificate; }

  void CloseCycle(Date end) {
    if (!cycles_.empty() && !cycles_.back().end) cycles_.back().end = end;
  }

  enum class Start { Grant, Recertify, Restore, Transfer };

  // Starts a certification cycle at `decided`; returns the text describing the certificate.
  std::string StartCycle(Start kind, Date decided, const std::optional<std::string>& number, const std::string& path,
                         std::optional<size_t> cert = std::nullopt, bool link = false) {
    if (!cert && link) cert = LinkCertificate(decided, number);
    // The latest expiry the cycle allows, and the rule that sets it.
    Date limit = CycleLastDay(decided);
    const char* limit_rule = "T6";
    std::string limit_what = "the 3-year limit";
    if (kind == Start::Transfer) {
      limit_rule = "T17c";
      if (cont_) {
        limit = cont_->expiry;
        limit_what = fmt::format("the expiry of the transferred cycle (at {})", cont_->from_body);
      } else {
        limit = CycleLastDay(decided) - 1;  // the old cycle started before the transfer, so it ends before this
        limit_what = "a cycle started before the transfer";
      }
    } else if (kind != Start::Grant && st_.expiry) {
      limit = ContinuedCycleLastDay(*st_.expiry);  // continuous cycle: based on the old expiry (T11, T12)
      limit_rule = kind == Start::Restore ? "T12" : "T11";
    }
    Date expiry = kind == Start::Transfer && cont_ ? cont_->expiry : limit;
    std::string number_text = number.value_or("");
    if (cert) {
      const Certificate& c = h_.certificates[*cert];
      number_text = c.number;
      Date effective = c.effective_from.value_or(c.issued);
      if (kind != Start::Transfer && effective < decided)
        Irregular("T6", decided, fmt::format("certificate {} is effective from {}, before the decision of {}", c.number, D(effective), D(decided)),
                  c.path);
      if (c.expiry > limit)
        Irregular(limit_rule, decided,
                  kind == Start::Transfer
                      ? fmt::format("certificate {} expires {}, later than {} ({}): a new 3-year cycle was started at transfer, "
                                    "but the cycle continues",
                                    c.number, D(c.expiry), limit_what, cont_ ? D(limit) : "before " + D(limit + 1))
                      : fmt::format("certificate {} expires {}, later than {} {} (a cycle runs through the day before its "
                                    "third anniversary)",
                                    c.number, D(c.expiry), limit_what, D(limit)),
                  c.path);
      expiry = c.expiry;
    } else if (kind == Start::Transfer && !cont_) {
      expiry = st_.expiry.value_or(limit);
    }
    CloseCycle(decided);
    Cycle cy;
    cy.start = decided;
    cy.from = decided;
    cy.expiry = expiry;
    cy.initial = kind == Start::Grant;
    cy.start_year_counts = kind == Start::Recertify || kind == Start::Restore;
    cy.certificate = number_text;
    if (kind == Start::Transfer && cont_) {
      cy.start = cont_->cycle_start;
      cy.initial = cont_->cycle_initial;
      cy.start_year_counts = cont_->start_year_counts;
      st_.initial_decision = cont_->initial_decision;
    }
    cycles_.push_back(cy);
    if (kind == Start::Grant) st_.initial_decision = decided;
    st_.cycle_start = cy.start;
    st_.expiry = expiry;
    st_.certificate = number_text;
    gate_.clear();
    lapsed_ = new_stage2_required_ = awaiting_stage2_ = false;
    suspended_until_.reset();
    (void)path;
    return fmt::format("certificate {} valid to {}{}", number_text.empty() ? "(number not recorded)" : number_text, D(expiry),
                       cert ? "" : kind == Start::Transfer && cont_ ? " (the transferred cycle's expiry)"
                                                                    : " (no certificate recorded: the latest expiry the cycle allows)");
  }

  void CheckIndependence(const Decision& d) {
    std::vector<std::string> ids = d.audit_ids;
    if (ids.empty()) ids = gate_;
    for (const auto& id : ids) {
      const Audit* a = AuditById(id);
      if (!a) continue;
      bool in_team = std::find(a->team.begin(), a->team.end(), d.decided_by) != a->team.end() ||
                     (a->lead_auditor && *a->lead_auditor == d.decided_by);
      if (in_team)
        Irregular("T4i", d.decided,
                  fmt::format("decision {} was taken by {}, who audited in {}", d.id, d.decided_by, a->id), d.path + ".decided_by");
    }
  }

  void Grant(Date d, const std::string& id, const std::string& by, const std::optional<std::string>& number,
             const std::string& path, const std::string& origin, std::optional<size_t> cert = std::nullopt) {
    State s = st_.state;
    if (h_.audits.empty()) {
      // A history of certificates only: the audits were not recorded, nothing to judge.
    } else if (s == State::FindingsOpen) {
      Irregular("T4", d, fmt::format("certification granted ({}) while {} still blocked the decision", id, Describe(Blocking(d))), path);
    } else if (s == State::Stage2 && new_stage2_required_) {
      Irregular("T5", d, fmt::format("certification granted ({}) without the new stage 2 required after unverified majors", id), path);
    } else if (s != State::DecisionPending) {
      Irregular("T4", d, fmt::format("certification granted ({}) in state `{}`, without a completed stage 2", id, StateLabel(s)), path);
    }
    std::string c = StartCycle(Start::Grant, d, number, path, cert);
    Set(State::Active, d, fmt::format("certification granted{}{}: {}", by.empty() ? "" : " by " + by, origin, c), "T6", path);
  }

  void Restore(Date d, const std::string& id, const std::optional<std::string>& number, const std::string& path,
               const std::string& origin, std::optional<size_t> cert = std::nullopt) {
    Date window = LimitDate(Rule("T12"), *st_.expiry);
    Date expired = *st_.expiry;
    if (d > window) {
      // The window was missed: that is the irregularity; what a restore within it would need is moot.
      Irregular("T12", d, fmt::format("{} restored on {}, after the 6-month window that ended {}: at least a stage 2 was required",
                                      id, D(d), D(window)),
                path);
    } else {
      bool recert_done = false;
      for (const auto& g : gate_)
        if (const Audit* a = AuditById(g); a && a->kind == AuditKind::Recertification && a->end && *a->end <= d) recert_done = true;
      if (!recert_done && !h_.audits.empty())
        Irregular("T12", d, fmt::format("{} restored without a completed recertification audit", id), path);
      auto open = Blocking(d, true);
      if (!open.empty())
        Irregular("T10", d, fmt::format("{} restored while {} was not verified", id, Describe(open)), path);
    }
    std::string c = StartCycle(Start::Restore, d, number, path, cert);
    Set(State::Active, d,
        fmt::format("certification restored{}{}; not certified {} – {}: {}", origin,
                    d > window ? " after the 6-month window" : " within 6 months of expiry", D(expired + 1), D(d - 1), c),
        "T12", path);
  }

  void Recertify(Date d, const std::string& id, const std::optional<std::string>& number, const std::string& path,
                 const std::string& origin, std::optional<size_t> cert = std::nullopt) {
    auto open = Blocking(d, true);
    if (!open.empty())
      Irregular("T10", d, fmt::format("recertification {} decided while {} was not verified", id, Describe(open)), path);
    bool audited = false;
    for (const auto& g : gate_)
      if (const Audit* a = AuditById(g); a && a->kind == AuditKind::Recertification && a->end && *a->end <= d) audited = true;
    if (!audited && !h_.audits.empty()) Irregular("T11", d, fmt::format("recertification {} without a completed recertification audit", id), path);
    std::string c = StartCycle(Start::Recertify, d, number, path, cert);
    Set(State::Active, d, fmt::format("recertified{}: new 3-year cycle, {}", origin, c), "T11", path);
  }

  void Suspend(Date d, const std::optional<Date>& until, const std::optional<std::string>& reason, const std::string& path) {
    if (st_.state == State::Suspended) return;  // recorded twice (decision and certificate status)
    if (st_.state != State::Active) {
      Note(d, fmt::format("suspension recorded while {}", StateLabel(st_.state)), "T13", path);
      return;
    }
    suspended_at_ = d;
    suspended_until_ = until ? *until : LimitDate(Rule("T13"), d);
    suspension_noted_ = false;
    suspension_reason_ = reason.value_or("");
    Set(State::Suspended, d,
        fmt::format("certification suspended{}: temporarily invalid; to be resolved by {}{}", reason ? " (" + *reason + ")" : "",
                    D(*suspended_until_), until ? "" : " (6 months, CB practice)"),
        "T13", path);
  }

  void Reinstate(Date d, const std::string& what, const std::string& path) {
    if (st_.state != State::Suspended) return;
    suspended_until_.reset();
    Set(State::Active, d, what, "T13", path);
  }

  void Withdraw(Date d, const std::optional<std::string>& reason, const std::string& path) {
    if (st_.state == State::Withdrawn) return;
    CloseCycle(d);
    Set(State::Withdrawn, d, fmt::format("certification withdrawn{}", reason ? " (" + *reason + ")" : ""), {}, path);
  }

  void OnDecision(const Decision& d) {
    State s = st_.state;
    std::string by = d.decided_by;
    const std::optional<size_t> cert = linked_[static_cast<size_t>(&d - h_.decisions.data())];
    switch (d.outcome) {
      case Outcome::Grant:
        CheckIndependence(d);
        return Grant(d.decided, d.id, by, d.certificate, d.path, fmt::format(" (decision {})", d.id), cert);
      case Outcome::Refuse:
        CheckIndependence(d);
        return Set(State::Refused, d.decided, fmt::format("certification refused (decision {} by {})", d.id, by), {}, d.path);
      case Outcome::Recertify:
        CheckIndependence(d);
        if (s == State::Active || s == State::Suspended)
          return Recertify(d.decided, d.id, d.certificate, d.path, fmt::format(" (decision {} by {})", d.id, by), cert);
        if (s == State::Expired || (s == State::Stage2 && lapsed_)) {
          // After the restore window only that is reported (Restore); within it, the decision is a late recertification.
          if (d.decided <= LimitDate(Rule("T12"), *st_.expiry))
            Irregular("T11", d.decided, fmt::format("recertification {} decided after expiry: treated as a restore", d.id), d.path);
          return Restore(d.decided, d.id, d.certificate, d.path, fmt::format(" (decision {} by {})", d.id, by), cert);
        }
        return Grant(d.decided, d.id, by, d.certificate, d.path, fmt::format(" (decision {})", d.id), cert);
      case Outcome::Restore:
        CheckIndependence(d);
        if (s == State::Expired || (s == State::Stage2 && lapsed_))
          return Restore(d.decided, d.id, d.certificate, d.path, fmt::format(" (decision {} by {})", d.id, by), cert);
        if (s == State::Suspended)
          return Reinstate(d.decided, fmt::format("suspension lifted (decision {})", d.id), d.path);
        return Note(d.decided, fmt::format("restore decision {} while {}", d.id, StateLabel(s)), "T12", d.path);
      case Outcome::Suspend: return Suspend(d.decided, d.until, d.reason, d.path);
      case Outcome::Reinstate:
        return Reinstate(d.decided, fmt::format("suspension lifted (decision {}): certification valid again", d.id), d.path);
      case Outcome::Withdraw: return Withdraw(d.decided, d.reason, d.path);
      case Outcome::ReduceScope:
        if (s == State::Suspended)
          return Reinstate(d.decided, fmt::format("scope reduced to exclude the failing part (decision {}); suspension ends", d.id),
                           d.path);
        return Note(d.decided, fmt::format("scope reduced (decision {})", d.id), {}, d.path);
      case Outcome::ExtendScope: return Note(d.decided, fmt::format("scope extended (decision {})", d.id), {}, d.path);
      case Outcome::AcceptTransfer: {
        bool reviewed = false;
        for (const auto& a : h_.audits)
          if (a.kind == AuditKind::TransferReview && a.end && *a.end <= d.decided) reviewed = true;
        if (!reviewed)
          Irregular("T17", d.decided, fmt::format("transfer accepted ({}) without a recorded pre-transfer review", d.id), d.path);
        std::string c = StartCycle(Start::Transfer, d.decided, d.certificate, d.path, cert);
        Set(State::Active, d.decided,
            fmt::format("certification accepted by transfer{} (decision {}): the cycle continues, {}",
                        h_.transferred_from ? " from " + *h_.transferred_from : "", d.id, c),
            "T17", d.path);
        if (!cont_) return;
        st_.continues_record = cont_->from_record;
        st_.continues_body = cont_->from_body;
        st_.continues_since = cont_->transferred;
        if (cont_->state == State::Suspended) {
          Irregular("T17", d.decided,
                    fmt::format("transfer accepted ({}) while the certification was suspended at {}: a suspended certificate is "
                                "not transferable",
                                d.id, cont_->from_body),
                    d.path);
          suspended_at_ = d.decided;
          suspended_until_ = cont_->suspended_until.value_or(LimitDate(Rule("T13"), d.decided));
          suspension_noted_ = false;
          suspension_reason_ = "carried over from " + cont_->from_body;
          Set(State::Suspended, d.decided,
              fmt::format("the suspension at {} carries over: temporarily invalid; to be resolved by {}", cont_->from_body,
                          D(*suspended_until_)),
              "T17c", d.path);
        } else if (cont_->state != State::Active) {
          Irregular("T17", d.decided,
                    fmt::format("transfer accepted ({}) of a certification that was {} at {}: only valid certification can be "
                                "transferred",
                                d.id, StateLabel(cont_->state), cont_->from_body),
                    d.path);
        }
        return;
      }
    }
  }

  void OnCertificate(size_t i) {
    const Certificate& c = h_.certificates[i];
    if (consumed_[i]) {
      Note(c.issued, fmt::format("certificate {} issued, valid {} – {}", c.number, D(c.effective_from.value_or(c.issued)), D(c.expiry)),
           {}, c.path);
      return;
    }
    // A certificate without a recorded decision: the decision is taken from the certificate.
    const std::string origin = " (from the certificate; no decision recorded)";
    State s = st_.state;
    consumed_[i] = true;
    if (s == State::Active || s == State::Suspended) {
      if (st_.expiry && c.expiry > *st_.expiry) return Recertify(c.issued, "certificate " + c.number, c.number, c.path, origin, i);
      Note(c.issued, fmt::format("certificate {} re-issued, valid to {}", c.number, D(c.expiry)), {}, c.path);
      return;
    }
    if (s == State::Expired || (s == State::Stage2 && lapsed_ && st_.expiry))
      return Restore(c.issued, "certificate " + c.number, c.number, c.path, origin, i);
    Grant(c.issued, "certificate " + c.number, {}, c.number, c.path, origin, i);
  }

  void OnStatus(size_t ci, const StatusEvent& e) {
    const Certificate& c = h_.certificates[ci];
    switch (e.kind) {
      case StatusChange::Suspended: return Suspend(e.at, e.until, e.reason, e.path);
      case StatusChange::Reinstated:
        return Reinstate(e.at, fmt::format("certificate {} reinstated: certification valid again", c.number), e.path);
      case StatusChange::Withdrawn: return Withdraw(e.at, e.reason, e.path);
      case StatusChange::Restored:
        if (st_.state == State::Expired || (st_.state == State::Stage2 && lapsed_))
          return Restore(e.at, "certificate " + c.number, std::nullopt, e.path, " (certificate status)", std::nullopt);  // no new certificate
        if (st_.state == State::Suspended)
          return Reinstate(e.at, fmt::format("certificate {} restored: suspension ends", c.number), e.path);
        return;  // already active: recorded by the decision too
      case StatusChange::ScopeReduced:
        if (st_.state == State::Suspended)
          return Reinstate(e.at, fmt::format("certificate {}: scope reduced to exclude the failing part; suspension ends", c.number),
                           e.path);
        return Note(e.at, fmt::format("certificate {}: scope reduced", c.number), {}, e.path);
      case StatusChange::ScopeExtended: return Note(e.at, fmt::format("certificate {}: scope extended", c.number), {}, e.path);
    }
  }

  void OnTransferOut(Date d) {
    if (st_.state == State::Transferred) return;
    if (st_.state != State::Active)
      Irregular("T17", d, fmt::format("transferred while {}: only valid certification can be transferred", StateLabel(st_.state)),
                h_.path + ".transferred_at");
    CloseCycle(d);
    Set(State::Transferred, d,
        fmt::format("certification transferred to {} (IAF MD 2): the cycle continues there",
                    h_.transferred_to.value_or("another certification body")),
        "T17", h_.path + ".transferred_at");
  }

  // ---- surveillance per cycle ---------------------------------------------------------------

  // Completed audits of a kind, this record's and those of the record a transfer continues.
  template <class F>
  bool AnyAudit(AuditKind kind, F pred) const {
    for (const auto& a : h_.audits)
      if (a.kind == kind && a.end && *a.end <= as_of_ && pred(*a.end)) return true;
    if (cont_)
      for (const auto& [k, end] : cont_->audits)
        if (k == kind && end <= as_of_ && pred(end)) return true;
    return false;
  }
  bool SurveillanceBetween(Date from, Date to) const {  // an audit ended in [from, to]
    return AnyAudit(AuditKind::Surveillance, [&](Date e) { return e >= from && e <= to; });
  }
  bool RecertificationIn(int year) const {
    return AnyAudit(AuditKind::Recertification, [&](Date e) { return YearOf(e) == year; });
  }
  // A missed obligation stays overdue until a surveillance (or recertification) audit ends after its limit day.
  bool HeldAfter(Date limit) const {
    auto after = [&](Date e) { return e > limit; };
    return AnyAudit(AuditKind::Surveillance, after) || AnyAudit(AuditKind::Recertification, after);
  }

  void CheckSurveillance() {
    if (h_.audits.empty()) return;  // no audit recorded: a certificate-only history, nothing to check
    for (const Cycle& c : cycles_) {
      auto running_at = [&](Date d) { return !c.end || *c.end > d; };
      bool open = !c.end && (st_.state == State::Active || st_.state == State::Suspended);
      if (c.initial) {
        Date dl = LimitDate(Rule("T8a"), c.start);
        bool met = SurveillanceBetween(c.start, dl);
        if (!met && dl < as_of_ && running_at(dl) && dl >= c.from) {
          std::string m = fmt::format("no surveillance audit within 12 months of the initial certification decision ({}): due by {}",
                                      D(c.start), D(dl));
          Irregular("T8a", dl + 1, m);
          Note(dl + 1, "first surveillance missed: " + m + " — a suspension trigger", "T8a", {}, true);
          st_.timeline.back().state = StateAt(dl + 1);
          if (open && !HeldAfter(dl))
            st_.deadlines.push_back({"T8a", "first surveillance audit (missed: a suspension trigger)", dl, DueStatus::Overdue});
        } else if (!met && dl >= as_of_ && open) {
          st_.deadlines.push_back({"T8a", "first surveillance audit (12 months after the initial decision)", dl, DueStatus::Due});
        }
      }
      for (int y : SurveillanceYears(c.start, c.expiry, c.start_year_counts)) {
        Date jan1 = cal::DaysFromCivil(y, 1, 1), dec31 = cal::DaysFromCivil(y, 12, 31);
        if (dec31 < c.from) continue;  // judged in the record the transfer continues
        if (RecertificationIn(y) || SurveillanceBetween(std::max(jan1, c.start), dec31)) continue;
        if (dec31 < as_of_) {
          if (!running_at(dec31)) continue;
          std::string m = fmt::format("no surveillance audit in calendar year {} (cycle started {})", y, D(c.start));
          Irregular("T8b", dec31 + 1, m);
          Note(dec31 + 1, "surveillance missed: " + m + " — a suspension trigger", "T8b", {}, true);
          st_.timeline.back().state = StateAt(dec31 + 1);
          if (open && !HeldAfter(dec31))
            st_.deadlines.push_back(
                {"T8b", fmt::format("surveillance audit for {} (missed: a suspension trigger)", y), dec31, DueStatus::Overdue});
        } else if (open) {
          st_.deadlines.push_back(
              {"T8b", fmt::format("surveillance audit in {}{}", y, jan1 > as_of_ ? "" : " (this calendar year)"), dec31, DueStatus::Due});
        }
      }
    }
  }

  // The state on day d, from the timeline recorded so far (surveillance notes are added after).
  State StateAt(Date d) const {
    State s = State::None;
    for (const auto& t : st_.timeline)
      if (t.date <= d) s = t.state;
    return s;
  }

  // ---- the final state: reasons and deadlines -----------------------------------------------

  void Finish() {
    const State s = st_.state;
    auto& r = st_.reasons;
    switch (s) {
      case State::None: r.push_back("no certification event recorded on or before this date"); break;
      case State::Applied: r.push_back("the application awaits the certification body's application review"); break;
      case State::Refused: r.push_back("certification was refused; a new application starts again"); break;
      case State::Stage1: {
        const Audit* a = stage1_.empty() ? nullptr : AuditById(stage1_);
        if (!a) r.push_back("application accepted; the stage 1 audit has not been held");
        else if (!a->end || *a->end > as_of_) r.push_back(fmt::format("stage 1 audit {} under way since {}", a->id, D(a->start)));
        else if (a->ready_for_stage2) r.push_back(fmt::format("stage 1 audit {} concluded the client is not ready for stage 2", a->id));
        else r.push_back(fmt::format("stage 1 audit {} completed; its conclusion on readiness for stage 2 is not recorded", a->id));
        break;
      }
      case State::Stage2: {
        if (lapsed_) {
          r.push_back(fmt::format("certification lapsed: expired {} and not restored within 6 months; at least a stage 2 audit is "
                                  "needed to certify again",
                                  D(*st_.expiry + 1)));
        } else if (new_stage2_required_) {
          r.push_back(fmt::format("majors of stage 2 (last day {}) were not verified within 6 months: a new stage 2 is needed",
                                  D(*stage2_end_)));
        } else if (awaiting_stage2_) {
          r.push_back(fmt::format("stage 1 completed {}: ready for stage 2, not yet held", D(*stage1_end_)));
          Date dl = LimitDate(Rule("T2"), *stage1_end_);
          st_.deadlines.push_back({"T2", "stage 2 audit (6 months after stage 1: CB practice, no normative maximum)", dl,
                                   dl < as_of_ ? DueStatus::Overdue : DueStatus::Due});
        } else if (const Audit* a = AuditById(stage2_)) {
          r.push_back(fmt::format("stage 2 audit {} under way since {}", a->id, D(a->start)));
        }
        break;
      }
      case State::FindingsOpen: {
        auto open = Blocking(as_of_);
        r.push_back(fmt::format("stage 2 ended {}; blocking the decision: {}", D(*stage2_end_), Describe(open)));
        bool majors = false;
        for (const Finding* f : open) majors = majors || f->grade == Grade::Major;
        if (majors) {
          Date dl = LimitDate(Rule("T5"), *stage2_end_);
          st_.deadlines.push_back({"T5", "verification of the majors' corrections and corrective actions (else a new stage 2)", dl,
                                   DueStatus::Due});
        }
        for (const Finding* f : open)
          if (f->grade == Grade::Minor)
            r.push_back(fmt::format("minor {}: the corrective-action plan is not accepted yet (T4)", f->id));
        break;
      }
      case State::DecisionPending:
        r.push_back("every major verified and every minor's plan accepted (or none raised): the certification decision is next");
        break;
      case State::Active: {
        r.push_back(fmt::format("certified: certificate {}, cycle started {}, expires {}", Cert(), D(*st_.cycle_start), D(*st_.expiry)));
        st_.deadlines.push_back({"T11", "recertification decision (recertification audit done and its majors verified, T10)",
                                 *st_.expiry, DueStatus::Due});
        break;
      }
      case State::Suspended: {
        r.push_back(fmt::format("suspended since {}{}: the certification is temporarily invalid and may not be promoted", D(suspended_at_),
                                suspension_reason_.empty() ? "" : " (" + suspension_reason_ + ")"));
        st_.deadlines.push_back({"T13", "resolve the cause of the suspension (else withdrawal or scope reduction)",
                                 *suspended_until_, *suspended_until_ < as_of_ ? DueStatus::Overdue : DueStatus::Due});
        st_.deadlines.push_back({"T11", "recertification decision", *st_.expiry, DueStatus::Due});
        break;
      }
      case State::Expired: {
        Date window = LimitDate(Rule("T12"), *st_.expiry);
        r.push_back(fmt::format("certificate {} expired on {}: no recertification decision by {}", Cert(), D(*st_.expiry + 1),
                                D(*st_.expiry)));
        r.push_back(fmt::format("the CB may restore it until {} if the outstanding recertification activities are completed", D(window)));
        st_.deadlines.push_back({"T12", "restore: complete the recertification activities and the CB's decision", window, DueStatus::Due});
        break;
      }
      case State::Withdrawn: r.push_back("certification withdrawn: a new application starts again"); break;
      case State::Transferred:
        r.push_back(fmt::format("transferred to {}: its record continues the cycle", h_.transferred_to.value_or("another certification body")));
        break;
    }
    // Surveillance notes on the current cycle.
    for (const auto& ir : st_.irregularities)
      if ((ir.rule == "T8a" || ir.rule == "T8b") && st_.cycle_start && ir.date > *st_.cycle_start &&
          (s == State::Active || s == State::Suspended))
        r.push_back(ir.message + ": a suspension trigger (T13)");
  }

  const History& h_;
  Date as_of_;
  const Continuation* cont_;
  Status st_;
  std::vector<bool> consumed_;
  std::vector<std::optional<size_t>> linked_;  // decision → certificate
  std::vector<Cycle> cycles_;
  std::vector<std::string> gate_;  // audits whose findings gate the next decision
  std::string stage1_, stage2_;
  std::optional<Date> stage1_end_, stage2_end_, suspended_until_;
  Date suspended_at_ = 0;
  std::string suspension_reason_;
  bool suspension_noted_ = false, lapsed_ = false, new_stage2_required_ = false, awaiting_stage2_ = false,
       stage1_stale_noted_ = false;
};

}  // namespace

std::vector<int> SurveillanceYears(Date cycle_start, Date expiry, bool start_year_counts) {
  std::vector<int> out;
  for (int y = YearOf(cycle_start) + (start_year_counts ? 0 : 1); y < YearOf(expiry); ++y) out.push_back(y);
  return out;
}

Status Evaluate(const History& h, Date as_of, const Continuation* from) { return Machine(h, as_of, from).Run(); }

namespace {

bool SameName(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// Links records by transfer and evaluates them, each old record before the one continuing it.
class Chain {
 public:
  Chain(const std::vector<History>& hs) : hs_(hs) {}

  Status At(size_t i, Date as_of, int depth = 0) {
    std::optional<Continuation> c = depth < static_cast<int>(hs_.size()) ? ContinuationOf(i, as_of, depth) : std::nullopt;
    return Evaluate(hs_[i], as_of, c ? &*c : nullptr);
  }

 private:
  std::optional<size_t> Predecessor(size_t i) const {
    const History& n = hs_[i];
    for (size_t j = 0; j < hs_.size(); ++j) {
      const History& o = hs_[j];
      if (j == i || registry::StandardKey(o.standard) != registry::StandardKey(n.standard)) continue;
      if ((o.transferred_to && SameName(*o.transferred_to, n.certification_body)) ||
          (n.transferred_from && SameName(*n.transferred_from, o.certification_body)))
        return j;
    }
    return std::nullopt;
  }

  std::optional<Continuation> ContinuationOf(size_t i, Date as_of, int depth) {
    std::optional<Date> accepted;
    for (const auto& d : hs_[i].decisions)
      if (d.outcome == Outcome::AcceptTransfer && d.decided <= as_of && (!accepted || d.decided < *accepted)) accepted = d.decided;
    auto j = Predecessor(i);
    if (!accepted || !j) return std::nullopt;
    const History& o = hs_[*j];
    Date t = o.transferred_at.value_or(*accepted);
    Status before = At(*j, t - 1, depth + 1);
    if (!before.expiry) return std::nullopt;
    Continuation c;
    c.from_record = o.id;
    c.from_body = o.certification_body;
    c.transferred = t;
    c.state = before.state;
    c.cycle_start = before.cycle_start.value_or(t);
    c.expiry = *before.expiry;
    c.initial_decision = before.initial_decision;
    c.suspended_until = before.suspended_until;
    c.cycle_initial = before.cycle_initial;
    c.start_year_counts = before.start_year_counts;
    c.certificate = before.certificate;
    for (const auto& a : o.audits)
      if (a.end && *a.end <= t) c.audits.emplace_back(a.kind, *a.end);
    return c;
  }

  const std::vector<History>& hs_;
};

}  // namespace

std::vector<Status> EvaluateAll(const std::vector<History>& hs, Date as_of) {
  Chain chain(hs);
  std::vector<Status> out;
  for (size_t i = 0; i < hs.size(); ++i) out.push_back(chain.At(i, as_of));
  return out;
}

}  // namespace conform::runtime::lifecycle
