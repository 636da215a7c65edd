// Certificate verification (the chain of iso-domain.md §11.3) and registry search.
#include <fmt/format.h>

#include <algorithm>

#include "conform/compiler/calendar.h"
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

Verification Registry::Verify(const std::string& number, Date as_of) {
  sqlite3* db = impl_->db;
  Verification v;
  v.number = number;
  v.as_of = as_of;

  Stmt cs(db,
          "SELECT body, accreditation_body, organization, country, scope, iaf_codes, decision_date, issued, expiry, status, "
          "status_since FROM certificates WHERE number = ?");
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
                         "ISO/IEC 17050-1 (first-party declaration of conformity)"});
      v.chain.push_back({"certificate", LinkStatus::Failed,
                         "no audit by a certification body and no certificate: the declaration attests nothing beyond the "
                         "organization's own claim",
                         "ISO/IEC 17021-1 (third-party certification)"});
      return v;
    }
    v.outcome = Outcome::Unknown;
    v.summary = fmt::format("no certificate or self-declaration numbered `{}` in the registry", number);
    v.chain.push_back({"certificate", LinkStatus::Failed,
                       fmt::format("`{}` is not in the registry {}: ask the issuing certification body, which must confirm "
                                   "validity on request",
                                   number, impl_->path),
                       "ISO/IEC 17021-1 8.1, 9.6.5"});
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

  // Link 1: the certificate itself, as of the date asked.
  std::string status = v.status;
  if (v.status_since && *v.status_since > as_of) status = "active";  // the status recorded had not happened yet
  Outcome state = Outcome::ValidAccredited;
  std::string cert_reason;
  if (as_of < issued) {
    v.outcome = Outcome::Unknown;
    v.summary = fmt::format("certificate {} was issued on {}, after {}", number, D(issued), D(as_of));
    v.chain.push_back({"certificate", LinkStatus::Failed,
                       fmt::format("issued on {}: no certificate of that number was in force on {}", D(issued), D(as_of)),
                       "ISO/IEC 17021-1 8.2.2"});
    return v;
  }
  v.attestation = Attestation::Certification;
  if (status == "withdrawn" || status == "cancelled") {
    state = Outcome::Withdrawn;
    cert_reason = fmt::format("{}{} by the certification body", status, v.status_since ? " on " + D(*v.status_since) : "");
  } else if (status == "suspended") {
    state = Outcome::Suspended;
    cert_reason = fmt::format("suspended{}: temporarily invalid; it may not be promoted while suspended",
                              v.status_since ? " since " + D(*v.status_since) : "");
  } else if (as_of > expiry) {
    state = Outcome::Expired;
    cert_reason = fmt::format("expired: valid {} – {}, no longer in force from {}", D(issued), D(expiry), D(expiry + 1));
  } else if (status == "expired") {
    state = Outcome::Expired;
    cert_reason = fmt::format("recorded as expired{} (it was to run until {})", v.status_since ? " since " + D(*v.status_since) : "",
                              D(expiry));
  } else {
    cert_reason = fmt::format("in force: issued {}, expires {}, status active", D(issued), D(expiry));
  }
  v.chain.push_back({"certificate", state == Outcome::ValidAccredited ? LinkStatus::Ok : LinkStatus::Failed,
                     fmt::format("{} for {}: {}", StandardsText(v.standards), v.organization, cert_reason),
                     "ISO/IEC 17021-1 8.2.2, 9.6.5"});

  // The edition: past its transition end?
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
    std::string text;
    for (const auto& p : past) text += (text.empty() ? "" : "; ") + p;
    v.chain.push_back({"edition", LinkStatus::Failed, "edition past its transition end: " + text, "IAF MD 26; iso-domain §4.4"});
    if (state == Outcome::ValidAccredited) state = Outcome::EditionPastTransition;
  }

  // Link 2: the issuing body.
  std::string kind = "certification_body";
  bool body_ok = false;
  {
    Stmt bs(db, "SELECT name, kind, country, aka FROM bodies WHERE id = ?");
    bs.Bind(1, v.body);
    if (bs.Row()) {
      v.body_name = bs.Text(0);
      kind = bs.Text(1);
      std::string aka = bs.Text(3);
      body_ok = kind == "certification_body";
      v.chain.push_back({"issuing_body", body_ok ? LinkStatus::Ok : LinkStatus::Failed,
                         body_ok ? fmt::format("issued by {} ({}), a certification body{}", v.body_name, v.body,
                                               aka.empty() ? "" : " (also known as " + aka + ")")
                                 : fmt::format("issued by {} ({}), {}: not a body that certifies management systems", v.body_name,
                                               v.body, BodyKindLabel(kind)),
                         "ISO/IEC 17021-1"});
    } else {
      v.chain.push_back({"issuing_body", LinkStatus::Failed,
                         fmt::format("the issuing body `{}` is not in the registry: no accreditation can be shown", v.body),
                         "ISO/IEC 17021-1"});
    }
  }

  // Link 3: an accreditation of the body covering each standard, edition and sector at the
  // decision date (and, if withdrawn since, the IAF MD 2 transfer period).
  std::vector<Accreditation> found;  // one per standard
  bool acc_ok = body_ok;
  std::vector<std::string> acc_reasons;
  if (body_ok) {
    std::vector<Accreditation> accs = AccreditationsOf(db, v.body);
    for (const auto& s : v.standards) {
      std::string key = StandardKey(s.standard);
      const Accreditation* match = nullptr;
      std::vector<std::string> why;
      for (const auto& a : accs) {
        if (a.normative_key != StandardKey(NormativeFor(kind))) continue;
        if (!a.standard_key || *a.standard_key != key) continue;
        if (!a.edition.empty() && !SameEdition(a.edition, s.edition)) {
          why.push_back(fmt::format("{} covers {}:{}, not edition {}", a.id, *a.standard, a.edition, s.edition));
          continue;
        }
        if (decided < a.from || (a.to && decided > *a.to)) {
          why.push_back(fmt::format("{} was valid {} – {}, not on the {} {}", a.id, D(a.from), a.to ? D(*a.to) : "…", decided_what,
                                    D(decided)));
          continue;
        }
        if (a.status != "active" && (!a.status_since || *a.status_since <= decided)) {
          why.push_back(fmt::format("{} was {}{} on the {} {}", a.id, a.status,
                                    a.status_since ? " (since " + D(*a.status_since) + ")" : "", decided_what, D(decided)));
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
      if (!match) {
        acc_ok = false;
        if (why.empty())
          why.push_back(fmt::format("{} holds no accreditation to {} for {}", v.body, NormativeFor(kind), s.standard));
        acc_reasons.push_back(fmt::format("{}:{}: {}", s.standard, s.edition, JoinList(why)));
        continue;
      }
      // Accreditation suspended or withdrawn after the decision: IAF MD 2 lets certificates be
      // transferred within 6 months or until expiry, whichever is sooner.
      if (match->status != "active" && match->status_since && *match->status_since > decided &&
          *match->status_since <= expiry) {
        Date until = std::min(cal::AddDuration(*match->status_since, {6, 0}, +1), expiry);
        if (as_of > until) {
          acc_ok = false;
          acc_reasons.push_back(fmt::format("{}:{}: accreditation {} was {} on {}; the certificate had to be transferred to an "
                                            "accredited body by {} (6 months, or expiry if sooner)",
                                            s.standard, s.edition, match->id, match->status, D(*match->status_since), D(until)));
          continue;
        }
        acc_reasons.push_back(fmt::format("{}:{}: accreditation {} was {} on {}; the certificate remains usable until transferred, "
                                          "at the latest {}",
                                          s.standard, s.edition, match->id, match->status, D(*match->status_since), D(until)));
      }
      found.push_back(*match);
    }
    if (acc_ok) {
      std::vector<std::string> parts;
      for (const auto& a : found)
        parts.push_back(fmt::format("{} by {}: {} {}{}{}, valid {} – {}", a.id, a.ab, a.normative, a.standard.value_or(""),
                                    a.edition.empty() ? "" : ":" + a.edition,
                                    a.iaf_codes.empty() ? "" : fmt::format(" (IAF codes {})", JoinList(a.iaf_codes)), D(a.from),
                                    a.to ? D(*a.to) : "…"));
      std::string text = fmt::format("covers the certificate on the {} {}: {}", decided_what, D(decided), JoinList(parts));
      for (const auto& r : acc_reasons) text += "; note: " + r;
      if (claimed_ab && !found.empty() && *claimed_ab != found.front().ab)
        text += fmt::format("; the certificate names {} as accreditation body", *claimed_ab);
      v.chain.push_back({"accreditation", LinkStatus::Ok, text, "ISO/IEC 17011; IAF ID 1 (sectors); iso-domain §11.3"});
    } else {
      std::string text;
      for (const auto& r : acc_reasons) text += (text.empty() ? "" : "; ") + r;
      v.chain.push_back({"accreditation", LinkStatus::Failed,
                         fmt::format("no accreditation covers the certificate on the {} {}: {}", decided_what, D(decided), text),
                         "ISO/IEC 17011; IAF ID 1 (sectors); iso-domain §11.3"});
    }
  } else {
    v.chain.push_back({"accreditation", LinkStatus::NotChecked, "not checked: the issuing body is not an accredited certification body",
                       "ISO/IEC 17011"});
  }

  // Link 4: the accreditation body's recognition under a multilateral arrangement for that scope.
  bool rec_ok = acc_ok;
  if (acc_ok) {
    std::vector<std::string> parts, fails;
    for (const auto& a : found) {
      std::string ab_name = a.ab;
      {
        Stmt ab(db, "SELECT name, acronym FROM accreditation_bodies WHERE id = ?");
        ab.Bind(1, a.ab);
        if (ab.Row()) ab_name = ab.Text(1).empty() ? ab.Text(0) : ab.Text(1);
      }
      Stmt rs(db,
              "SELECT arrangement, main_scope, sub_scope, since, until FROM recognitions WHERE accreditation_body = ? AND "
              "main_key = ? AND (sub_key = '' OR sub_key = ?) AND since <= ? AND (until IS NULL OR until >= ?) "
              "ORDER BY since DESC");
      std::string date = D(decided);
      rs.Bind(1, a.ab).Bind(2, a.normative_key).Bind(3, a.standard_key.value_or("")).Bind(4, date).Bind(5, date);
      if (rs.Row()) {
        std::string sub = rs.Text(2);
        parts.push_back(fmt::format("{} is a signatory of the {} for {}{} since {}", ab_name, rs.Text(0), rs.Text(1),
                                    sub.empty() ? "" : " / " + sub, rs.Text(3)));
      } else {
        fails.push_back(fmt::format("{} was not recognised under IAF MLA / ILAC MRA / GACI MRA for {} / {} on {}", ab_name, a.normative,
                                    a.standard.value_or(""), date));
      }
    }
    rec_ok = fails.empty();
    v.chain.push_back({"recognition", rec_ok ? LinkStatus::Ok : LinkStatus::Failed,
                       rec_ok ? JoinList(parts) + ": the certificate is recognised worldwide"
                              : JoinList(fails) + ": accredited, but without international (MLA) recognition",
                       "IAF MLA / ILAC MRA (GACI from 2026); iso-domain §11.1, §11.3"});
  } else {
    v.chain.push_back({"recognition", LinkStatus::NotChecked, "not checked: no accreditation covers the certificate",
                       "IAF MLA / ILAC MRA (GACI from 2026)"});
  }

  if (state == Outcome::ValidAccredited && !(body_ok && acc_ok && rec_ok)) state = Outcome::ValidNotAccredited;
  v.outcome = state;
  switch (state) {
    case Outcome::ValidAccredited:
      v.summary = fmt::format("certificate {} of {} is valid and issued under a recognised accreditation", number, v.organization);
      break;
    case Outcome::ValidNotAccredited:
      v.summary = fmt::format("certificate {} of {} is in force, but not under a recognised accreditation: it has no national or "
                              "international recognition",
                              number, v.organization);
      break;
    case Outcome::EditionPastTransition:
      v.summary = fmt::format("certificate {} of {} certifies an edition past its transition end: no longer valid", number,
                              v.organization);
      break;
    default:
      v.summary = fmt::format("certificate {} of {} is {}", number, v.organization, OutcomeLabel(state));
      break;
  }
  return v;
}

std::vector<Hit> Registry::Search(const Query& q, Date as_of) {
  sqlite3* db = impl_->db;
  std::vector<Hit> out;
  std::string like = "%" + Lower(q.text) + "%";
  std::string key = q.standard.empty() ? "" : StandardKey(q.standard);
  bool certs = q.kind == "all" || q.kind == "certificates";
  bool decls = q.kind == "all" || q.kind == "self_declarations";
  bool bodies = q.kind == "all" || q.kind == "bodies";
  auto outcome_matches = [&](const std::string& outcome, const std::string& status) {
    return q.outcome.empty() || q.outcome == outcome || q.outcome == status;
  };
  if (certs) {
    Stmt st(db,
            "SELECT number, status FROM certificates c WHERE (lower(number) LIKE ?1 OR lower(organization) LIKE ?1 OR "
            "lower(coalesce(scope,'')) LIKE ?1) AND (?2 = '' OR body = ?2) AND (?3 = '' OR lower(coalesce(country,'')) = lower(?3)) "
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
            "(lower(id) LIKE ?1 OR lower(organization) LIKE ?1 OR lower(coalesce(scope,'')) LIKE ?1) AND (?2 = '' OR "
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
            "SELECT id, name, kind, country FROM bodies WHERE (lower(id) LIKE ?1 OR lower(name) LIKE ?1 OR lower(coalesce(aka,'')) "
            "LIKE ?1) AND (?2 = '' OR id = ?2) AND (?3 = '' OR lower(coalesce(country,'')) = lower(?3)) ORDER BY id");
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
              "SELECT id, name, acronym, economies FROM accreditation_bodies WHERE lower(id) LIKE ?1 OR lower(name) LIKE ?1 OR "
              "lower(coalesce(acronym,'')) LIKE ?1 ORDER BY id");
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
