// The certificate registry: accreditation bodies and their recognition under multilateral
// arrangements (IAF MLA / ILAC MRA, since 2026 GACI), conformity-assessment bodies and their
// accreditations, certificates, first-party self-declarations and standard editions, in an
// embedded SQLite database. Imports (JSON or CSV) are all-or-nothing; verification walks the
// chain certificate → issuing body → its accreditation → the accreditation body's recognition
// and answers one Outcome with a reason per link. See docs/certification.md.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "conform/compiler/diagnostics.h"
#include "conform/runtime/lifecycle.h"

namespace conform::runtime::registry {

using Date = int64_t;
using lifecycle::Attestation;

// Outcomes, from the most to the least serious: when several links fail, the first applies.
enum class Outcome {
  Unknown,                 // no certificate or self-declaration of that number (in force on that date)
  SelfDeclared,            // a first-party self-declaration: not a certification
  Withdrawn,               // withdrawn or cancelled
  Suspended,
  Expired,
  EditionPastTransition,   // the edition certified is past its transition end (ISO/IEC 27001:2013 after 2025-10-31)
  Irregular,               // the certificate's own data break a rule (issued before the decision, over 3 years, another AB named)
  ValidNotAccredited,      // in force, but no accreditation (or scheme approval) covers it
  AccreditedNotRecognised, // accredited, but the accreditation body is not recognised for that scope (not, or no longer, an MLA signatory)
  Unconfirmed,             // accredited as far as the registry shows, but a fact it needs is missing (sector, audit date)
  ValidAccredited,         // in force, issued under an accreditation covering it, by a recognised AB
};
const char* OutcomeName(Outcome o);   // valid_accredited, valid_not_accredited, accredited_not_recognised, …
const char* OutcomeLabel(Outcome o);  // "valid and accredited", "valid but not accredited", …

enum class LinkStatus { Ok, Failed, NotChecked, Unconfirmed };
const char* LinkStatusName(LinkStatus s);  // ok | failed | not_checked | unconfirmed

// The checks of `registry verify`, as data with their sources: a failed check leads to `fails`,
// an unconfirmed one to Outcome::Unconfirmed. See docs/certification.md.
struct VerifyRule {
  const char* id;       // V1 …
  const char* link;     // the chain link it belongs to
  const char* summary;  // the rule in plain words
  const char* source;
  Outcome fails;
};
const std::vector<VerifyRule>& VerifyRules();
const VerifyRule& VerifyRuleById(const std::string& id);

// One link of the chain, with its reason.
struct Link {
  std::string name;   // certificate | edition | certificate_data | issuing_body | accreditation | recognition | self_declaration
  LinkStatus status = LinkStatus::NotChecked;
  std::string reason;
  std::string source;  // the rule the link rests on (ISO/IEC 17021-1 8.2.2, IAF MD 2 …)
  std::vector<std::string> rules;  // the VerifyRules() ids judged in this link
};

struct StandardRef {
  std::string standard, edition;
};

struct Verification {
  std::string number;
  Date as_of = 0;
  Outcome outcome = Outcome::Unknown;
  std::optional<Attestation> attestation;  // absent for Unknown
  std::string summary;
  // What the registry holds about the certificate or declaration.
  std::string organization, country, scope, body, body_name, status;
  std::vector<std::string> body_aka;  // the issuing body's other names ("registrar" names)
  std::vector<StandardRef> standards;
  std::vector<std::string> iaf_codes, sites;
  std::optional<Date> issued, decision, expiry, status_since;
  std::vector<Link> chain;
};

struct ImportStats {
  std::map<std::string, int> rows;  // per record kind
  int total() const {
    int n = 0;
    for (const auto& [k, v] : rows) n += v;
    return n;
  }
};

enum class ImportFormat { Auto, Json, Csv };

struct Query {
  std::string text;      // matched against numbers, ids, names, scopes (case-insensitive substring)
  std::string standard;  // e.g. "ISO 9001" or "iso9001"
  std::string body;      // certification body id
  std::string outcome;   // an OutcomeName, or a stored status (active, suspended …)
  std::string country;
  std::string kind = "all";  // all | certificates | self_declarations | bodies
};

struct Hit {
  std::string kind;  // certificate | self_declaration | certification_body | laboratory | inspection_body | accreditation_body
  Attestation attestation = Attestation::Certification;
  std::string id, name, country, detail;
  std::vector<StandardRef> standards;
  std::string outcome;  // certificates and declarations: OutcomeName as of the query date
  std::optional<Date> expiry;
};

std::string RenderText(const Verification& v);
std::string RenderJson(const Verification& v);
std::string RenderText(const std::vector<Hit>& hits, Date as_of);
// The checks of verify (VerifyRules) with their outcomes and sources.
std::string RenderRulesText();
std::string RenderRulesJson();
std::string RenderJson(const std::vector<Hit>& hits, Date as_of);

// $XDG_DATA_HOME/conform/registry.sqlite, else $HOME/.local/share/conform/registry.sqlite.
std::string DefaultPath();

// The key standards are compared by: lower case, spaces and "/IEC" removed
// ("ISO/IEC 27001" → "iso27001", "ISO 9001" → "iso9001", "ISO/IEC 17021-1" → "iso17021-1").
std::string StandardKey(const std::string& name);

// A certificate number (or self-declaration id) as stored and looked up: surrounding whitespace
// removed, inner runs of whitespace (also no-break spaces) made one space, letters upper case:
// " nc-9001   0417 " → "NC-9001 0417".
std::string NormalizeNumber(const std::string& number);

class Registry {
 public:
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Opens (and with `create`, creates, with its folder) the database at `path`. Errors:
  // E1020 cannot open or create; E1029 not a Conform registry (or a newer version).
  // A registry locked by another process (an import) is waited for up to `wait_ms`, then E0912.
  static std::unique_ptr<Registry> Open(const std::string& path, bool create, Diagnostics& diags, int wait_ms = 2000);
  const std::string& path() const;

  // Imports `text` (registered in `sm` as `path`): every row is checked first, then all are
  // written in one transaction; on any error nothing is written. Errors, each at its line:
  // E1022 malformed JSON/CSV, E1023 unknown record kind, field or column, E1024 missing required
  // field, E1025 invalid value, E1026 a key repeated in the file, E1027 write failed (rolled
  // back), E1028 a reference to a body that is neither in the file nor in the registry.
  bool Import(const std::string& path, std::string text, ImportFormat format, SourceManager& sm, Diagnostics& diags,
              ImportStats* stats = nullptr);
  // Reads the file (E1021 if it cannot be read), then Import.
  bool ImportFile(const std::string& path, ImportFormat format, SourceManager& sm, Diagnostics& diags,
                  ImportStats* stats = nullptr);

  Verification Verify(const std::string& number, Date as_of);
  std::vector<Hit> Search(const Query& q, Date as_of);

 private:
  struct Impl;
  explicit Registry(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace conform::runtime::registry
