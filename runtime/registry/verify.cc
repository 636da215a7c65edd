// Certificate verification (the chain of iso-domain.md §11.3) and registry search.
#include <fmt/format.h>

#include <algorithm>

#include "conform/compiler/calendar.h"
#include "conform/runtime/lifecycle.h"
#include "internal.h"

namespace conform::runtime::registry {
using namespace detail;
namespace {

std::string D(Date d) { return cal::FormatDate(d); }

std::string StandardsText(const std::vector<StandardRef>& ss) {
  std::string out;
  for (size_t i = 0; i < ss.size(); ++i) out += (i ? ", " : "") + ss[i].standard + ":" + ss[i].edition;
  return out;
}

const char* BodyKindLabel(const std::string& kind) {
  if (kind == "laboratory") return "a laboratory";
  if (kind == "inspection_body") return "an inspection body";
  return "a certification body";
}

// The normative document a body of this kind is accredited to (the IAF MLA main scope).
const char* NormativeFor(const std::string& kind) {
  if (kind == "laboratory") return "ISO/IEC 17025";
  if (kind == "inspection_body") return "ISO/IEC 17020";
  return "ISO/IEC 17021-1";
}

struct Accreditation {
  std::string id, body, ab, normative, normative_key, edition, status;
  std::optional<std::string> standard, standard_key;
  std::vector<std::string> iaf_codes;
  Date from = 0;
  std::optional<Date> to, status_since;
};

std::vector<Accreditation> AccreditationsOf(sqlite3* db, const std::string& body) {
  std::vector<Accreditation> out;
  Stmt st(db,
          "SELECT id, body, accreditation_body, normative, normative_key, standard, standard_key, edition, iaf_codes, "
          "valid_from, valid_to, status, status_since FROM accreditations WHERE body = ? ORDER BY valid_from, id");
  st.Bind(1, body);
  while (st.Row()) {
    Accreditation a;
    a.id = st.Text(0);
    a.body = st.Text(1);
    a.ab = st.Text(2);
    a.normative = st.Text(3);
    a.normative_key = st.Text(4);
    a.standard = st.Opt(5);
    a.standard_key = st.Opt(6);
    a.edition = st.Text(7);
    a.iaf_codes = SplitList(st.Text(8));
    a.from = ParseDateText(st.Text(9)).value_or(0);
    a.to = ParseDateText(st.Opt(10));
    a.status = st.Text(11);
    a.status_since = ParseDateText(st.Opt(12));
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace

// The checks, as data (docs/certification.md, "Verifying a certificate").
const std::vector<VerifyRule>& VerifyRules() {
  static const std::vector<VerifyRule> rules = {
      {"V1", "certificate", "a certificate withdrawn or cancelled (from its status date on) is no longer valid",
       "ISO/IEC 17021-1:2015 9.6.5; IAF MD 28 (CertSearch statuses)", Outcome::Withdrawn},
      {"V2", "certificate", "a suspended certificate is temporarily invalid and may not be promoted",
       "ISO/IEC 17021-1:2015 9.6.5", Outcome::Suspended},
      {"V3", "certificate", "a certificate is in force from its issue date through its expiry date (inclusive)",
       "ISO/IEC 17021-1:2015 8.2.2, 9.6.3.2", Outcome::Expired},
      {"V4", "edition", "an edition past its transition end is no longer certified (ISO/IEC 27001:2013 after 2025-10-31)",
       "IAF MD 26 (Issue 2, 2023); editions table", Outcome::EditionPastTransition},
      {"V5", "certificate_data", "the certificate is not issued before the certification decision",
       "ISO/IEC 17021-1:2015 8.2.2, 9.6.3.2", Outcome::Irregular},
      {"V6", "certificate_data",
       "validity at most 3 years: the expiry is no later than the last day of a 3-year cycle from the decision, or — for a "
       "recertification (an original certification date before the decision) — of the cycle continuing the previous expiry",
       "ISO/IEC 17021-1:2015 9.1.3, 9.6.3.2; ANAB Heads Up 138 (no extension past 3 years)", Outcome::Irregular},
      {"V7", "certificate_data",
       "the accreditation body the certificate names is the one that accredits the issuer for it",
       "ISO/IEC 17021-1:2015 8.3 (references to accreditation); ISO/IEC 17011:2017 8.3 (accreditation symbols)",
       Outcome::Irregular},
      {"V8", "issuing_body", "the issuer is a certification body in the registry", "ISO/IEC 17021-1:2015",
       Outcome::ValidNotAccredited},
      {"V9", "accreditation",
       "on the decision date an accreditation of the issuer — or, for a scheme with its own recognition path, its approval "
       "under the scheme's rules — covers the standard, its edition and every IAF code on the certificate",
       "ISO/IEC 17011:2017; IAF ID 1 (IAF codes); scheme rules (IATF Rules for IATF 16949)", Outcome::ValidNotAccredited},
      {"V10", "accreditation",
       "sector unconfirmed: the certificate names no IAF code while the accreditation is restricted to sectors",
       "IAF ID 1 (IAF codes); iso-domain §11.2", Outcome::Unconfirmed},
      {"V11", "accreditation",
       "no initial or recertification audit to an edition after its cut-off (ISO/IEC 27001:2013: after 2024-04-30); "
       "unconfirmed when the registry has no audit date and the decision is later than the cut-off",
       "IAF MD 26 (Issue 2, 2023); editions table (last_audit)", Outcome::ValidNotAccredited},
      {"V12", "accreditation",
       "an accreditation suspended, withdrawn or expired after the decision covers the certificates issued before for 6 "
       "months (or to their expiry, if sooner) — the time to transfer them — and no longer",
       "IAF MD 2:2017", Outcome::ValidNotAccredited},
      {"V13", "recognition",
       "on the decision date the accreditation body was recognised for the scope under an arrangement of the certificate's "
       "recognition path (IAF MLA / GACI MRA; a scheme's own, e.g. IATF)",
       "IAF MLA (IAF PR 4: main scope and sub-scopes); GACI MRA from 2026; scheme rules", Outcome::AccreditedNotRecognised},
      {"V14", "recognition",
       "on the query date the accreditation body is still recognised: one that left the arrangement no longer gives its "
       "certificates international recognition",
       "IAF MLA (signatories recognise the accredited certification of signatories)", Outcome::AccreditedNotRecognised},
  };
  return rules;
}

const VerifyRule& VerifyRuleById(const std::string& id) {
  for (const auto& r : VerifyRules())
    if (id == r.id) return r;
  return VerifyRules().front();
}

namespace {

// The recognition path of a standard: the normative document its certification bodies are
// accredited (or approved) to, and the arrangements that recognise them.
struct Path {
  std::string normative, normative_key;
  std::vector<std::string> arrangements;
  std::string owner, source;
  bool scheme = false;
};

Path PathFor(sqlite3* db, const std::string& standard_key, const std::string& kind) {
  Path p;
  Stmt st(db, "SELECT normative, normative_key, arrangements, owner, source FROM schemes WHERE standard_key = ?");
  st.Bind(1, standard_key);
  if (st.Row()) {
    p.normative = st.Text(0);
    p.normative_key = st.Text(1);
    p.arrangements = SplitList(st.Text(2));
    p.owner = st.Text(3);
    p.source = st.Text(4);
    p.scheme = true;
    return p;
  }
  p.normative = NormativeFor(kind);
  p.normative_key = StandardKey(p.normative);
  p.arrangements = {"IAF MLA", "ILAC MRA", "GACI MRA"};
  return p;
}

std::string Arrangements(const Path& p) {
  std::string out;
  for (size_t i = 0; i < p.arrangements.size(); ++i) out += (i ? " / " : "") + p.arrangements[i];
  return out;
}

// The first day an accreditation no longer covers new decisions: after valid_to, or from the
// date it was suspended or withdrawn.
std::optional<Date> Ended(const Accreditation& a) {
  std::optional<Date> e;
  if (a.to) e = *a.to + 1;
  if (a.status != "active") {
    Date s = a.status_since.value_or(a.from);
    e = e ? std::min(*e, s) : s;
  }
  return e;
}

std::string EndedText(const Accreditation& a, Date ended) {
  if (a.status != "active" && (!a.to || a.status_since.value_or(a.from) <= *a.to))
    return fmt::format("{} on {}", a.status, D(ended));
  return fmt::format("expired on {} (valid to {})", D(ended), D(ended - 1));
}

// Recognition of an accreditation body for a scope under the path's arrangements on a date.
std::optional<std::string> RecognisedOn(sqlite3* db, const std::string& ab, const std::string& main_key,
                                        const std::string& sub_key, const Path& p, Date date) {
  Stmt rs(db,
          "SELECT arrangement, main_scope, sub_scope, since, until FROM recognitions WHERE accreditation_body = ? AND "
          "main_key = ? AND (sub_key = '' OR sub_key = ?) AND since <= ? AND (until IS NULL OR until >= ?) ORDER BY since DESC");
  std::string d = D(date);
  rs.Bind(1, ab).Bind(2, main_key).Bind(3, sub_key).Bind(4, d).Bind(5, d);
  while (rs.Row()) {
    std::string arr = rs.Text(0);
    if (std::find(p.arrangements.begin(), p.arrangements.end(), arr) == p.arrangements.end()) continue;
    std::string sub = rs.Text(2);
    return fmt::format("{} for {}{} since {}", arr, rs.Text(1), sub.empty() ? "" : " / " + sub, rs.Text(3));
  }
  return std::nullopt;
}

// The last recognition of the body for the scope that ended before `date`, if any.
std::optional<std::string> LastEnded(sqlite3* db, const std::string& ab, const std::string& main_key, const std::string& sub_key,
                                     const Path& p, Date date) {
  Stmt rs(db,
          "SELECT arrangement, until FROM recognitions WHERE accreditation_body = ? AND main_key = ? AND (sub_key = '' OR "
          "sub_key = ?) AND until IS NOT NULL AND until < ? ORDER BY until DESC");
  rs.Bind(1, ab).Bind(2, main_key).Bind(3, sub_key).Bind(4, D(date));
  while (rs.Row())
    if (std::find(p.arrangements.begin(), p.arrangements.end(), rs.Text(0)) != p.arrangements.end())
      return fmt::format("its {} recognition ended on {}", rs.Text(0), rs.Text(1));
  return std::nullopt;
}

bool SameText(const std::string& a, const std::string& b) { return Lower(a) == Lower(b); }

// The sources of the checks judged in a link, each once.
std::string SourcesOf(const std::vector<std::string>& rules) {
  std::string source;
  for (const auto& id : rules) {
    std::string s = VerifyRuleById(id).source;
    if (source.find(s) == std::string::npos) source += (source.empty() ? "" : "; ") + s;
  }
  return source;
}

// Collects the links and the outcome they lead to (the most serious failed rule).
class Judge {
 public:
  explicit Judge(Verification& v) : v_(v) {}
  void Link(const char* name, LinkStatus status, std::string reason, std::vector<std::string> rules,
            std::string source = {}) {
    if (source.empty()) source = SourcesOf(rules);
    v_.chain.push_back({name, status, std::move(reason), std::move(source), std::move(rules)});
  }
  void Fail(const std::string& rule) { worst_ = std::min(worst_, VerifyRuleById(rule).fails); }
  void Unconfirmed() { worst_ = std::min(worst_, Outcome::Unconfirmed); }
  Outcome worst() const { return worst_; }

 private:
  Verification& v_;
  Outcome worst_ = Outcome::ValidAccredited;
};

}  // namespace

Verification Registry::Verify(const std::string& number_text, Date as_of) {
  sqlite3* db = impl_->db;
  Verification v;
  const std::string number = NormalizeNumber(number_text);
  v.number = number;
  v.as_of = as_of;

  Stmt cs(db,
          "SELECT body, accreditation_body, organization, country, scope, iaf_codes, decision_date, issued, expiry, status, "
          "status_since, original_date, audit_date FROM certificates WHERE number = ?");
  cs.Bind(1, number);
  if (!cs.Row()) {
    Stmt sd(db,
            "SELECT organization, country, standard, edition, declared_at, valid_until, registry, scope FROM self_declarations "
            "WHERE id = ?");
    sd.Bind(1, number);
    if (sd.Row()) {
      v.outcome = Outcome::SelfDeclared;
      v.attestation = Attestation::SelfDeclaration;
      v.organization = sd.Text(0);
      v.country = sd.Text(1);
      v.standards.push_back({sd.Text(2), sd.Text(3)});
      v.scope = sd.Text(7);
      Date declared = ParseDateText(sd.Text(4)).value_or(0);
      auto until = ParseDateText(sd.Opt(5));
      std::string registry = sd.Opt(6).value_or("a registry");
      v.issued = declared;
      v.expiry = until;
      v.summary = fmt::format("{} declared conformity to {} itself: a first-party self-declaration, not a certification",
                              v.organization, StandardsText(v.standards));
      v.chain.push_back({"self_declaration", LinkStatus::Ok,
                         fmt::format("declaration {} by {} of conformity to {}, entered in {} on {}{}", number, v.organization,
                                     StandardsText(v.standards), registry, D(declared),
                                     until ? (*until < as_of ? fmt::format("; it lapsed on {}", D(*until))
                                                             : fmt::format("; valid until {}", D(*until)))
                                           : ""),
                         "ISO/IEC 17050-1 (first-party declaration of conformity)", {}});
      v.chain.push_back({"certificate", LinkStatus::Failed,
                         "no audit by a certification body and no certificate: the declaration attests nothing beyond the "
                         "organization's own claim",
                         "ISO/IEC 17021-1 (third-party certification)", {}});
      return v;
    }
    v.outcome = Outcome::Unknown;
    v.summary = fmt::format("no certificate or self-declaration numbered `{}` in the registry", number);
    v.chain.push_back({"certificate", LinkStatus::Failed,
                       fmt::format("`{}` is not in the registry {}: ask the issuing certification body, which must confirm "
                                   "validity on request",
                                   number, impl_->path),
                       "ISO/IEC 17021-1 8.1, 9.6.5", {}});
    return v;
  }

  v.body = cs.Text(0);
  std::optional<std::string> claimed_ab = cs.Opt(1);
  v.organization = cs.Text(2);
  v.country = cs.Text(3);
  v.scope = cs.Text(4);
  v.iaf_codes = SplitList(cs.Text(5));
  v.decision = ParseDateText(cs.Opt(6));
  v.issued = ParseDateText(cs.Text(7));
  v.expiry = ParseDateText(cs.Text(8));
  v.status = cs.Text(9);
  v.status_since = ParseDateText(cs.Opt(10));
  const std::optional<Date> original = ParseDateText(cs.Opt(11)), audit_date = ParseDateText(cs.Opt(12));
  {
    Stmt ss(db, "SELECT standard, edition FROM certificate_standards WHERE number = ? ORDER BY seq");
    ss.Bind(1, number);
    while (ss.Row()) v.standards.push_back({ss.Text(0), ss.Text(1)});
    Stmt si(db, "SELECT name, country FROM certificate_sites WHERE number = ? ORDER BY seq");
    si.Bind(1, number);
    while (si.Row()) v.sites.push_back(si.Text(0) + (si.Text(1).empty() ? "" : " (" + si.Text(1) + ")"));
  }
  Date issued = v.issued.value_or(0), expiry = v.expiry.value_or(0);
  Date decided = v.decision.value_or(issued);
  const char* decided_what = v.decision ? "decision date" : "issue date";
  Judge judge(v);

  // The certificate itself, as of the date asked (V1–V3).
  std::string status = v.status;
  if (v.status_since && *v.status_since > as_of) status = "active";  // the status recorded had not happened yet
  if (as_of < issued) {
    v.outcome = Outcome::Unknown;
    v.summary = fmt::format("certificate {} was issued on {}, after {}", number, D(issued), D(as_of));
    judge.Link("certificate", LinkStatus::Failed,
               fmt::format("issued on {}: no certificate of that number was in force on {}", D(issued), D(as_of)), {"V3"});
    return v;
  }
  v.attestation = Attestation::Certification;
  {
    std::string reason;
    const char* rule = nullptr;
    if (status == "withdrawn" || status == "cancelled") {
      rule = "V1";
      reason = fmt::format("{}{} by the certification body", status, v.status_since ? " on " + D(*v.status_since) : "");
    } else if (status == "suspended") {
      rule = "V2";
      reason = fmt::format("suspended{}: temporarily invalid; it may not be promoted while suspended",
                           v.status_since ? " since " + D(*v.status_since) : "");
    } else if (as_of > expiry) {
      rule = "V3";
      reason = fmt::format("expired: valid {} – {}, no longer in force from {}", D(issued), D(expiry), D(expiry + 1));
    } else if (status == "expired") {
      rule = "V3";
      reason = fmt::format("recorded as expired{} (it was to run until {})", v.status_since ? " since " + D(*v.status_since) : "",
                           D(expiry));
    } else {
      reason = fmt::format("in force: issued {}, expires {}, status active", D(issued), D(expiry));
    }
    if (rule) judge.Fail(rule);
    judge.Link("certificate", rule ? LinkStatus::Failed : LinkStatus::Ok,
               fmt::format("{} for {}: {}", StandardsText(v.standards), v.organization, reason), {"V1", "V2", "V3"});
  }

  // The edition: past its transition end (V4)?
  {
    std::vector<std::string> past;
    for (const auto& s : v.standards) {
      Stmt es(db, "SELECT edition, transition_end, source FROM editions WHERE standard_key = ?");
      es.Bind(1, StandardKey(s.standard));
      while (es.Row()) {
        auto end = ParseDateText(es.Opt(1));
        if (SameEdition(es.Text(0), s.edition) && end && as_of > *end)
          past.push_back(fmt::format("{}:{} ended on {} ({})", s.standard, s.edition, D(*end), es.Text(2)));
      }
    }
    if (!past.empty()) {
      judge.Fail("V4");
      judge.Link("edition", LinkStatus::Failed, "edition past its transition end: " + JoinList(past), {"V4"});
    }
  }
  const size_t data_link_at = v.chain.size();  // certificate_data goes here once the accreditation is known

  // The issuing body (V8).
  std::string kind = "certification_body";
  bool body_ok = false;
  {
    Stmt bs(db, "SELECT name, kind, country, aka FROM bodies WHERE id = ?");
    bs.Bind(1, v.body);
    if (bs.Row()) {
      v.body_name = bs.Text(0);
      kind = bs.Text(1);
      v.body_aka = SplitList(bs.Text(3));
      std::string aka = JoinList(v.body_aka);
      body_ok = kind == "certification_body";
      judge.Link("issuing_body", body_ok ? LinkStatus::Ok : LinkStatus::Failed,
                 body_ok ? fmt::format("issued by {} ({}), a certification body{}", v.body_name, v.body,
                                       aka.empty() ? "" : " (also known as " + aka + ")")
                         : fmt::format("issued by {} ({}), {}: not a body that certifies management systems", v.body_name, v.body,
                                       BodyKindLabel(kind)),
                 {"V8"});
    } else {
      judge.Link("issuing_body", LinkStatus::Failed,
                 fmt::format("the issuing body `{}` is not in the registry: no accreditation can be shown", v.body), {"V8"});
    }
    if (!body_ok) judge.Fail("V8");
  }

  // The accreditation (or scheme approval) covering each standard (V9–V12).
  struct Found {
    Accreditation acc;
    Path path;
  };
  std::vector<Found> found;
  bool acc_ok = body_ok, unconfirmed = false;
  std::vector<std::string> fails, notes;
  if (body_ok) {
    std::vector<Accreditation> accs = AccreditationsOf(db, v.body);
    for (const auto& s : v.standards) {
      const std::string key = StandardKey(s.standard);
      Path path = PathFor(db, key, kind);
      const char* what = path.scheme ? "approval" : "accreditation";
      const Accreditation* match = nullptr;
      const Accreditation* sector_unknown = nullptr;
      std::vector<std::string> why;
      for (const auto& a : accs) {
        if (a.normative_key != path.normative_key) {
          if (path.scheme && a.standard_key && *a.standard_key == key)
            why.push_back(fmt::format("{} is an accreditation to {}, but {} is certified under {} ({}), not under {}", a.id,
                                      a.normative, s.standard, path.normative, Arrangements(path), a.normative));
          continue;
        }
        if (!a.standard_key || *a.standard_key != key) continue;
        if (!a.edition.empty() && !SameEdition(a.edition, s.edition)) {
          why.push_back(fmt::format("{} covers {}:{}, not edition {}", a.id, *a.standard, a.edition, s.edition));
          continue;
        }
        auto ended = Ended(a);
        if (decided < a.from || (ended && decided >= *ended)) {
          why.push_back(ended && decided >= *ended && decided >= a.from
                            ? fmt::format("{} was {} before the {} {}", a.id, EndedText(a, *ended), decided_what, D(decided))
                            : fmt::format("{} was valid {} – {}, not on the {} {}", a.id, D(a.from), a.to ? D(*a.to) : "…",
                                          decided_what, D(decided)));
          continue;
        }
        if (!a.iaf_codes.empty() && v.iaf_codes.empty()) {
          if (!sector_unknown) sector_unknown = &a;
          continue;
        }
        std::vector<std::string> missing;
        if (!a.iaf_codes.empty())
          for (const auto& c : v.iaf_codes)
            if (std::find(a.iaf_codes.begin(), a.iaf_codes.end(), c) == a.iaf_codes.end()) missing.push_back(c);
        if (!missing.empty()) {
          why.push_back(fmt::format("{} does not cover IAF code{} {} (it covers {})", a.id, missing.size() == 1 ? "" : "s",
                                    JoinList(missing), JoinList(a.iaf_codes)));
          continue;
        }
        match = &a;
        break;
      }
      if (!match && sector_unknown) {
        match = sector_unknown;
        unconfirmed = true;
        judge.Unconfirmed();
        notes.push_back(fmt::format("{}:{}: sector unconfirmed: the certificate names no IAF code and {} covers only IAF codes {} "
                                    "(V10)",
                                    s.standard, s.edition, match->id, JoinList(match->iaf_codes)));
      }
      if (!match) {
        acc_ok = false;
        judge.Fail("V9");
        if (why.empty())
          why.push_back(path.scheme ? fmt::format("{} holds no approval under {} for {} ({})", v.body, path.normative, s.standard,
                                                  path.owner)
                                    : fmt::format("{} holds no accreditation to {} for {}", v.body, path.normative, s.standard));
        fails.push_back(fmt::format("{}:{}: {}", s.standard, s.edition, JoinList(why)));
        continue;
      }
      // V11: the edition's cut-off for initial and recertification audits.
      {
        Stmt es(db, "SELECT edition, last_audit, source FROM editions WHERE standard_key = ? AND last_audit IS NOT NULL");
        es.Bind(1, key);
        while (es.Row()) {
          if (!SameEdition(es.Text(0), s.edition)) continue;
          Date cut = ParseDateText(es.Text(1)).value_or(0);
          if (audit_date && *audit_date > cut) {
            acc_ok = false;
            judge.Fail("V11");
            fails.push_back(fmt::format("{}:{}: its initial or recertification audit ended {}, after {} — no audit to this edition "
                                        "could be accredited then ({})",
                                        s.standard, s.edition, D(*audit_date), D(cut), es.Text(2)));
          } else if (!audit_date && decided > cut) {
            unconfirmed = true;
            judge.Unconfirmed();
            notes.push_back(fmt::format("{}:{}: decided {}, after the {} cut-off for initial and recertification audits; the "
                                        "registry has no audit date: confirm the audit ended on or before {} (V11)",
                                        s.standard, s.edition, D(decided), D(cut), D(cut)));
          }
        }
      }
      // V12: accreditation that ended after the decision — 6 months, or the expiry if sooner.
      if (auto ended = Ended(*match); ended && *ended <= as_of && *ended <= expiry) {
        Date until = std::min(cal::AddDuration(*ended, {6, 0}, +1), expiry);
        if (as_of > until) {
          acc_ok = false;
          judge.Fail("V12");
          fails.push_back(fmt::format("{}:{}: {} {} {}; the certificate had to be transferred to an accredited body by {} (6 "
                                      "months, or expiry if sooner)",
                                      s.standard, s.edition, what, match->id, EndedText(*match, *ended), D(until)));
          continue;
        }
        notes.push_back(fmt::format("{}:{}: {} {} {}; the certificate remains usable until transferred, at the latest {}", s.standard,
                                    s.edition, what, match->id, EndedText(*match, *ended), D(until)));
      }
      found.push_back({*match, path});
    }
    if (acc_ok) {
      std::vector<std::string> parts;
      for (const auto& [a, path] : found)
        parts.push_back(fmt::format("{} by {}: {} {}{}{}, valid {} – {}{}", a.id, a.ab, a.normative, a.standard.value_or(""),
                                    a.edition.empty() ? "" : ":" + a.edition,
                                    a.iaf_codes.empty() ? "" : fmt::format(" (IAF codes {})", JoinList(a.iaf_codes)), D(a.from),
                                    a.to ? D(*a.to) : "…", path.scheme ? fmt::format(" (scheme approval: {})", path.owner) : ""));
      std::string text = fmt::format("covers the certificate on the {} {}: {}", decided_what, D(decided), JoinList(parts));
      for (const auto& n : notes) text += "; note: " + n;
      judge.Link("accreditation", unconfirmed ? LinkStatus::Unconfirmed : LinkStatus::Ok, text, {"V9", "V10", "V11", "V12"});
    } else {
      std::vector<std::string> all = fails;
      for (const auto& n : notes) all.push_back("note: " + n);
      judge.Link("accreditation", LinkStatus::Failed,
                 fmt::format("no accreditation covers the certificate on the {} {}: {}", decided_what, D(decided), JoinList(all)),
                 {"V9", "V10", "V11", "V12"});
    }
  } else {
    judge.Link("accreditation", LinkStatus::NotChecked, "not checked: the issuing body is not an accredited certification body",
               {"V9"});
  }

  // The certificate's own data (V5–V7), shown after the edition.
  {
    std::vector<std::string> bad, good;
    if (v.decision && issued < *v.decision) {
      judge.Fail("V5");
      bad.push_back(fmt::format("issued {}, before the certification decision of {}", D(issued), D(*v.decision)));
    } else {
      good.push_back(v.decision ? "issued on or after the decision" : "no decision date: the issue date stands for it");
    }
    Date limit = lifecycle::CycleLastDay(decided);
    std::string basis = fmt::format("3 years from the {} {}", decided_what, D(decided));
    if (original && *original < decided) {
      // A recertification: the cycles continue from the original certification's expiry.
      Date e = lifecycle::CycleLastDay(*original);
      while (e < decided) e = lifecycle::ContinuedCycleLastDay(e);
      if (Date cont = lifecycle::ContinuedCycleLastDay(e); cont > limit) {
        limit = cont;
        basis = fmt::format("the cycle continuing the expiry {} (cycles counted from the original certification {})", D(e), D(*original));
      }
    }
    if (expiry > limit) {
      judge.Fail("V6");
      bad.push_back(fmt::format("expires {}, later than {}: {} (a cycle runs through the day before its third anniversary)", D(expiry),
                                D(limit), basis));
    } else {
      good.push_back(fmt::format("validity within {} (last day {})", basis, D(limit)));
    }
    if (claimed_ab && !found.empty()) {
      bool named = false;
      std::vector<std::string> ids;
      for (const auto& f : found) {
        ids.push_back(f.acc.ab);
        Stmt ab(db, "SELECT name, acronym FROM accreditation_bodies WHERE id = ?");
        ab.Bind(1, f.acc.ab);
        bool row = ab.Row();
        named = named || SameText(*claimed_ab, f.acc.ab) || (row && (SameText(*claimed_ab, ab.Text(0)) || SameText(*claimed_ab, ab.Text(1))));
      }
      if (!named) {
        judge.Fail("V7");
        bad.push_back(fmt::format("names {} as accreditation body, but the issuer is accredited for it by {}", *claimed_ab, JoinList(ids)));
      } else {
        good.push_back(fmt::format("names {}, the body that accredits the issuer", *claimed_ab));
      }
    }
    std::string reason = bad.empty() ? JoinList(good) : JoinList(bad);
    v.chain.insert(v.chain.begin() + static_cast<std::ptrdiff_t>(data_link_at), Link{});
    Link& l = v.chain[data_link_at];
    l.name = "certificate_data";
    l.status = bad.empty() ? LinkStatus::Ok : LinkStatus::Failed;
    l.reason = reason;
    l.rules = {"V5", "V6", "V7"};
    l.source = SourcesOf(l.rules);
  }

  // The recognition of each accreditation body for the scope, on the decision and the query date (V13, V14).
  if (acc_ok) {
    std::vector<std::string> parts, bad;
    for (const auto& [a, path] : found) {
      std::string ab_name = a.ab;
      {
        Stmt ab(db, "SELECT name, acronym FROM accreditation_bodies WHERE id = ?");
        ab.Bind(1, a.ab);
        if (ab.Row()) ab_name = ab.Text(1).empty() ? ab.Text(0) : ab.Text(1);
      }
      const std::string sub = a.standard_key.value_or("");
      auto then = RecognisedOn(db, a.ab, a.normative_key, sub, path, decided);
      if (!then) {
        judge.Fail("V13");
        bad.push_back(fmt::format("{} was not recognised under {} for {} / {} on {}", ab_name, Arrangements(path), a.normative,
                                  a.standard.value_or(""), D(decided)));
        continue;
      }
      auto now = RecognisedOn(db, a.ab, a.normative_key, sub, path, as_of);
      if (!now) {
        judge.Fail("V14");
        auto last = LastEnded(db, a.ab, a.normative_key, sub, path, as_of);
        bad.push_back(fmt::format("{} was recognised on {} ({}), but is no longer recognised under {} for {} / {} on {}{}", ab_name,
                                  D(decided), *then, Arrangements(path), a.normative, a.standard.value_or(""), D(as_of),
                                  last ? ": " + *last : ""));
        continue;
      }
      parts.push_back(fmt::format("{} is recognised under {}", ab_name, *now == *then ? *now : *then + ", now " + *now));
    }
    judge.Link("recognition", bad.empty() ? LinkStatus::Ok : LinkStatus::Failed,
               bad.empty() ? JoinList(parts) + ": the certificate is recognised worldwide"
                           : JoinList(bad) + ": accredited, but not recognised for that scope",
               {"V13", "V14"});
  } else {
    judge.Link("recognition", LinkStatus::NotChecked, "not checked: no accreditation covers the certificate", {"V13"});
  }

  v.outcome = judge.worst();
  switch (v.outcome) {
    case Outcome::ValidAccredited:
      v.summary = fmt::format("certificate {} of {} is valid and issued under a recognised accreditation", number, v.organization);
      break;
    case Outcome::ValidNotAccredited:
      v.summary = fmt::format("certificate {} of {} is in force, but not under a recognised accreditation: it has no national or "
                              "international recognition",
                              number, v.organization);
      break;
    case Outcome::AccreditedNotRecognised:
      v.summary = fmt::format("certificate {} of {} is in force and accredited, but the accreditation body is not recognised for "
                              "that scope: no international (MLA) recognition",
                              number, v.organization);
      break;
    case Outcome::Unconfirmed:
      v.summary = fmt::format("certificate {} of {} is in force; its accreditation cannot be confirmed from the registry: {}", number,
                              v.organization, JoinList(notes));
      break;
    case Outcome::Irregular:
      v.summary = fmt::format("certificate {} of {} breaks a rule on its own data (see certificate_data): do not rely on it before "
                              "the certification body confirms it",
                              number, v.organization);
      break;
    case Outcome::EditionPastTransition:
      v.summary = fmt::format("certificate {} of {} certifies an edition past its transition end: no longer valid", number,
                              v.organization);
      break;
    default:
      v.summary = fmt::format("certificate {} of {} is {}", number, v.organization, OutcomeLabel(v.outcome));
      break;
  }
  return v;
}

std::vector<Hit> Registry::Search(const Query& q, Date as_of) {
  sqlite3* db = impl_->db;
  std::vector<Hit> out;
  // The text is matched literally: `%`, `_` and the escape character itself are escaped.
  std::string like = "%";
  for (char ch : Lower(q.text)) {
    if (ch == '%' || ch == '_' || ch == '\\') like += '\\';
    like += ch;
  }
  like += "%";
  std::string key = q.standard.empty() ? "" : StandardKey(q.standard);
  bool certs = q.kind == "all" || q.kind == "certificates";
  bool decls = q.kind == "all" || q.kind == "self_declarations";
  bool bodies = q.kind == "all" || q.kind == "bodies";
  auto outcome_matches = [&](const std::string& outcome, const std::string& status) {
    return q.outcome.empty() || q.outcome == outcome || q.outcome == status;
  };
  if (certs) {
    Stmt st(db,
            "SELECT number, status FROM certificates c WHERE (lower(number) LIKE ?1 ESCAPE '\\' OR lower(organization) LIKE ?1 ESCAPE '\\' OR "
            "lower(coalesce(scope,'')) LIKE ?1 ESCAPE '\\') AND (?2 = '' OR body = ?2) AND (?3 = '' OR lower(coalesce(country,'')) = lower(?3)) "
            "AND (?4 = '' OR EXISTS (SELECT 1 FROM certificate_standards s WHERE s.number = c.number AND s.standard_key = ?4)) "
            "ORDER BY number");
    st.Bind(1, like).Bind(2, q.body).Bind(3, q.country).Bind(4, key);
    std::vector<std::pair<std::string, std::string>> found;
    while (st.Row()) found.emplace_back(st.Text(0), st.Text(1));
    for (const auto& [number, status] : found) {
      Verification v = Verify(number, as_of);
      if (!outcome_matches(OutcomeName(v.outcome), status)) continue;
      Hit h;
      h.kind = "certificate";
      h.attestation = Attestation::Certification;
      h.id = number;
      h.name = v.organization;
      h.country = v.country;
      h.standards = v.standards;
      h.outcome = OutcomeName(v.outcome);
      h.expiry = v.expiry;
      h.detail = fmt::format("issued by {}", v.body_name.empty() ? v.body : v.body_name);
      out.push_back(std::move(h));
    }
  }
  if (decls && q.body.empty()) {
    Stmt st(db,
            "SELECT id, organization, country, standard, edition, declared_at, valid_until, registry FROM self_declarations WHERE "
            "(lower(id) LIKE ?1 ESCAPE '\\' OR lower(organization) LIKE ?1 ESCAPE '\\' OR lower(coalesce(scope,'')) LIKE ?1 ESCAPE '\\') AND (?2 = '' OR "
            "lower(coalesce(country,'')) = lower(?2)) AND (?3 = '' OR standard_key = ?3) ORDER BY id");
    st.Bind(1, like).Bind(2, q.country).Bind(3, key);
    while (st.Row()) {
      if (!outcome_matches("self_declared", "self_declared")) continue;
      Hit h;
      h.kind = "self_declaration";
      h.attestation = Attestation::SelfDeclaration;
      h.id = st.Text(0);
      h.name = st.Text(1);
      h.country = st.Text(2);
      h.standards.push_back({st.Text(3), st.Text(4)});
      h.outcome = "self_declared";
      h.expiry = ParseDateText(st.Opt(6));
      h.detail = fmt::format("declared {} in {}", st.Text(5), st.Opt(7).value_or("a registry"));
      out.push_back(std::move(h));
    }
  }
  if (bodies && q.outcome.empty()) {
    Stmt st(db,
            "SELECT id, name, kind, country FROM bodies WHERE (lower(id) LIKE ?1 ESCAPE '\\' OR lower(name) LIKE ?1 ESCAPE '\\' OR lower(coalesce(aka,'')) "
            "LIKE ?1 ESCAPE '\\') AND (?2 = '' OR id = ?2) AND (?3 = '' OR lower(coalesce(country,'')) = lower(?3)) ORDER BY id");
    st.Bind(1, like).Bind(2, q.body).Bind(3, q.country);
    std::vector<Hit> found;
    while (st.Row()) {
      Hit h;
      h.kind = st.Text(2);
      h.attestation = Attestation::Accreditation;
      h.id = st.Text(0);
      h.name = st.Text(1);
      h.country = st.Text(3);
      found.push_back(std::move(h));
    }
    for (auto& h : found) {
      std::vector<std::string> parts;
      bool any = false;
      for (const auto& a : AccreditationsOf(db, h.id)) {
        if (!key.empty() && a.standard_key.value_or("") != key) continue;
        bool in_force = a.from <= as_of && (!a.to || as_of <= *a.to) &&
                        (a.status == "active" || (a.status_since && *a.status_since > as_of));
        parts.push_back(fmt::format("{} {} {}{} by {} ({})", a.id, a.normative, a.standard.value_or(""),
                                    a.edition.empty() ? "" : ":" + a.edition, a.ab, in_force ? "in force" : a.status == "active" ? "not in force" : a.status));
        if (a.standard) h.standards.push_back({*a.standard, a.edition});
        any = true;
      }
      if (!key.empty() && !any) continue;
      h.detail = parts.empty() ? "no accreditation in the registry" : "accreditations: " + JoinList(parts);
      out.push_back(std::move(h));
    }
    if (q.body.empty()) {
      Stmt ab(db,
              "SELECT id, name, acronym, economies FROM accreditation_bodies WHERE lower(id) LIKE ?1 ESCAPE '\\' OR lower(name) LIKE ?1 ESCAPE '\\' OR "
              "lower(coalesce(acronym,'')) LIKE ?1 ESCAPE '\\' ORDER BY id");
      ab.Bind(1, like);
      std::vector<Hit> abs;
      while (ab.Row()) {
        if (!key.empty()) break;
        Hit h;
        h.kind = "accreditation_body";
        h.attestation = Attestation::Accreditation;
        h.id = ab.Text(0);
        h.name = ab.Text(1) + (ab.Text(2).empty() ? "" : " (" + ab.Text(2) + ")");
        h.country = ab.Text(3);
        abs.push_back(std::move(h));
      }
      for (auto& h : abs) {
        if (!q.country.empty()) {
          bool in = false;
          for (const auto& e : SplitList(h.country)) in = in || Lower(e) == Lower(q.country);
          if (!in) continue;
        }
        Stmt rs(db, "SELECT arrangement, main_scope, sub_scope, since, until FROM recognitions WHERE accreditation_body = ? ORDER BY since");
        rs.Bind(1, h.id);
        std::vector<std::string> parts;
        while (rs.Row())
          parts.push_back(fmt::format("{} {}{} since {}{}", rs.Text(0), rs.Text(1), rs.Text(2).empty() ? "" : " / " + rs.Text(2),
                                      rs.Text(3), rs.Opt(4) ? " until " + rs.Text(4) : ""));
        h.detail = parts.empty() ? "no recognition under a multilateral arrangement" : "recognised: " + JoinList(parts);
        out.push_back(std::move(h));
      }
    }
  }
  return out;
}

}  // namespace conform::runtime::registry
